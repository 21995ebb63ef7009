"""A merchant's view of the order database, on the generated demo shop (no ../shared needed):
its own shop's orders, and in an order with several shops' items only its own lines."""

from collections import Counter

import pytest

from bot.tools.session import open_session_for
from knowledge.orders.db import session
from knowledge.orders.demo import generate_demo_shop
from knowledge.orders.importer import RetailDB, import_retail, shop_for

SHOP = generate_demo_shop()


def shops_of(order: dict) -> set[str]:
    return {shop_for(item["name"]) for item in order["items"]}


MIXED = next(o for o in SHOP["orders"].values() if len(shops_of(o)) > 1 and o["status"] == "pending")


@pytest.fixture(scope="module")
def db_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('merchant') / 'kefu.db'}"
    with session(url) as db:
        import_retail(db, RetailDB.model_validate(SHOP))
    return url


def as_(db_url, principal):
    return open_session_for(db_url, principal, confirm_writes=False)


@pytest.mark.parametrize("shop", ["shop_home", "shop_outdoor"])
def test_a_merchant_lists_its_own_shops_orders_counted_by_status(db_url, shop):
    expected = Counter(o["status"] for o in SHOP["orders"].values() if shop in shops_of(o))
    result = as_(db_url, f"merchant:{shop}").call("get_shop_orders", {})
    assert result.ok and result.result["total"] == sum(expected.values()) and result.result["counts"] == dict(sorted(expected.items()))
    for order in result.result["orders"]:
        assert {shop_for(item["name"]) for item in order["items"]} == {shop}  # its own lines only

    pending = as_(db_url, f"merchant:{shop}").call("get_shop_orders", {"status": "pending"}).result
    assert {o["status"] for o in pending["orders"]} == {"pending"}
    assert len(pending["orders"]) + pending["more"] == expected["pending"]
    unknown = as_(db_url, f"merchant:{shop}").call("get_shop_orders", {"status": "lost"})
    assert not unknown.ok and "Unknown status" in unknown.error


@pytest.mark.parametrize("principal", ["anonymous", f"buyer:{MIXED['user_id']}", "operator"])
def test_only_a_merchant_lists_a_shops_orders(db_url, principal):
    assert not as_(db_url, principal).call("get_shop_orders", {}).ok


def test_in_an_order_with_several_shops_a_merchant_sees_only_its_own_lines(db_url):
    order_id = MIXED["order_id"]
    for shop in shops_of(MIXED):
        own = [i["item_id"] for i in MIXED["items"] if shop_for(i["name"]) == shop]
        tools = as_(db_url, f"merchant:{shop}")
        details = tools.call("get_order_details", {"order_id": order_id}).result
        assert [i["item_id"] for i in details["items"]] == own and "payment_history" not in details
        assert [i["item_id"] for i in tools.call("get_order_status", {"order_id": order_id}).result["items"]] == own
    buyer = as_(db_url, f"buyer:{MIXED['user_id']}").call("get_order_details", {"order_id": order_id}).result
    assert len(buyer["items"]) == len(MIXED["items"])  # the buyer sees the whole order
    stranger = next(s for s in ("shop_home", "shop_digital", "shop_outdoor", "shop_style") if s not in shops_of(MIXED))
    assert as_(db_url, f"merchant:{stranger}").call("get_order_details", {"order_id": order_id}).error == "Order not found"


def test_a_merchant_asking_about_its_orders_gets_the_shops_counts(db_url, knowledge_home):
    from bot.assistant import Assistant, ModelBinding
    from serving.runtime import build_retriever
    from tests.conftest import make_settings

    retriever = build_retriever(make_settings(knowledge_home), k=4)
    bot = Assistant(retriever, ModelBinding(None), db_url=db_url)
    pending = sum(1 for o in SHOP["orders"].values() if "shop_digital" in shops_of(o) and o["status"] == "pending")
    reply = bot.respond("我的店铺有多少待发货订单？", principal="merchant:shop_digital")
    assert reply.intent == "shop_orders" and [c.name for c in reply.tool_calls] == ["get_shop_orders"]
    assert f"待发货（{pending} 个）" in reply.answer
    assert bot.respond("你好", principal="merchant:shop_digital").answer.startswith("您好！我可以为您查看店铺订单")
    english = bot.respond("What are my shop's orders?", principal="merchant:shop_digital")
    assert english.answer.startswith("Your shop has ") and "pending" in english.answer
    # Asked in English the way a merchant asks (it used to get buyer policy text).
    pending_en = bot.respond("How many orders are pending?", principal="merchant:shop_digital")
    assert pending_en.intent == "shop_orders" and f"pending ({pending}):" in pending_en.answer
