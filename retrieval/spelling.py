"""Buyers' spelling in a question, repaired before it is searched: "wat is ur retrun polcy" →
"what is your return policy".

Only English words that are neither English (pyspellchecker's frequency list, in its wheel) nor
the knowledge base's own ("fapiao", "alipay") are changed, and only to a word of the knowledge base
among their spelling candidates (the most frequent in English); chat shorthand ("ur", "pls",
"wat") is expanded. Chinese is left alone: input methods do not misspell,
and homophone slips (退货政册) are read by the embedding model.
"""

from __future__ import annotations

import re
from functools import lru_cache

SHORTHAND = {
    "u": "you", "ur": "your", "r": "are", "y": "why", "wat": "what", "wut": "what", "wht": "what", "whats": "what is", "wats": "what is",
    "hw": "how", "pls": "please", "plz": "please", "thx": "thanks", "ty": "thank you", "abt": "about", "cuz": "because", "bc": "because",
    "b4": "before", "rn": "right now", "asap": "as soon as possible", "dont": "don't", "cant": "can't", "wont": "won't", "doesnt": "doesn't",
    "isnt": "isn't", "didnt": "didn't", "im": "i'm", "ive": "i've", "wanna": "want to", "gonna": "going to", "gotta": "have to", "tmr": "tomorrow",
    "addr": "address", "pkg": "package", "acct": "account", "amt": "amount", "qty": "quantity", "shippin": "shipping",
}  # fmt: skip
_WORD = re.compile(r"[A-Za-z][A-Za-z']*")


@lru_cache(maxsize=1)
def _checker():
    from spellchecker import SpellChecker  # imported on first use: its word list loads in ~0.2 s

    return SpellChecker(distance=1)  # one edit (a transposition counts as one): "retrun", "polcy"; gibberish stays gibberish


def correct_spelling(text: str, known: frozenset[str] = frozenset()) -> str:
    """``text`` with misspelt English words and chat shorthand replaced; ``known``: lower-cased words
    of the knowledge base, never changed and preferred as corrections."""
    checker = _checker()

    def fix(match: re.Match) -> str:
        word = match.group(0)
        lower = word.lower()
        if lower in SHORTHAND:
            return SHORTHAND[lower]
        if len(lower) < 4 or lower in known or lower in checker or "'" in lower:
            return word
        # Only to a word of the knowledge base: gibberish ("blicket") must not become a question it
        # can answer ("bucket"), and the relevance gate must keep refusing it.
        candidates = checker.candidates(lower) or set()
        ours = sorted((c for c in candidates if c in known), key=lambda c: -checker.word_usage_frequency(c))
        return ours[0] if ours else word

    return _WORD.sub(fix, text)
