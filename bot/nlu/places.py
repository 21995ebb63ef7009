"""Places a buyer names an order by ("my Denver order", "the one going to NYC", "寄到纽约的那个"):
cities and states with their common abbreviations and Chinese names (shop data:
knowledge/places/places.json, extended by the shop's words file)."""

from __future__ import annotations

import re
from functools import cache

from knowledge.catalog import catalogue_words


_SAFE_CODES = frozenset("NY TX FL WA IL AZ NC NJ GA MA MI NV DC TN VA CA CT MN WI".split())


@cache
def _place_patterns() -> list[tuple[re.Pattern, str, str]]:
    """(pattern, kind, canonical) for every name of every city and state, longest first."""
    places = catalogue_words()["places"]
    names = []
    for kind, table in (("city", places["cities"]), ("state", places["states"])):
        for canonical, words in table.items():
            for name in {canonical if kind == "city" else None, *words.get("en", []), *words.get("zh", [])} - {None}:
                names.append((name, kind, canonical))
        if kind == "state":
            # "NY", "TX": as written, upper case; not codes that are also words or things ("IN", "OR", "SD card", "ME").
            names += [(code, "state", code) for code in table if code in _SAFE_CODES]
    patterns = []
    for name, kind, canonical in sorted(names, key=lambda n: -len(n[0])):
        if re.search(r"[A-Za-z]", name):
            flags = 0 if len(name) <= 3 else re.IGNORECASE  # "LA", "DC", "NY" only in capitals
            patterns.append((re.compile(rf"(?<![A-Za-z]){re.escape(name)}(?![A-Za-z])", flags), kind, canonical))
        else:
            patterns.append((re.compile(re.escape(name)), kind, canonical))
    return patterns


def places_named(text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, kind, canonical) of each place named, longest names first, none overlapping."""
    found: list[tuple[int, int, str, str]] = []
    for pattern, kind, canonical in _place_patterns():
        for m in pattern.finditer(text):
            if not any(s < m.end() and m.start() < e for s, e, _, _ in found):
                found.append((m.start(), m.end(), kind, canonical))
    return sorted(found)


def is_place(words: str) -> bool:
    return any(s == 0 and e == len(words) for s, e, _, _ in places_named(words))


def address_in(address: dict, place: str) -> bool:
    """Whether an order's address is in the named place (a canonical city or a state code)."""
    return place.casefold() in ((address.get("city") or "").casefold(), (address.get("state") or "").casefold())
