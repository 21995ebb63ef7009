"""Which variant a buyer asks for: the option values wanted change, the values to avoid are
excluded, everything else stays as bought; of the available variants that fit, the one that
keeps the most of what was bought."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class VariantChoice:
    item_id: str | None  # the variant to change to; None when the request does not settle it
    problem: str | None = None  # no_option_named | not_available


def choose_variant(variants: dict[str, dict], current_item_id: str, want: dict[str, str], avoid: dict[str, list[str]] | None = None) -> VariantChoice:
    """``variants``: get_product_details' {item_id: {"options", "available"}}; ``current_item_id``:
    the bought variant; ``want``/``avoid``: the option constraints the buyer gave."""
    avoid = avoid or {}
    current = variants.get(current_item_id, {}).get("options", {})
    want = {k: v for k, v in want.items() if current.get(k) != v}  # "from black to blue": black is what was bought
    if not want and not any(current.get(k) in values for k, values in avoid.items()):
        return VariantChoice(None, "no_option_named")

    def fits(options: dict) -> bool:
        return all(options.get(k) == v for k, v in want.items()) and not any(options.get(k) in values for k, values in avoid.items())

    matching = [(item_id, v) for item_id, v in variants.items() if item_id != current_item_id and fits(v["options"])]
    available = [(item_id, v) for item_id, v in matching if v.get("available")]
    if not available:
        return VariantChoice(None, "not_available")
    item_id, _ = min(available, key=lambda pair: (sum(pair[1]["options"].get(k) != current.get(k) for k in current), pair[0]))
    return VariantChoice(item_id)
