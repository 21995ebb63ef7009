"""Which variant a buyer asks for: the option values wanted change, the values to avoid are
excluded, the rankings asked for ("the biggest", "a size up", "cheaper", "no more than mine":
bot.nlu.ordering) pick among what fits, everything else stays as bought; of the available
variants that fit, the one that keeps the most of what was bought."""

from __future__ import annotations

from dataclasses import dataclass

from bot.nlu.commands import Preference
from bot.nlu.ordering import PRICE, rank_of


@dataclass(frozen=True)
class VariantChoice:
    item_id: str | None  # the variant to change to; None when the request does not settle it
    problem: str | None = None  # no_option_named | not_available


def _ranked(candidates: list[tuple[str, dict]], variants: dict[str, dict], current_item_id: str, preference: Preference) -> list[tuple[str, dict]]:
    ranks = rank_of(variants, preference.option)
    mine = ranks.get(current_item_id)
    scored = [(item_id, v) for item_id, v in candidates if item_id in ranks]
    if preference.degree == "at_most_current":
        return [(i, v) for i, v in scored if mine is None or ranks[i] <= mine]
    if preference.degree in ("more", "less"):
        if mine is None:
            return []
        if preference.amount is not None:
            # "1000 more pieces": the value exactly that far from the one bought.
            target = mine + preference.amount if preference.degree == "more" else mine - preference.amount
            return [(i, v) for i, v in scored if abs(ranks[i] - target) < 1e-9]
        # "A size up": the next value above the one bought (the closest of those above).
        beyond = [(i, v) for i, v in scored if (ranks[i] > mine if preference.degree == "more" else ranks[i] < mine)]
        if not beyond or preference.option == PRICE:
            return beyond  # "cheaper": any cheaper one; the rest of the choice keeps what was bought
        step = (min if preference.degree == "more" else max)(ranks[i] for i, _ in beyond)
        return [(i, v) for i, v in beyond if ranks[i] == step]
    if not scored:
        return []
    best = (max if preference.degree == "most" else min)(ranks[i] for i, _ in scored)
    return [(i, v) for i, v in scored if ranks[i] == best]


def choose_variant(variants: dict[str, dict], current_item_id: str, want: dict[str, str], avoid: dict[str, list[str]] | None = None,
                   prefer: list[Preference] | None = None, keep: dict[str, str] | None = None) -> VariantChoice:  # fmt: skip
    """``variants``: get_product_details' {item_id: {"options", "available", "price"}};
    ``current_item_id``: the bought variant; ``want``/``avoid``/``prefer``: the buyer's constraints;
    ``keep``: options that must stay as bought."""
    fitting = fitting_variants(variants, current_item_id, want, avoid, prefer, keep)
    if isinstance(fitting, VariantChoice):
        return fitting
    current = variants.get(current_item_id, {}).get("options", {})
    ranked_options = {p.option for p in prefer or []}
    item_id, _ = min(fitting, key=lambda pair: (sum(pair[1]["options"].get(k) != current.get(k) for k in current if k not in ranked_options),
                                                pair[1].get("price", 0) if PRICE in ranked_options else 0, pair[0]))  # fmt: skip
    return VariantChoice(item_id)


def fitting_variants(variants: dict[str, dict], current_item_id: str, want: dict[str, str], avoid: dict[str, list[str]] | None = None,
                     prefer: list[Preference] | None = None, keep: dict[str, str] | None = None) -> list[tuple[str, dict]] | VariantChoice:  # fmt: skip
    """Every available variant the buyer's constraints allow (what "what options do you have?"
    lists), or the VariantChoice that says why there is none."""
    avoid, prefer = avoid or {}, [p for p in (prefer or []) if p.option not in (want or {})]
    current = variants.get(current_item_id, {}).get("options", {})
    # With a ranking, "same size, cheaper" holds the size it names; "材质和颜色都跟现在的一样" holds those options.
    # A value named that is the one bought ("change it to maple, 34 inch, graphic" of a 34-inch board) stays.
    kept = {**(keep or {}), **(dict(want) if prefer else {}), **{k: v for k, v in want.items() if current.get(k) == v}}
    want = {k: v for k, v in want.items() if current.get(k) != v}
    if not want and not prefer and not any(current.get(k) in values for k, values in avoid.items()):
        return VariantChoice(None, "no_option_named")

    def fits(options: dict) -> bool:
        return (all(options.get(k) == v for k, v in {**kept, **want}.items())
                and not any(options.get(k) in values for k, values in avoid.items()))  # fmt: skip

    matching = [(item_id, v) for item_id, v in variants.items() if item_id != current_item_id and fits(v["options"])]
    available = [(item_id, v) for item_id, v in matching if v.get("available")]
    # Caps first ("no more than mine"), then the rankings in the order said.
    for preference in sorted(prefer, key=lambda p: p.degree != "at_most_current"):
        available = _ranked(available, variants, current_item_id, preference)
    if not available:
        return VariantChoice(None, "not_available")
    return available
