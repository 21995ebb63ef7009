"""Checks that a model's draft is usable before a user sees it.

Small local models loop ("the the the ..."), echo the prompt back, drift into another language,
or invent facts ("a refund takes 6 hours"). A draft that fails any check is replaced by a
template built from retrieved facts. The checks are lexical on purpose: cheap, explainable in
the console, and strict where it matters most (numbers: days, amounts, percentages).
"""

from __future__ import annotations

import re
from collections import Counter

from knowledge.documents import detect_language

_WORD = re.compile(r"[A-Za-z0-9]+|[\u3400-\u9fff]")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_CITATION_MARK = re.compile(r"\[\d+\]")
# Words any answer may use without the context containing them.
_FUNCTION_WORDS = frozenset(
    """about after also been before being could does each from have here into just more most must
    only other over please same should some such than that their them then there these they this
    those through under very want what when where which while will with within would your yours
    you can may the and for are not our was were has had its any all how why who""".split()
)


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


def unsupported_numbers(text: str, *sources: str) -> list[str]:
    """Numbers in the draft that appear in none of the sources (citation marks like [1] aside)."""
    known = {n for source in sources for n in _NUMBER.findall(source)}
    return [n for n in _NUMBER.findall(_CITATION_MARK.sub(" ", text)) if n not in known]


def support_ratio(text: str, context: str) -> float:
    """Share of the draft's content words (or CJK characters) found in the context."""
    words = [t for t in _tokens(_CITATION_MARK.sub(" ", text)) if (len(t) > 3 or not t.isascii()) and t not in _FUNCTION_WORDS]
    if not words:
        return 1.0
    known = set(_tokens(context))
    return sum(w in known for w in words) / len(words)


MIN_SUPPORT = 0.6


def check_draft(draft: str, language: str, question: str, instructions: str, context: str) -> str | None:
    """None when the draft is usable, else the reason it is not.

    ``context`` is the text the model was given as facts (policy excerpts, tool results).
    """
    text = draft.strip()
    if len(_tokens(text)) < 2:
        return "empty"
    if is_looping(text):
        return "loop"
    if echo_ratio(text, question, instructions) > 0.5:
        return "echo"
    if detect_language(text) != language:
        return "wrong_language"
    if unsupported_numbers(text, context, question):
        return "unsupported_number"
    if support_ratio(text, context + "\n" + question) < MIN_SUPPORT:
        return "unsupported"
    return None
