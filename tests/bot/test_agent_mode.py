"""Agent mode with a scripted tool-calling model (a fake: the test must pin exact model output)."""

import pytest
from langchain_core.language_models.fake_chat_models import FakeMessagesListChatModel
from langchain_core.messages import AIMessage

from bot.assistant import Assistant, ModelBinding
from knowledge.orders.db import session
from knowledge.orders.models import Order
from serving.runtime import build_retriever
from tests.conftest import TAU2, make_settings

pytestmark = [
    pytest.mark.skipif(not TAU2.exists(), reason="needs ../shared/datasets/tau2-retail"),
    pytest.mark.parametrize("order_dbs", ["sqlite"], indirect=True),
]


class ScriptedToolModel(FakeMessagesListChatModel):
    """Replays AI messages (with tool calls) in order; binding tools changes nothing."""

    def bind_tools(self, tools, **kwargs):
        return self


def call(name, args, n):
    return AIMessage(content="", tool_calls=[{"name": name, "args": args, "id": f"call_{n}"}])


def agent(knowledge_home, order_db, script):
    retriever = build_retriever(make_settings(knowledge_home), k=4)
    model = ModelBinding(ScriptedToolModel(responses=script), "scripted", calls_tools=True)
    return Assistant(retriever, model, db_url=order_db, mode="agent")


def test_agent_uses_tools_and_its_grounded_answer_is_kept(knowledge_home, order_db):
    bot = agent(knowledge_home, order_db, [
        call("find_user_id_by_email", {"email": "yusuf.rossi7301@example.com"}, 1),
        call("get_order_status", {"order_id": "#W2378156"}, 2),
        AIMessage(content="Your order #W2378156 was delivered; tracking number 843053632392."),
    ])  # fmt: skip
    reply = bot.respond("My email is yusuf.rossi7301@example.com. Where is order #W2378156?")
    assert reply.mode == "agent" and not reply.degraded
    assert reply.answer == "Your order #W2378156 was delivered; tracking number 843053632392."
    assert [t.name for t in reply.tool_calls] == ["find_user_id_by_email", "get_order_status"]


def test_agent_cannot_skip_confirmation(knowledge_home, order_db):
    bot = agent(knowledge_home, order_db, [
        call("find_user_id_by_name_zip", {"first_name": "Aarav", "last_name": "Lee", "zip": "85025"}, 1),
        call("cancel_pending_order", {"order_id": "#W3361211", "reason": "no longer needed"}, 2),
        AIMessage(content="I will cancel order #W3361211 once you confirm."),
    ])  # fmt: skip
    reply = bot.respond("I am Aarav Lee, zip 85025: cancel #W3361211, no longer needed")
    assert reply.pending_confirmation["name"] == "cancel_pending_order"
    with session(order_db) as db:
        assert db.get(Order, "#W3361211").status == "pending"
    done = bot.respond("yes", session_id=reply.session_id)  # the engine confirms, on the user's yes
    assert done.intent == "confirm" and done.tool_calls[-1].ok
    with session(order_db) as db:
        assert db.get(Order, "#W3361211").status == "cancelled"


def test_invented_facts_fall_back_to_guided_templates(knowledge_home, order_db):
    bot = agent(knowledge_home, order_db, [
        call("find_user_id_by_email", {"email": "yusuf.rossi7301@example.com"}, 1),
        AIMessage(content="Your order #W2378156 will arrive in 11 days, for a fee of $47.13."),
    ])  # fmt: skip
    reply = bot.respond("My email is yusuf.rossi7301@example.com. Where is order #W2378156?")
    assert reply.degraded and reply.fallback_reason == "draft_unsupported_number"
    assert "Order #W2378156: Delivered." in reply.answer


def test_agent_step_bound(knowledge_home, order_db):
    looping = [call("list_all_product_types", {}, n) for n in range(20)]
    reply = agent(knowledge_home, order_db, looping).respond("what do you sell?")
    assert reply.fallback_reason == "agent_step_limit"
    assert sum(t.name == "list_all_product_types" for t in reply.tool_calls) == 8
