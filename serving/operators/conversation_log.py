"""The operators' conversation log: conversations found by channel, principal, intent, handoff,
feedback, degraded replies and date, and one of them in full (every turn with its trace)."""

from __future__ import annotations

from datetime import date, datetime, time, timezone

from sqlmodel import select

from knowledge.orders.db import session as open_session
from knowledge.kefu_tables import Annotation, Conversation, ConversationTurn, Feedback

SHOWN = 200


def find_conversations(db_url: str, channel: str = "", principal: str = "", intent: str = "", handoff: str = "any", feedback: str = "any",
                       degraded: str = "any", since: date | None = None) -> list[dict]:  # fmt: skip
    """Rows a person reads, newest first. ``handoff``/``degraded``: any | yes | no; ``feedback``: any | up | down | none."""
    with open_session(db_url) as db:
        query = select(Conversation).order_by(Conversation.created_at.desc())
        if channel:
            query = query.where(Conversation.channel == channel)
        if principal:
            query = query.where(Conversation.principal.contains(principal))
        if since:
            query = query.where(Conversation.created_at >= datetime.combine(since, time.min, tzinfo=timezone.utc))
        rows = []
        for c in db.exec(query.limit(SHOWN * 5)):
            replies = [t.reply for t in db.exec(select(ConversationTurn).where(ConversationTurn.session_id == c.session_id, ConversationTurn.role == "assistant")) if t.reply]
            ratings = [f.rating for f in db.exec(select(Feedback).where(Feedback.session_id == c.session_id))]
            intents = list(dict.fromkeys(r.get("intent") or "question" for r in replies))
            handed = c.handoff_status is not None or any(r.get("handoff") for r in replies)
            was_degraded = any(r.get("degraded") for r in replies)
            if intent and intent not in intents or handoff != "any" and handed != (handoff == "yes") or degraded != "any" and was_degraded != (degraded == "yes"):
                continue
            if feedback == "none" and ratings or feedback in ("up", "down") and feedback not in ratings:
                continue
            rows.append({"session_id": c.session_id, "started": c.created_at.isoformat(timespec="minutes"), "channel": c.channel, "principal": c.principal,
                         "replies": len(replies), "intents": ", ".join(intents), "handoff": "yes" if handed else "", "feedback": " ".join(ratings),
                         "degraded": "yes" if was_degraded else ""})  # fmt: skip
            if len(rows) == SHOWN:
                break
        return rows


def conversation(db_url: str, session_id: str) -> dict | None:
    """One conversation with every turn, the reply's trace (intent, retrieval, tools, timings) and its annotations."""
    with open_session(db_url) as db:
        c = db.get(Conversation, session_id)
        if c is None:
            return None
        turns = db.exec(select(ConversationTurn).where(ConversationTurn.session_id == session_id).order_by(ConversationTurn.id))
        notes = {a.turn_id: a for a in db.exec(select(Annotation).where(Annotation.session_id == session_id))}
        return {"session_id": c.session_id, "principal": c.principal, "channel": c.channel, "handoff": c.handoff_status,
                "turns": [{"id": t.id, "role": t.role, "text": t.text, "at": t.at.isoformat(timespec="seconds"),
                           **({"trace": {k: t.reply.get(k) for k in ("intent", "understanding", "citations", "tool_calls", "timings_ms",
                                                                       "degraded", "fallback_reason", "handoff")}} if t.reply else {}),
                           **({"annotation": {"id": notes[t.id].id, "rating": notes[t.id].rating, "improved_answer": notes[t.id].improved_answer,
                                              "withdrawn": notes[t.id].withdrawn_at is not None}} if t.id in notes else {})}
                          for t in turns]}  # fmt: skip
