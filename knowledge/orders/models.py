"""Tables of the order database. Money is stored in integer cents: exact on SQLite and PostgreSQL.

Field names follow τ²-bench's retail domain, so records convert to τ²'s JSON shape one-to-one
(see ``records.py``). Every column a tool looks up by is indexed. kefu's own tables (conversations,
ratings, annotations, the tool audit, platform events and tokens) are apart, in
``knowledge.kefu_tables``.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Shop(SQLModel, table=True):
    """A merchant selling on the marketplace."""

    shop_id: str = Field(primary_key=True, max_length=64)
    name: str
    name_zh: str = ""


class User(SQLModel, table=True):
    """A buyer."""

    user_id: str = Field(primary_key=True, max_length=64)
    first_name: str
    last_name: str = Field(index=True)
    email: str = Field(index=True, unique=True)
    address1: str
    address2: str = ""
    city: str
    state: str
    country: str
    zip: str = Field(index=True, max_length=16)


class PaymentMethod(SQLModel, table=True):
    """A buyer's saved payment method: credit card, PayPal, or a gift card with a balance."""

    id: str = Field(primary_key=True, max_length=64)
    user_id: str = Field(foreign_key="user.user_id", index=True)
    source: str = Field(max_length=32)  # credit_card | paypal | gift_card
    brand: str | None = None
    last_four: str | None = Field(default=None, max_length=4)
    balance_cents: int | None = None  # gift cards only


class Product(SQLModel, table=True):
    product_id: str = Field(primary_key=True, max_length=32)
    name: str = Field(index=True)
    shop_id: str = Field(foreign_key="shop.shop_id", index=True)


class Variant(SQLModel, table=True):
    """One buyable option set of a product; τ² calls its id the item id."""

    item_id: str = Field(primary_key=True, max_length=32)
    product_id: str = Field(foreign_key="product.product_id", index=True)
    options: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    available: bool = True
    price_cents: int


class Order(SQLModel, table=True):
    order_id: str = Field(primary_key=True, max_length=32)
    user_id: str = Field(foreign_key="user.user_id", index=True)
    user_position: int = 0  # where the order sits in its buyer's order list (τ² keeps that order)
    status: str = Field(index=True, max_length=32)
    address1: str
    address2: str = ""
    city: str
    state: str
    country: str
    zip: str = Field(max_length=16)
    cancel_reason: str | None = None
    exchange_items: list | None = Field(default=None, sa_column=Column(JSON))
    exchange_new_items: list | None = Field(default=None, sa_column=Column(JSON))
    exchange_payment_method_id: str | None = None
    exchange_price_difference_cents: int | None = None
    return_items: list | None = Field(default=None, sa_column=Column(JSON))
    return_payment_method_id: str | None = None
    updated_at: datetime = Field(default_factory=utcnow)


class OrderItem(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("order_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: str = Field(foreign_key="order.order_id", index=True)
    position: int
    item_id: str = Field(index=True, max_length=32)
    product_id: str = Field(foreign_key="product.product_id", index=True)
    name: str
    price_cents: int
    options: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Fulfillment(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("order_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: str = Field(foreign_key="order.order_id", index=True)
    position: int
    tracking_ids: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    item_ids: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Payment(SQLModel, table=True):
    """One entry of an order's payment history: a payment or a refund."""

    __table_args__ = (UniqueConstraint("order_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: str = Field(foreign_key="order.order_id", index=True)
    position: int
    transaction_type: str = Field(max_length=16)  # payment | refund
    amount_cents: int
    payment_method_id: str = Field(max_length=64)


class Review(SQLModel, table=True):
    """A buyer's review of a product (from a delivered order when known), in its own language."""

    id: int | None = Field(default=None, primary_key=True)
    product_id: str = Field(foreign_key="product.product_id", index=True)
    order_id: str | None = Field(default=None, foreign_key="order.order_id", index=True)
    rating: int  # 1–5 stars
    text: str
    language: str = Field(default="", max_length=8)  # en | zh
    reviewed_on: date = Field(index=True)
