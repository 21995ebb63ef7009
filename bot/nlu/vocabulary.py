"""The catalogue's words: product names and their aliases in English and Chinese, and each
product's options and values with the words buyers use for them ("medium" for size M, 蓝色 for
blue, "without water resistance"). Built from the shop's catalogue, so the understanding step
knows the shop's own products; ``bot.nlu.names`` adds Chinese names for the demo catalogue."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from bot.nlu.names import ZH_NAMES
from knowledge.catalog import catalogue_words

# The catalogue's words are shop data (knowledge/products/words.json; a shop adds its own file).
_WORDS = catalogue_words()
# English words buyers use for a product, beyond its name and the name's last word.
EN_ALIASES: dict[str, tuple[str, ...]] = {name: tuple(w["en"]) for name, w in _WORDS["products"].items() if w.get("en")}
# Last words of product names that name no product alone ("set it to…", "a kit").
GENERIC_LAST_WORDS = frozenset(_WORDS["generic_last_words"])
# Words for option values, per value as the catalogue writes it (lower case).
VALUE_WORDS: dict[str, tuple[str, ...]] = {value: tuple(words) for value, words in _WORDS["values"].items()}
# Letter sizes as buyers say them.
SIZE_WORDS: dict[str, tuple[str, ...]] = {size: tuple(words) for size, words in _WORDS["sizes"].items()}
# Words for an option's name: "size M", "the ventilation", 颜色.
KEY_WORDS: dict[str, tuple[str, ...]] = {option: tuple(words) for option, words in _WORDS["options"].items()}
# Units in values, as Chinese buyers write them: "20 hours" is also 20小时, "10 inches" 10英寸.
UNIT_WORDS: dict[str, tuple[str, ...]] = {unit: tuple(words) for unit, words in _WORDS["units"].items()}
# Values that mean "none of it": what "without water resistance" or "no backlight" asks for.
NULL_VALUES = frozenset(_WORDS["null_values"])


@dataclass
class ProductTerms:
    name: str
    options: dict[str, list[str]] = field(default_factory=dict)  # option → values, as the catalogue writes them


class Vocabulary:
    """Product names (with aliases) → products; each product's options."""

    def __init__(self, products: dict[str, dict[str, list[str]]], head_nouns: bool = False) -> None:
        self.products = {name: ProductTerms(name, options) for name, options in products.items()}
        aliases: dict[str, set[str]] = {}
        for name in self.products:
            last = name.lower().split()[-1]
            words = {name.lower(), name.lower().replace("-", " "), *([last] if last not in GENERIC_LAST_WORDS else []), *EN_ALIASES.get(name, ()),
                     *(zh.lower() for zh in ZH_NAMES.get(name, ()))}  # fmt: skip
            if head_nouns:
                # Within one order, the end of a Chinese name is enough: 耳机 for 无线耳机 when no headphones are in it.
                words |= {zh[-k:].lower() for zh in ZH_NAMES.get(name, ()) for k in range(2, len(zh))}
            for word in words:
                aliases.setdefault(word, set()).add(name)
        # Longest first, so "wireless earbuds" wins over "earbuds" and 无线耳机 over 耳机.
        self.aliases = sorted(aliases.items(), key=lambda pair: -len(pair[0]))
        self._alias_pattern = re.compile("|".join(_alias_regex(a) for a, _ in self.aliases), re.IGNORECASE) if self.aliases else None

    @classmethod
    def from_catalogue(cls, products: list[dict]) -> "Vocabulary":
        """From product records ({"name", "variants": {id: {"options"}}})."""
        merged: dict[str, dict[str, list[str]]] = {}
        for product in products:
            options = merged.setdefault(product["name"], {})
            for variant in product["variants"].values():
                for key, value in variant["options"].items():
                    if value not in options.setdefault(key, []):
                        options[key].append(value)
        return cls(merged)

    def restricted(self, names: set[str]) -> "Vocabulary":
        """The vocabulary of these products only (an order's), with their Chinese head nouns."""
        return Vocabulary({n: t.options for n, t in self.products.items() if n in names}, head_nouns=True)

    def mentions(self, text: str) -> list[tuple[int, int, str, tuple[str, ...]]]:
        """(start, end, words, products) for each product the text names, in order."""
        if self._alias_pattern is None:
            return []
        lookup = dict(self.aliases)
        found = []
        for match in self._alias_pattern.finditer(text):
            words = match.group(0)
            key = words.lower()
            names = lookup.get(key) or lookup.get(key.rstrip("s")) or lookup.get(key[:-2] if key.endswith("es") else key) or set()
            if names:
                found.append((match.start(), match.end(), words, tuple(sorted(names))))
        return found


def _alias_regex(alias: str) -> str:
    escaped = re.escape(alias)
    if re.search(r"[a-z]", alias):
        return rf"(?<![a-z]){escaped}(?:e?s)?(?![a-z])"
    return escaped


@lru_cache(maxsize=8)
def vocabulary_for(db_url: str) -> Vocabulary:
    """The shop's catalogue, read once per database (products change rarely; options never mid-conversation)."""
    from sqlmodel import select

    from knowledge.orders.db import session
    from knowledge.orders.models import Product, Variant

    with session(db_url) as db:
        names = {p.product_id: p.name for p in db.exec(select(Product))}
        records: dict[str, dict] = {}
        for variant in db.exec(select(Variant)):
            name = names.get(variant.product_id)
            if name is None:
                continue
            records.setdefault(variant.product_id, {"name": name, "variants": {}})["variants"][variant.item_id] = {"options": variant.options}
    return Vocabulary.from_catalogue(list(records.values()))
