"""The command schema: what one message asks for, as structured data.

Both command generators produce it: the deterministic one (``bot.nlu.rules``) and, where a
capable tool-calling model is configured, the model (``bot.nlu.model``), whose output is
validated against this schema (invalid → the deterministic path). Flows read only this.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# What a message can ask for. Flows (bot/flows) declare which of these start them.
INTENTS = (
    "identify", "status", "my_orders", "shop_orders", "cancel", "return", "exchange", "modify_items", "modify_address",
    "modify_payment", "modify_user_address", "my_data", "human", "small_talk", "question", "inform", "confirm", "decline",
    "product_search", "product_compare", "product_alternatives", "shop_summary", "shop_stock", "shop_reviews", "shop_copy",
)  # fmt: skip
# The intents that ask for a write (each proposed and confirmed on its own).
ACTION_INTENTS = frozenset({"cancel", "return", "exchange", "modify_items", "modify_address", "modify_payment", "modify_user_address"})
REASONS = ("no longer needed", "ordered by mistake")
PAYMENT_KINDS = ("original", "gift_card", "credit_card", "paypal")


class Preference(BaseModel):
    """A ranking over one option's values (bot.nlu.ordering): "the biggest" (most), "a size up"
    (more: the next value above the one bought), "cheaper" (less), "the cheapest" (least),
    "no more than mine" (at_most_current: price only)."""

    model_config = ConfigDict(extra="forbid")

    option: str  # the product's option ("capacity", "resolution") or "price"
    degree: Literal["most", "least", "more", "less", "at_most_current"]
    amount: float | None = None  # "1000 more pieces": exactly this far from the value bought


class ItemSlot(BaseModel):
    """An item the message names, in the catalogue's terms (resolved against an order's lines by
    ``bot.nlu.items.resolve_lines``)."""

    model_config = ConfigDict(extra="forbid")

    product: str | None = None  # the catalogue's product name ("Wireless Earbuds"); None: named by option only
    mention: str = ""  # the words used ("earbuds", "耳机"), for a fuzzy match against the order's own lines
    described: dict[str, str] = Field(default_factory=dict)  # options that say which bought line ("the black one")
    want: dict[str, str] = Field(default_factory=dict)  # option → value wanted instead (exchange, item change)
    avoid: dict[str, list[str]] = Field(default_factory=dict)  # option → values not wanted ("without water resistance")
    prefer: list[Preference] = Field(default_factory=list)  # rankings: "the biggest one", "a size up", "cheaper"
    same_as_other: bool = False  # "the same type as the one I already received": options copied from another line the buyer owns


class OrderReference(BaseModel):
    """An order described instead of cited (bot.references.orders matches it against the buyer's
    orders): "my Denver order", "the pending one with four items", "my most recent order"."""

    model_config = ConfigDict(extra="forbid")

    status: str | None = None  # pending | processed | delivered | cancelled | …
    places: list[str] = Field(default_factory=list)  # cities or states the order ships to, as the buyer said them
    item_count: int | None = None
    recency: Literal["latest", "oldest"] | None = None
    payment: Literal["gift_card", "credit_card", "paypal"] | None = None  # "the one I paid with PayPal"
    unsure: bool = False  # "I think it's #W…, not sure": the id may be wrong where the items say otherwise
    with_products: list[str] = Field(default_factory=list)  # "the backpack that came with the vacuum cleaner": the order also holds these

    def given(self) -> bool:
        return bool(self.status or self.places or self.item_count or self.recency or self.payment or self.with_products)


class AddressReference(BaseModel):
    """An address taken from the buyer's own data: "my default address", "the New York address on my other order"."""

    model_config = ConfigDict(extra="forbid")

    source: Literal["default", "order"]
    place: str | None = None  # the city or state that says which order's address
    order_id: str | None = None  # "the same address as my order #W…"
    product: str | None = None  # "same as the luggage set order", "跟平板那个订单的地址一样": the order holding it


class Address(BaseModel):
    model_config = ConfigDict(extra="forbid")

    address1: str
    address2: str = ""
    city: str
    state: str = ""  # "" where the country has none given (a US address always has one)
    country: str = "USA"
    zip: str


class Command(BaseModel):
    """One message, understood."""

    model_config = ConfigDict(extra="forbid")

    intent: Literal[INTENTS] = "question"  # type: ignore[valid-type]
    order_ids: list[str] = Field(default_factory=list)
    items: list[ItemSlot] = Field(default_factory=list)
    all_items: bool = False  # "everything", "all of it", "全部"
    except_items: list[ItemSlot] = Field(default_factory=list)  # "everything except the tablet", "除了平板"
    other: bool = False  # "the other one", "另一个": repair towards the alternative
    reason: Literal[REASONS] | None = None  # type: ignore[valid-type]
    address: Address | None = None
    # An address given in part: {"fields": {...}, "missing": [...], "problems": {field: why}} (bot.nlu.addresses)
    address_partial: dict | None = None
    address_ref: AddressReference | None = None  # the address is one the buyer already has
    order_ref: OrderReference | None = None  # the order described ("my Denver order")
    asks: str | None = None  # a question about the buyer's own data (bot.flows.my_data): item | payment | balance | cancel_part
    payment: Literal[PAYMENT_KINDS] | None = None  # type: ignore[valid-type]
    email: str | None = None
    name_zip: tuple[str, str, str] | None = None
    confirmation: Literal["yes", "no", "yes_but"] | None = None
    correction: bool = False  # "no, …", "不对，…": the slots given replace what was understood before
    order_state: str | None = None  # an order status the message names ("pending orders", "待发货订单")
    small_talk: str | None = None  # greeting | thanks | goodbye | about_bot | contact | clarify (a yes or no with nothing to confirm) | leave_it ("don't cancel it")
    complaint: bool = False  # frustration or a complaint ("worst service ever!!", "太差了"): apologise, hand off
    act: Literal["question", "request"] | None = None  # a question about what is possible, or a request to act
    action: str | None = None  # an order action wanted where no order is named yet ("I want to cancel my order")
    max_price: float | None = None  # a price cap a shopper names ("under $50", "100美元以内")
    copy_language: Literal["en", "zh"] | None = None  # a merchant's copy in this language ("write it in Chinese")
    tone: Literal["friendly", "professional", "playful"] | None = None  # …and this tone
    # The requests after this one in the same message ("return the mat, and exchange the shoes"),
    # each done and confirmed on its own after this one (bot.nlu.requests, bot.dialogue.manager).
    then: list["Command"] = Field(default_factory=list)
    otherwise: bool = False  # in ``then``: only if the request before it cannot be done ("if not, cancel the order")
    # A condition on the price of the product just shown ("if it's under $200, exchange mine for it"):
    # the request holds only if the price is below / at least this (bot.dialogue.manager).
    price_below: float | None = None
    price_at_least: float | None = None
    text: str = ""

    def slots(self) -> dict:
        """The slots given (for the labelled set's exact-match and the console's trace)."""
        return self.model_dump(exclude={"intent", "text", "act", "then", "otherwise", "price_below", "price_at_least"}, exclude_defaults=True)
