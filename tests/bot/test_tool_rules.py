"""Every rejection path of the write tools, and who may read or change what.

Runs on SQLite and PostgreSQL (the `order_db` fixture), on τ²-retail data. The buyer is
olivia_ito_3591: pending orders paid by credit card, a delivered order paid by PayPal, a
processed order, a gift card with $56.00, and three payment methods.
"""

import json

import pytest
from sqlmodel import select

from bot.tools.session import open_session_for
from knowledge.orders.db import session
from knowledge.kefu_tables import AuditEntry
from knowledge.orders.models import Order
from knowledge.orders.records import order_record
from tests.conftest import TAU2_DB

BUYER = "olivia_ito_3591"
PENDING, PENDING_2, DELIVERED, PROCESSED = "#W5442520", "#W7941031", "#W5866402", "#W5353646"
GIFT_CARD, PAYPAL, CARD = "gift_card_7794233", "paypal_8049766", "credit_card_9753331"
OTHER_BUYER, OTHERS_ORDER = "noah_brown_6181", "#W7678072"

DB = json.loads(TAU2_DB.read_text()) if TAU2_DB.exists() else {"orders": {}, "products": {}}


def variant(item_id: str, *, available: bool, cheaper: bool | None = None) -> str:
    """Another variant of the same product as `item_id`, with the wanted availability and price."""
    product = next(p for p in DB["products"].values() if item_id in p["variants"])
    price = product["variants"][item_id]["price"]
    for vid, v in product["variants"].items():
        if vid != item_id and v["available"] == available and (cheaper is None or (v["price"] < price) == cheaper):
            return vid
    raise LookupError(item_id)


def item_of(order_id: str, n: int = 0) -> str:
    return DB["orders"][order_id]["items"][n]["item_id"]


def tools(url, principal=f"buyer:{BUYER}"):
    return open_session_for(url, principal, confirm_writes=False)


def rejected(session, name, error, **arguments):
    result = session.call(name, arguments)
    assert not result.ok, result
    assert error in result.error, result.error
    return result


def order_state(url, order_id):
    with session(url) as db:
        return order_record(db, db.get(Order, order_id))


def test_cancel_rejections_then_success(order_db):
    t = tools(order_db)
    rejected(t, "cancel_pending_order", "Non-pending order cannot be cancelled", order_id=PROCESSED, reason="no longer needed")
    rejected(t, "cancel_pending_order", "Non-pending order cannot be cancelled", order_id=DELIVERED, reason="no longer needed")
    rejected(t, "cancel_pending_order", "Invalid reason", order_id=PENDING, reason="found it cheaper")
    rejected(t, "cancel_pending_order", "Order not found", order_id="#W0000000", reason="no longer needed")
    rejected(t, "cancel_pending_order", "Invalid arguments", order_id=PENDING)
    assert order_state(order_db, PENDING)["status"] == "pending"
    done = t.call("cancel_pending_order", {"order_id": PENDING, "reason": "ordered by mistake"})
    assert done.ok and done.result["status"] == "cancelled" and done.result["cancel_reason"] == "ordered by mistake"
    assert done.result["payment_history"][-1] == {"transaction_type": "refund", "amount": 663.85, "payment_method_id": CARD}
    rejected(t, "cancel_pending_order", "Non-pending order cannot be cancelled", order_id=PENDING, reason="ordered by mistake")


def test_modify_address_rejections(order_db):
    t = tools(order_db)
    address = {"address1": "1 Main St", "address2": "", "city": "Austin", "state": "TX", "country": "USA", "zip": "78701"}
    rejected(t, "modify_pending_order_address", "Non-pending order cannot be modified", order_id=DELIVERED, **address)
    rejected(t, "modify_pending_order_address", "Invalid arguments", order_id=PENDING, address1="1 Main St")
    ok = t.call("modify_pending_order_address", {"order_id": PENDING, **address})
    assert ok.ok and ok.result["address"] == {**address}


def test_modify_payment_rejections_and_gift_card_balances(order_db):
    t = tools(order_db)
    rejected(t, "modify_pending_order_payment", "Non-pending order cannot be modified", order_id=DELIVERED, payment_method_id=GIFT_CARD)
    rejected(t, "modify_pending_order_payment", "Payment method not found", order_id=PENDING, payment_method_id="credit_card_7815826")
    rejected(t, "modify_pending_order_payment", "should be different", order_id=PENDING, payment_method_id=CARD)
    rejected(t, "modify_pending_order_payment", "Insufficient gift card balance", order_id=PENDING, payment_method_id=GIFT_CARD)
    ok = t.call("modify_pending_order_payment", {"order_id": PENDING, "payment_method_id": PAYPAL})
    assert ok.ok and [p["transaction_type"] for p in ok.result["payment_history"]] == ["payment", "payment", "refund"]
    rejected(t, "modify_pending_order_payment", "exactly one payment", order_id=PENDING, payment_method_id=CARD)


def test_modify_items_rejections_and_once_per_order(order_db):
    t = tools(order_db)
    old = item_of(PENDING)
    good = variant(old, available=True)
    args = {"order_id": PENDING, "payment_method_id": CARD}
    rejected(t, "modify_pending_order_items", "Non-pending order cannot be modified", **{**args, "order_id": DELIVERED},
             item_ids=[item_of(DELIVERED)], new_item_ids=[variant(item_of(DELIVERED), available=True)])  # fmt: skip
    rejected(t, "modify_pending_order_items", "not found", **args, item_ids=["1234567890"], new_item_ids=[good])
    rejected(t, "modify_pending_order_items", "should be different", **args, item_ids=[old], new_item_ids=[old])
    rejected(t, "modify_pending_order_items", "should match", **args, item_ids=[old], new_item_ids=[good, good])
    rejected(t, "modify_pending_order_items", "Variant not found", **args, item_ids=[old], new_item_ids=[item_of(PENDING, 1)])
    try:
        unavailable = variant(old, available=False)
        rejected(t, "modify_pending_order_items", "not found or available", **args, item_ids=[old], new_item_ids=[unavailable])
    except LookupError:
        pass  # every variant of this product is available
    rejected(t, "modify_pending_order_items", "Payment method not found", **{**args, "payment_method_id": "paypal_5727330"},
             item_ids=[old], new_item_ids=[good])  # fmt: skip
    pricier = variant(old, available=True, cheaper=False)
    if DB["products"][DB["orders"][PENDING]["items"][0]["product_id"]]["variants"][pricier]["price"] - DB["orders"][PENDING]["items"][0]["price"] > 56:
        rejected(t, "modify_pending_order_items", "Insufficient gift card balance", **{**args, "payment_method_id": GIFT_CARD},
                 item_ids=[old], new_item_ids=[pricier])  # fmt: skip
    assert order_state(order_db, PENDING)["items"] == DB["orders"][PENDING]["items"]  # nothing half-applied

    ok = t.call("modify_pending_order_items", {**args, "item_ids": [old], "new_item_ids": [good]})
    assert ok.ok and ok.result["status"] == "pending (item modified)"
    assert ok.result["items"][0]["item_id"] == good
    # Items change once per order; cancelling is no longer possible either.
    again = variant(good, available=True)
    rejected(t, "modify_pending_order_items", "Non-pending order cannot be modified", **args, item_ids=[good], new_item_ids=[again])
    rejected(t, "cancel_pending_order", "Non-pending order cannot be cancelled", order_id=PENDING, reason="no longer needed")


def test_return_rejections(order_db):
    t = tools(order_db)
    item = item_of(DELIVERED)
    rejected(t, "return_delivered_order_items", "Non-delivered order cannot be returned", order_id=PENDING, item_ids=[item_of(PENDING)], payment_method_id=CARD)
    rejected(t, "return_delivered_order_items", "should be the original payment method", order_id=DELIVERED, item_ids=[item], payment_method_id=CARD)
    rejected(t, "return_delivered_order_items", "Some item not found", order_id=DELIVERED, item_ids=[item, item], payment_method_id=PAYPAL)
    ok = t.call("return_delivered_order_items", {"order_id": DELIVERED, "item_ids": [item], "payment_method_id": GIFT_CARD})
    assert ok.ok and ok.result["status"] == "return requested" and ok.result["return_items"] == [item]
    # Return or exchange: once per delivered order.
    rejected(t, "exchange_delivered_order_items", "Non-delivered order cannot be exchanged", order_id=DELIVERED,
             item_ids=[item], new_item_ids=[variant(item, available=True)], payment_method_id=PAYPAL)  # fmt: skip


def test_exchange_rejections(order_db):
    t = tools(order_db)
    item = item_of(DELIVERED)
    new = variant(item, available=True)
    args = {"order_id": DELIVERED, "payment_method_id": PAYPAL}
    rejected(t, "exchange_delivered_order_items", "Non-delivered order cannot be exchanged", **{**args, "order_id": PROCESSED},
             item_ids=[item_of(PROCESSED)], new_item_ids=[variant(item_of(PROCESSED), available=True)])  # fmt: skip
    rejected(t, "exchange_delivered_order_items", "not found", **args, item_ids=[item, item], new_item_ids=[new, new])
    rejected(t, "exchange_delivered_order_items", "should match", **args, item_ids=[item], new_item_ids=[])
    rejected(t, "exchange_delivered_order_items", "Variant not found", **args, item_ids=[item], new_item_ids=[item_of(DELIVERED, 1)])
    pricier = variant(item, available=True, cheaper=False)
    rejected(t, "exchange_delivered_order_items", "Insufficient gift card balance", **{**args, "payment_method_id": GIFT_CARD},
             item_ids=[item], new_item_ids=[pricier])  # fmt: skip
    ok = t.call("exchange_delivered_order_items", {**args, "item_ids": [item], "new_item_ids": [new]})
    assert ok.ok and ok.result["status"] == "exchange requested" and ok.result["exchange_new_items"] == [new]


def test_a_buyer_cannot_read_or_change_another_buyers_data(order_db):
    t = tools(order_db)
    for name, arguments in [
        ("get_order_details", {"order_id": OTHERS_ORDER}),
        ("get_order_status", {"order_id": OTHERS_ORDER}),
        ("cancel_pending_order", {"order_id": OTHERS_ORDER, "reason": "no longer needed"}),
        ("return_delivered_order_items", {"order_id": OTHERS_ORDER, "item_ids": [item_of(OTHERS_ORDER)], "payment_method_id": "paypal_5727330"}),
    ]:
        result = t.call(name, arguments)
        # Indistinguishable from an order that does not exist: nothing about it leaks.
        assert not result.ok and result.error == "Order not found", (name, result)
    assert not t.call("get_user_details", {"user_id": OTHER_BUYER}).ok
    rejected(t, "modify_user_address", "User not found", user_id=OTHER_BUYER, address1="x", address2="", city="x", state="x", country="x", zip="1")
    # An identity slipped into the arguments is refused, not obeyed.
    rejected(t, "get_order_details", "unexpected field", order_id=OTHERS_ORDER, ctx={"principal": "operator"})
    rejected(t, "get_order_details", "unexpected field", order_id=OTHERS_ORDER, user_id=OTHER_BUYER)
    # Looking up another customer does not switch the conversation to them.
    rejected(t, "find_user_id_by_email", "one customer per conversation", email="noah.brown7922@example.com")
    assert str(t.principal) == f"buyer:{BUYER}"
    assert order_state(order_db, OTHERS_ORDER)["status"] == DB["orders"][OTHERS_ORDER]["status"]


def test_anonymous_sessions_must_authenticate_first(order_db):
    t = tools(order_db, "anonymous")
    rejected(t, "get_order_details", "verify your identity", order_id=PENDING)
    rejected(t, "cancel_pending_order", "verify your identity", order_id=PENDING, reason="no longer needed")
    rejected(t, "find_user_id_by_name_zip", "User not found", first_name="Olivia", last_name="Ito", zip="00000")
    assert str(t.principal) == "anonymous"
    assert t.call("get_product_details", {"product_id": DB["orders"][PENDING]["items"][0]["product_id"]}).ok  # catalogue is public
    email = next(u["email"] for u in [json.loads(TAU2_DB.read_text())["users"][BUYER]])
    assert t.call("find_user_id_by_email", {"email": email.upper()}).ok
    assert str(t.principal) == f"buyer:{BUYER}"
    assert t.call("get_order_details", {"order_id": PENDING}).ok
    assert t.call("get_order_details", {"order_id": OTHERS_ORDER}).error == "Order not found"


def test_merchants_see_only_their_shops_orders_without_payment_details(order_db):
    from knowledge.orders.importer import shop_for

    order = DB["orders"][PENDING]
    shop = shop_for(order["items"][0]["name"])
    mine = tools(order_db, f"merchant:{shop}").call("get_order_details", {"order_id": PENDING})
    assert mine.ok and "payment_history" not in mine.result
    foreign_shop = next(s for s in ("shop_home", "shop_digital", "shop_outdoor", "shop_style")
                        if all(shop_for(i["name"]) != s for i in order["items"]))  # fmt: skip
    theirs = tools(order_db, f"merchant:{foreign_shop}")
    assert theirs.call("get_order_details", {"order_id": PENDING}).error == "Order not found"
    rejected(theirs, "get_user_details", "Merchants cannot", user_id=BUYER)
    rejected(tools(order_db, f"merchant:{shop}"), "cancel_pending_order", "Merchants cannot", order_id=PENDING, reason="no longer needed")


def test_confirmation_gate_and_audit_log(order_db):
    t = open_session_for(order_db, f"buyer:{BUYER}")  # conversational: writes need the user's yes
    asked = t.call("cancel_pending_order", {"order_id": PENDING_2, "reason": "no longer needed"})
    assert not asked.ok and asked.needs_confirmation and t.pending.name == "cancel_pending_order"
    assert order_state(order_db, PENDING_2)["status"] == "pending"  # nothing happened yet
    assert t.decline().name == "cancel_pending_order" and t.confirm() is None
    assert order_state(order_db, PENDING_2)["status"] == "pending"

    t.call("cancel_pending_order", {"order_id": PENDING_2, "reason": "no longer needed"})
    done = t.confirm()
    assert done.ok and order_state(order_db, PENDING_2)["status"] == "cancelled"
    tools(order_db).call("cancel_pending_order", {"order_id": PENDING_2, "reason": "no longer needed"})  # rejected: already cancelled
    with session(order_db) as db:
        audit = db.exec(select(AuditEntry).where(AuditEntry.order_id == PENDING_2).order_by(AuditEntry.id)).all()
    assert [(a.tool, a.ok, a.confirmed_by, a.principal) for a in audit] == [
        ("cancel_pending_order", True, "user", f"buyer:{BUYER}"),
        ("cancel_pending_order", False, "direct", f"buyer:{BUYER}"),
    ]


def test_gift_card_refunds_are_immediate(order_db):
    # Pay a pending order by gift card is refused for lack of balance; cancelling an order paid by
    # gift card credits the card at once.
    paid_by_gift_card = next(oid for oid, o in DB["orders"].items() if o["status"] == "pending"
                             and o["payment_history"][0]["payment_method_id"].startswith("gift_card"))  # fmt: skip
    order = DB["orders"][paid_by_gift_card]
    user = json.loads(TAU2_DB.read_text())["users"][order["user_id"]]
    card = order["payment_history"][0]["payment_method_id"]
    before = user["payment_methods"][card]["balance"]
    t = tools(order_db, f"buyer:{order['user_id']}")
    assert t.call("cancel_pending_order", {"order_id": paid_by_gift_card, "reason": "no longer needed"}).ok
    after = t.call("get_user_details", {"user_id": order["user_id"]}).result["payment_methods"][card]["balance"]
    assert after == pytest.approx(before + order["payment_history"][0]["amount"], abs=0.005)


def test_unknown_tools_and_bad_calculations(order_db):
    t = tools(order_db)
    assert t.call("drop_all_tables", {}).error == "Unknown tool 'drop_all_tables'"
    rejected(t, "calculate", "Invalid characters", expression="__import__('os')")
    rejected(t, "calculate", "Invalid expression", expression="1/0")
    assert t.call("calculate", {"expression": "(2 + 3) * 4.5"}).result == "22.5"
