"""The catalogue's words: product names and their aliases in English and Chinese, and each
product's options and values with the words buyers use for them ("medium" for size M, 蓝色 for
blue, "without water resistance"). Built from the shop's catalogue, so the understanding step
knows the shop's own products; ``bot.nlu.names`` adds Chinese names for the demo catalogue."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from bot.nlu.names import ZH_NAMES

# English words buyers use for a product, beyond its name and the name's last word.
EN_ALIASES: dict[str, tuple[str, ...]] = {
    "T-Shirt": ("t shirt", "tshirt", "tee", "shirt"), "Wireless Earbuds": ("earbuds", "earbud", "earphones", "buds"),
    "Headphones": ("headphone", "headset"), "Mechanical Keyboard": ("keyboard",), "Smart Thermostat": ("thermostat",),
    "Smart Watch": ("smartwatch",), "Wristwatch": ("wrist watch",), "E-Reader": ("ereader", "e reader", "kindle"),
    "Smartphone": ("phone", "mobile phone", "cell phone"), "Bicycle": ("bike",), "Cycling Helmet": ("helmet", "bike helmet"),
    "Portable Charger": ("charger", "power bank", "powerbank"), "Bluetooth Speaker": ("speaker",), "Gaming Mouse": ("mouse",),
    "Indoor Security Camera": ("security camera", "camera"), "Digital Camera": ("camera",), "Action Camera": ("camera", "gopro"),
    "Running Shoes": ("shoes", "running shoe"), "Hiking Boots": ("boots", "hiking boot"), "Sneakers": ("sneaker",),
    "Water Bottle": ("bottle",), "Desk Lamp": ("lamp",), "LED Light Bulb": ("light bulb", "bulb", "bulbs"),
    "Electric Kettle": ("kettle",), "Tea Kettle": ("kettle", "teakettle"), "Coffee Maker": ("coffee machine",),
    "Espresso Machine": ("espresso maker",), "Vacuum Cleaner": ("vacuum", "hoover"), "Air Purifier": ("purifier",),
    "Office Chair": ("chair",), "Patio Umbrella": ("umbrella",), "Luggage Set": ("luggage", "suitcase", "suitcases"),
    "Dumbbell Set": ("dumbbells", "dumbbell", "weights"), "Jigsaw Puzzle": ("puzzle", "jigsaw"), "Makeup Kit": ("makeup",),
    "Fleece Jacket": ("jacket", "fleece"), "Garden Hose": ("hose",), "Pet Bed": ("dog bed", "cat bed"), "Wall Clock": ("clock",),
    "Yoga Mat": ("mat",), "Grill": ("bbq", "barbecue"), "Skateboard": ("board",), "Sunglasses": ("shades",), "Laptop": ("notebook computer",),
}  # fmt: skip

# Last words of product names that name no product alone ("set it to…", "a kit").
GENERIC_LAST_WORDS = frozenset({"set", "kit", "machine", "maker", "cleaner"})
# Words for option values, per value as the catalogue writes it (lower case).
VALUE_WORDS: dict[str, tuple[str, ...]] = {
    "red": ("红",), "blue": ("蓝",), "black": ("黑",), "white": ("白",), "green": ("绿",), "yellow": ("黄",),
    "gray": ("grey", "灰"), "grey": ("gray", "灰"), "pink": ("粉",), "purple": ("紫",), "silver": ("银",), "gold": ("金色", "金"),
    "brown": ("棕", "咖啡色", "褐"), "orange": ("橙",), "navy": ("navy blue", "藏青", "海军蓝"), "rose gold": ("玫瑰金",),
    "space grey": ("space gray", "深空灰"), "beige": ("米色", "米白"), "wood": ("wooden", "木纹", "木色", "木质", "实木"),
    "leather": ("皮革", "真皮", "皮质", "牛皮", "皮表带", "皮带"), "mesh": ("网面", "网布"), "synthetic": ("合成",), "nylon": ("尼龙",),
    "polyester": ("涤纶", "聚酯"), "cotton": ("纯棉", "棉"), "glass": ("玻璃",), "plastic": ("塑料",),
    "stainless steel": ("不锈钢", "steel"), "ceramic": ("陶瓷",), "metal": ("金属",), "bamboo": ("竹",), "rubber": ("橡胶",),
    "natural rubber": ("天然橡胶",), "silicone": ("硅胶",), "canvas": ("帆布",), "fabric": ("布艺", "织物"), "maple": ("枫木",),
    "wired": ("有线",), "wireless": ("无线",), "bluetooth": ("蓝牙",), "clicky": ("click", "青轴"), "linear": ("红轴", "线性"),
    "tactile": ("茶轴", "段落"), "full size": ("full-size", "full sized", "全尺寸"), "polarized": ("偏光",),
    "non-polarized": ("non polarized", "not polarized", "非偏光"), "rechargeable": ("充电",), "analog": ("指针",), "digital": ("数字",),
    "over-ear": ("over ear", "头戴"), "on-ear": ("on ear",), "in-ear": ("in ear", "入耳"), "laptop": ("电脑仓",),
    "adjustable": ("可调",), "fixed": ("固定",), "high": ("高",), "low": ("低",), "medium": ("中",), "large": ("大号", "大码", "大"),
    "small": ("小号", "小码", "小"), "portable": ("便携",), "automatic": ("全自动", "自动"), "manual": ("手动",),
    "daylight": ("日光",), "warm white": ("暖白",), "wi-fi": ("wifi", "wi fi"), "google assistant": ("google home", "google"),
    "amazon alexa": ("alexa",), "apple homekit": ("homekit", "apple home"),
}  # fmt: skip
# Letter sizes as buyers say them.
SIZE_WORDS = {"XS": ("extra small", "加小"), "S": ("small", "小号", "小码"), "M": ("medium", "中号", "中码"),
              "L": ("large", "大号", "大码"), "XL": ("extra large", "x-large", "加大号", "加大"), "XXL": ("xx-large", "2xl")}  # fmt: skip
# Words for an option's name: "size M", "the ventilation", 颜色.
KEY_WORDS: dict[str, tuple[str, ...]] = {
    "color": ("colour", "颜色", "色"), "size": ("尺码", "尺寸", "码", "号"), "material": ("材质", "材料"),
    "water resistance": ("water resistant", "water-resistant", "waterproof", "water proof", "防水"),
    "waterproof": ("water proof", "water resistant", "water-resistant", "water resistance", "防水"),
    "backlight": ("back light", "backlit", "背光"), "ventilation": ("vents", "airflow", "通风"), "brightness": ("bright", "亮度"),
    "capacity": ("容量",), "storage": ("存储", "内存"), "switch type": ("switches", "switch", "轴"), "battery life": ("battery", "续航", "电池"),
    "connectivity": ("connection", "连接"), "screen size": ("screen", "屏幕", "英寸"), "compatibility": ("compatible", "兼容"),
    "strap material": ("strap", "band", "表带"), "dial color": ("dial", "表盘"),
}  # fmt: skip
# Units in values, as Chinese buyers write them: "20 hours" is also 20小时, "10 inches" 10英寸.
UNIT_WORDS: dict[str, tuple[str, ...]] = {
    "hours": ("小时", "个小时"), "hour": ("小时",), "inches": ("英寸", "寸"), "inch": ("英寸", "寸"), "liters": ("升",), "liter": ("升",),
    "cups": ("杯",), "cup": ("杯",), "ft": ("英尺",), "degrees": ("度",), "piece": ("件套", "件"), "bar": ("巴",), "ml": ("毫升",),
}  # fmt: skip
# Values that mean "none of it": what "without water resistance" or "no backlight" asks for.
NULL_VALUES = frozenset({"no", "none", "not resistant", "non-polarized"})


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
