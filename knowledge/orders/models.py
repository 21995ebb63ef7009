"""Tables of the order database. Money is stored in integer cents: exact on SQLite and PostgreSQL.

Field names follow τ²-bench's retail domain, so records convert to τ²'s JSON shape one-to-one
(see ``records.py``). Every column a tool looks up by is indexed.
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


class AuditEntry(SQLModel, table=True):
    """Every write a tool made: who, what, with which arguments, and the outcome."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    principal: str = Field(index=True)
    tool: str
    arguments: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    ok: bool
    detail: str = ""
    order_id: str | None = Field(default=None, index=True)
    confirmed_by: str = ""  # "user" (a confirmed turn) or "direct" (operator/CLI/test interface)


class Conversation(SQLModel, table=True):
    """A chat session: who it is verified as, what awaits confirmation, whether a human has it.

    Kept in the database so any app replica can continue it and a restart loses nothing.
    """

    session_id: str = Field(primary_key=True, max_length=128)
    principal: str = Field(default="anonymous", max_length=160)
    channel: str = Field(default="api", max_length=32)
    # The authenticated identity (a token's principal) this conversation is bound to: only that
    # identity may continue it through the API. None: opened anonymously and not yet claimed.
    bound_to: str | None = Field(default=None, max_length=160)
    pending_action: dict | None = Field(default=None, sa_column=Column(JSON))  # {"name", "arguments"}
    # bot.dialogue.state.DialogueState: the flow in progress, its slots, what the bot waits for.
    dialogue_state: dict | None = Field(default=None, sa_column=Column(JSON))
    handoff_status: str | None = Field(default=None, index=True, max_length=16)  # queued | taken
    handoff_reason: str | None = None
    handoff_summary: str | None = None
    failures: int = 0  # consecutive turns the bot could not help with
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow, index=True)


class ConversationTurn(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(foreign_key="conversation.session_id", index=True, max_length=128)
    role: str = Field(max_length=16)  # user | assistant | operator
    text: str
    reply: dict | None = Field(default=None, sa_column=Column(JSON))  # the structured Reply, for the console
    at: datetime = Field(default_factory=utcnow)


class Feedback(SQLModel, table=True):
    """A thumbs up/down (and a comment) on one assistant reply."""

    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(foreign_key="conversation.session_id", index=True, max_length=128)
    turn_id: int | None = Field(default=None, foreign_key="conversationturn.id")
    rating: str = Field(max_length=8)  # up | down
    comment: str = ""
    at: datetime = Field(default_factory=utcnow, index=True)


class ChannelEvent(SQLModel, table=True):
    """Inbound platform events already handled (Slack event ids, WeCom MsgIds): each is answered once."""

    __table_args__ = (UniqueConstraint("channel", "event_id"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    event_id: str = Field(max_length=128)
    received_at: datetime = Field(default_factory=utcnow)


class CachedToken(SQLModel, table=True):
    """Platform access tokens shared by all replicas (WeCom's expire after two hours)."""

    name: str = Field(primary_key=True, max_length=64)
    value: str
    expires_at: datetime


class Review(SQLModel, table=True):
    """A buyer's review of a product (from a delivered order when known), in its own language."""

    id: int | None = Field(default=None, primary_key=True)
    product_id: str = Field(foreign_key="product.product_id", index=True)
    order_id: str | None = Field(default=None, foreign_key="order.order_id", index=True)
    rating: int  # 1–5 stars
    text: str
    language: str = Field(default="", max_length=8)  # en | zh
    reviewed_on: date = Field(index=True)


class Annotation(SQLModel, table=True):
    """An operator's verdict on one assistant reply, and the answer it should have given: an
    improved answer becomes a curated Q&A (retrieval.curated) until it is withdrawn."""

    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(foreign_key="conversation.session_id", index=True, max_length=128)
    turn_id: int = Field(foreign_key="conversationturn.id", index=True)
    operator: str = Field(max_length=160)
    rating: str = Field(max_length=8)  # good | bad
    question: str  # the buyer's message the reply answered
    improved_answer: str = ""
    language: str = Field(default="", max_length=8)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    withdrawn_at: datetime | None = None
    withdrawn_by: str | None = Field(default=None, max_length=160)
