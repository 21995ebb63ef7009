"""Which variant of a product a buyer asks for ("the same shirt in size L", "换成蓝色的"), for
guided exchanges and item changes. Deterministic: option values named in the message, the rest
kept as they are."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Chinese colour words the buyer may use for the catalogue's English option values.
ZH_COLOURS = {"红": "red", "蓝": "blue", "黑": "black", "白": "white", "绿": "green", "黄": "yellow", "灰": "gray",
              "粉": "pink", "紫": "purple", "银": "silver", "金": "gold", "棕": "brown", "橙": "orange"}  # fmt: skip


@dataclass(frozen=True)
class VariantChoice:
    item_id: str | None  # the variant to change to; None when the message does not settle it
    problem: str | None = None  # no_option_named | not_available | ambiguous


def _mentions(text: str, value: str) -> bool:
    # Short values ("S", "L", "XL") only as written, in capitals, so "it's" is not size S.
    flags = 0 if len(value) <= 3 else re.IGNORECASE
    return re.search(rf"(?<![A-Za-z0-9]){re.escape(value)}(?![A-Za-z0-9])", text, flags) is not None


def choose_variant(variants: dict[str, dict], current_item_id: str, text: str) -> VariantChoice:
    """``variants``: get_product_details' {item_id: {"options", "available"}}; ``current_item_id``: the
    bought variant; ``text``: the buyer's message."""
    text = text + " " + " ".join(english for zh, english in ZH_COLOURS.items() if zh in text)
    current = variants.get(current_item_id, {}).get("options", {})
    wanted: dict[str, str] = {}
    for key in sorted({k for v in variants.values() for k in v["options"]}):
        named = {v["options"][key] for v in variants.values() if key in v["options"] and _mentions(text, v["options"][key])}
        # "from black to blue": the value that differs from what was bought is the one wanted.
        changed = named - {current.get(key)}
        if len(changed) == 1:
            wanted[key] = changed.pop()
        elif len(changed) > 1:
            return VariantChoice(None, "ambiguous")
    if not wanted:
        return VariantChoice(None, "no_option_named")
    matching = [(item_id, v) for item_id, v in variants.items()
                if item_id != current_item_id and all(v["options"].get(k) == value for k, value in wanted.items())]  # fmt: skip
    available = [(item_id, v) for item_id, v in matching if v.get("available")]
    if not available:
        return VariantChoice(None, "not_available")
    # Of those, the one that keeps the most of what was bought.
    item_id, _ = min(available, key=lambda pair: (sum(pair[1]["options"].get(k) != current.get(k) for k in current), pair[0]))
    return VariantChoice(item_id)
