"""A merchant's read-only tools over its own shop: the summary (orders by status, what needs
action, revenue, top sellers), stock of its variants, and its review insights.

The shop is the authenticated principal's (``merchant:SHOP_ID``), never an argument, so no words
in a chat can point these at another shop; buyers' names, addresses and payment details never
appear in a result.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Annotated

from langchain_core.tools import InjectedToolArg
from sqlmodel import select

from bot.tools.context import ToolContext, ToolError
from knowledge.orders.models import Order, OrderItem, Product, Review, Variant
from knowledge.orders.records import to_amount
from knowledge.catalog import catalogue_option_values, product_facts
from knowledge.reviews.insights import praise_quotes, shop_insights

Ctx = Annotated[ToolContext, InjectedToolArg]
NEEDS_ACTION = ("pending", "pending (item modified)", "return requested", "exchange requested")
COUNTED_AS_SOLD = ("pending", "pending (item modified)", "processed", "delivered", "exchange requested")
TOP = 5
THEMES_FOR = 3


def _shop(ctx: ToolContext) -> str:
    ctx.require_identity()
    if ctx.principal.kind != "merchant":
        raise ToolError("Only a merchant can see a shop's figures")
    return ctx.principal.subject


def _own_product(ctx: ToolContext, shop: str, product: str) -> list[Product]:
    """The shop's products, or the one ``product`` names (id or name, English or Chinese)."""
    from bot.tools.catalog import named_products

    products = list(ctx.db.exec(select(Product).where(Product.shop_id == shop).order_by(Product.name)))
    if not product:
        return products
    wanted = [p for p in products if p.product_id == product] or [p for p in products if p.product_id in named_products(product, products)]
    if not wanted:
        raise ToolError(f"No product {product!r} in your shop")
    return wanted[:1]


def get_shop_summary(ctx: Ctx) -> dict:
    """For a merchant: the shop's orders by status, the orders that need action (to ship, returns
    and exchanges to handle), revenue from its own items, and its top products and variants.
    """
    shop = _shop(ctx)
    lines = ctx.db.exec(
        select(Order.order_id, Order.status, OrderItem.name, OrderItem.item_id, OrderItem.options, OrderItem.price_cents)
        .join(OrderItem, OrderItem.order_id == Order.order_id)
        .join(Product, Product.product_id == OrderItem.product_id)
        .where(Product.shop_id == shop)
    ).all()
    statuses = {order_id: status for order_id, status, *_ in lines}
    revenue = defaultdict(int)
    units, variants = Counter(), Counter()
    labels = {}
    for _order_id, status, name, item_id, options, cents in lines:
        revenue[status] += cents
        if status in COUNTED_AS_SOLD:
            units[name] += 1
            variants[item_id] += 1
            labels[item_id] = {"name": name, "options": options}
    needing = Counter(s for s in statuses.values() if s in NEEDS_ACTION)
    sold = sum(c for s, c in revenue.items() if s in COUNTED_AS_SOLD)
    return {
        "shop_id": shop, "orders": len(statuses), "by_status": dict(sorted(Counter(statuses.values()).items())),
        "needs_action": dict(sorted(needing.items())),
        "revenue": {"sold": to_amount(sold), "by_status": {s: to_amount(c) for s, c in sorted(revenue.items())}},
        "top_products": [{"name": n, "units": u} for n, u in units.most_common(TOP)],
        "top_variants": [{**labels[i], "item_id": i, "units": u} for i, u in variants.most_common(TOP)],
    }  # fmt: skip


def get_shop_stock(ctx: Ctx, product: str = "") -> dict:
    """For a merchant: availability of the shop's variants, per product, with the ones out of stock.

    Args:
        product: One product (its id or name); empty for all of the shop's products.
    """
    shop = _shop(ctx)
    result = []
    for item in _own_product(ctx, shop, product):
        stock = list(ctx.db.exec(select(Variant).where(Variant.product_id == item.product_id).order_by(Variant.item_id)))
        out = [{"item_id": v.item_id, "options": v.options, "price": to_amount(v.price_cents)} for v in stock if not v.available]
        result.append({"product_id": item.product_id, "name": item.name, "variants": len(stock), "in_stock": len(stock) - len(out), "out_of_stock": out})
    return {"shop_id": shop, "products": result}


def get_review_insights(ctx: Ctx, product: str = "") -> dict:
    """For a merchant: its products' reviews: share positive by month, average rating, and the
    top praise and complaint themes with example quotes.

    Args:
        product: One product (its id or name); empty for all of the shop's products with reviews.
    """
    shop = _shop(ctx)
    wanted = _own_product(ctx, shop, product)[0].product_id if product else None
    embeddings = getattr(getattr(ctx.products, "index", None), "embeddings", None)
    if embeddings is None:
        raise ToolError("Review themes need the product index (kefu ingest --products)")
    if not ctx.db.exec(select(Review.id).join(Product, Product.product_id == Review.product_id).where(Product.shop_id == shop).limit(1)).first():
        return {"shop_id": shop, "products": []}
    # Themes for the three products that most need attention (or the one asked about).
    return {"shop_id": shop, "products": shop_insights(ctx.db, shop, embeddings, product_id=wanted, themes_for=THEMES_FOR)}


def get_copy_facts(product: str, ctx: Ctx, language: str = "en") -> dict:
    """For a merchant: the facts product copy may use: name, options, price range, stock, and
    praise quotes from its reviews in the language asked.

    Args:
        product: The product (its id or name).
        language: en or zh: the language of the quotes.
    """
    item = _own_product(ctx, _shop(ctx), product)[0]
    return product_facts(ctx.db, item) | {"praise": praise_quotes(ctx.db, item.product_id, language),
                                          "catalogue_values": sorted(catalogue_option_values(ctx.db))}  # fmt: skip


MERCHANT_TOOLS = [get_shop_summary, get_shop_stock, get_review_insights, get_copy_facts]
