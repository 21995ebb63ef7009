"""Which of an order's items a buyer names, in English or Chinese ("退货 #W2378156 的耳机"), for
guided returns and exchanges. The Chinese names cover the demo catalogue (τ²-retail's 50 product
types); a shop with other products extends ``ZH_NAMES``."""

from __future__ import annotations

from knowledge.catalog import ZH_NAMES  # product data lives with the catalogue


def named_items(items: list[dict], text: str) -> list[dict]:
    """The order's ``items`` (each with a "name") that ``text`` names. Longer names are matched
    first and used up, so "笔记本电脑" is the laptop, not also the notebook, and "无线耳机" the
    earbuds, not also the headphones."""
    remaining = text.lower()
    names = sorted({(alias.lower(), item["name"]) for item in items for alias in (item["name"], *ZH_NAMES.get(item["name"], ()))},
                   key=lambda pair: -len(pair[0]))  # fmt: skip
    named = set()
    for alias, name in names:
        if alias in remaining:
            named.add(name)
            remaining = remaining.replace(alias, "\0")
    return [item for item in items if item["name"] in named]
