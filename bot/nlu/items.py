"""Which of an order's actual lines the understood items are: by product, by the words used
(fuzzily, so "earbds" and 耳机 still find the earbuds when the order holds no headphones), by
option values ("the black one"), "everything", "everything except …"."""

from __future__ import annotations

from rapidfuzz import fuzz

from bot.nlu.commands import Command, ItemSlot
from bot.nlu.names import ZH_NAMES


def _aliases(name: str) -> list[str]:
    return [name.lower(), name.lower().split()[-1], *(z.lower() for z in ZH_NAMES.get(name, ()))]


def _matches(slot: ItemSlot, line: dict) -> bool:
    if slot.product:
        same = slot.product == line["name"]
    elif slot.mention:
        words = slot.mention.lower()
        same = any(alias == words or fuzz.ratio(alias, words) >= 85 or words in alias for alias in _aliases(line["name"]))
    else:
        same = True
    return same and all(line["options"].get(k) == v for k, v in slot.described.items())


def _fuzzy(slot: ItemSlot, lines: list[dict]) -> list[dict]:
    """The words used, against the order's own names: 耳机 is the earbuds in an order without headphones."""
    if not slot.mention:
        return []
    words = slot.mention.lower()
    scored = [(max(fuzz.ratio(words, alias) for alias in _aliases(line["name"])), n) for n, line in enumerate(lines)]
    best = max((s for s, _ in scored), default=0)
    return [lines[n] for s, n in scored if s == best and s >= 80]


def resolve_lines(command: Command, lines: list[dict]) -> list[dict]:
    """The order ``lines`` (each {"name", "options", "item_id", ...}) the command means; [] when it names none."""
    if command.all_items and not command.items:
        chosen = list(lines)
    else:
        chosen = []
        for slot in command.items:
            # A product the catalogue knows and the order lacks is not in this order; only words the
            # catalogue could not place ("earbds") are matched fuzzily against the order's own names.
            found = [line for line in lines if _matches(slot, line)] or (_fuzzy(slot, lines) if slot.product is None else [])
            chosen += [line for line in found if line not in chosen]
    for slot in command.except_items:
        chosen = [line for line in chosen if not _matches(slot, line)]
    return chosen
