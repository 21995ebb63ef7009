"""Conversations and annotations as JSON Lines, for analysis outside kefu. Personal data is
desensitised by default: emails, phone and card numbers, street addresses masked in every text
(bot.guardrails.mask_pii), and user ids replaced by stable pseudonyms (the same buyer is the same
``buyer:u-…`` across the file). Unmasked only for an operator key with the export right."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import date, datetime, time, timezone

from sqlmodel import select

from bot.guardrails import mask_pii
from knowledge.orders.db import session as open_session
from knowledge.kefu_tables import Annotation, Conversation, ConversationTurn, Feedback
from knowledge.orders.models import User

KINDS = ("conversations", "annotations")
STRUCTURAL = frozenset({"session_id", "id", "turn_id", "chunk_id", "at", "created_at", "withdrawn_at", "order_id", "item_id", "product_id"})


def pseudonym(user_id: str) -> str:
    return "u-" + hashlib.sha256(user_id.encode()).hexdigest()[:10]


class Masker:
    """Masks PII in any JSON value: the texts, and every known user id wherever it appears."""

    def __init__(self, user_ids: list[str]) -> None:
        ordered = sorted(set(user_ids), key=len, reverse=True)
        self._ids = re.compile("|".join(re.escape(u) for u in ordered)) if ordered else None

    def __call__(self, value):
        if isinstance(value, str):
            text = self._ids.sub(lambda m: pseudonym(m.group(0)), value) if self._ids else value
            return mask_pii(text)
        if isinstance(value, dict):
            # Ids and timestamps are structure, not personal data (a session id's hex digits can look like a phone number).
            return {k: v if k in STRUCTURAL else self(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self(v) for v in value]
        return value


def _start(day: date | None) -> datetime | None:
    return datetime.combine(day, time.min, tzinfo=timezone.utc) if day else None


def export(db_url: str, kind: str, since: date | None = None, masked: bool = True) -> Iterator[dict]:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    with open_session(db_url) as db:
        mask = Masker(list(db.exec(select(User.user_id)))) if masked else (lambda v: v)
        if kind == "annotations":
            query = select(Annotation).order_by(Annotation.id)
            if since:
                query = query.where(Annotation.created_at >= _start(since))
            for a in db.exec(query):
                yield mask({"id": a.id, "session_id": a.session_id, "turn_id": a.turn_id, "operator": a.operator, "rating": a.rating,
                            "question": a.question, "improved_answer": a.improved_answer, "created_at": a.created_at.isoformat(),
                            "withdrawn_at": a.withdrawn_at.isoformat() if a.withdrawn_at else None})  # fmt: skip
            return
        query = select(Conversation).order_by(Conversation.created_at)
        if since:
            query = query.where(Conversation.created_at >= _start(since))
        for c in db.exec(query):
            turns = db.exec(select(ConversationTurn).where(ConversationTurn.session_id == c.session_id).order_by(ConversationTurn.id))
            ratings = db.exec(select(Feedback).where(Feedback.session_id == c.session_id).order_by(Feedback.id))
            yield mask({"session_id": c.session_id, "principal": c.principal, "channel": c.channel, "created_at": c.created_at.isoformat(),
                        "handoff": c.handoff_status, "turns": [{"id": t.id, "role": t.role, "text": t.text, "at": t.at.isoformat(),
                                                                 "reply": t.reply} for t in turns],
                        "feedback": [{"turn_id": f.turn_id, "rating": f.rating, "comment": f.comment} for f in ratings]})  # fmt: skip
