"""Order cards in the index: found by description, always filtered to the asker, kept in sync."""

import pytest

from bot.assistant import Assistant, ModelBinding
from knowledge.orders.db import session
from knowledge.orders.demo import generate_demo_shop
from knowledge.orders.importer import RetailDB, import_retail, shop_for
from retrieval.index import chroma_client
from serving.runtime import build_order_cards, build_retriever
from tests.conftest import make_settings

SHOP = generate_demo_shop()


@pytest.fixture(scope="module")
def shop_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("order-cards")
    settings = make_settings(home)
    with session(settings.resolved_database_url) as db:
        import_retail(db, RetailDB.model_validate(SHOP))
    stats = build_order_cards(settings).sync()
    assert stats.added == len(SHOP["orders"])
    assert build_order_cards(settings).sync().added == 0  # a rerun adds nothing
    return settings


def test_a_buyer_never_sees_another_users_card(shop_home):
    cards = build_order_cards(shop_home)
    for user_id, user in list(SHOP["users"].items())[:12]:
        for hit in cards.search("water bottle order delivered", f"buyer:{user_id}", k=10):
            assert hit.section in user["orders"], (user_id, hit.section)
    assert cards.search("water bottle", "anonymous") == []


def test_a_merchant_sees_only_orders_with_their_products(shop_home):
    cards = build_order_cards(shop_home)
    hits = cards.search("order", "merchant:shop_outdoor", k=50)
    assert hits
    for hit in hits:
        names = [i["name"] for i in SHOP["orders"][hit.section]["items"]]
        assert any(shop_for(name) == "shop_outdoor" for name in names), names
        # The card shows the merchant its own lines only, in an order with other shops' items too.
        assert all((name in hit.text) == (shop_for(name) == "shop_outdoor") for name in names), (names, hit.text)
    assert any(len({shop_for(i["name"]) for i in SHOP["orders"][h.section]["items"]}) > 1 for h in hits)  # such orders were seen
    assert len(cards.search("order", "operator", k=50)) == 50


def test_describing_an_order_finds_it_and_a_write_updates_its_card(shop_home, knowledge_home):
    user_id, order_id, item = next(
        (u, o, SHOP["orders"][o]["items"][0]) for u, v in SHOP["users"].items() for o in v["orders"]
        if SHOP["orders"][o]["status"] == "pending" and len(v["orders"]) > 1
    )  # fmt: skip
    retriever = build_retriever(make_settings(knowledge_home), k=4)
    bot = Assistant(retriever, ModelBinding(None), db_url=shop_home.resolved_database_url, order_cards=build_order_cards(shop_home))
    color = item["options"].get("color", "")
    reply = bot.respond(f"where is my order with the {color} {item['name'].lower()}?", principal=f"buyer:{user_id}")
    assert reply.intent == "status" and order_id in reply.answer

    asked = bot.respond(f"cancel {order_id}, I no longer need it", principal=f"buyer:{user_id}")
    bot.respond("yes", session_id=asked.session_id, principal=f"buyer:{user_id}")
    card = build_order_cards(shop_home).search(order_id, f"buyer:{user_id}", k=10)
    assert any(h.section == order_id and "(cancelled" in h.text for h in card)


def test_filtered_search_agrees_with_chromas_own_filtered_query(shop_home):
    cards = build_order_cards(shop_home)
    user_id = next(u for u, v in SHOP["users"].items() if len(v["orders"]) >= 3)
    where = {"user_id": user_id}
    mine = cards.index.query("hiking boots", k=3, where=where)
    collection = chroma_client(shop_home.chroma_dir).get_collection(cards.index.name)
    theirs = collection.query(query_embeddings=[cards.index.embeddings.embed_query("hiking boots")], n_results=3, where=where)
    assert [h.chunk_id for h in mine] == theirs["ids"][0]
    assert all(abs(h.score - (1 - d)) < 1e-4 for h, d in zip(mine, theirs["distances"][0]))


def test_order_records_in_bulk_equal_one_by_one(shop_home):
    from sqlmodel import select

    from knowledge.orders.models import Order
    from knowledge.orders.records import order_record, order_records

    with session(shop_home.resolved_database_url) as db:
        orders = list(db.exec(select(Order)))
        bulk = order_records(db, orders)
        assert len(orders) >= 10 and bulk == [order_record(db, o) for o in orders]
        assert any(r["fulfillments"] for r in bulk) and any(len(r["items"]) > 1 for r in bulk) and any(r["payment_history"] for r in bulk)


class LengthEmbeddings:
    """Vectors from a text's length: enough for an index that only stores them."""

    identity = "length/2"

    def embed_documents(self, texts):
        return [[float(len(t)), 1.0] for t in texts]

    def embed_query(self, text):
        return [float(len(text)), 1.0]


def test_a_sync_writes_each_embedded_batch_with_one_upsert(tmp_path):
    from knowledge.documents import Chunk
    from retrieval.index import KnowledgeIndex

    index = KnowledgeIndex(chroma_client(tmp_path / "chroma", None), LengthEmbeddings(), collection="batches")
    calls = []
    upsert = index._collection.upsert
    index._collection.upsert = lambda **kw: calls.append(len(kw["ids"])) or upsert(**kw)
    documents = [(f"order:{n}", [Chunk(source=f"order:{n}", section=str(n), text=f"order {n} shipped", metadata={})]) for n in range(25)]
    stats = index.sync_sources(documents, batch_size=10)
    assert stats.added == 25 and calls == [10, 10, 5] and index.count() == 25  # not one write per order
    changed = [(source, [Chunk(source=source, section=c.section, text=c.text + " and delivered", metadata={})]) for source, chunks in documents[:3] for c in chunks]
    again = index.sync_sources(changed + documents[3:], batch_size=10)
    assert (again.added, again.removed, again.unchanged) == (3, 3, 22) and index.count() == 25 and calls[-1] == 3
