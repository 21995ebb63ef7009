"""Option values in order, and what a buyer's comparatives and superlatives ask of them.

The order of an option's values is derived from the catalogue: the shop's ordered-words table
first (S < M < L < XL, low < medium < high, 1080p < 2K < 4K, 小 < 中 < 大: shop data in
knowledge/products/words.json), else the numbers inside the values with their units ("512GB
SSD" < "1TB SSD", "1L" < "1.5L", "9 bar" < "15 bar"). Values with no order ("black", "mesh")
are never ranked.

``read_preferences`` finds "the biggest one", "a size up", "a brighter one", "the cheapest",
"higher resolution", "容量最大的", "分辨率低一点", "不超过我现在的价格" in a message, against
one product's options; ``bot.nlu.variants.choose_variant`` applies them to the variants.
"""

from __future__ import annotations

import re
from functools import cache

from bot.nlu.commands import Preference
from bot.nlu.cues import cue
from bot.nlu.vocabulary import KEY_WORDS, ProductTerms
from knowledge.catalog import catalogue_words

PRICE = "price"
_NUMBER = re.compile(r"(\d+(?:\.\d+)?)\s*([a-z%]*)", re.IGNORECASE)


def value_ranks(values: list[str] | tuple[str, ...]) -> dict[str, float] | None:
    """Each value's place in its option's order, or None when the values have no order."""
    values = list(dict.fromkeys(values))
    if len(values) < 2:
        return None
    folded = {v: v.casefold() for v in values}
    for ordered in catalogue_words()["ordered"]:
        position = {word.casefold(): n for n, word in enumerate(ordered)}
        if all(f in position for f in folded.values()):
            return {v: float(position[f]) for v, f in folded.items()}
    scale = catalogue_words()["unit_scale"]
    ranks = {}
    for value in values:
        match = _NUMBER.search(value)
        if match is None:
            return None
        ranks[value] = float(match.group(1)) * scale.get(match.group(2).casefold(), 1.0)
    return ranks if len(set(ranks.values())) == len(ranks) else None


@cache
def _rank_words() -> list[tuple[re.Pattern, str, str]]:
    """(pattern, dimension, degree) for the shop's comparative words ("brighter", "最便宜"), longest first."""
    words = catalogue_words()["rank_words"]
    pairs = sorted(((w, dim, degree) for by_language in words.values() for w, (dim, degree) in by_language.items()), key=lambda t: (-len(t[0]), t[2] not in ("most", "least")))
    return [(re.compile(rf"(?<![a-z]){re.escape(w)}(?![a-z])" if re.search(r"[a-z]", w) else re.escape(w), re.IGNORECASE), dim, degree)
            for w, dim, degree in pairs]  # fmt: skip


def _option_words(product: ProductTerms) -> list[tuple[re.Pattern, str]]:
    found = []
    for key in product.options:
        for word in (key, *KEY_WORDS.get(key.lower(), ())):
            pattern = re.escape(word).replace(r"\ ", r"[\s-]?")
            found.append((re.compile(rf"(?<![a-z]){pattern}(?![a-z])" if re.search(r"[a-z]", word) else pattern, re.IGNORECASE), key))
    return found


def _orderable(product: ProductTerms, key: str) -> bool:
    return key == PRICE or value_ranks(product.options.get(key, [])) is not None


def _dimension_option(product: ProductTerms, dimension: str) -> str | None:
    """The product's option a dimension word ranks ("bigger": size, frame size, capacity…; "cheaper": price)."""
    if dimension == PRICE:
        return PRICE
    for key in catalogue_words()["dimensions"].get(dimension, [dimension]):
        match = next((k for k in product.options if k.casefold() == key.casefold()), None)
        if match and _orderable(product, match):
            return match
    return None


_DEGREES = ("most", "least", "more", "less")


def read_preferences(text: str, product: ProductTerms) -> tuple[list[Preference], list[tuple[int, int]]]:
    """The rankings ``text`` asks of ``product``'s options, and the spans that said them (so the
    words are not read again as option values: 最大 is not size "大")."""
    preferences: list[Preference] = []
    spans: list[tuple[int, int]] = []

    def add(option: str, degree: str, span: tuple[int, int]) -> None:
        if any(p.option == option for p in preferences) or any(s < span[1] and span[0] < e for s, e in spans):
            return
        preferences.append(Preference(option=option, degree=degree))
        spans.append(span)

    # "1000 more pieces", "片数多1000片": exactly this far from the value bought, on the option named next to it.
    for amount in cue("BY_AMOUNT").finditer(text):
        near = text[max(0, amount.start() - 8):amount.end() + 12]
        option = next((key for pattern, key in _option_words(product) if _orderable(product, key) and key != PRICE and pattern.search(near)), None)
        if option is not None:
            said = amount.group(0).lower()
            degree = "less" if any(word in said for word in ("fewer", "less", "少", "减")) else "more"
            preferences.append(Preference(option=option, degree=degree, amount=float(re.search(r"\d+(?:\.\d+)?", said).group(0))))
            spans.append(amount.span())
    if (cap := cue("CAP_CURRENT").search(text)) is not None:
        add(PRICE, "at_most_current", cap.span())
    # A degree word next to an option's name: "the highest resolution", "容量最大", "more storage".
    degree_hits = [(m, degree) for degree in _DEGREES for m in cue(degree.upper()).finditer(text)]
    for pattern, key in _option_words(product):
        if not _orderable(product, key):
            continue
        for option_match in pattern.finditer(text):
            for degree_match, degree in degree_hits:
                before = 0 <= option_match.start() - degree_match.end() <= 12 and not re.search(r"[,，;；。]", text[degree_match.end():option_match.start()])
                after = 0 <= degree_match.start() - option_match.end() <= 6 and not re.search(r"[,，;；。]", text[option_match.end():degree_match.start()])
                if before or after:
                    add(key, degree, (min(degree_match.start(), option_match.start()), max(degree_match.end(), option_match.end())))
    # Words that carry their own dimension: "bigger", "the cheapest", "a brighter one", "大一号", "最便宜".
    for pattern, dimension, degree in _rank_words():
        for match in pattern.finditer(text):
            option = _dimension_option(product, dimension)
            if option is not None:
                add(option, degree, match.span())
    return preferences, spans


def rank_of(product_variants: dict[str, dict], option: str) -> dict[str, float]:
    """item_id → the variant's place in ``option``'s order (price: its price)."""
    if option == PRICE:
        return {item_id: float(v["price"]) for item_id, v in product_variants.items() if "price" in v}
    ranks = value_ranks([v["options"].get(option) for v in product_variants.values() if v["options"].get(option) is not None]) or {}
    return {item_id: ranks[v["options"][option]] for item_id, v in product_variants.items() if v["options"].get(option) in ranks}


def asks_ranking(text: str) -> bool:
    """Whether the message asks for a ranked variant at all ("a bigger one", "the cheapest", "最便宜的")."""
    return any(pattern.search(text) for pattern, _, _ in _rank_words()) or bool(cue("MOST").search(text) or cue("LEAST").search(text))


def price_rank(text: str) -> str | None:
    """"the cheaper one" → least, "the more expensive one" → most: a choice among the buyer's own items by what they cost."""
    for pattern, dimension, degree in _rank_words():
        if dimension == PRICE and pattern.search(text):
            return "least" if degree in ("less", "least") else "most"
    return None
