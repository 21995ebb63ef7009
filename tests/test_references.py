"""Buyers who describe instead of cite (issue 24): ordered option values and rankings, orders
described by what is about them, values from the buyer's own data, several requests in one
message, a change of mind at the confirmation, questions before actions; English and Chinese,
with the ambiguous cases asked and nothing written."""

import json

import pytest

from bot import templates
from bot.assistant import Assistant, ModelBinding
from bot.nlu.commands import OrderReference, Preference
from bot.nlu.ordering import read_preferences, value_ranks
from bot.nlu.references import read_address_reference, read_order_reference
from bot.nlu.requests import split_requests
from bot.nlu.rules import Context, understand
from bot.nlu.variants import choose_variant
from bot.nlu.vocabulary import Vocabulary
from bot.references import orders_described
from sqlmodel import select

from knowledge.orders.db import session
from knowledge.orders.models import Order, OrderItem, User, Variant
from knowledge.orders.records import order_record, user_record
from serving.runtime import build_retriever
from tests.conftest import TAU2_DB, make_settings

CATALOGUE = Vocabulary.from_catalogue(list(json.loads(TAU2_DB.read_text())["products"].values())) if TAU2_DB.exists() else None
needs_tau2 = pytest.mark.skipif(CATALOGUE is None, reason="needs ../shared/datasets/tau2-retail")


def test_option_values_are_ordered_from_the_catalogue():
    assert sorted(["1TB SSD", "256GB SSD", "512GB SSD"], key=value_ranks(["1TB SSD", "256GB SSD", "512GB SSD"]).get) == ["256GB SSD", "512GB SSD", "1TB SSD"]
    assert sorted(["1.5L", "1L", "2L"], key=value_ranks(["1.5L", "1L", "2L"]).get) == ["1L", "1.5L", "2L"]
    assert sorted(["XL", "S", "M"], key=value_ranks(["XL", "S", "M"]).get) == ["S", "M", "XL"]
    assert sorted(["high", "low", "medium"], key=value_ranks(["high", "low", "medium"]).get) == ["low", "medium", "high"]
    assert sorted(["4K", "1080p", "2K"], key=value_ranks(["4K", "1080p", "2K"]).get) == ["1080p", "2K", "4K"]
    assert value_ranks(["black", "blue"]) is None  # colours have no order


@needs_tau2
@pytest.mark.parametrize("text, product, expected", [
    ("exchange my water bottle for the biggest one you have", "Water Bottle", [("capacity", "most")]),
    ("换个容量最大的", "Water Bottle", [("capacity", "most")]),
    ("one size up please", "T-Shirt", [("size", "more")]),
    ("想换大一号的", "T-Shirt", [("size", "more")]),
    ("the cheapest one in black", "Bluetooth Speaker", [("price", "least")]),
    ("要最便宜的", "Bluetooth Speaker", [("price", "least")]),
    ("a brighter desk lamp", "Desk Lamp", [("brightness", "more")]),
    ("台灯想换个暗一点的", "Desk Lamp", [("brightness", "less")]),
    ("the highest resolution that costs no more than mine", "Digital Camera", [("price", "at_most_current"), ("resolution", "most")]),
    ("分辨率稍微低一点的", "Digital Camera", [("resolution", "less")]),
])  # fmt: skip
def test_comparatives_and_superlatives_are_read_against_the_products_options(text, product, expected):
    preferences, _ = read_preferences(text, CATALOGUE.products[product])
    assert [(p.option, p.degree) for p in preferences] == expected


VARIANTS = {
    "mine": {"options": {"capacity": "500ml", "color": "black"}, "available": True, "price": 20.0},
    "a": {"options": {"capacity": "750ml", "color": "black"}, "available": True, "price": 25.0},
    "b": {"options": {"capacity": "1000ml", "color": "black"}, "available": False, "price": 30.0},
    "c": {"options": {"capacity": "1000ml", "color": "red"}, "available": True, "price": 31.0},
    "d": {"options": {"capacity": "500ml", "color": "red"}, "available": True, "price": 18.0},
}


@pytest.mark.parametrize("want, prefer, expected", [
    ({}, [Preference(option="capacity", degree="most")], "c"),  # the biggest available, even in another colour
    ({"color": "black"}, [Preference(option="capacity", degree="most")], "a"),  # the biggest in black (1000ml black is sold out)
    ({}, [Preference(option="capacity", degree="more")], "a"),  # a size up: the next value, keeping the colour
    ({}, [Preference(option="price", degree="least")], "d"),
    ({}, [Preference(option="capacity", degree="most"), Preference(option="price", degree="at_most_current")], "d"),
])  # fmt: skip
def test_a_ranking_picks_among_the_variants_that_fit(want, prefer, expected):
    assert choose_variant(VARIANTS, "mine", want, {}, prefer).item_id == expected


def test_a_ranking_nothing_fits_is_not_guessed():
    choice = choose_variant(VARIANTS, "mine", {"color": "red"}, {}, [Preference(option="capacity", degree="less")])
    assert choice.item_id is None and choice.problem == "not_available"


@pytest.mark.parametrize("text, expected", [
    ("my Denver order", {"places": ["Denver"]}),
    ("the pending order with four items", {"status": "pending", "item_count": 4}),
    ("my most recent order", {"recency": "latest"}),
    ("the order that hasn't shipped yet", {"status": "pending"}),
    ("寄到纽约的那个订单", {"places": ["New York"]}),
    ("还没发货的那个订单", {"status": "pending"}),
    ("最近的那个订单，有三件东西的", {"recency": "latest", "item_count": 3}),
])  # fmt: skip
def test_orders_are_described_by_what_is_about_them(text, expected):
    reference = read_order_reference(text, False, None)
    assert reference is not None and reference.model_dump(exclude_defaults=True) == expected


def test_a_described_order_is_matched_against_the_buyers_orders():
    orders = [{"order_id": "#W1", "status": "delivered", "address": {"city": "Denver", "state": "CO"}, "items": [{}]},
              {"order_id": "#W2", "status": "pending", "address": {"city": "New York", "state": "NY"}, "items": [{}, {}]},
              {"order_id": "#W3", "status": "pending", "address": {"city": "Denver", "state": "CO"}, "items": [{}]}]  # fmt: skip
    ids = lambda ref: [o["order_id"] for o in orders_described(ref, orders)]  # noqa: E731
    assert ids(OrderReference(places=["Denver"])) == ["#W1", "#W3"]  # two fit: the flow asks
    assert ids(OrderReference(places=["Denver"], status="pending")) == ["#W3"]
    assert ids(OrderReference(places=["NY"])) == ["#W2"]
    assert ids(OrderReference(item_count=2)) == ["#W2"]
    assert ids(OrderReference(recency="latest")) == ["#W3"]


def test_addresses_of_the_buyers_own_are_references_not_values():
    assert read_address_reference("ship it to my default address instead").source == "default"
    assert read_address_reference("把这个订单改寄到我账户里的默认地址").source == "default"
    nyc = read_address_reference("use the New York address from my other order")
    assert nyc.source == "order" and nyc.place == "New York"


@pytest.mark.parametrize("text, pieces", [
    ("return the mat and the kettle, and exchange the shoes for a size up", 2),
    ("change the address and swap the speaker", 2),
    ("First, exchange the helmet for a medium. Second, exchange the luggage set for a two-piece. And last, change the grill to gas.", 3),
    ("把瑜伽垫和水壶退了，然后把鞋子换大一号", 2),
    ("1）头盔换成M码；2）行李箱换成两件套；3）烤架改成燃气的", 3),
    ("exchange the keyboard for a clicky one and the thermostat for the Google one", 1),  # one exchange of two items
    ("exchange the hose for a black one. And please don't cancel any orders.", 1),  # not a request to cancel
])  # fmt: skip
def test_several_requests_in_one_message_are_cut_apart(text, pieces):
    assert len(split_requests(text)) == pieces


@needs_tau2
@pytest.mark.parametrize("text", ["Yusuf Rossi here, zip 19122, I need help", "那我报名字吧：Yusuf Rossi，邮编 19122", "hey, I need to exchange something. Yusuf Rossi, zip 19122."])
def test_a_name_and_zip_among_other_words_verify(text):
    assert understand(text, CATALOGUE, Context()).name_zip == ("Yusuf", "Rossi", "19122")


# ---- end to end on τ²-retail (the embedded default, no model)

pytestmark_db = pytest.mark.parametrize("order_dbs", ["sqlite"], indirect=True)


@pytest.fixture
def bot(knowledge_home, order_db):
    return Assistant(build_retriever(make_settings(knowledge_home), k=4), ModelBinding(None), db_url=order_db)


def converse(bot, *turns):
    session_id, replies = None, []
    for text in turns:
        reply = bot.respond(text, session_id=session_id)
        session_id = reply.session_id
        replies.append(reply)
    return replies


def order_row(url, order_id):
    with session(url) as db:
        order = db.get(Order, order_id)
        return order.status, list(order.exchange_items or []), list(order.return_items or [])


def lines_of(url, order_id):
    from sqlmodel import select

    with session(url) as db:
        return {row.item_id: row for row in db.exec(select(OrderItem).where(OrderItem.order_id == order_id))}


MEI = {"en": "I'm Mei Kovacs, zip 28236", "zh": "我是 Mei Kovacs，邮编 28236"}
DAIKI = {"en": "I'm Daiki Johnson, zip 80273", "zh": "我是 Daiki Johnson，邮编 80273"}


@needs_tau2
@pytestmark_db
@pytest.mark.parametrize("language, ask", [("en", "Exchange the water bottle I received for the biggest one you have."),
                                           ("zh", "我收到的水杯想换个容量最大的。")])  # fmt: skip
def test_the_biggest_one_is_the_largest_available_capacity(bot, order_db, language, ask):
    replies = converse(bot, MEI[language], ask, "yes" if language == "en" else "确认")
    assert replies[1].outcome == "proposed" and replies[2].outcome == "done", [r.answer for r in replies]
    with session(order_db) as db:
        order = db.get(Order, "#W6390527")
        new_item = db.get(Variant, order.exchange_new_items[0])
        bottles = [v for v in db.exec(select(Variant).where(Variant.product_id == new_item.product_id)) if v.available]
        biggest = max(int(v.options["capacity"].rstrip("ml")) for v in bottles)
    assert int(new_item.options["capacity"].rstrip("ml")) == biggest


@needs_tau2
@pytestmark_db
@pytest.mark.parametrize("language, ask, yes", [("en", "Please cancel my pending order going to Jacksonville, I no longer need it.", "yes"),
                                                ("zh", "帮我取消寄到杰克逊维尔的那个待发货订单，不需要了。", "确认")])  # fmt: skip
def test_an_order_described_by_its_city_is_the_one_changed(bot, order_db, language, ask, yes):
    replies = converse(bot, DAIKI[language], ask, yes)
    assert "#W1436802" in replies[1].answer and replies[2].outcome == "done"
    assert order_row(order_db, "#W1436802")[0] == "cancelled" and order_row(order_db, "#W5282037")[0] == "pending"


@needs_tau2
@pytestmark_db
@pytest.mark.parametrize("language, ask", [("en", "Please cancel my pending order, I no longer need it."), ("zh", "帮我取消那个待发货的订单，不需要了。")])
def test_two_orders_fit_the_description_the_buyer_is_asked_and_nothing_is_written(bot, order_db, language, ask):
    replies = converse(bot, DAIKI[language], ask, "yes" if language == "en" else "确认")
    asked = replies[1]
    assert asked.outcome == "asked" and "#W1436802" in asked.answer and "#W5282037" in asked.answer and "1." in asked.answer
    assert order_row(order_db, "#W1436802")[0] == "pending" and order_row(order_db, "#W5282037")[0] == "pending"


@needs_tau2
@pytestmark_db
@pytest.mark.parametrize("language, ask, yes", [
    ("en", "Please cancel my Jacksonville order, I no longer need it, and return the patio umbrella I received.", "yes"),
    ("zh", "寄到杰克逊维尔的那个订单帮我取消，不需要了；然后把我收到的遮阳伞退了。", "确认"),
])  # fmt: skip
def test_several_requests_are_done_one_after_another_each_confirmed(bot, order_db, language, ask, yes):
    replies = converse(bot, DAIKI[language], ask)
    assert replies[1].outcome == "proposed" and order_row(order_db, "#W1436802")[0] == "pending"  # nothing before the yes
    first = converse_more(bot, replies[1], yes)
    assert order_row(order_db, "#W1436802")[0] == "cancelled" and first.outcome == "proposed"  # …then the return is proposed
    assert order_row(order_db, "#W9502127")[0] == "delivered"
    converse_more(bot, first, yes)
    assert order_row(order_db, "#W9502127")[0] == "return requested"


def converse_more(bot, last, text):
    return bot.respond(text, session_id=last.session_id)


@needs_tau2
@pytestmark_db
@pytest.mark.parametrize("language, ask, only, yes", [
    ("en", "Exchange the water bottle I received for the biggest one, and the desk lamp for a brighter one.", "Actually, only the lamp.", "yes"),
    ("zh", "我收到的水杯想换个容量最大的，台灯想换个更亮的。", "算了，水杯不换了，只换台灯。", "确认"),
])  # fmt: skip
def test_a_change_of_mind_at_the_confirmation_keeps_only_what_is_said(bot, order_db, language, ask, only, yes):
    replies = converse(bot, MEI[language], ask, only)
    lamp = next(i for i, line in lines_of(order_db, "#W6390527").items() if line.name == "Desk Lamp")
    assert replies[1].outcome == "proposed" and replies[2].outcome == "proposed", [r.answer for r in replies]
    assert order_row(order_db, "#W6390527")[1] == []  # nothing written at the change of mind
    converse_more(bot, replies[2], yes)
    assert order_row(order_db, "#W6390527")[1] == [lamp]


@needs_tau2
@pytestmark_db
@pytest.mark.parametrize("language, question, then, yes", [
    ("en", "Which card did I pay with for my Jacksonville order?", "Ok, then cancel it, I no longer need it.", "yes"),
    ("zh", "寄到杰克逊维尔的那个订单是用哪张卡付的？", "那就取消吧，不需要了。", "确认"),
])  # fmt: skip
def test_a_question_about_the_buyers_data_is_answered_then_the_flow_goes_on(bot, order_db, language, question, then, yes):
    replies = converse(bot, DAIKI[language], question)
    # The answer names the method the order was paid with, as the database has it.
    with session(order_db) as db:
        order = order_record(db, db.get(Order, "#W1436802"))
        methods = user_record(db, db.get(User, order["user_id"]))["payment_methods"]
    named = templates.payment_name(methods[order["payment_history"][0]["payment_method_id"]], language)
    answer = replies[1].answer
    assert replies[1].intent == "my_data" and "#W1436802" in answer and order_row(order_db, "#W1436802")[0] == "pending"
    assert named in answer, (named, answer)
    proposed = converse_more(bot, replies[1], then)
    assert proposed.outcome in ("proposed", "asked") and "#W1436802" in proposed.answer, proposed.answer
    done = converse_more(bot, proposed, yes)
    assert order_row(order_db, "#W1436802")[0] == "cancelled", done.answer
