"""The catalogue's words and facts: Chinese product names, product descriptions (shop data, a
JSON file), and a product's facts as the database states them (options, prices, availability).

Facts about price and availability are always read from the database here; descriptions only
describe (what a product is for), so an answer never quotes a price from text.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlmodel import Session, select

from knowledge.orders.models import Product, Variant
from knowledge.orders.records import to_amount

DEMO_DESCRIPTIONS = Path(__file__).with_name("products") / "descriptions.json"

# The Chinese names of the demo catalogue (τ²-retail's 50 product types); a shop with other
# products extends it.
ZH_NAMES: dict[str, tuple[str, ...]] = {
    "Action Camera": ("运动相机",), "Air Purifier": ("空气净化器", "净化器"), "Backpack": ("双肩包", "背包"),
    "Bicycle": ("自行车", "单车"), "Bluetooth Speaker": ("蓝牙音箱", "音箱"), "Bookshelf": ("书架",),
    "Coffee Maker": ("咖啡机",), "Cycling Helmet": ("骑行头盔", "头盔"), "Desk Lamp": ("台灯",),
    "Digital Camera": ("数码相机", "相机"), "Dumbbell Set": ("哑铃",), "E-Reader": ("电子阅读器", "阅读器"),
    "Electric Kettle": ("电热水壶",), "Electric Toothbrush": ("电动牙刷", "牙刷"), "Espresso Machine": ("意式咖啡机",),
    "Fleece Jacket": ("抓绒外套", "抓绒衣"), "Gaming Mouse": ("游戏鼠标", "鼠标"), "Garden Hose": ("花园水管", "水管"),
    "Grill": ("烧烤炉", "烤架"), "Headphones": ("头戴式耳机", "耳机"), "Hiking Boots": ("登山鞋", "徒步鞋"),
    "Indoor Security Camera": ("监控摄像头", "摄像头"), "Jigsaw Puzzle": ("拼图",), "LED Light Bulb": ("灯泡",),
    "Laptop": ("笔记本电脑",), "Luggage Set": ("行李箱",), "Makeup Kit": ("化妆套装", "化妆品"),
    "Mechanical Keyboard": ("机械键盘", "键盘"), "Notebook": ("笔记本",), "Office Chair": ("办公椅", "椅子"),
    "Patio Umbrella": ("遮阳伞", "庭院伞"), "Perfume": ("香水",), "Pet Bed": ("宠物床", "宠物窝"),
    "Portable Charger": ("充电宝", "移动电源"), "Running Shoes": ("跑鞋", "跑步鞋"), "Skateboard": ("滑板",),
    "Smart Thermostat": ("温控器",), "Smart Watch": ("智能手表",), "Smartphone": ("智能手机", "手机"),
    "Sneakers": ("运动鞋",), "Sunglasses": ("太阳镜", "墨镜"), "T-Shirt": ("T恤", "t恤"), "Tablet": ("平板电脑", "平板"),
    "Tea Kettle": ("茶壶", "烧水壶"), "Vacuum Cleaner": ("吸尘器",), "Wall Clock": ("挂钟",),
    "Water Bottle": ("水杯", "水瓶"), "Wireless Earbuds": ("无线耳机", "蓝牙耳机"), "Wristwatch": ("手表",),
    "Yoga Mat": ("瑜伽垫",),
}  # fmt: skip


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
