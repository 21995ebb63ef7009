"""The operator loop: annotations that become curated answers (and withdrawal), analytics on a
seeded set of conversations against hand-counted figures, exports that mask personal data,
retention, and the operator API."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timedelta, timezone

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from knowledge.orders.db import session
from knowledge.orders.demo import generate_demo_shop
from knowledge.orders.importer import RetailDB, import_retail
from knowledge.kefu_tables import AuditEntry, Conversation, ConversationTurn, Feedback
from serving.api import create_app
from serving.operators.analytics import report
from serving.operators.exports import export, pseudonym
from serving.operators.retention import apply_retention
from serving.runtime import build_runtime
from tests.conftest import make_settings

OPERATOR_KEY, EXPORT_KEY = "kefu_op_loop", "kefu_op_export"
SHOP = generate_demo_shop()
BUYER = next(u for u in SHOP["users"].values() if u["orders"])


def sha(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@pytest.fixture(scope="module")
def runtime(knowledge_home, tmp_path_factory):
    home = tmp_path_factory.mktemp("operator-loop")
    settings = make_settings(knowledge_home, database_url=f"sqlite:///{home / 'kefu.db'}", operator_key_hashes=[sha(OPERATOR_KEY), sha(EXPORT_KEY)],
                             export_key_hashes=[sha(EXPORT_KEY)], rate_limit_per_minute=1000)  # fmt: skip
    with session(settings.resolved_database_url) as db:
        import_retail(db, RetailDB.model_validate(SHOP))
    built = build_runtime(settings)
    yield built
    for annotation in built.annotations.list(include_withdrawn=False):
        built.annotations.withdraw(annotation["id"], "operator:cleanup")  # the curated index lives in the shared knowledge home


def answer_turn(runtime, session_id: str) -> int:
    with session(runtime.settings.resolved_database_url) as db:
        return db.exec(select(ConversationTurn.id).where(ConversationTurn.session_id == session_id, ConversationTurn.role == "assistant")
                       .order_by(ConversationTurn.id.desc())).first()  # fmt: skip


# ---------------------------------------------------------------- annotations


def test_an_improved_answer_is_given_to_a_paraphrase_and_cites_the_annotation_until_withdrawn(runtime):
    bot = runtime.assistant
    before = bot.respond("How long does a refund take?")
    paraphrased_before = bot.respond("How many days does a refund usually take?")
    improved = "Refunds reach your original payment method within 5 business days of the return arriving at our warehouse."
    note = runtime.annotations.annotate(answer_turn(runtime, before.session_id), "operator:lin", "bad", improved)
    for question in ("How many days does a refund usually take?", "退款要多久才能到账？"):
        after = bot.respond(question)
        assert after.answer == improved and not after.degraded
        assert [c.source for c in after.citations] == [f"curated:{note['id']}"] and "Curated by operator:lin" in after.citations[0].section
    unrelated = bot.respond("How much is shipping?")
    assert unrelated.answer != improved
    with session(runtime.settings.resolved_database_url) as db:
        audit = [(a.principal, a.tool) for a in db.exec(select(AuditEntry).where(AuditEntry.tool.in_(["annotate", "withdraw_annotation"])))]
    assert ("operator:lin", "annotate") in audit

    runtime.annotations.withdraw(note["id"], "operator:wu")
    restored = bot.respond("How many days does a refund usually take?")
    assert restored.answer == paraphrased_before.answer and all(not c.source.startswith("curated:") for c in restored.citations)
    listed = {a["id"]: a for a in runtime.annotations.list()}
    assert listed[note["id"]]["withdrawn_by"] == "operator:wu"
    with session(runtime.settings.resolved_database_url) as db:
        assert db.exec(select(AuditEntry).where(AuditEntry.tool == "withdraw_annotation", AuditEntry.principal == "operator:wu")).first()


def test_annotations_through_the_api_need_an_operator(runtime):
    client = TestClient(create_app(runtime, mount_ui=False))
    asked = client.post("/v1/chat", json={"message": "What is the return policy?"}).json()
    turn = answer_turn(runtime, asked["session_id"])
    assert client.post("/v1/annotations", json={"turn_id": turn, "rating": "good"}).status_code == 401
    made = client.post("/v1/annotations", json={"turn_id": turn, "rating": "good"}, headers={"Authorization": f"Bearer {OPERATOR_KEY}", "X-Kefu-Operator": "mei"})
    assert made.status_code == 201 and made.json()["operator"] == "operator:mei" and made.json()["improved_answer"] == ""
    assert client.post("/v1/annotations", json={"turn_id": 999999, "rating": "bad"}, headers={"Authorization": f"Bearer {OPERATOR_KEY}"}).status_code == 404
    assert client.post("/v1/annotations", json={"turn_id": turn, "rating": "meh"}, headers={"Authorization": f"Bearer {OPERATOR_KEY}"}).status_code == 422


# ---------------------------------------------------------------- analytics on a seeded set


def seed(db_url: str) -> None:
    """Six conversations with known outcomes on two days (hand-counted in the test below)."""
    day1, day2 = datetime(2026, 11, 10, 9, tzinfo=timezone.utc), datetime(2026, 11, 11, 9, tzinfo=timezone.utc)

    def reply(intent, total, degraded=False, handoff=None, fallback=None):
        return {"intent": intent, "timings_ms": {"total": total}, "degraded": degraded, "fallback_reason": fallback,
                "handoff": {"reason": handoff, "summary": ""} if handoff else None}  # fmt: skip

    plan = [  # (id, day, channel, principal, [(question, reply)], rating)
        ("s1", day1, "api", "buyer:a", [("where is #W1", reply("status", 100))], "up"),
        ("s2", day1, "api", "anonymous", [("return policy?", reply("question", 200, degraded=True))], None),
        ("s3", day1, "slack", "anonymous", [("转人工", reply("human", 300, handoff="user_request"))], None),
        ("s4", day2, "api", "anonymous", [("do you sell pizza", reply("question", 400, degraded=True, fallback="no_relevant_knowledge")),
                                          ("do you sell pizza", reply("question", 500, degraded=True, fallback="no_relevant_knowledge"))], "down"),
        ("s5", day2, "wecom", "merchant:shop_home", [("pending orders", reply("shop_orders", 600))], "up"),
        ("s6", day2, "api", "anonymous", [("huh", reply("question", 700, degraded=True, fallback="no_relevant_knowledge")),
                                          ("huh", reply("question", 800, degraded=True, fallback="no_relevant_knowledge")),
                                          ("huh", reply("handoff", 900, handoff="repeated_failure"))], None),
    ]  # fmt: skip
    with session(db_url) as db:
        for session_id, day, channel, principal, exchanges, rating in plan:
            db.add(Conversation(session_id=session_id, principal=principal, channel=channel, created_at=day, updated_at=day))
            db.flush()
            for question, answer in exchanges:
                db.add(ConversationTurn(session_id=session_id, role="user", text=question, at=day))
                db.add(ConversationTurn(session_id=session_id, role="assistant", text="…", reply=answer, at=day))
            if rating:
                db.add(Feedback(session_id=session_id, rating=rating))
        db.commit()


def test_analytics_match_hand_counted_figures(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'seeded.db'}"
    seed(db_url)
    figures = report(db_url)
    assert figures["conversations"] == 6
    assert figures["resolved"] == 3 and figures["resolution_rate"] == 0.5  # s1, s2, s5 (s4 was rated down; s3, s6 handed off)
    assert figures["handoffs"] == 2 and figures["handoff_reasons"] == {"user_request": 1, "repeated_failure": 1}
    assert figures["ratings"] == {"up": 2, "down": 1} and figures["csat"] == round(2 / 3, 4)
    assert figures["deflected_by_intent"] == {"status": 1, "question": 1, "shop_orders": 1}
    assert figures["unanswered"] == [{"question": "do you sell pizza", "times": 2}, {"question": "huh", "times": 2}]
    assert figures["replies"] == 9 and figures["degraded_share"] == round(5 / 9, 4)
    assert figures["latency_ms"] == {"p50": 500.0, "p95": 900.0}
    assert figures["by_day"]["2026-11-10"]["conversations"] == 3 and figures["by_day"]["2026-11-10"]["resolved"] == 2
    assert figures["by_day"]["2026-11-11"]["resolution_rate"] == round(1 / 3, 4)
    assert figures["by_channel"]["api"]["conversations"] == 4 and figures["by_channel"]["slack"]["handoffs"] == 1
    assert figures["by_shop"]["shop_home"]["resolved"] == 1 and figures["by_shop"]["-"]["conversations"] == 5
    only_day2 = report(db_url, since=date(2026, 11, 11))
    assert only_day2["conversations"] == 3 and only_day2["resolved"] == 1


def test_resolution_counts_a_conversation_only_when_its_last_answer_answered(tmp_path):
    """Issue 26: "could not find", fallbacks, refusals and tasks left half-way are not resolutions,
    whatever came before; a closing "thanks" does not undo an answer; a thumbs-down counts when it
    rates the last answer (or the whole conversation), not an earlier one the bot then put right."""
    db_url = f"sqlite:///{tmp_path / 'resolution.db'}"
    day = datetime(2026, 11, 12, 9, tzinfo=timezone.utc)
    plan = {  # session: [(question, outcome, fallback_reason)], rating: None | "conversation" | index of the rated answer
        "answered": ([("return policy?", "answered", "no_model")], None),
        "thanked": ([("return policy?", "answered", None), ("thanks, bye", "small_talk", None)], None),
        "status": ([("where is #W1", "info", None)], None),
        "cancelled": ([("cancel #W2", "proposed", None), ("yes", "done", None)], None),
        "could_not_find": ([("return policy?", "answered", None), ("do you sell pizza", "not_found", "no_relevant_knowledge")], None),
        "no_such_order": ([("where is #W404", "not_found", None)], None),
        "refused": ([("cancel my delivered order #W3", "refused", None)], None),
        "stray_yes": ([("yes", "clarify", None)], None),
        "left_at_the_yes": ([("cancel #W4", "proposed", None)], None),
        "only_hello": ([("hi", "small_talk", None)], None),
        "put_right": ([("refund?", "answered", None), ("no, how long does a refund take?", "answered", None)], 0),
        "rated_last": ([("refund?", "answered", None)], 0),
        "rated_whole": ([("refund?", "answered", None)], "conversation"),
        "legacy_gap": ([("huh", None, "no_relevant_knowledge")], None),
    }  # fmt: skip
    with session(db_url) as db:
        for session_id, (exchanges, rating) in plan.items():
            db.add(Conversation(session_id=session_id, principal="anonymous", channel="api", created_at=day, updated_at=day))
            db.flush()
            answers = []
            for question, outcome, fallback in exchanges:
                db.add(ConversationTurn(session_id=session_id, role="user", text=question, at=day))
                answer = ConversationTurn(session_id=session_id, role="assistant", text="…", at=day,
                                          reply={"intent": "question", "outcome": outcome, "fallback_reason": fallback, "degraded": bool(fallback)})  # fmt: skip
                db.add(answer)
                db.flush()
                answers.append(answer.id)
            if rating is not None:
                db.add(Feedback(session_id=session_id, rating="down", turn_id=None if rating == "conversation" else answers[rating]))
        db.commit()
    figures = report(db_url)
    assert figures["conversations"] == 14 and figures["resolved"] == 5 and figures["resolution_rate"] == round(5 / 14, 4)
    assert figures["unresolved_by_reason"] == {"not_found": 3, "rated_down": 2, "refused": 1, "fallback": 1, "unfinished": 1, "no_answer": 1}
    why = {u["session_id"]: u["reason"] for u in figures["unresolved"]}
    assert why == {"could_not_find": "not_found", "no_such_order": "not_found", "legacy_gap": "not_found", "refused": "refused",
                   "stray_yes": "fallback", "left_at_the_yes": "unfinished", "only_hello": "no_answer",
                   "rated_last": "rated_down", "rated_whole": "rated_down"}  # fmt: skip
    assert next(u for u in figures["unresolved"] if u["session_id"] == "could_not_find")["last_question"] == "do you sell pizza"


def test_the_console_analytics_tab_lists_unresolved_conversations_by_reason(tmp_path):
    import gradio as gr

    from ui.console import _analytics_tab

    db_url = f"sqlite:///{tmp_path / 'seeded.db'}"
    seed(db_url)

    class Backend:  # the one method the analytics tab calls
        def report(self, since: str = "", until: str = "") -> dict:
            return report(db_url)

    with gr.Blocks() as blocks:
        _analytics_tab(Backend())
    refresh = next(f.fn for f in blocks.fns.values() if getattr(f.fn, "__name__", "") == "on_refresh")
    outputs = refresh("", "")
    by_reason, conversations = outputs[4], outputs[5]
    assert sorted(row[:2] for row in by_reason) == [["handoff", 2], ["rated_down", 1]] and all(row[2] for row in by_reason)
    assert {(row[2], row[3], row[4]) for row in conversations} == {("s3", "handoff", "转人工"), ("s4", "rated_down", "do you sell pizza"), ("s6", "handoff", "huh")}


# ---------------------------------------------------------------- exports and retention


def test_exports_mask_personal_data_unless_the_key_has_the_right(runtime):
    email = BUYER["email"]
    chat = runtime.assistant.respond(f"my email is {email}, call me on 415-555-0134")
    rows = [r for r in export(runtime.settings.resolved_database_url, "conversations") if r["session_id"] == chat.session_id]
    text = json.dumps(rows)
    assert rows and email not in text and BUYER["user_id"] not in text and "415-555-0134" not in text
    assert "[email]" in text and pseudonym(BUYER["user_id"]) in text
    client = TestClient(create_app(runtime, mount_ui=False))
    masked = client.get("/v1/export/conversations", headers={"Authorization": f"Bearer {OPERATOR_KEY}"})
    assert masked.status_code == 200 and email not in masked.text and chat.session_id in masked.text
    assert client.get("/v1/export/conversations?unmasked=true", headers={"Authorization": f"Bearer {OPERATOR_KEY}"}).status_code == 403
    clear = client.get("/v1/export/conversations?unmasked=true", headers={"Authorization": f"Bearer {EXPORT_KEY}"})
    assert clear.status_code == 200 and email in clear.text
    assert client.get("/v1/export/conversations").status_code == 401


def test_retention_anonymises_or_deletes_old_conversations(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'retention.db'}"
    with session(db_url) as db:
        import_retail(db, RetailDB.model_validate(SHOP))
        old = datetime.now(timezone.utc) - timedelta(days=40)
        for session_id, principal in (("old-1", f"buyer:{BUYER['user_id']}"), ("old-2", "anonymous")):
            db.add(Conversation(session_id=session_id, principal=principal, created_at=old, updated_at=old))
            db.flush()
            db.add(ConversationTurn(session_id=session_id, role="user", text=f"my email is {BUYER['email']}", at=old))
        db.add(Conversation(session_id="new-1", principal="anonymous"))
        db.commit()
    assert apply_retention(db_url, days=30) == {"anonymised": 2, "deleted": 0}
    with session(db_url) as db:
        first = db.get(Conversation, "old-1")
        assert BUYER["user_id"] not in first.principal and first.principal.endswith(":retained")
        assert all(BUYER["email"] not in t.text for t in db.exec(select(ConversationTurn)))
    assert apply_retention(db_url, days=30, delete=True) == {"anonymised": 0, "deleted": 2}
    with session(db_url) as db:
        assert [c.session_id for c in db.exec(select(Conversation))] == ["new-1"]


def test_ids_beyond_64_bits_are_refused_as_invalid_not_a_500(runtime):
    client = TestClient(create_app(runtime, mount_ui=False))
    operator = {"Authorization": f"Bearer {OPERATOR_KEY}"}
    made = client.post("/v1/annotations", json={"turn_id": 2**64, "rating": "good"}, headers=operator)
    assert made.status_code == 422 and made.json()["error"]["code"] == "invalid_request" and "turn_id" in made.text
    withdrawn = client.post(f"/v1/annotations/{2**70}/withdraw", headers=operator)
    assert withdrawn.status_code == 422 and "annotation_id" in withdrawn.text
    assert client.post(f"/v1/annotations/{2**63 - 1}/withdraw", headers=operator).status_code == 404  # the largest id is valid input: no such annotation
