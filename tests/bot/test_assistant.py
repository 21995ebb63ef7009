"""The engine with pinned model output (fake chat models) where exact output matters."""

import pytest
from langchain_core.language_models import FakeListChatModel
from pydantic import Field

from bot.assistant import Assistant, InvalidMessage, ModelBinding
from serving.runtime import build_retriever
from tests.conftest import make_settings


class RecordingChatModel(FakeListChatModel):
    seen: list = Field(default_factory=list)

    def _call(self, messages, stop=None, run_manager=None, **kwargs):
        self.seen.append([m.content for m in messages])
        return super()._call(messages, stop, run_manager, **kwargs)


class BrokenChatModel(FakeListChatModel):
    def _call(self, *args, **kwargs):
        raise ConnectionError("connection refused")


def understood(text, principal="buyer", waiting_for=None):
    from bot.nlu.rules import Context, understand
    from tests.bot.test_nlu import CATALOGUE

    return understand(text, CATALOGUE, Context(principal_kind=principal, waiting_for=waiting_for))


def assistant_with(knowledge_home, chat_model, ready=True, timeout_s=30.0):
    settings = make_settings(knowledge_home)
    retriever = build_retriever(settings, k=4)
    return Assistant(retriever, ModelBinding(chat_model, "fake", lambda: ready, timeout_s), db_url=settings.resolved_database_url)


def test_model_answer_is_used_with_citations(knowledge_home):
    answer = "Delivered items can be returned; refunds go back to the original payment method [1]."
    reply = assistant_with(knowledge_home, FakeListChatModel(responses=[answer])).respond("How do I return an item?")
    assert reply.answer == answer
    assert not reply.degraded and reply.fallback_reason is None
    assert reply.model == "fake"
    assert reply.citations and all(c.chunk_id and c.text for c in reply.citations)
    assert "generate" in reply.timings_ms


def test_looping_draft_is_replaced_by_cited_policy_text(knowledge_home):
    loop = "return return return return return return return return return return"
    reply = assistant_with(knowledge_home, FakeListChatModel(responses=[loop])).respond("How do I return an item?")
    assert reply.degraded and reply.fallback_reason == "draft_loop"
    assert loop not in reply.answer
    # The sentences that answer, each cited: quoted, not a wall of chunks.
    assert reply.answer.endswith("(Quoted from our policies.)") and reply.citations[0].quote.split(". ")[0] in reply.answer
    assert "My Orders" in reply.answer and len(reply.answer) < 400


def test_the_trace_keeps_the_prompt_and_a_refused_draft_but_clients_never_see_them(knowledge_home):
    from ui.console import trace_of

    loop = "return return return return return return return return return return"
    reply = assistant_with(knowledge_home, FakeListChatModel(responses=[loop])).respond("How do I return an item?")
    trace = trace_of(reply)
    assert [m["role"] for m in trace["prompt"]] == ["system", "human"]
    assert reply.citations[0].text[:60] in trace["prompt"][0]["content"]  # the policy excerpts went to the model
    assert trace["prompt"][1]["content"] == "How do I return an item?"
    assert trace["rejected_draft"] == loop and trace["fallback_reason"] == "draft_loop"
    serialised = reply.model_dump(mode="json")
    assert "prompt" not in serialised and "rejected_draft" not in serialised and loop not in str(serialised)

    plain = assistant_with(knowledge_home, None).respond("How do I return an item?")
    assert plain.prompt is None and plain.rejected_draft is None  # no model, nothing sent


def test_model_errors_and_unready_models_degrade(knowledge_home):
    broken = assistant_with(knowledge_home, BrokenChatModel(responses=["x"])).respond("How long does shipping take?")
    assert broken.degraded and broken.fallback_reason == "model_error" and broken.citations
    warming = assistant_with(knowledge_home, FakeListChatModel(responses=["x"]), ready=False).respond("退货政策是什么？")
    assert warming.degraded and warming.fallback_reason == "model_not_ready"
    assert warming.language == "zh" and warming.answer.endswith("（以上内容摘自本店政策。）") and "[1]" in warming.answer


def test_slow_model_times_out_into_a_degraded_answer(knowledge_home):
    slow = FakeListChatModel(responses=["A fine answer about returns [1]."], sleep=3)
    reply = assistant_with(knowledge_home, slow, timeout_s=0.5).respond("What is the return policy?")
    assert reply.degraded and reply.fallback_reason == "model_timeout"


def test_no_relevant_knowledge_offers_a_human(knowledge_home):
    for question in ["zxqv blorf wug", "What is the weather in Paris tomorrow?"]:
        reply = assistant_with(knowledge_home, None).respond(question)
        assert reply.degraded and reply.fallback_reason == "no_relevant_knowledge"
        assert not reply.citations
        assert "human agent" in reply.answer


def test_history_is_sent_to_the_model(knowledge_home):
    model = RecordingChatModel(responses=["You can return an item within 30 days of the delivery date [1].", "It takes 5-7 business days [1]."])
    assistant = assistant_with(knowledge_home, model)
    first = assistant.respond("How many days do I have to return an item?")
    assistant.respond("And how long does the refund take?", session_id=first.session_id)
    assert "How many days do I have to return an item?" in model.seen[1]
    assert "You can return an item within 30 days of the delivery date [1]." in model.seen[1]
    # A new session starts without that history.
    assistant.respond("And how long does the refund take?")
    assert "What is the return policy?" not in model.seen[2]


def test_empty_and_oversized_messages_are_rejected(knowledge_home):
    assistant = assistant_with(knowledge_home, None)
    with pytest.raises(InvalidMessage, match="empty"):
        assistant.respond("   ")
    with pytest.raises(InvalidMessage, match="longer than"):
        assistant.respond("x" * 5000)


def test_small_talk_is_answered_in_kind_and_never_counts_as_a_failure(knowledge_home):
    model = RecordingChatModel(responses=["a model answer"])
    bot = assistant_with(knowledge_home, model)
    session_id = None
    # Six in one conversation: were they "not in our policies", the third would hand off.
    for text, opening in [("hello", "Hello!"), ("你好", "您好！"), ("thanks!", "You're welcome!"), ("谢谢您", "不客气！"),
                          ("Bye", "Thank you for contacting us"), ("再见～", "感谢您的咨询")]:  # fmt: skip
        reply = bot.respond(text, session_id=session_id)
        session_id = reply.session_id
        assert (reply.intent, reply.handoff, reply.citations, reply.degraded) == ("small_talk", None, [], False), text
        assert reply.answer.startswith(opening), reply.answer
    assert model.seen == []  # a fixed answer: no model call
    # A greeting with a question in it is a question.
    asked = bot.respond("hi, how long does a refund take?")
    assert asked.intent == "question" and asked.citations


@pytest.mark.parametrize("text", ["what orders do I have?", "Show me my recent orders", "What did I buy last month?", "where is my package?",
                                  "Has my order shipped?", "What's my tracking number?", "我的快递单号是多少？", "我都买了什么？", "我最近下了哪些单？", "我的订单", "订单到哪了", "我的订单发货了吗？"])  # fmt: skip
def test_asking_for_ones_orders_is_recognised_in_both_languages(text):
    assert understood(text).intent == "my_orders"


@pytest.mark.parametrize("text", ["What is the return policy?", "Hello, can I pay with Alipay?", "谢谢，怎么开发票？", "在吗？我要退货",
                                  "订单发货后多久能到？", "订单发货后还能取消吗？", "Can I cancel an order after it has shipped?", "How do I read a tracking number?"])  # fmt: skip
def test_questions_are_not_small_talk(text):
    assert understood(text).intent not in ("small_talk", "my_orders")


@pytest.mark.parametrize(("text", "action"), [("I want to cancel my order", "cancel"), ("Please help me return something", "return"),
                                              ("我想取消订单", "cancel"), ("帮我改一下订单的地址", "modify_address")])  # fmt: skip
def test_wanting_an_action_without_an_order_number_is_that_action_on_an_order_to_find(text, action):
    command = understood(text)
    assert (command.intent, command.order_ids, command.action) == (action, [], action)


def test_a_short_question_stands_on_its_own_unless_it_finds_nothing_alone(knowledge_home):
    bot = assistant_with(knowledge_home, None)
    first = bot.respond("Do you ship to Canada?")
    on_its_own = bot.respond("How much is shipping?", session_id=first.session_id)
    assert on_its_own.query == "How much is shipping?"
    # The fees section among the two the degraded answer quotes (the multilingual model ranks
    # "International shipping" first by a cosine 0.003 higher).
    assert any(c.section.endswith("Shipping fees and free shipping threshold") for c in on_its_own.citations[:2])
    leaning = bot.respond("How long?", session_id=first.session_id)  # nothing to find alone: read with the last question
    assert leaning.query == "How much is shipping? How long?" and leaning.citations


@pytest.mark.parametrize(("text", "kind", "small_talk"), [
    ("你们是机器人吗？", "small_talk", "about_bot"), ("Are you a human?", "small_talk", "about_bot"),
    ("how do I contact support?", "small_talk", "contact"),
    ("客服电话是多少", "question", None), ("What's your customer service phone number?", "question", None),  # contact details: the knowledge base's
    ("I want to talk to a human", "human", None), ("我要投诉你们的快递", "human", None), ("I want to file a complaint", "human", None),
    ("this is the worst service, my lamp arrived smashed!!", "human", None), ("你们这服务太差了，气死我了", "human", None),
    ("How quickly is a complaint resolved?", "question", None), ("投诉一般多久能处理完？", "question", None),
    ("when are your human agents available?", "question", None), ("人工客服几点上班？", "question", None),
])  # fmt: skip
def test_questions_about_the_bot_and_complaints(text, kind, small_talk):
    assert (understood(text).intent, understood(text).small_talk) == (kind, small_talk)


def test_a_quoted_policy_keeps_the_sentences_that_answer_the_question():
    from bot.prompts import excerpt

    filler = " ".join(f"Rule {n} covers something else entirely." for n in range(12))
    text = f"{filler} Gift card refunds arrive instantly, card refunds in 5-7 business days. {filler}"
    quoted = excerpt(text, "How long do gift card refunds take?", limit=200)
    assert "Gift card refunds arrive instantly, card refunds in 5-7 business days." in quoted  # past the first 200 characters
    assert quoted.startswith("…") and quoted.endswith("…") and len(quoted) <= 200 + 10
    assert all(piece in text for piece in quoted.replace("…", "\n").splitlines() if piece.strip())  # verbatim, nothing made up
    assert excerpt(text, "zxqv", limit=200) == text[:199].rstrip() + "…"  # nothing in common: the beginning

    zh = "".join(f"第{n}条规定与此无关。" for n in range(30)) + "退到礼品卡的款项即时到账。" + "".join(f"第{n}条另有规定。" for n in range(30))
    quoted_zh = excerpt(zh, "退到礼品卡多久到账？", limit=120)
    assert "退到礼品卡的款项即时到账。" in quoted_zh and " " not in quoted_zh


@pytest.mark.parametrize(("text", "language"), [("改成 12 Oak St, Austin, TX 78701", "zh"), ("my email is wei.zhang@example.com", "en"),
                                                ("#W2378156 在哪", "zh"), ("where is #W2378156?", "en"), ("退货政策是什么？", "zh")])  # fmt: skip
def test_the_reply_language_ignores_ids_emails_and_addresses(text, language):
    from bot.nlu.rules import reply_language

    assert reply_language(text) == language
