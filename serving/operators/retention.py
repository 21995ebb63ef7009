"""Retention: conversations older than ``KEFU_RETENTION_DAYS`` are anonymised (texts masked,
the principal replaced by a pseudonym, replies' tool results dropped) or deleted with their
turns and ratings. An annotated conversation is anonymised, never deleted: its annotation (and
the curated answer it made) keeps the question."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from kefu.principal import RETAINED, anonymised
from knowledge.orders.db import session as open_session
from knowledge.kefu_tables import Annotation, Conversation, ConversationTurn, Feedback
from knowledge.orders.models import User, utcnow
from serving.operators.exports import Masker, pseudonym


def apply_retention(db_url: str, days: int, delete: bool = False) -> dict:
    cutoff = utcnow() - timedelta(days=days)
    counts = {"anonymised": 0, "deleted": 0}
    with open_session(db_url) as db:
        mask = Masker(list(db.exec(select(User.user_id))))
        annotated = set(db.exec(select(Annotation.session_id)))
        for conversation in db.exec(select(Conversation).where(Conversation.updated_at < cutoff)):
            turns = list(db.exec(select(ConversationTurn).where(ConversationTurn.session_id == conversation.session_id)))
            if delete and conversation.session_id not in annotated:
                for row in [*db.exec(select(Feedback).where(Feedback.session_id == conversation.session_id)), *turns]:
                    db.delete(row)
                db.flush()
                db.delete(conversation)
                counts["deleted"] += 1
                continue
            if conversation.principal.endswith(RETAINED):
                continue  # anonymised by an earlier run
            conversation.principal = anonymised(conversation.principal, pseudonym)
            conversation.bound_to, conversation.pending_action, conversation.dialogue_state = None, None, None
            conversation.handoff_summary = mask(conversation.handoff_summary) if conversation.handoff_summary else None
            for turn in turns:
                turn.text = mask(turn.text)
                if turn.reply:
                    turn.reply = mask({k: v for k, v in turn.reply.items() if k not in ("tool_calls", "prompt", "pending_confirmation", "dialogue")})
                db.add(turn)
            db.add(conversation)
            counts["anonymised"] += 1
        db.commit()
    return counts
