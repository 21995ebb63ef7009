"""Conversation memory in the database: identity, pending confirmation, handoff, turns."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import select

from kefu.principal import ANONYMOUS, Principal
from knowledge.orders.db import retried
from knowledge.orders.db import session as open_session
from knowledge.kefu_tables import Conversation, ConversationTurn
from knowledge.orders.models import utcnow


@dataclass
class Turn:
    role: str  # user | assistant | operator
    text: str


class ConversationStore:
    """Sessions of every channel, in the order database, so any replica can continue any of them.

    Each write is one transaction, run again when it lost the race for the write lock (SQLite
    under many sessions): a turn is stored whole, or the caller hears that it was not."""

    def __init__(self, db_url: str) -> None:
        self.db_url = db_url

    @retried
    def load(self, session_id: str, principal: str = str(ANONYMOUS), channel: str = "api") -> Conversation:
        with open_session(self.db_url) as db:
            conversation = db.get(Conversation, session_id)
            if conversation is None:
                conversation = Conversation(session_id=session_id, principal=principal, channel=channel,
                                            bound_to=Principal.parse(principal).named())  # fmt: skip
                db.add(conversation)
                db.commit()
            return conversation

    def find(self, session_id: str) -> Conversation | None:
        """The conversation as stored, without creating it; None for a new session."""
        with open_session(self.db_url) as db:
            return db.get(Conversation, session_id)

    @retried
    def save(self, conversation: Conversation, turns: list[tuple[str, str, dict | None]] = ()) -> None:
        """Store the conversation's state and append turns, in one transaction."""
        with open_session(self.db_url) as db:
            conversation.updated_at = utcnow()
            db.merge(conversation)
            for role, text, reply in turns:
                db.add(ConversationTurn(session_id=conversation.session_id, role=role, text=text, reply=reply))
            db.commit()

    def history(self, session_id: str, limit: int) -> list[Turn]:
        with open_session(self.db_url) as db:
            rows = db.exec(
                select(ConversationTurn).where(ConversationTurn.session_id == session_id).order_by(ConversationTurn.id.desc()).limit(limit)
            ).all()
        return [Turn(r.role, r.text) for r in reversed(rows)]

    def handoff_queue(self) -> list[dict]:
        """Conversations waiting for (or with) a human, oldest first."""
        with open_session(self.db_url) as db:
            rows = db.exec(select(Conversation).where(Conversation.handoff_status.is_not(None)).order_by(Conversation.updated_at))
            return [{"session_id": c.session_id, "status": c.handoff_status, "reason": c.handoff_reason, "summary": c.handoff_summary,
                     "principal": c.principal, "updated_at": c.updated_at.isoformat()} for c in rows]  # fmt: skip

    @retried
    def operator_says(self, session_id: str, text: str) -> str | None:
        """A human agent's message in a handed-off conversation; it marks the handoff as taken.

        Returns the conversation's channel (where the message should reach the buyer), or None
        when the session is not in the handoff queue."""
        with open_session(self.db_url) as db:
            conversation = db.get(Conversation, session_id)
            if conversation is None or conversation.handoff_status is None:
                return None
            conversation.handoff_status = "taken"
            conversation.updated_at = utcnow()
            db.add(conversation)
            db.add(ConversationTurn(session_id=session_id, role="operator", text=text))
            channel = conversation.channel
            db.commit()
            return channel

    @retried
    def release(self, session_id: str) -> bool:
        """An operator hands the conversation back to the bot."""
        with open_session(self.db_url) as db:
            conversation = db.get(Conversation, session_id)
            if conversation is None or conversation.handoff_status is None:
                return False
            conversation.handoff_status = conversation.handoff_reason = conversation.handoff_summary = None
            conversation.failures = 0
            db.add(conversation)
            db.commit()
            return True
