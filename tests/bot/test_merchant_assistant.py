"""The merchant assistant on the generated demo shop: shop figures scoped to the merchant's own
shop, demo and imported reviews, sentiment measured on a labelled set, insights, product copy
whose invented numbers and options are caught, and merchant conversations in both languages."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from sqlmodel import func, select

from bot.assistant import Assistant, ModelBinding
from bot.copywriter import check_copy, template_copy, write_copy
from bot.tools.session import ToolSession
from kefu.principal import Principal
from knowledge.catalog import catalogue_option_values, product_facts
from knowledge.orders.db import session
from knowledge.orders.demo import generate_demo_shop
from knowledge.orders.models import Order, OrderItem, Product, Review
from knowledge.reviews.demo import generate_reviews, import_demo_reviews
from knowledge.reviews.importer import ReviewImportError, import_reviews
from knowledge.reviews.insights import product_insights
from knowledge.reviews.sentiment import label
from serving.runtime import build_retriever
from tests.conftest import make_settings, product_catalogue

LABELLED = Path(__file__).parents[1] / "data" / "review_sentiment.json"
SHOPS = ("shop_home", "shop_outdoor")


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    db_url, cards = product_catalogue(tmp_path_factory, "merchant-assistant", generate_demo_shop())
    with session(db_url) as db:
        assert import_demo_reviews(db)["added"] > 0
    return db_url, cards


def as_merchant(shop, shop_id: str) -> ToolSession:
    db_url, cards = shop
    return ToolSession(db_url=db_url, principal=Principal("merchant", shop_id), products=cards)


def own_products(db_url: str, shop_id: str) -> dict[str, str]:
    with session(db_url) as db:
        return dict(db.exec(select(Product.product_id, Product.name).where(Product.shop_id == shop_id)).all())


# ---------------------------------------------------------------- scoping


@pytest.mark.parametrize("shop_id", SHOPS)
def test_a_merchant_sees_only_its_own_shops_orders_revenue_stock_and_reviews(shop, shop_id):
    db_url, _ = shop
    own = own_products(db_url, shop_id)
    tools = as_merchant(shop, shop_id)
    summary = tools.call("get_shop_summary", {}).result
    with session(db_url) as db:
        lines = db.exec(select(OrderItem.price_cents, Order.status).join(Order, Order.order_id == OrderItem.order_id)
                        .where(OrderItem.product_id.in_(list(own)))).all()  # fmt: skip
        orders = db.exec(select(func.count(func.distinct(OrderItem.order_id))).where(OrderItem.product_id.in_(list(own)))).one()
    sold = sum(c for c, s in lines if s in ("pending", "pending (item modified)", "processed", "delivered", "exchange requested"))
    assert summary["orders"] == orders and round(summary["revenue"]["sold"] * 100) == sold
    assert {p["name"] for p in summary["top_products"]} <= set(own.values())
    text = json.dumps(summary)
    assert "@" not in text and "payment" not in text and "address" not in text  # no buyer details

    stock = tools.call("get_shop_stock", {}).result
    assert {p["product_id"] for p in stock["products"]} == set(own)
    insights = tools.call("get_review_insights", {}).result
    assert insights["products"] and {p["product_id"] for p in insights["products"]} <= set(own)

    other = next(s for s in SHOPS if s != shop_id)
    foreign = next(iter(own_products(db_url, other).values()))
    for name in ("get_shop_stock", "get_review_insights"):
        refused = tools.call(name, {"product": foreign})
        assert not refused.ok and "in your shop" in refused.error
    assert not tools.call("get_copy_facts", {"product": foreign}).ok
    assert not ToolSession(db_url=db_url, principal=Principal.parse("buyer:someone_1")).call("get_shop_summary", {}).ok


def test_another_shops_product_is_refused_in_chat_too(shop, knowledge_home):
    db_url, cards = shop
    foreign = next(iter(own_products(db_url, "shop_outdoor").values()))
    bot = Assistant(build_retriever(make_settings(knowledge_home)), ModelBinding(None), db_url=db_url, product_cards=cards)
    reply = bot.respond(f"What do buyers say about the {foreign}? Show the reviews", principal="merchant:shop_home")
    assert reply.intent == "shop_reviews" and "in your shop" in reply.answer
    assert all(c.ok is False for c in reply.tool_calls if c.name == "get_review_insights")


# ---------------------------------------------------------------- reviews and sentiment


def test_demo_reviews_are_deterministic_bilingual_and_tied_to_delivered_orders(shop):
    db_url, _ = shop
    with session(db_url) as db:
        first, again = generate_reviews(db, seed=7), generate_reviews(db, seed=7)
        delivered = set(db.exec(select(Order.order_id).where(Order.status == "delivered")))
        stored = db.exec(select(func.count()).select_from(Review)).one()
        assert import_demo_reviews(db)["added"] == 0  # a rerun adds nothing
    assert [r.text for r in first] == [r.text for r in again] and len(first) == stored
    assert {r.language for r in first} == {"en", "zh"} and all(r.order_id in delivered for r in first)
    assert all(1 <= r.rating <= 5 for r in first) and {r.rating for r in first} >= {1, 5}


def test_sentiment_accuracy_on_the_labelled_reviews_per_language():
    """120 reviews (60 en, 60 zh, half of each negative, hard cases included) written by a helper
    who saw no code. VADER and SnowNLP as they come (SnowNLP averaged over clauses)."""
    reviews = json.loads(LABELLED.read_text("utf-8"))
    accuracy = {}
    for language in ("en", "zh"):
        rows = [r for r in reviews if r["lang"] == language]
        assert len(rows) == 60 and sum(r["label"] == "positive" for r in rows) == 30
        accuracy[language] = sum(label(r["text"], language) == r["label"] for r in rows) / len(rows)
    assert accuracy["en"] >= 0.75 and accuracy["zh"] >= 0.78, accuracy  # measured: en 0.750, zh 0.783


def test_importing_reviews_checks_every_row_and_writes_all_or_nothing(shop, tmp_path):
    db_url, _ = shop
    product_id = next(iter(own_products(db_url, "shop_home")))
    good = [{"product_id": product_id, "rating": 5, "text": "Lovely, works great.", "date": "2026-10-02"},
            {"product_id": product_id, "rating": 1, "text": "坏了，质量太差。", "date": "2026-11-15"}]  # fmt: skip
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([*good, {"product_id": product_id, "rating": 9, "text": "x", "date": "2026-11-15"}]), "utf-8")
    with session(db_url) as db:
        before = db.exec(select(func.count()).select_from(Review)).one()
        with pytest.raises(ReviewImportError, match="item 3: rating must be 1–5"):
            import_reviews(db, bad)
        db.rollback()
        assert db.exec(select(func.count()).select_from(Review)).one() == before
    csv_file = tmp_path / "reviews.csv"
    csv_file.write_text("product_id,rating,text,date\n" + "\n".join(f'{r["product_id"]},{r["rating"]},"{r["text"]}",{r["date"]}' for r in good), "utf-8")
    with session(db_url) as db:
        assert import_reviews(db, csv_file) == {"added": 2}
        added = db.exec(select(Review).where(Review.order_id.is_(None), Review.product_id == product_id)).all()
    assert {(r.language, r.reviewed_on) for r in added} >= {("en", date(2026, 10, 2)), ("zh", date(2026, 11, 15))}


def test_insights_count_reviews_by_month_and_quote_themes(shop, tmp_path):
    db_url, cards = shop
    with session(db_url) as db:
        product = db.exec(select(Product).where(Product.name == "Yoga Mat")).one()
        reviews = db.exec(select(Review).where(Review.product_id == product.product_id)).all()
        insight = product_insights(db, product, cards.index.embeddings)
    by_month: dict[str, list[bool]] = {}
    for review in reviews:
        by_month.setdefault(review.reviewed_on.strftime("%Y-%m"), []).append(label(review.text, review.language) == "positive")
    assert [m["month"] for m in insight["months"]] == sorted(by_month)
    for month in insight["months"]:
        verdicts = by_month[month["month"]]
        assert month["reviews"] == len(verdicts) and month["positive"] == sum(verdicts)
    assert insight["reviews"] == len(reviews) and insight["complaints"] and insight["praise"]
    texts = " ".join(r.text for r in reviews)
    assert all(theme["quote"] in texts for theme in insight["praise"] + insight["complaints"])


# ---------------------------------------------------------------- copy


@pytest.fixture(scope="module")
def kettle(shop):
    db_url, _ = shop
    with session(db_url) as db:
        product = db.exec(select(Product).where(Product.name == "Electric Kettle")).one()
        return product_facts(db, product) | {"praise": []}, catalogue_option_values(db)


def test_the_copy_check_catches_invented_numbers_and_other_products_options(kettle):
    facts, values = kettle
    low, _high = facts["price_range"]
    honest = f"The Electric Kettle comes in {', '.join(facts['options']['capacity'])}, from ${low:.2f}."
    assert check_copy(honest, facts, values) == []
    invented = "A 2000 W kettle with IPX7 water resistance and a 3-year warranty."
    problems = check_copy(invented, facts, values)
    assert any("2000" in p for p in problems) and any("3" in p for p in problems) and any("ipx7" in p.lower() for p in problems)
    assert check_copy(template_copy(facts, "en"), facts, values) == [] and check_copy(template_copy(facts, "zh", "playful"), facts, values) == []


def test_invented_specs_are_written_again_or_replaced_by_the_template(kettle):
    facts, values = kettle
    honest = f"Meet the Electric Kettle, in {' or '.join(facts['options']['material'])}."
    fixed = write_copy(FakeListChatModel(responses=["Boils in 30 seconds, IPX7 rated.", honest]), facts, "en", "friendly", "short", values)
    assert fixed.source == "model" and fixed.text == honest and fixed.attempts == 2 and fixed.problems
    stubborn = write_copy(FakeListChatModel(responses=["Boils in 30 seconds.", "Now 50% off!"]), facts, "en", "friendly", "short", values)
    assert stubborn.source == "template" and stubborn.text == template_copy(facts, "en") and len(stubborn.problems) >= 2
    degraded = write_copy(None, facts, "zh", "professional", "medium", values)
    assert degraded.source == "template" and degraded.attempts == 0 and "电热水壶" in degraded.text


# ---------------------------------------------------------------- conversations


def test_a_merchant_conversation_in_english(shop, knowledge_home):
    db_url, cards = shop
    bot = Assistant(build_retriever(make_settings(knowledge_home)), ModelBinding(None), db_url=db_url, product_cards=cards)
    me = "merchant:shop_outdoor"
    summary = bot.respond("How is my shop doing? What sells best?", principal=me)
    figures = as_merchant(shop, "shop_outdoor").call("get_shop_summary", {}).result
    assert summary.intent == "shop_summary" and f"${figures['revenue']['sold']:.2f}" in summary.answer
    assert figures["top_products"][0]["name"] in summary.answer
    stock = bot.respond("Which variants are out of stock?", session_id=summary.session_id, principal=me)
    assert stock.intent == "shop_stock" and "in stock" in stock.answer
    reviews = bot.respond("What do customers complain about?", session_id=summary.session_id, principal=me)
    assert reviews.intent == "shop_reviews" and "Complaints" in reviews.answer and "% positive" in reviews.answer
    copy = bot.respond("Write a playful description of the backpack", session_id=summary.session_id, principal=me)
    assert copy.intent == "shop_copy" and copy.answer.startswith("Say hello to your new Backpack!")


def test_a_merchant_conversation_in_chinese(shop, knowledge_home):
    db_url, cards = shop
    bot = Assistant(build_retriever(make_settings(knowledge_home)), ModelBinding(None), db_url=db_url, product_cards=cards)
    me = "merchant:shop_home"
    summary = bot.respond("店铺经营情况怎么样？", principal=me)
    assert summary.intent == "shop_summary" and summary.answer.startswith("您的店铺共有")
    reviews = bot.respond("买家对台灯的评价怎么样？", session_id=summary.session_id, principal=me)
    assert reviews.intent == "shop_reviews" and "台灯" in reviews.answer and "好评" in reviews.answer
    copy = bot.respond("给办公椅写一段文案", session_id=summary.session_id, principal=me)
    assert copy.intent == "shop_copy" and "办公椅" in copy.answer and "美元" in copy.answer
    orders = bot.respond("我的店铺有多少待发货订单？", session_id=summary.session_id, principal=me)
    assert orders.intent == "shop_orders"
