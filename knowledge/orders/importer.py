"""Import τ²-bench retail data (`db.json`) into the order database: validated, atomic, idempotent.

The whole file is validated before anything is written, and everything is written in one
transaction: malformed input leaves the database as it was. Rows that already exist are left
untouched, so a rerun changes nothing (and never reverts what tools changed since).
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError
from sqlmodel import Session, select

from knowledge.orders.models import Fulfillment, Order, OrderItem, Payment, PaymentMethod, Product, Shop, User, Variant
from knowledge.orders.records import to_cents


class ImportFailed(ValueError):
    """The input is not a τ²-retail database; the message says where."""


# ---- the τ² JSON shape, validated strictly before any write


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Address(_Strict):
    address1: str
    address2: str
    city: str
    country: str
    state: str
    zip: str


class Name(_Strict):
    first_name: str
    last_name: str


class Method(_Strict):
    source: str
    id: str
    brand: str | None = None
    last_four: str | None = None
    balance: float | None = None
    extra_info: dict | None = None


class UserIn(_Strict):
    user_id: str
    name: Name
    address: Address
    email: str
    payment_methods: dict[str, Method]
    orders: list[str]


class VariantIn(_Strict):
    item_id: str
    options: dict[str, str]
    available: bool
    price: float


class ProductIn(_Strict):
    name: str
    product_id: str
    variants: dict[str, VariantIn]
    shop_id: str | None = None  # kefu's addition (τ² has one shop); unset: a demo merchant by product name


class ItemIn(_Strict):
    name: str
    product_id: str
    item_id: str
    price: float
    options: dict[str, str]


class FulfillmentIn(_Strict):
    tracking_id: list[str]
    item_ids: list[str]


class PaymentIn(_Strict):
    transaction_type: str
    amount: float
    payment_method_id: str


class OrderIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    order_id: str
    user_id: str
    address: Address
    items: list[ItemIn]
    status: str
    fulfillments: list[FulfillmentIn]
    payment_history: list[PaymentIn]
    cancel_reason: str | None = None
    exchange_items: list[str] | None = None
    exchange_new_items: list[str] | None = None
    exchange_payment_method_id: str | None = None
    exchange_price_difference: float | None = None
    return_items: list[str] | None = None
    return_payment_method_id: str | None = None


class RetailDB(_Strict):
    products: dict[str, ProductIn]
    users: dict[str, UserIn]
    orders: dict[str, OrderIn]


# ---- demo shops: the marketplace's merchants, so merchant features have data

DEMO_SHOPS = {
    "shop_home": ("Northwind Home", "北风家居", {"Air Purifier", "Bookshelf", "Coffee Maker", "Desk Lamp", "Electric Kettle",
        "Espresso Machine", "Garden Hose", "Grill", "LED Light Bulb", "Office Chair", "Patio Umbrella", "Pet Bed",
        "Smart Thermostat", "Tea Kettle", "Vacuum Cleaner", "Wall Clock", "Indoor Security Camera"}),
    "shop_digital": ("Pixel Digital", "像素数码", {"Action Camera", "Bluetooth Speaker", "Digital Camera", "E-Reader",
        "Gaming Mouse", "Headphones", "Laptop", "Mechanical Keyboard", "Portable Charger", "Smart Watch", "Smartphone",
        "Tablet", "Wireless Earbuds", "Electric Toothbrush"}),
    "shop_outdoor": ("Summit Outdoor", "峰顶户外", {"Backpack", "Bicycle", "Cycling Helmet", "Dumbbell Set", "Hiking Boots",
        "Running Shoes", "Skateboard", "Water Bottle", "Yoga Mat", "Luggage Set", "Sneakers"}),
    "shop_style": ("Thread & Co", "织物服饰", set()),  # everything else: clothing, accessories, gifts
}  # fmt: skip


def shop_for(product_name: str) -> str:
    return next((shop for shop, (_, _, names) in DEMO_SHOPS.items() if product_name in names), "shop_style")


def load_retail_json(path: Path) -> RetailDB:
    try:
        raw = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise ImportFailed(f"{path}: no such file") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportFailed(f"{path}: not valid JSON ({exc})") from None
    try:
        data = RetailDB.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ImportFailed(f"{path}: {where}: {first['msg']} ({exc.error_count()} problems in all)") from None
    check_references(data, path)
    return data


def check_references(data: RetailDB, path: Path) -> None:
    for order in data.orders.values():
        if order.user_id not in data.users:
            raise ImportFailed(f"{path}: order {order.order_id} names unknown user {order.user_id}")
        for item in order.items:
            if item.product_id not in data.products:
                raise ImportFailed(f"{path}: order {order.order_id} names unknown product {item.product_id}")


def import_retail(db: Session, data: RetailDB) -> dict[str, dict[str, int]]:
    """Insert what is missing, in one transaction; returns added/existing counts per kind."""
    counts: dict[str, dict[str, int]] = {}

    def write(kind: str, have: set[str], main: list, dependants: list) -> None:
        db.add_all(main)
        db.flush()  # parents before the rows that reference them
        db.add_all(dependants)
        db.flush()
        counts[kind] = {"added": len(main), "existing": len(have)}

    try:
        have = set(db.exec(select(Shop.shop_id)).all())
        # Products that name no shop (τ²'s) go to the demo merchants; a shop's own ids become shops.
        demo = DEMO_SHOPS if any(not p.shop_id for p in data.products.values()) else {}
        named = sorted({p.shop_id for p in data.products.values() if p.shop_id} - have - demo.keys())
        write("shops", have, [*(Shop(shop_id=s, name=n, name_zh=z) for s, (n, z, _) in demo.items() if s not in have),
                              *(Shop(shop_id=s, name=s, name_zh=s) for s in named)], [])  # fmt: skip

        have = set(db.exec(select(Product.product_id)).all())
        new_products = [p for p in data.products.values() if p.product_id not in have]
        write(
            "products",
            have,
            [Product(product_id=p.product_id, name=p.name, shop_id=p.shop_id or shop_for(p.name)) for p in new_products],
            [Variant(item_id=v.item_id, product_id=p.product_id, options=v.options, available=v.available,
                     price_cents=to_cents(v.price)) for p in new_products for v in p.variants.values()],
        )  # fmt: skip

        have = set(db.exec(select(User.user_id)).all())
        new_users = [u for u in data.users.values() if u.user_id not in have]
        write(
            "users",
            have,
            [User(user_id=u.user_id, first_name=u.name.first_name, last_name=u.name.last_name, email=u.email,
                  **u.address.model_dump()) for u in new_users],
            [PaymentMethod(id=m.id, user_id=u.user_id, source=m.source, brand=m.brand, last_four=m.last_four,
                           balance_cents=None if m.balance is None else to_cents(m.balance))
             for u in new_users for m in u.payment_methods.values()],
        )  # fmt: skip

        positions = {oid: pos for user in data.users.values() for pos, oid in enumerate(user.orders)}
        have = set(db.exec(select(Order.order_id)).all())
        new_orders = [o for o in data.orders.values() if o.order_id not in have]
        write(
            "orders",
            have,
            [Order(order_id=o.order_id, user_id=o.user_id, user_position=positions.get(o.order_id, 0), status=o.status,
                   **o.address.model_dump(), cancel_reason=o.cancel_reason, exchange_items=o.exchange_items,
                   exchange_new_items=o.exchange_new_items, exchange_payment_method_id=o.exchange_payment_method_id,
                   exchange_price_difference_cents=None if o.exchange_price_difference is None else to_cents(o.exchange_price_difference),
                   return_items=o.return_items, return_payment_method_id=o.return_payment_method_id)
             for o in new_orders],
            [*(OrderItem(order_id=o.order_id, position=n, item_id=i.item_id, product_id=i.product_id, name=i.name,
                         price_cents=to_cents(i.price), options=i.options) for o in new_orders for n, i in enumerate(o.items)),
             *(Fulfillment(order_id=o.order_id, position=n, tracking_ids=f.tracking_id, item_ids=f.item_ids)
               for o in new_orders for n, f in enumerate(o.fulfillments)),
             *(Payment(order_id=o.order_id, position=n, transaction_type=p.transaction_type, amount_cents=to_cents(p.amount),
                       payment_method_id=p.payment_method_id) for o in new_orders for n, p in enumerate(o.payment_history))],
        )  # fmt: skip
        db.commit()
    except Exception:
        db.rollback()
        raise
    return counts
