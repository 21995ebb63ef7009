"""Checks that a model's draft is usable before a user sees it.

Small local models loop ("the the the ..."), echo the prompt back, or drift into another
language. A draft that fails any check is replaced by a template built from retrieved facts.
"""

from __future__ import annotations

import re
from collections import Counter

from knowledge.documents import detect_language

_WORD = re.compile(r"[A-Za-z0-9]+|[\u3400-\u9fff]")


def _tokens(text: str) -> list[str]:
    # Latin words and single CJK characters: comparable units for both languages.
    return [t.lower() for t in _WORD.findall(text)]


def _ngrams(tokens: list[str], n: int) -> list[tuple[str, ...]]:
    return [tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]


def is_looping(text: str, n: int = 4, max_repeats: int = 2) -> bool:
    """An n-gram repeated more than ``max_repeats`` times, or the same line twice or more."""
    grams = Counter(_ngrams(_tokens(text), n))
    if grams and grams.most_common(1)[0][1] > max_repeats:
        return True
    lines = [line.strip() for line in text.splitlines() if len(line.strip()) > 15]
    return len(lines) != len(set(lines))


def echo_ratio(text: str, *sources: str, n: int = 5) -> float:
    """Share of the draft's n-grams copied from ``sources`` (the question, the instructions)."""
    grams = _ngrams(_tokens(text), n)
    if not grams:
        return 0.0
    seen = {g for source in sources for g in _ngrams(_tokens(source), n)}
    return sum(g in seen for g in grams) / len(grams)


def check_draft(draft: str, language: str, question: str, instructions: str) -> str | None:
    """None when the draft is usable, else the reason it is not."""
    text = draft.strip()
    if len(_tokens(text)) < 2:
        return "empty"
    if is_looping(text):
        return "loop"
    if echo_ratio(text, question, instructions) > 0.5:
        return "echo"
    if detect_language(text) != language:
        return "wrong_language"
    return None
