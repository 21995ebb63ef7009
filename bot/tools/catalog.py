"""Pre-sales tools over the catalogue: search, compare, alternatives. Read-only, open to anyone
(a shopper need not sign in to ask "do you have this in blue?"); a merchant sees its own shop.

Products are ranked by the product cards in the index (``ctx.products``) and the product names a
question uses; every price, option and availability in a result is read from the database at
call time. Recommendations are factual, as the shop's policy asks: the same product first, in
stock, within the asked price and options, each with the reason it was picked.
"""

from __future__ import annotations

import re
from typing import Annotated

from langchain_core.tools import InjectedToolArg
from sqlmodel import select

from bot.tools.context import ToolContext, ToolError
from knowledge.catalog import ZH_NAMES, product_facts
from knowledge.orders.models import Product, Variant
from knowledge.orders.records import to_amount

Ctx = Annotated[ToolContext, InjectedToolArg]
SHOWN_VARIANTS = 5


def _shop(ctx: ToolContext) -> str | None:
    return ctx.principal.subject if ctx.principal.kind == "merchant" else None


def _products(ctx: ToolContext) -> list[Product]:
    query = select(Product).order_by(Product.product_id)
    if (shop := _shop(ctx)) is not None:
        query = query.where(Product.shop_id == shop)
    return list(ctx.db.exec(query))


def named_products(text: str, products: list[Product]) -> list[str]:
    """Product ids whose English or Chinese name the text uses, longest names first (so 无线耳机
    is the earbuds, not also the headphones)."""
    remaining, found = text.casefold(), []
    aliases = sorted(((alias.casefold(), p.product_id) for p in products for alias in (p.name, *ZH_NAMES.get(p.name, ()))), key=lambda a: -len(a[0]))
    for alias, product_id in aliases:
        pattern = re.escape(alias) + (r"s?\b" if alias.isascii() else "")
        if re.search((r"\b" if alias.isascii() else "") + pattern, remaining):
            remaining = re.sub(pattern, "\0", remaining)
            if product_id not in found:
                found.append(product_id)
    return found


def _ranked(ctx: ToolContext, query: str, products: list[Product]) -> list[str]:
    """Product ids for the query: those it names, else by the cards' similarity."""
    named = named_products(query, products)
    if named:
        return named  # "do you have the T-shirt in blue?": the T-shirt, not whatever else is blue
    if ctx.products is not None:
        dense = [h.section for h in ctx.products.rank(query, k=len(products) or 1, shop_id=_shop(ctx))]
    else:  # no index (a bare tool session): the names, then the catalogue's order
        dense = [p.product_id for p in products]
    allowed = {p.product_id for p in products}
    return [pid for pid in dict.fromkeys(named + dense) if pid in allowed]


def _axis_for(wanted: str, axes: list[str]) -> str | None:
    wanted = wanted.casefold().strip()
    exact = [a for a in axes if a.casefold() == wanted]
    loose = [a for a in axes if wanted in a.casefold() or a.casefold() in wanted]
    return (exact or loose or [None])[0]


def _value_matches(value: str, wanted: str) -> bool:
    value, wanted = value.casefold().strip(), wanted.casefold().strip()
    return value == wanted or re.search(rf"(?<![a-z0-9]){re.escape(wanted)}(?![a-z0-9])", value) is not None


def _variant_dict(variant: Variant) -> dict:
    return {"item_id": variant.item_id, "options": variant.options, "price": to_amount(variant.price_cents), "available": variant.available}


def _matching(variants: list[Variant], options: dict[str, str], low: int | None, high: int | None, in_stock_only: bool) -> tuple[list[Variant], list[str]]:
    """The variants that satisfy the filters, and the filters this product cannot meet at all."""
    axes = sorted({a for v in variants for a in v.options})
    unknown = [f"{k}: {v}" for k, v in options.items() if _axis_for(k, axes) is None]
    kept = []
    for variant in variants:
        if in_stock_only and not variant.available:
            continue
        if low is not None and variant.price_cents < low or high is not None and variant.price_cents > high:
            continue
        if all((axis := _axis_for(k, axes)) is not None and _value_matches(str(variant.options.get(axis, "")), v) for k, v in options.items()):
            kept.append(variant)
    return sorted(kept, key=lambda v: (v.price_cents, v.item_id)), unknown


def _cents(amount: float | None) -> int | None:
    return None if amount is None else round(amount * 100)


def search_products(query: str, ctx: Ctx, options: dict[str, str] | None = None, min_price: float | None = None,
                    max_price: float | None = None, in_stock_only: bool = True, limit: int = 3) -> dict:  # fmt: skip
    """Search the shop's catalogue for products matching a shopper's words, with optional filters.

    Args:
        query: The shopper's words, e.g. "waterproof hiking boots" or "有没有蓝色的T恤".
        options: Option values wanted, by option name, e.g. {"color": "blue", "size": "M"}.
        min_price: Lowest variant price wanted, in dollars.
        max_price: Highest variant price wanted, in dollars.
        in_stock_only: Only variants that are available now (default true).
        limit: How many products to return (1-10).
    """
    if not query.strip() and not options:
        raise ToolError("Say what you are looking for")
    limit = max(1, min(int(limit), 10))
    options = {str(k): str(v) for k, v in (options or {}).items() if str(v).strip()}
    low, high = _cents(min_price), _cents(max_price)
    products = {p.product_id: p for p in _products(ctx)}
    named = set(named_products(query, list(products.values())))
    found, near = [], []
    for rank, product_id in enumerate(_ranked(ctx, query, list(products.values()))):
        product = products[product_id]
        variants = list(ctx.db.exec(select(Variant).where(Variant.product_id == product_id)))
        kept, unknown = _matching(variants, options, low, high, in_stock_only)
        if not kept:
            if product_id in named or rank < 2:
                in_stock: dict[str, list[str]] = {}
                for v in (v for v in variants if v.available):
                    for axis, value in v.options.items():
                        if value not in (values := in_stock.setdefault(axis, [])):
                            values.append(value)
                near.append({**product_facts(ctx.db, product), "in_stock_options": in_stock, "cannot_match": unknown})
            continue
        why = [{"reason": "named" if product_id in named else "described"}]
        why += [{"reason": "option", "option": k, "value": v} for k, v in options.items()]
        if low is not None or high is not None:
            why.append({"reason": "price", "min": min_price, "max": max_price})
        why.append({"reason": "in_stock", "count": sum(v.available for v in kept)})
        facts = product_facts(ctx.db, product)
        found.append({"product_id": product_id, "name": product.name, "shop_id": product.shop_id,
                      "price_range": [to_amount(kept[0].price_cents), to_amount(kept[-1].price_cents)],
                      "matching_variants": len(kept), "variants": [_variant_dict(v) for v in kept[:SHOWN_VARIANTS]],
                      "options": facts["options"], "why": why})  # fmt: skip
        if len(found) == limit:
            break
    # A product the shopper named but that cannot meet the filters is said, with what it does have.
    near = [n for n in near if n["product_id"] in named][:2] if named else near[:1]
    return {"products": found, "filters": {"options": options, "min_price": min_price, "max_price": max_price, "in_stock_only": in_stock_only},
            "near_misses": [] if found and not named - {f["product_id"] for f in found} else near}  # fmt: skip


def _resolve(wanted: str, allowed: dict[str, Product]) -> str:
    """A product id from an id or a product's name (English or Chinese)."""
    if wanted in allowed:
        return wanted
    named = named_products(wanted, list(allowed.values()))
    if not named:
        raise ToolError(f"Product not found: {wanted}")
    return named[0]


def compare_products(products: list[str], ctx: Ctx) -> dict:
    """Compare products side by side: their options, price ranges and availability.

    Args:
        products: Two to four product ids or product names.
    """
    allowed = {p.product_id: p for p in _products(ctx)}
    ids = list(dict.fromkeys(_resolve(p, allowed) for p in products))
    if not 2 <= len(ids) <= 4:
        raise ToolError("Give two to four different products to compare")
    facts = [product_facts(ctx.db, allowed[i]) for i in ids]
    axes = [set(f["options"]) for f in facts]
    shared = sorted(set.intersection(*axes))
    return {"products": facts, "shared_options": shared,
            "only_in": {f["name"]: sorted(set(f["options"]) - set(shared)) for f in facts}}  # fmt: skip


def recommend_alternatives(ctx: Ctx, item_id: str = "", product_id: str = "", max_price: float | None = None, cheaper: bool = False,
                           limit: int = 3) -> dict:  # fmt: skip
    """Alternatives to an item that is unavailable or not quite right: for a variant (item_id),
    other available variants of the same product first; then, or for a whole product
    (product_id: "something like this"), similar products in stock. Never an unavailable item.

    Args:
        item_id: The variant to replace.
        product_id: The product (its id or name) to find others like, when no variant is meant.
        max_price: Highest price wanted, in dollars.
        cheaper: Only cheaper than the item (or than the product's lowest price in stock).
        limit: How many alternatives (1-10).
    """
    limit = max(1, min(int(limit), 10))
    allowed = {p.product_id: p for p in _products(ctx)}
    if bool(item_id) == bool(product_id):
        raise ToolError("Give either an item_id or a product_id")
    variant = ctx.db.get(Variant, item_id) if item_id else None
    if item_id and (variant is None or variant.product_id not in allowed):
        raise ToolError("Item not found")
    product_id = _resolve(product_id, allowed) if product_id else ""
    product = allowed[variant.product_id if variant is not None else product_id]
    high = _cents(max_price)
    if cheaper:
        own = [v.price_cents for v in ctx.db.exec(select(Variant).where(Variant.product_id == product.product_id)) if v.available]
        below = variant.price_cents if variant is not None else min(own, default=None)
        if below is not None:
            high = min(high, below - 1) if high is not None else below - 1
    picks: list[dict] = []
    siblings = [v for v in ctx.db.exec(select(Variant).where(Variant.product_id == product.product_id))
                if variant is not None and v.available and v.item_id != item_id and (high is None or v.price_cents <= high)]  # fmt: skip
    shared = lambda v: sum(v.options.get(k) == value for k, value in variant.options.items()) if variant is not None else 0  # noqa: E731
    for sibling in sorted(siblings, key=lambda v: (-shared(v), abs(v.price_cents - variant.price_cents), v.item_id)):
        differs = [{"reason": "differs", "option": k, "value": sibling.options.get(k), "instead_of": value}
                   for k, value in (variant.options if variant is not None else {}).items() if sibling.options.get(k) != value]  # fmt: skip
        picks.append({"product_id": product.product_id, "name": product.name, **_variant_dict(sibling),
                      "why": [{"reason": "same_product"}, *differs, {"reason": "in_stock"}]})  # fmt: skip
    similar = [h.section for h in ctx.products.similar(product.product_id, k=5, shop_id=_shop(ctx))] if ctx.products is not None else []
    for other_id in similar:
        if other_id not in allowed:
            continue
        stock = sorted((v for v in ctx.db.exec(select(Variant).where(Variant.product_id == other_id))
                        if v.available and (high is None or v.price_cents <= high)), key=lambda v: (v.price_cents, v.item_id))  # fmt: skip
        if stock:
            picks.append({"product_id": other_id, "name": allowed[other_id].name, **_variant_dict(stock[0]),
                          "why": [{"reason": "similar_product", "to": product.name}, {"reason": "in_stock"}, {"reason": "lowest_price"}]})  # fmt: skip
    item = {"product_id": product.product_id, "name": product.name, **(_variant_dict(variant) if variant is not None else {"options": {}})}
    return {"item": item, "alternatives": picks[:limit]}


CATALOG_TOOLS = [search_products, compare_products, recommend_alternatives]
