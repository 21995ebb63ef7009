"""Option constraints in a buyer's words, against one product's options: "the blue ones without
water resistance" → want color=blue, water resistance=not resistant; "a medium size with high
ventilation" → size=M, ventilation=high; "不要防水的" → waterproof=no; "not the RGB one" → avoid
backlight=RGB. Deterministic; a value named with its option ("high ventilation") wins over a
bare word that fits several options."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.nlu.commands import Preference
from bot.nlu.cues import cue
from bot.nlu.ordering import read_preferences
from bot.nlu.patterns import REFUSE_THING
from bot.nlu.vocabulary import KEY_WORDS, NULL_VALUES, SIZE_WORDS, UNIT_WORDS, VALUE_WORDS, ProductTerms

# Words that negate what follows them closely: "without X", "not X", "no X", "不要X", "没有X".
NEGATION_BEFORE = re.compile(r"(?:\bwithout|\bnot|\bno|\bnon|n't|\bnothing|\bexcept|不要|不带|没有|不是|不用|别|无|不|非)\W{0,2}(?:\w+\W{0,2}){0,2}$",
                             re.IGNORECASE)  # fmt: skip
_NEGATION_WORD = re.compile(r"\bwithout\b|\bnot\b|\bno\b|\bnon\b|n't|不要|不带|没有|不是|不用|别|无|不|非", re.IGNORECASE)


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    key: str
    value: str | None  # None: the option named without a value ("no backlight", "防水")
    literal: bool  # the value as the catalogue writes it, not a synonym
    keyed: bool = False  # named with its option ("size M", "high ventilation")


def _surface_forms(key: str, value: str) -> list[tuple[str, bool]]:
    forms = [(value, True)]
    lower = value.lower()
    forms += [(w, False) for w in VALUE_WORDS.get(lower, ())]
    unit = re.fullmatch(r"(\d+(?:\.\d+)?)[\s-]?([a-z]+)", lower)
    if unit:
        forms += [(f"{unit.group(1)} {word}", False) for word in UNIT_WORDS.get(unit.group(2), ())]  # "20 小时" and "20小时"
    if key.lower() == "size" or key.lower().endswith("size"):
        forms += [(w, False) for w in SIZE_WORDS.get(value, ())]
    if lower in ("yes", "no"):
        forms = []  # said through the option's name: "waterproof", "not waterproof"
    return forms


def _pattern(words: str) -> re.Pattern:
    escaped = re.escape(words).replace(r"\ ", r"[\s-]?")
    if re.search(r"[A-Za-z0-9]", words):
        # Short values ("S", "M", "L", "8") only as written and standing alone: "it's" is not size S.
        flags = 0 if len(words) <= 2 else re.IGNORECASE
        return re.compile(rf"(?<![A-Za-z0-9]){escaped}(?![A-Za-z0-9])", flags)
    return re.compile(escaped)


def _find(text: str, product: ProductTerms) -> list[_Hit]:
    candidates: list[_Hit] = []
    for key, values in product.options.items():
        for value in values:
            for form, literal in _surface_forms(key, value):
                for m in _pattern(form).finditer(text):
                    candidates.append(_Hit(m.start(), m.end(), key, value, literal))
        for form in (key, *KEY_WORDS.get(key.lower(), ())):
            for m in _pattern(form).finditer(text):
                candidates.append(_Hit(m.start(), m.end(), key, None, True))
    # Longest spans first; a span once used is not read again ("stainless steel" is not also "steel").
    candidates.sort(key=lambda h: (-(h.end - h.start), h.start, h.value is None))
    taken: list[_Hit] = []
    for hit in candidates:
        if any(h.start < hit.end and hit.start < h.end and (h.start, h.end) != (hit.start, hit.end) for h in taken):
            continue
        taken.append(hit)
    return sorted(taken, key=lambda h: h.start)


def _negated(text: str, start: int) -> bool:
    before = text[max(0, start - 14):start]
    # A negation only counts up to a comma or a conjunction: "not black, blue" wants blue.
    before = re.split(r"[,，;；、]|\band\b|\bbut\b|\bor\b|和|但|或", before)[-1]
    # "有没有黑色的" / "有没有不带…" asks whether there is one: 有没有 is a question, not a "没有".
    before = re.sub(r"有没有|有木有|是不是|要不要|能不能|可不可以", " ", before)
    # "没有的话 USB", "再不行就插电的", "if not, USB": a fallback, not a refusal.
    # "If there's no clicky one that's full size…", "要是没有 clicky 轴的": a condition, not a refusal.
    before = re.sub(r"没有的话|没有[^，。；,;]{0,12}?就|不行的话|再不行|不行就|要不然|不然|(?:要是|如果|假如|万一)没有|if not|otherwise|if there'?s none|if there(?:'s| is| are) no\b|if you (?:don'?t|do not) have|if (?:that'?s|it'?s) not",
                    " ", before, flags=re.IGNORECASE)  # fmt: skip
    return bool(_NEGATION_WORD.search(before))


def _any_value(text: str, start: int) -> bool:
    """The option's value does not matter in its clause: "waterproof or not doesn't matter", "防水不防水都行"."""
    before = re.split(r"[,，;；。.!?！？]", text[:start])[-1]
    after = re.split(r"[,，;；。.!?！？]", text[start:])[0]
    return bool(cue("ANY_VALUE").search(before + after))


def _refused(text: str, start: int) -> bool:
    return bool(REFUSE_THING.search(text[max(0, start - 14):start]))


@dataclass
class OptionWords:
    want: dict[str, str]
    avoid: dict[str, list[str]]
    rank: list[Preference] = field(default_factory=list)  # "the biggest", "a size up", "cheaper" (bot.nlu.ordering)
    # Values named in order of preference for one option ("battery would be best, then USB"): tried in turn.
    fallbacks: dict[str, list[str]] = field(default_factory=dict)


def read_options(text: str, product: ProductTerms, prefer: set[str] | None = None) -> OptionWords:
    """What ``text`` asks of ``product``'s options."""
    rank, spans = read_preferences(text, product)
    for start, end in spans:  # 最大 is "the biggest", not size "大"
        text = text[:start] + " " * (end - start) + text[end:]
    hits = [h for h in _find(text, product) if not _any_value(text, h.start)]
    values = [h for h in hits if h.value is not None]
    keys = [h for h in hits if h.value is None]
    want: dict[str, str] = {}
    avoid: dict[str, list[str]] = {}
    # A bare word that fits several options ("medium": size M or medium ventilation) goes to the
    # option named next to it, else to the option whose own value it is.
    by_span: dict[tuple[int, int], list[_Hit]] = {}
    for hit in values:
        by_span.setdefault((hit.start, hit.end), []).append(hit)
    chosen: list[_Hit] = []
    used_keys: set[int] = set()

    def near_keys(start: int, end: int) -> list[_Hit]:
        return [k for k in keys if abs(k.start - end) <= 2 or abs(start - k.end) <= 2]

    # Options named with their value ("high-ventilation") are taken; a bare word that fits several
    # ("medium": size M or medium ventilation) then goes to an option not taken.
    keyed_options = {h.key for (start, end), group in by_span.items() for h in group if any(k.key == h.key for k in near_keys(start, end))}
    for (start, end), group in sorted(by_span.items()):
        near = near_keys(start, end)
        keyed = [h for h in group if any(k.key == h.key for k in near)]
        if not keyed and len({h.key for h in group}) > 1:
            group = [h for h in group if h.key not in keyed_options] or group
        preferred = [h for h in group if h.key in (prefer or ())]  # "large instead of medium": both sizes
        pick = keyed or preferred or [h for h in group if h.literal] or group
        if len({h.key for h in pick}) == 1:
            hit = pick[0]
            chosen.append(_Hit(hit.start, hit.end, hit.key, hit.value, hit.literal, bool(keyed)))
            used_keys.update(id(k) for k in near if k.key == hit.key)
    fallbacks: dict[str, list[str]] = {}
    for hit in chosen:
        if _negated(text, hit.start):
            avoid.setdefault(hit.key, []).append(hit.value)
        elif hit.key not in want:
            want[hit.key] = hit.value
        elif hit.value != want[hit.key] and hit.value not in fallbacks.setdefault(hit.key, []):
            fallbacks[hit.key].append(hit.value)
    # An option named without a value: "no backlight" → none; "waterproof" → yes; "防水" → not "not resistant".
    for hit in keys:
        if id(hit) in used_keys:
            continue
        options = product.options[hit.key]
        nulls = [v for v in options if v.lower() in NULL_VALUES]
        if not nulls:
            continue
        if hit.key in want:
            if _negated(text, hit.start) and want[hit.key] not in nulls and nulls[0] not in fallbacks.setdefault(hit.key, []):
                fallbacks[hit.key].append(nulls[0])  # "RGB backlight; if there's none, no backlight is fine"
            continue
        if _negated(text, hit.start) and _refused(text, hit.start):
            avoid[hit.key] = sorted(set(avoid.get(hit.key, [])) | (set(options) - set(nulls)))  # "不要防水的": not the waterproof one
        elif _negated(text, hit.start):
            want[hit.key] = nulls[0]  # "without water resistance", "不防水": the option's none
        elif "yes" in options:
            want[hit.key] = "yes"
        else:
            avoid[hit.key] = sorted(set(avoid.get(hit.key, [])) | set(nulls))
    return OptionWords(want, avoid, [p for p in rank if p.option not in want], {k: v for k, v in fallbacks.items() if v})
