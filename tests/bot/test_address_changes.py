"""Address changes end to end (issue 23): US, Chinese and international forms, with and without
postal codes, and ambiguous ones. Each either writes exactly what the buyer gave (after the
confirmation names every field and the buyer says yes) or asks for what is missing; a
destination the shop does not ship to is refused in the policy's words; never a wrong write.
On kefu's generated demo shop (no ../shared needed), model off."""

from __future__ import annotations

import pytest

from bot.assistant import Assistant, ModelBinding
from knowledge.orders.db import dispose_engine, session
from knowledge.orders.demo import generate_demo_shop
from knowledge.orders.importer import RetailDB, import_retail
from knowledge.orders.models import Order
from serving.runtime import build_retriever
from tests.conftest import make_settings

SHOP = generate_demo_shop()
# A buyer with a pending order (the demo shop is the same on every machine).
PENDING = next(o for o in SHOP["orders"].values() if o["status"] == "pending")
BUYER = f"buyer:{PENDING['user_id']}"
ORDER = PENDING["order_id"]
FIELDS = ("address1", "address2", "city", "state", "zip", "country")


@pytest.fixture
def shop(tmp_path, knowledge_home):
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    with session(url) as db:
        import_retail(db, RetailDB.model_validate(SHOP))
    bot = Assistant(build_retriever(make_settings(knowledge_home), k=4), ModelBinding(None), db_url=url,
                    excluded_countries=frozenset({"Russia", "Iran", "North Korea"}))  # fmt: skip
    yield bot, url
    dispose_engine(url)


def address_of(url: str) -> dict:
    with session(url) as db:
        order = db.get(Order, ORDER)
        return {f: getattr(order, f) for f in FIELDS}


def say(bot, *turns):
    replies, session_id = [], None
    for text in turns:
        replies.append(bot.respond(text, session_id=session_id, principal=BUYER))
        session_id = replies[-1].session_id
    return replies


WRITTEN = [
    ("change the shipping address of {order} to 12 Oak St, Apt 4, Austin, TX 78701",
     {"address1": "12 Oak St", "address2": "Apt 4", "city": "Austin", "state": "TX", "zip": "78701", "country": "USA"}),
    ("Please change the shipping address of order {order} to 100 Century Avenue, Suite 5, Shanghai, SH 200120, China",
     {"address1": "100 Century Avenue", "address2": "Suite 5", "city": "Shanghai", "state": "SH", "zip": "200120", "country": "China"}),
    ("把订单 {order} 的收货地址改成北京市朝阳区建国路88号3单元，邮编100022",
     {"address1": "朝阳区建国路88号", "address2": "3单元", "city": "北京市", "state": "北京市", "zip": "100022", "country": "China"}),
    ("Change the address on {order} to 45 Queen Street West, Toronto, ON M5H 2M9, Canada",
     {"address1": "45 Queen Street West", "address2": "", "city": "Toronto", "state": "ON", "zip": "M5H 2M9", "country": "Canada"}),
    ("ship {order} to 221B Baker Street, London NW1 6XE, United Kingdom",
     {"address1": "221B Baker Street", "address2": "", "city": "London", "state": "", "zip": "NW1 6XE", "country": "United Kingdom"}),
]  # fmt: skip


@pytest.mark.parametrize(("said", "written"), WRITTEN)
def test_the_address_written_is_exactly_the_one_given(shop, said, written):
    bot, url = shop
    before = address_of(url)
    [proposed] = say(bot, said.format(order=ORDER))
    assert proposed.outcome == "proposed" and address_of(url) == before  # nothing written before the yes
    for field in ("address1", "city", "zip", "country"):
        assert written[field] in proposed.answer  # the confirmation names every field
    done = bot.respond("yes" if said.isascii() else "好的，确认", session_id=proposed.session_id, principal=BUYER)
    assert done.outcome == "done" and address_of(url) == written


ASKED = [
    # (first message, what the bot must ask for, the follow-up that completes it, the address then written)
    ("Change the shipping address of {order} to 12 Oak St, Austin, TX", "zip", "the zip is 78701",
     {"address1": "12 Oak St", "address2": "", "city": "Austin", "state": "TX", "zip": "78701", "country": "USA"}),
    ("把订单 {order} 的收货地址改成深圳市南山区科技园南路8号", "邮编", "邮编是 518057",
     {"address1": "南山区科技园南路8号", "address2": "", "city": "深圳市", "state": "广东省", "zip": "518057", "country": "China"}),
    # A 6-digit code and a two-letter region without a country: not the USA, and not guessed.
    ("change the address of {order} to 100 Century Avenue, Shanghai, SH 200120", "country", "China",
     {"address1": "100 Century Avenue", "address2": "", "city": "Shanghai", "state": "SH", "zip": "200120", "country": "China"}),
]  # fmt: skip


@pytest.mark.parametrize(("said", "asked_for", "follow_up", "written"), ASKED)
def test_a_missing_field_is_asked_for_never_guessed(shop, said, asked_for, follow_up, written):
    bot, url = shop
    before = address_of(url)
    [asked] = say(bot, said.format(order=ORDER))
    assert asked.outcome == "asked" and asked_for in asked.answer and address_of(url) == before
    proposed = bot.respond(follow_up, session_id=asked.session_id, principal=BUYER)
    assert proposed.outcome == "proposed" and written["zip"] in proposed.answer and address_of(url) == before
    done = bot.respond("yes" if said.isascii() else "确认", session_id=asked.session_id, principal=BUYER)
    assert done.outcome == "done" and address_of(url) == written


@pytest.mark.parametrize("said", ["Change the address of {order} to 15 Tverskaya Street, Moscow 125009, Russia",
                                  "把订单 {order} 的地址改成俄罗斯莫斯科特维尔大街15号，邮编125009"])  # fmt: skip
def test_a_destination_the_shop_does_not_serve_is_refused_with_the_policy(shop, said):
    bot, url = shop
    before = address_of(url)
    refused, after_yes = say(bot, said.format(order=ORDER), "yes")
    assert refused.outcome == "refused" and ("do not ship to Russia" in refused.answer or "不向俄罗斯配送" in refused.answer)
    assert any(c.quote and ("Russia" in c.quote or "俄罗斯" in c.quote) for c in refused.citations)  # the shipping policy's words, cited
    assert after_yes.outcome == "clarify" and address_of(url) == before  # nothing waits; nothing written


def test_the_tools_refuse_such_a_destination_too(shop):
    from bot.tools.session import ToolSession
    from kefu.principal import Principal

    _, url = shop
    tools = ToolSession(db_url=url, principal=Principal.parse(BUYER), confirm_writes=False, excluded_countries=frozenset({"Russia"}))
    result = tools.call("modify_pending_order_address", {"order_id": ORDER, "address1": "15 Tverskaya Street", "address2": "", "city": "Moscow",
                                                         "state": "", "country": "Russian Federation", "zip": "125009"})  # fmt: skip
    assert not result.ok and "do not ship to Russia" in result.error
