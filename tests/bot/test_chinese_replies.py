"""Issue 26: a Chinese reply shows option names and values in Chinese (the catalogue's labels,
knowledge/products/words.json "labels"), in every kind of reply: order status, confirmations of a
change, the variants offered, product search, comparison and alternatives, and a merchant's
summary, stock, review themes (quotes in Chinese first) and product copy."""

from __future__ import annotations

import json
import re

import pytest

from bot.assistant import Assistant, ModelBinding
from bot.templates import product_name
from knowledge.catalog import option_label, value_label
from knowledge.documents import detect_language
from knowledge.orders.db import session
from knowledge.orders.demo import generate_demo_shop
from knowledge.reviews.demo import import_demo_reviews
from serving.evaluation.suite import english_options, english_words
from serving.runtime import build_retriever
from tests.conftest import TAU2_DB, make_settings, product_catalogue


def catalogue_options(shop: dict) -> dict[str, set[str]]:
    options: dict[str, set[str]] = {}
    for product in shop["products"].values():
        for variant in product["variants"].values():
            for name, value in variant["options"].items():
                options.setdefault(name, set()).add(value)
    return options


def shops() -> list[dict]:
    return [generate_demo_shop(), *([json.loads(TAU2_DB.read_text("utf-8"))] if TAU2_DB.exists() else [])]


def test_every_option_name_and_value_of_the_demo_catalogues_has_a_chinese_label():
    missing = []
    for shop in shops():
        for name, values in catalogue_options(shop).items():
            missing += [name] if english_words(option_label(name, "zh")) else []
            missing += [f"{name}={value} → {value_label(value, 'zh', name)}" for value in values if english_words(value_label(value, "zh", name))]
    assert missing == []
    assert value_label("10 hours", "zh", "battery life") == "10 小时" and value_label("IPX7", "zh", "water resistance") == "IPX7"
    assert value_label("high", "zh", "brightness") != value_label("high", "zh", "ventilation")  # the option's own reading first
    assert option_label("color", "en") == "color" and value_label("black", "en", "color") == "black"


# ---------------------------------------------------------------- every Chinese reply kind, end to end


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    shop = generate_demo_shop()
    db_url, cards = product_catalogue(tmp_path_factory, "chinese-replies", shop)
    with session(db_url) as db:
        assert import_demo_reviews(db)["added"] > 0
    return shop, db_url, cards


def english_options_in(reply, shop: dict, principal: str) -> list[str]:
    """The catalogue's English option names and values (those with an English word) found in
    what the buyer reads of ``reply``: the answer, the buttons, the change waiting for a yes.
    The principal's own name and addresses are taken out first ("Maple Avenue" is not a deck)."""
    text = " ".join([reply.answer, *reply.choices, (reply.pending_confirmation or {}).get("prompt", "")])
    user = shop["users"].get(principal.split(":", 1)[1]) if principal.startswith("buyer:") else None
    for part in ([*user["name"].values(), *user["address"].values()] if user else []):
        text = text.replace(part, " ")
    return english_options(text, catalogue_options(shop))


def test_every_chinese_reply_kind_names_options_in_chinese(demo, knowledge_home):
    shop, db_url, cards = demo
    bot = Assistant(build_retriever(make_settings(knowledge_home)), ModelBinding(None), db_url=db_url, product_cards=cards)
    products = {p["product_id"]: p for p in shop["products"].values()}
    in_stock = lambda line: sum(v["available"] and k != line["item_id"] for k, v in products[line["product_id"]]["variants"].items())  # noqa: E731
    pending = next(o for o in shop["orders"].values() if o["status"] == "pending" and any(in_stock(i) >= 2 for i in o["items"]))
    line = next(i for i in pending["items"] if in_stock(i) >= 2)
    delivered = next(o for o in shop["orders"].values() if o["status"] == "delivered" and o["user_id"] != pending["user_id"])
    other = next(v for k, v in products[line["product_id"]]["variants"].items() if v["available"] and k != line["item_id"])
    axis = next(k for k in other["options"] if other["options"][k] != line["options"][k])
    wanted = value_label(other["options"][axis], "zh", axis)
    name = product_name(line["name"], "zh")

    conversations = {
        "anonymous": ["有没有黑色的T恤？", "有没有便宜点的？", "有没有紫色的双肩包？", "对比一下电热水壶和茶壶"],
        f"buyer:{pending['user_id']}": [f"订单 {pending['order_id']} 到哪了？", f"订单 {pending['order_id']} 里的{name}我想换个款式",
                                        f"换成{wanted}的", "不用了", f"订单 {pending['order_id']} 里的{name}换成{wanted}的", "1"],
        f"buyer:{delivered['user_id']}": [f"订单 {delivered['order_id']} 我要退货", "是的"],
        "merchant:shop_outdoor": ["店铺经营情况怎么样？", "哪些款式缺货了？", "买家评价怎么样？", "给水杯写一段文案"],
    }  # fmt: skip
    outcomes, english, replies = [], {}, []
    for principal, messages in conversations.items():
        session_id = None
        for message in messages:
            reply = bot.respond(message, session_id=session_id, principal=principal)
            session_id = reply.session_id
            replies.append(reply)
            outcomes.append(reply.outcome)
            assert reply.language == "zh", (message, reply.answer)
            if found := english_options_in(reply, shop, principal):
                english[message] = (found, reply.answer)
    assert english == {}
    # The kinds were all reached: options shown in a search, a confirmation waiting, a change done, the merchant's views.
    answers = "\n".join(r.answer for r in replies)
    assert "proposed" in outcomes and "done" in outcomes and "对比" in answers and "缺货" in answers and "文案" in answers or "可选" in answers
    assert any(r.pending_confirmation for r in replies)
    # Review themes quote Chinese reviews first.
    quotes = re.findall(r"“([^”]+)”", next(r.answer for r in replies if "好评" in r.answer))
    assert quotes and all(detect_language(q) == "zh" for q in quotes)


def test_a_message_without_words_answers_in_the_conversations_language(demo, knowledge_home):
    """"1" or an order number alone says nothing of the buyer's language: the reply stays in the
    language the buyer wrote in before (it switched to English)."""
    shop, db_url, cards = demo
    bot = Assistant(build_retriever(make_settings(knowledge_home)), ModelBinding(None), db_url=db_url, product_cards=cards)
    order = next(o for o in shop["orders"].values() if o["status"] == "pending")
    asked = bot.respond("我想取消订单", principal=f"buyer:{order['user_id']}")
    picked = bot.respond(order["order_id"], session_id=asked.session_id, principal=f"buyer:{order['user_id']}")
    assert asked.language == "zh" and picked.language == "zh" and detect_language(picked.answer) == "zh", picked.answer
    english = bot.respond("I want to cancel an order", principal=f"buyer:{order['user_id']}")
    assert bot.respond(order["order_id"], session_id=english.session_id, principal=f"buyer:{order['user_id']}").language == "en"


def test_a_chinese_button_is_read_back_as_the_option_values_it_stands_for():
    from bot.dialogue.manager import _picked
    from bot.dialogue.state import DialogueState
    from bot.nlu.commands import Command
    from bot.templates import choice_label

    offered = ["black, XXL", "white, M"]
    state = DialogueState(flow="exchange", waiting_for="options", choices=offered)
    assert [choice_label(c, "zh") for c in offered] == ["黑色，XXL", "白色，M"] and choice_label("black, XXL", "en") == "black, XXL"
    assert _picked(Command(intent="question", text="白色，M"), state).text == "white, M"
    assert _picked(Command(intent="question", text="白色"), state).text == "白色"  # not a button: read as words


def test_a_suite_checks_that_a_chinese_reply_names_options_in_chinese():
    from bot.reply import Reply
    from serving.evaluation.suite import check_turn

    options = {"color": {"black", "space grey"}, "water resistance": {"IPX7", "not resistant"}}
    expect = {"options_in_language": True}
    english = Reply(session_id="s", answer="无线耳机（color: space grey，防水等级：IPX7）", choices=["black"], language="zh")
    chinese = Reply(session_id="s", answer="无线耳机（颜色：深空灰，防水等级：IPX7）", choices=["黑色"], language="zh")
    [failed] = check_turn(english, expect, "anonymous", options)
    assert not failed.ok and failed.detail == "in English: black, color, space grey"
    assert [c.ok for c in check_turn(chinese, expect, "anonymous", options)] == [True]
    assert check_turn(english.model_copy(update={"language": "en"}), expect, "anonymous", options) == []  # English replies say it in English
