"""The reference resolver: what a buyer *describes* matched against their own data, never guessed.

- ``orders_described``: the buyer's orders that fit an ``OrderReference`` (status, the city or
  state it ships to, its number of items, the payment method, recency by its place in the
  buyer's order list).
- ``address_referred``: the address an ``AddressReference`` means (the account's default, or
  the address of the order going to the place named).
- ``other_line``: the line of another order the buyer owns of the same product ("the same type
  as the grill I already received").

Each returns every candidate that fits: the flow asks with a short numbered list when several
do (bot.flows.common.find_order), and writes nothing until one is settled and confirmed.
"""

from __future__ import annotations

from bot.nlu.commands import AddressReference, OrderReference
from bot.nlu.places import address_in

ADDRESS_FIELDS = ("address1", "address2", "city", "state", "country", "zip")


def orders_described(reference: OrderReference, orders: list[dict]) -> list[dict]:
    """``orders``: get_order_details results in the buyer's order (oldest first)."""
    fits = list(orders)
    if reference.status:
        fits = [o for o in fits if o["status"] == reference.status]
    if reference.places:
        fits = [o for o in fits if any(address_in(o["address"], place) for place in reference.places)]
    if reference.item_count:
        fits = [o for o in fits if len(o["items"]) == reference.item_count]
    if reference.payment:
        fits = [o for o in fits if any(p["payment_method_id"].startswith(reference.payment) for p in o.get("payment_history", []))]
    if reference.with_products:
        fits = [o for o in fits if set(reference.with_products) <= {line["name"] for line in o["items"]}]
    if reference.recency and fits:
        fits = [fits[-1] if reference.recency == "latest" else fits[0]]
    return fits


def address_referred(reference: AddressReference, user: dict, orders: list[dict], excluding: str | None = None) -> list[dict]:
    """The addresses the reference can mean (one: settled; several or none: ask)."""
    if reference.source == "default":
        return [_fields(user["address"])]
    if reference.order_id:
        return [_fields(o["address"]) for o in orders if o["order_id"] == reference.order_id]
    if reference.product:
        orders = [o for o in orders if any(line["name"] == reference.product for line in o["items"])]
    candidates = [o for o in orders if o["order_id"] != excluding and (reference.place is None or address_in(o["address"], reference.place))]
    if reference.place and address_in(user["address"], reference.place):
        candidates.append({"address": user["address"]})
    distinct: list[dict] = []
    for order in candidates:
        fields = _fields(order["address"])
        if fields not in distinct:
            distinct.append(fields)
    return distinct


def other_line(product_name: str, orders: list[dict], excluding_item: str) -> list[dict]:
    """Lines of the same product in the buyer's other orders (distinct variants)."""
    lines = [line for order in orders for line in order["items"] if line["name"] == product_name and line["item_id"] != excluding_item]
    distinct: list[dict] = []
    for line in lines:
        if all(line["item_id"] != seen["item_id"] for seen in distinct):
            distinct.append(line)
    return distinct


def _fields(address: dict) -> dict:
    return {field: address.get(field, "") or "" for field in ADDRESS_FIELDS}
