"""Which of an order's items a buyer names, in English or Chinese ("退货 #W2378156 的耳机"), for
guided returns and exchanges. The Chinese names cover the demo catalogue (τ²-retail's 50 product
types); a shop with other products extends ``ZH_NAMES``."""

from __future__ import annotations

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
