"""Order data in the index: a text card per order, so "my order with the blue water bottle" finds it.

Cards live in their own Chroma collection with the buyer's user id and the selling shops as
metadata, and every search is filtered to the asker's principal before ranking:
a buyer's search never returns another user's card, a merchant's never another shop's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from sqlmodel import select

from kefu.principal import Principal
from knowledge.documents import Chunk
from knowledge.orders.db import session as open_session
from knowledge.orders.models import Order, Product
from knowledge.orders.records import STATUS_ZH, order_record, order_records
from retrieval.index import Hit, KnowledgeIndex, SyncStats

ORDER_COLLECTION = "kefu_order_cards"
READ_PAGE = 500  # orders read per page when syncing cards


def card_text(record: dict) -> str:
    items = "; ".join(f"{i['name']} ({', '.join(f'{k} {v}' for k, v in i['options'].items())})" for i in record["items"])
    tracking = ", ".join(t for f in record["fulfillments"] for t in f["tracking_id"])
    status = record["status"]
    return (f"Order {record['order_id']} ({status} / {STATUS_ZH.get(status, status)}): {items}."
            + (f" Tracking {tracking}." if tracking else "") + f" Ship to {record['address']['city']}.")  # fmt: skip


def principal_filter(principal: Principal) -> dict | None:
    """The Chroma `where` for a principal; None means everything (operators). Raises for anonymous."""
    if principal.kind == "operator":
        return None
    if principal.user_id:
        return {"user_id": principal.user_id}
    if principal.shop_id:
        return {f"shop_{principal.shop_id}": True}
    raise PermissionError("anonymous sessions see no order cards")


class OrderCardIndex:
    def __init__(self, index: KnowledgeIndex, db_url: str) -> None:
        self.index = index
        self.db_url = db_url

    def sync(self, order_ids: Iterable[str] | None = None, on_embedded: Callable[[int, int], None] | None = None) -> SyncStats:
        """(Re)write the cards of ``order_ids`` (all orders when None); unchanged cards are skipped,
        new ones embedded in batches (``on_embedded(done, total)``: progress in cards)."""
        with open_session(self.db_url) as db:
            shop_of = dict(db.exec(select(Product.product_id, Product.shop_id)).all())
            ids = list(order_ids) if order_ids is not None else list(db.exec(select(Order.order_id).order_by(Order.order_id)))
            batch: list[tuple[str, list[Chunk]]] = []
            for start in range(0, len(ids), READ_PAGE):  # a page of orders in four queries, not four per order
                page = ids[start : start + READ_PAGE]
                orders = {o.order_id: o for o in db.exec(select(Order).where(Order.order_id.in_(page)))}
                for order_id in page:
                    if order_id not in orders:
                        self.index.remove_source(f"order:{order_id}")
                records = dict(zip((i for i in page if i in orders), order_records(db, [orders[i] for i in page if i in orders])))
                for order_id, record in records.items():
                    order = orders[order_id]
                    metadata = {"doc_type": "order", "user_id": order.user_id, "order_id": order_id, "status": order.status,
                                **{f"shop_{shop_of[i['product_id']]}": True for i in record["items"] if i["product_id"] in shop_of}}  # fmt: skip
                    batch.append((f"order:{order_id}", [Chunk(source=f"order:{order_id}", section=order_id, text=card_text(record), metadata=metadata)]))
        return self.index.sync_sources(batch, on_embedded=on_embedded)

    def search(self, query: str, principal: Principal | str, k: int = 3) -> list[Hit]:
        principal = principal if isinstance(principal, Principal) else Principal.parse(principal)
        try:
            where = principal_filter(principal)
        except PermissionError:
            return []
        # Filtered in memory before scoring (retrieval.vectors): a buyer's handful of cards, a
        # merchant's shop, never anyone else's.
        hits = self.index.query(query, k=k, where=where)
        return self._shop_lines_only(hits, principal.shop_id) if principal.shop_id else hits

    def _shop_lines_only(self, hits: list[Hit], shop: str) -> list[Hit]:
        """A card is the whole order; a merchant is shown it with its own items only."""
        with open_session(self.db_url) as db:
            shop_of = dict(db.exec(select(Product.product_id, Product.shop_id)).all())
            shown = []
            for hit in hits:
                order = db.get(Order, hit.section)
                if order is None:
                    continue
                record = order_record(db, order)
                own = [i for i in record["items"] if shop_of.get(i["product_id"]) == shop]
                fulfillments = [f for f in record["fulfillments"] if any(i in {o["item_id"] for o in own} for i in f["item_ids"])]
                shown.append(replace(hit, text=card_text({**record, "items": own, "fulfillments": fulfillments})))
        return shown
