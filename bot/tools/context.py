"""What a tool runs with: a database session and the principal, plus the lookups that enforce
who may see what. Every tool reaches orders and users only through these helpers, so the
authorization rules have one home."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from sqlmodel import Session, select

from kefu.principal import Principal
from knowledge.orders.models import Order, OrderItem, PaymentMethod, Product, User, Variant


class ToolError(ValueError):
    """A rejected call. The message is short and safe to relay to the user."""


class ProductRanker(Protocol):
    """Ranks products for a shopper's words (retrieval.product_cards.ProductCardIndex)."""

    def rank(self, query: str, k: int = 10, shop_id: str | None = None) -> list: ...

    def similar(self, product_id: str, k: int = 5, shop_id: str | None = None) -> list: ...


def undeliverable(country: str, excluded: frozenset[str]) -> str | None:
    """The shop's name of ``country`` when it is one the shop does not ship to, else None. Names are
    compared as countries (bot.nlu.regions.country_of: "Russia", "Russian Federation", "俄罗斯")."""
    from bot.nlu.regions import country_of

    wanted = country_of(country) or country.strip()
    return next((name for name in excluded if (country_of(name) or name).casefold() == wanted.casefold()), None)


NOT_AUTHENTICATED = "Please verify your identity first: give your email, or your name and zip code."


@dataclass
class ToolContext:
    db: Session
    principal: Principal
    # Reproduce τ²-bench's reference tools exactly, quirks included, so a benchmark that scores
    # database equality against them can score kefu. Off in normal operation (see retail.py).
    tau2_parity: bool = False
    # A ProductRanker; typed Any because the tools' argument schemas are built by pydantic, which
    # cannot check a Protocol (ctx itself never reaches a model).
    products: Any = None
    # Countries the shop does not ship to (KEFU_SHIPPING_EXCLUDED_COUNTRIES): no order or default
    # address may be set to one.
    excluded_countries: frozenset[str] = frozenset()

    def require_deliverable(self, country: str) -> None:
        if (refused := undeliverable(country, self.excluded_countries)) is not None:
            raise ToolError(f"We do not ship to {refused}")

    def require_identity(self) -> None:
        if self.principal.kind == "anonymous":
            raise ToolError(NOT_AUTHENTICATED)

    # ---- orders

    def _order(self, order_id: str) -> Order:
        order = self.db.get(Order, order_id)
        if order is None:
            raise ToolError("Order not found")
        return order

    def merchant_can_see(self, order_id: str) -> bool:
        shop_items = self.db.exec(
            select(OrderItem.id)
            .join(Product, Product.product_id == OrderItem.product_id)
            .where(OrderItem.order_id == order_id, Product.shop_id == self.principal.subject)
            .limit(1)
        ).first()
        return shop_items is not None

    def shop_item_ids(self, item_ids: list[str]) -> list[str]:
        """Of ``item_ids`` (variants), those of the merchant's own products: in an order with
        several shops' items, a merchant sees only its own lines."""
        if not item_ids:
            return []
        own = set(self.db.exec(
            select(Variant.item_id).join(Product, Product.product_id == Variant.product_id)
            .where(Variant.item_id.in_(item_ids), Product.shop_id == self.principal.subject)
        ).all())  # fmt: skip
        return [i for i in item_ids if i in own]

    def readable_order(self, order_id: str) -> Order:
        """An order the principal may read. Others' orders look exactly like missing ones."""
        self.require_identity()
        order = self._order(order_id)
        kind = self.principal.kind
        if kind == "operator":
            return order
        if kind == "buyer" and order.user_id == self.principal.subject:
            return order
        if kind == "merchant" and self.merchant_can_see(order_id):
            return order
        raise ToolError("Order not found")

    def writable_order(self, order_id: str) -> Order:
        """An order the principal may change: a buyer's own, or any for an operator."""
        self.require_identity()
        if self.principal.kind == "merchant":
            raise ToolError("Merchants cannot change buyers' orders")
        return self.readable_order(order_id)

    # ---- users

    def user(self, user_id: str) -> User:
        """A user record the principal may read or change: a buyer only their own."""
        self.require_identity()
        if self.principal.kind == "merchant":
            raise ToolError("Merchants cannot access buyer profiles")
        if self.principal.kind == "buyer" and user_id != self.principal.subject:
            raise ToolError("User not found")
        user = self.db.get(User, user_id)
        if user is None:
            raise ToolError("User not found")
        return user

    def payment_method(self, user_id: str, payment_method_id: str) -> PaymentMethod:
        method = self.db.get(PaymentMethod, payment_method_id)
        if method is None or method.user_id != user_id:
            raise ToolError("Payment method not found")
        return method

    # ---- catalogue (public)

    def product(self, product_id: str) -> Product:
        product = self.db.get(Product, product_id)
        if product is None:
            raise ToolError("Product not found")
        return product

    def variant_of(self, product_id: str, item_id: str) -> Variant:
        self.product(product_id)
        variant = self.db.get(Variant, item_id)
        if variant is None or variant.product_id != product_id:
            raise ToolError("Variant not found")
        return variant
