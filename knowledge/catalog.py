"""The catalogue's words and facts: Chinese product names, product descriptions (shop data, a
JSON file), and a product's facts as the database states them (options, prices, availability).

Facts about price and availability are always read from the database here; descriptions only
describe (what a product is for), so an answer never quotes a price from text.
"""

from __future__ import annotations

import json
import os
import re
from functools import cache
from pathlib import Path

from sqlmodel import Session, select

from knowledge.orders.models import Product, Variant
from knowledge.orders.records import to_amount

DEMO_DESCRIPTIONS = Path(__file__).with_name("products") / "descriptions.json"

DEMO_WORDS = Path(__file__).with_name("products") / "words.json"
DEMO_PLACES = Path(__file__).with_name("places") / "places.json"


def _merged(base: dict, extra: dict) -> dict:
    """A shop's words over the shipped ones: tables merged key by key, lists extended."""
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merged(out[key], value)
        elif isinstance(value, list) and isinstance(out.get(key), list):
            out[key] = [*out[key], *(v for v in value if v not in out[key])]
        else:
            out[key] = value
    return out


@cache
def catalogue_words() -> dict:
    """The catalogue's words (knowledge/products/words.json: product names in English and
    Chinese, option names and values, units, ordered values, comparative words), with the shop's
    own file (``KEFU_CATALOGUE_WORDS_FILE``, same shape) merged over them."""
    words = json.loads(DEMO_WORDS.read_text("utf-8"))
    words["places"] = json.loads(DEMO_PLACES.read_text("utf-8"))
    extra = os.environ.get("KEFU_CATALOGUE_WORDS_FILE", "").strip()
    if extra:
        words = _merged(words, json.loads(Path(extra).read_text("utf-8")))
    return words


# The Chinese names of the catalogue's products (shop data, above).
ZH_NAMES: dict[str, tuple[str, ...]] = {name: tuple(words["zh"]) for name, words in catalogue_words()["products"].items() if words.get("zh")}


# A number with a unit: "10 hours", "6-inch", "1.5 liters", "30-50 lbs", "2-piece", "100ft".
_WITH_UNIT = re.compile(r"^(?P<number>\d+(?:\.\d+)?(?:\s*-\s*\d+(?:\.\d+)?)?)[\s-]*(?P<unit>[A-Za-z]+)$")


def _labels(language: str) -> dict:
    return catalogue_words().get("labels", {}).get(language, {})


def option_label(option: str, language: str) -> str:
    """An option's name as a reply in ``language`` shows it ("color" → "颜色"); as it is in English
    or where the catalogue's words have no label for it."""
    return _labels(language).get("options", {}).get(option, option) if language != "en" else option


def value_label(value: str, language: str, option: str | None = None) -> str:
    """An option's value as a reply in ``language`` shows it ("black" → "黑色", "10 hours" →
    "10 小时"); the option's own reading first ("high" brightness → "高亮"). Codes and values
    without a label (IPX7, 16GB, A4) stay as they are."""
    labels = _labels(language) if language != "en" else {}
    if not labels:
        return value
    own = labels.get("values_by_option", {}).get(option or "", {})
    if value in own or value in labels.get("values", {}):
        return own.get(value) or labels["values"][value]
    if (number := _WITH_UNIT.match(value)) and (unit := labels.get("units", {}).get(number["unit"].lower())):
        return f"{number['number']} {unit}"
    return value


def options_label(options: dict[str, str], language: str) -> str:
    """A variant's options in words: "color: black, size: XXL", "颜色：黑色，尺码：XXL"."""
    if language == "zh":
        return "，".join(f"{option_label(k, language)}：{value_label(v, language, k)}" for k, v in options.items())
    return ", ".join(f"{k}: {v}" for k, v in options.items())


class DescriptionsError(ValueError):
    """A descriptions file that cannot be read; the message names the file and the problem."""


def load_descriptions(path: Path | str | None = DEMO_DESCRIPTIONS) -> dict[str, dict[str, str]]:
    """``{product name: {"en": …, "zh": …}}`` from a JSON file; {} for None."""
    if path is None:
        return {}
    path = Path(path)
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise DescriptionsError(f"{path}: {exc}") from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) and all(isinstance(t, str) for t in v.values()) for v in data.values()):
        raise DescriptionsError(f'{path}: expected {{"product name": {{"en": "...", "zh": "..."}}}}')
    return data


def product_facts(db: Session, product: Product) -> dict:
    """What the database says of a product: its option axes and values, price range and availability."""
    variants = db.exec(select(Variant).where(Variant.product_id == product.product_id).order_by(Variant.item_id)).all()
    options: dict[str, list[str]] = {}
    for variant in variants:
        for axis, value in variant.options.items():
            if value not in options.setdefault(axis, []):
                options[axis].append(value)
    available = [v for v in variants if v.available]
    prices = [v.price_cents for v in (available or variants)]
    return {
        "product_id": product.product_id, "name": product.name, "shop_id": product.shop_id, "options": options,
        "price_range": [to_amount(min(prices)), to_amount(max(prices))] if prices else None,
        "variants": len(variants), "available_variants": len(available),
    }  # fmt: skip


def catalogue_option_values(db: Session) -> set[str]:
    """Every option value of every product, case-folded (what a copy check looks for)."""
    return {str(value).casefold() for options in db.exec(select(Variant.options)) for value in options.values()}
