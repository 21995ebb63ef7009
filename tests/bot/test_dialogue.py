"""The dialogue layer through the real engine (no model), on τ²-retail data: the phrasings the
dialogue-understanding issue listed as failing, repairs, the stored state, and the model as
command generator (a scripted tool-calling model)."""

import pytest
from langchain_core.language_models.fake_chat_models import FakeMessagesListChatModel
from langchain_core.messages import AIMessage

from bot.assistant import Assistant, ModelBinding
from knowledge.orders.db import session
from knowledge.kefu_tables import Conversation
from knowledge.orders.models import Order
from knowledge.orders.records import order_record
from serving.runtime import build_retriever
from tests.conftest import TAU2, make_settings

pytestmark = [
    pytest.mark.skipif(not TAU2.exists(), reason="needs ../shared/datasets/tau2-retail"),
    pytest.mark.parametrize("order_dbs", ["sqlite"], indirect=True),
]


@pytest.fixture
def bot(knowledge_home, order_db):
    retriever = build_retriever(make_settings(knowledge_home), k=4)
    return Assistant(retriever, ModelBinding(None), db_url=order_db)


def chat(bot, *turns):
    session_id, replies = None, []
    for text in turns:
        replies.append(bot.respond(text, session_id=session_id))
        session_id = replies[-1].session_id
    return replies


def order(url, order_id):
    with session(url) as db:
        return order_record(db, db.get(Order, order_id))


@pytest.mark.parametrize("yes", ["Yes, I confirm.", "Yes, please go ahead.", "好的，确认", "yes please go ahead"])
def test_natural_yeses_confirm(bot, order_db, yes):
    replies = chat(bot, "I am Yusuf Rossi, zip 19122", "Cancel order #W4776164 please, I no longer need it", yes)
    assert replies[1].pending_confirmation["name"] == "cancel_pending_order"
    assert replies[2].intent == "confirm" and order(order_db, "#W4776164")["status"] == "cancelled"


def test_a_yes_with_a_condition_is_not_a_confirmation(bot, order_db):
    replies = chat(bot, "I am Yusuf Rossi, zip 19122", "Cancel order #W4776164 please, I no longer need it", "yes, but first tell me the refund time")
    assert replies[2].intent != "confirm" and order(order_db, "#W4776164")["status"] == "pending"


def test_returning_one_named_item_returns_only_it(bot):
    proposed = chat(bot, "my email is mohamed.santos7676@example.com", "return the earbuds in #W4840405")[1].pending_confirmation
    earbuds = [i["item_id"] for i in order(bot.db_url, "#W4840405")["items"] if i["name"] == "Wireless Earbuds"]
    assert proposed["arguments"]["item_ids"] == earbuds


def test_everything_except_the_tablet_is_everything_but_the_tablet(bot):
    proposed = chat(bot, "my email is mohamed.santos7676@example.com", "return everything in #W4840405 except the tablet")[1].pending_confirmation
    items = order(bot.db_url, "#W4840405")["items"]
    assert proposed["arguments"]["item_ids"] == [i["item_id"] for i in items if i["name"] != "Tablet"]
    assert "Tablet" not in proposed["prompt"]


def test_without_water_resistance_picks_a_variant_without_it(bot):
    replies = chat(bot, "my email is lei.wilson1253@example.com", "change the earbuds in #W3826449 to the blue ones without water resistance")
    proposed = replies[1].pending_confirmation
    assert proposed["name"] == "modify_pending_order_items"
    assert "→ Wireless Earbuds (color: blue, battery life: 8 hours, water resistance: not resistant)" in proposed["prompt"]
    # A correction keeps what was said and changes what is corrected: white, still without water resistance.
    fixed = bot.respond("不对，要白色的", session_id=replies[0].session_id)
    assert fixed.language == "zh" and "→ 无线耳机（颜色：白色" in fixed.answer and "防水等级：不防水）" in fixed.answer.split("→")[1]


def test_an_exchange_with_size_ventilation_and_colour(bot, order_db):
    replies = chat(bot, "my email is omar.johnson6791@example.com", "exchange the helmet in #W2809253 for a medium size with high ventilation, in blue",
                   "Yes, I confirm.")  # fmt: skip
    assert "→ Cycling Helmet (size: M, color: blue, ventilation: high)" in replies[1].answer
    assert "PayPal" in replies[1].answer and "paypal_" not in replies[1].answer  # the payment method by its human name
    assert order(order_db, "#W2809253")["status"] == "exchange requested"


def test_no_the_other_order_repairs_the_proposal(bot, order_db):
    # Yusuf Rossi has two pending orders holding a T-shirt: #W6247578 and #W4776164.
    replies = chat(bot, "I am Yusuf Rossi, zip 19122", "I want to cancel my order", "#W6247578", "ordered by mistake", "No, the other order")
    assert replies[1].dialogue["waiting_for"] == "order_id"
    assert replies[2].dialogue["waiting_for"] == "reason"
    assert replies[3].pending_confirmation["arguments"] == {"order_id": "#W6247578", "reason": "ordered by mistake"}
    assert replies[4].pending_confirmation["arguments"] == {"order_id": "#W4776164", "reason": "ordered by mistake"}
    bot.respond("yes", session_id=replies[0].session_id)
    assert (order(order_db, "#W6247578")["status"], order(order_db, "#W4776164")["status"]) == ("pending", "cancelled")


def test_the_dialogue_state_is_stored_with_the_conversation(bot):
    asked = chat(bot, "I am Yusuf Rossi, zip 19122", "Please cancel #W4776164")[1]
    with session(bot.db_url) as db:
        stored = db.get(Conversation, asked.session_id).dialogue_state
    assert stored["flow"] == "cancel" and stored["waiting_for"] == "reason" and stored["slots"]["order_id"] == "#W4776164"
    assert asked.understanding == {"intent": "cancel", "slots": {"order_ids": ["#W4776164"]}, "by": "rules"}


class ScriptedToolModel(FakeMessagesListChatModel):
    def bind_tools(self, tools, **kwargs):
        return self


def test_a_tool_calling_model_produces_the_commands_and_bad_output_falls_back_to_the_rules(knowledge_home, order_db):
    command = {"intent": "return", "order_ids": ["#W4840405"], "items": [{"product": "Tablet"}]}
    script = [AIMessage(content="", tool_calls=[{"name": "Command", "args": command, "id": "c1"}]),
              AIMessage(content="", tool_calls=[{"name": "Command", "args": {"intent": "teleport"}, "id": "c2"}])]  # fmt: skip
    retriever = build_retriever(make_settings(knowledge_home), k=4)
    bot = Assistant(retriever, ModelBinding(ScriptedToolModel(responses=script), "scripted", calls_tools=True), db_url=order_db,
                    mode="guided", understanding="model")  # fmt: skip
    first = bot.respond("the thing with the screen in that order, send it back", principal="buyer:mohamed_santos_2427")
    tablet = [i["item_id"] for i in order(order_db, "#W4840405")["items"] if i["name"] == "Tablet"]
    assert first.understanding["by"] == "model" and first.pending_confirmation["arguments"]["item_ids"] == tablet
    second = bot.respond("no", session_id=first.session_id, principal="buyer:mohamed_santos_2427")
    assert second.understanding["by"] == "rules" and second.intent == "decline"  # the invalid command was not used
