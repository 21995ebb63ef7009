"""Can this chat model answer from given facts? A short exam when the model server comes up.

A model that cannot answer grounded questions (the demo's 135M model loops and echoes) only makes
buyers wait for a draft that the grounding check then throws away. So when the model is ready,
it is asked a few questions per language whose facts are in the prompt, exactly as policy answers
are asked (``bot.prompts.policy_messages``); each answer must pass the grounding check
(``bot.grounding.check_draft``) and state the fact. A language whose questions all pass may be
drafted in; otherwise the assistant answers with the quoted policy sentences at once
(``bot.assistant``), never "model unavailable" while the model is up.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone

from bot.grounding import check_draft
from bot.prompts import SYSTEM, format_context, policy_messages
from retrieval.index import Hit

# (question, the facts given, a phrase the answer must contain): facts in the shape of real policy
# chunks, answers that a grounded model states in a few words.
EXAM = {
    "en": [
        ("How long does standard shipping take?", "Standard shipping takes 3-5 business days after the merchant dispatches the order.", "3-5"),
        ("How many days do I have to return an item?", "You can request a return within 30 days of the delivery date shown in tracking.", "30"),
        ("How much does express shipping cost?", "Express shipping costs a flat $14.99 per order and is never free.", "14.99"),
    ],
    "zh": [
        ("标准配送要多久？", "标准配送在商家发货后 3-5 个工作日送达。", "3-5"),
        ("签收后多少天内可以退货？", "签收后 30 天内可以申请退货。", "30"),
        ("加急配送多少钱？", "加急配送每笔订单固定收取 14.99 美元，任何会员等级都不免。", "14.99"),
    ],
}
STATES = ("unchecked", "checking", "passed", "failed", "error")


@dataclass
class CapabilityReport:
    """The exam's result: per language whether the model may draft answers, and each answer."""

    state: str = "unchecked"  # one of STATES; "failed": some language failed, "error": the model could not be asked
    languages: dict[str, dict] = field(default_factory=dict)  # {"en": {"passed": 3, "asked": 3, "drafts": True}}
    cases: list[dict] = field(default_factory=list)  # {"language", "question", "expected", "answer", "problem", "ms"}
    checked_at: str | None = None
    seconds: float | None = None

    def drafts(self, language: str) -> bool | None:
        """Whether answers in ``language`` may be drafted by the model: None while that is not known
        (not checked yet, being checked, or the model could not be asked: it is tried as before)."""
        if self.state not in ("passed", "failed"):
            return None
        return bool(self.languages.get(language, {}).get("drafts"))

    def meaning(self) -> str:
        """What the result means for answers, in words (for /readyz and the console)."""
        if self.state in ("unchecked", "checking"):
            return "the model is being checked: until it has passed or failed, it drafts answers as usual"
        good = [lang for lang in sorted(self.languages) if self.drafts(lang)]
        if self.state == "error":
            return "the model could not be asked: it is tried for each answer, and quoted text goes out when it fails"
        if not good:
            return "the model failed its grounding check: policy answers are quoted from the knowledge base, without waiting for it"
        bad = [lang for lang in sorted(self.languages) if not self.drafts(lang)]
        return f"the model drafts policy answers in {', '.join(good)}" + (f"; quoted in {', '.join(bad)}" if bad else "")

    def as_dict(self) -> dict:
        return {**asdict(self), "meaning": self.meaning()}


def run_exam(ask: Callable[[list], object], languages: tuple[str, ...] = ("en", "zh"), on_case: Callable[[dict], None] | None = None) -> CapabilityReport:
    """Ask the exam's questions through ``ask(messages) -> AIMessage`` (the caller bounds its time
    and raises on a failure). A language stops at its first failed answer: a slow model that fails
    is not kept busy."""
    started = time.perf_counter()
    report = CapabilityReport(state="checking")
    for language in languages:
        passed = asked = 0
        for question, fact, expected in EXAM[language]:
            hits = [Hit(source="capability-check", chunk_id=f"exam-{language}-{asked}", section="", text=fact, score=1.0, language=language)]
            asked += 1
            case_started = time.perf_counter()
            try:
                draft = ask(policy_messages(question, hits, language))
                answer = draft.content if isinstance(draft.content, str) else str(draft.content)
                problem = check_draft(answer, language, question=question, instructions=SYSTEM[language], context=format_context(hits, language))
                problem = problem or (None if expected in answer else "fact_missing")
            except Exception as exc:  # a timeout or a server error: the model cannot be relied on
                answer, problem = "", f"error: {type(exc).__name__}"
            case = {"language": language, "question": question, "expected": expected, "answer": answer[:400], "problem": problem,
                    "ms": round((time.perf_counter() - case_started) * 1000, 1)}  # fmt: skip
            report.cases.append(case)
            if on_case:
                on_case(case)
            if problem:
                break
            passed += 1
        report.languages[language] = {"passed": passed, "asked": asked, "of": len(EXAM[language]), "drafts": passed == len(EXAM[language])}
    errors = all(c["problem"] and c["problem"].startswith("error") for c in report.cases)
    report.state = "error" if errors else "passed" if all(v["drafts"] for v in report.languages.values()) else "failed"
    report.checked_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    report.seconds = round(time.perf_counter() - started, 2)
    return report
