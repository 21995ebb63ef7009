"""Scripted episodes (tests/data/episodes*.json: a buyer's turns, written from a τ² task's user
scenario): the turns sent in order to the assistant on a fresh copy of the shop, whatever it
replies; an episode passes when every order and user its task touches ends as τ²'s reference
leaves it. `kefu eval episodes` runs a file of them (the blind sets are measured with it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

from serving.evaluation.tau2_replay import differences


@dataclass
class EpisodeResult:
    id: str  # task-language-index, as in tests/serving/evaluation/test_episodes.py
    task: str
    language: str
    differences: list[str]

    @property
    def passed(self) -> bool:
        return not self.differences


def run_scripted(assistant_on: Callable[[str], object], episodes: list[dict], expected: dict, shops,
                 on_episode: Callable[[EpisodeResult], None] | None = None) -> list[EpisodeResult]:  # fmt: skip
    """``assistant_on(url)``: the assistant over that copy of the shop; ``shops``: FreshShops."""
    results = []
    for index, episode in enumerate(episodes):
        url = shops.fresh()
        try:
            bot, session_id = assistant_on(url), None
            for text in episode["turns"]:
                session_id = bot.respond(text, session_id=session_id).session_id
            result = EpisodeResult(f"{episode['task']}-{episode['language']}-{index}", episode["task"], episode["language"], differences(url, expected[episode["task"]]))
        finally:
            shops.release(url)
        results.append(result)
        if on_episode:
            on_episode(result)
    return results


def summary(results: list[EpisodeResult]) -> dict:
    by_language = {}
    for language in sorted({r.language for r in results}):
        mine = [r for r in results if r.language == language]
        by_language[language] = {"passed": sum(r.passed for r in mine), "episodes": len(mine)}
    return {"passed": sum(r.passed for r in results), "episodes": len(results), "by_language": by_language,
            "failed": [r.id for r in results if not r.passed], "results": [asdict(r) | {"passed": r.passed} for r in results]}  # fmt: skip
