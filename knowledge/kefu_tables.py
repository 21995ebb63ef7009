"""kefu's own tables, apart from the shop's (``knowledge.orders.models``): conversations and their
turns, ratings, operators' annotations, the audit of every tool write, platform events already
handled, and cached platform tokens. Same database, same migrations (``knowledge/orders/migrations``);
the shop's data never references them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from knowledge.orders.models import utcnow


class AuditEntry(SQLModel, table=True):
    """Every write a tool made: who, what, with which arguments, and the outcome."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    principal: str = Field(index=True)
    tool: str
    arguments: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    ok: bool
    detail: str = ""
    order_id: str | None = Field(default=None, index=True)
    confirmed_by: str = ""  # "user" (a confirmed turn) or "direct" (operator/CLI/test interface)


class Conversation(SQLModel, table=True):
    """A chat session: who it is verified as, what awaits confirmation, whether a human has it.

    Kept in the database so any app replica can continue it and a restart loses nothing.
    """

    session_id: str = Field(primary_key=True, max_length=128)
    principal: str = Field(default="anonymous", max_length=160)
    channel: str = Field(default="api", max_length=32)
    # The authenticated identity (a token's principal) this conversation is bound to: only that
    # identity may continue it through the API. None: opened anonymously and not yet claimed.
    bound_to: str | None = Field(default=None, max_length=160)
    pending_action: dict | None = Field(default=None, sa_column=Column(JSON))  # {"name", "arguments"}
    # bot.dialogue.state.DialogueState: the flow in progress, its slots, what the bot waits for.
    dialogue_state: dict | None = Field(default=None, sa_column=Column(JSON))
    handoff_status: str | None = Field(default=None, index=True, max_length=16)  # queued | taken
    handoff_reason: str | None = None
    handoff_summary: str | None = None
    failures: int = 0  # consecutive turns the bot could not help with
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow, index=True)


class ConversationTurn(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(foreign_key="conversation.session_id", index=True, max_length=128)
    role: str = Field(max_length=16)  # user | assistant | operator
    text: str
    reply: dict | None = Field(default=None, sa_column=Column(JSON))  # the structured Reply, for the console
    at: datetime = Field(default_factory=utcnow)


class Feedback(SQLModel, table=True):
    """A thumbs up/down (and a comment) on one assistant reply."""

    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(foreign_key="conversation.session_id", index=True, max_length=128)
    turn_id: int | None = Field(default=None, foreign_key="conversationturn.id")
    rating: str = Field(max_length=8)  # up | down
    comment: str = ""
    at: datetime = Field(default_factory=utcnow, index=True)


class ChannelEvent(SQLModel, table=True):
    """Inbound platform events already handled (Slack event ids, WeCom MsgIds): each is answered once."""

    __table_args__ = (UniqueConstraint("channel", "event_id"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    event_id: str = Field(max_length=128)
    received_at: datetime = Field(default_factory=utcnow)


class CachedToken(SQLModel, table=True):
    """Platform access tokens shared by all replicas (WeCom's expire after two hours)."""

    name: str = Field(primary_key=True, max_length=64)
    value: str
    expires_at: datetime


class Annotation(SQLModel, table=True):
    """An operator's verdict on one assistant reply, and the answer it should have given: an
    improved answer becomes a curated Q&A (retrieval.curated) until it is withdrawn."""

    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(foreign_key="conversation.session_id", index=True, max_length=128)
    turn_id: int = Field(foreign_key="conversationturn.id", index=True)
    operator: str = Field(max_length=160)
    rating: str = Field(max_length=8)  # good | bad
    question: str  # the buyer's message the reply answered
    improved_answer: str = ""
    language: str = Field(default="", max_length=8)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    withdrawn_at: datetime | None = None
    withdrawn_by: str | None = Field(default=None, max_length=160)
