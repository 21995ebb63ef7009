"""The catalogue in the index: a text card per product, so "something to keep drinks cold on a
hike" or "有没有适合徒步的水杯" finds the water bottle.

One card per product, in both languages: its name and Chinese names, its description, its option
axes and values, its price range and how many variants are in stock, with the product id and
shop as metadata. A card is rewritten when any of that changes (``sync``, after an import or a
change of price or availability); unchanged cards are skipped. Cards rank products; the answer's
prices and availability are read from the database at answer time, never from a card.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlmodel import select

from knowledge.catalog import ZH_NAMES, product_facts
from knowledge.documents import Chunk, detect_language
from knowledge.orders.db import session as open_session
from knowledge.orders.models import Product
from retrieval.index import Hit, KnowledgeIndex, SyncStats

PRODUCT_COLLECTION = "kefu_product_cards"
# The least similarity of a card to a shopper's words for the product to count as found, per the
# words' language (the default multilingual embedding; docs/presales.md): unrelated questions
# ("do you sell pizza?", "你们卖汽车吗") reach 0.60 / 0.63 against the demo catalogue, the right
# product of the labelled set is found from 0.60 / 0.70.
MIN_SCORE = {"en": 0.60, "zh": 0.66}


def card_text(facts: dict, description: dict[str, str]) -> str:
    names = " / ".join([facts["name"], *ZH_NAMES.get(facts["name"], ())])
    options = "; ".join(f"{axis}: {', '.join(values)}" for axis, values in facts["options"].items())
    low, high = facts["price_range"] or (0, 0)
    stock = f"{facts['available_variants']} of {facts['variants']} variants in stock / 有货 {facts['available_variants']} 款"
    parts = [f"{names}.", description.get("en", ""), description.get("zh", ""), f"Options / 选项: {options}.",
             f"Price / 价格: ${low:.2f}–${high:.2f}. {stock}."]  # fmt: skip
    return " ".join(p for p in parts if p)


class ProductCardIndex:
    def __init__(self, index: KnowledgeIndex, db_url: str, descriptions: dict[str, dict[str, str]]) -> None:
        self.index = index
        self.db_url = db_url
        self.descriptions = descriptions

    def sync(self, product_ids: Iterable[str] | None = None, on_embedded: Callable[[int, int], None] | None = None) -> SyncStats:
        """(Re)write the cards of ``product_ids`` (every product when None); unchanged cards are
        skipped, new ones embedded in batches (``on_embedded(done, total)``)."""
        with open_session(self.db_url) as db:
            ids = list(product_ids) if product_ids is not None else list(db.exec(select(Product.product_id).order_by(Product.product_id)))
            cards = []
            for product_id in ids:
                product = db.get(Product, product_id)
                if product is None:
                    self.index.remove_source(f"product:{product_id}")
                    continue
                facts = product_facts(db, product)
                metadata = {"doc_type": "product", "product_id": product_id, "shop_id": product.shop_id, "name": product.name,
                            "in_stock": facts["available_variants"] > 0}  # fmt: skip
                text = card_text(facts, self.descriptions.get(product.name, {}))
                cards.append((f"product:{product_id}", [Chunk(source=f"product:{product_id}", section=product_id, text=text, metadata=metadata)]))
        return self.index.sync_sources(cards, on_embedded=on_embedded)

    def rank(self, query: str, k: int = 10, shop_id: str | None = None, gated: bool = True) -> list[Hit]:
        """Products for a shopper's words, best first (dense similarity of the cards; a merchant's
        search is filtered to its shop before ranking); ``gated``: only cards similar enough."""
        hits = self.index.query(query, k=k, where={"shop_id": shop_id} if shop_id else None)
        floor = MIN_SCORE.get(detect_language(query), MIN_SCORE["en"]) if gated else float("-inf")
        return [h for h in hits if h.score >= floor]

    def similar(self, product_id: str, k: int = 5, shop_id: str | None = None) -> list[Hit]:
        """Products like ``product_id`` (its own card as the query), without itself."""
        with open_session(self.db_url) as db:
            product = db.get(Product, product_id)
            if product is None:
                return []
            text = card_text(product_facts(db, product), self.descriptions.get(product.name, {}))
        return [h for h in self.rank(text, k=k + 1, shop_id=shop_id, gated=False) if h.section != product_id][:k]
