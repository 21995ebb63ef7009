"""The structured reply every channel renders. Its JSON shape is a contract of `POST /v1/chat`."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Citation(BaseModel):
    source: str
    chunk_id: str
    section: str = ""
    text: str
    score: float | None = None  # the retrieval score that put it here
    # The sentences of ``text`` the answer quotes (an extractive answer), in the chunk's language.
    quote: str | None = None


class ToolCall(BaseModel):
    name: str
    arguments: dict = Field(default_factory=dict)
    ok: bool
    result: object | None = None


class Handoff(BaseModel):
    reason: str
    summary: str


# What the turn did, for channels, analytics and evaluation suites (one word, both languages):
OUTCOMES = (
    "answered",  # from the knowledge base (or an operator's curated answer), cited
    "not_found",  # the knowledge base does not cover it (a human is offered), or no such order/product
    "verify",  # asks the buyer to verify who they are before an order is read or changed
    "verified",  # the buyer verified in the chat
    "asked",  # asks for what a task still needs (which order, items, a reason, an address field)
    "proposed",  # states an exact change and waits for the buyer's yes
    "done",  # carried out a change the buyer confirmed
    "declined",  # dropped a proposed change on the buyer's no
    "refused",  # the change is not possible now, and the answer says why
    "info",  # facts from the shop's records (order status, orders, products, the shop's figures)
    "handoff",  # passed to a human agent
    "small_talk",  # a greeting, a thanks, a goodbye, "are you a bot?"
    "clarify",  # nothing to act on (a stray "yes"): asks what the buyer needs
)


class Reply(BaseModel):
    session_id: str
    answer: str
    citations: list[Citation] = Field(default_factory=list)
    tool_calls: list[ToolCall] = Field(default_factory=list)
    handoff: Handoff | None = None
    # The write waiting for the user's explicit yes: {"name", "arguments", "prompt"}.
    pending_confirmation: dict | None = None
    intent: str = "question"
    outcome: str | None = None  # one of OUTCOMES
    # Answers the buyer can pick (buttons on the widget, a numbered list in the text): a reason, an order.
    choices: list[str] = Field(default_factory=list)
    mode: str = "guided"  # guided | agent
    flags: list[str] = Field(default_factory=list)  # e.g. prompt_injection, abuse
    degraded: bool = False
    # Why the answer is a template rather than the model's words; null when the model answered.
    fallback_reason: str | None = None
    language: str = "en"
    model: str | None = None
    # What the understanding step made of the message: {"intent", "slots", "by": "rules" | "model"}.
    understanding: dict | None = None
    # The dialogue state after the turn: {"flow", "waiting_for", "slots"} (null between tasks).
    dialogue: dict | None = None
    query: str | None = None  # what was searched, after rewriting a follow-up with the history
    timings_ms: dict[str, float] = Field(default_factory=dict)
    # For the operator console's trace only: never serialised (not in API responses, SSE events
    # or the stored conversation), because the prompt holds the system instructions.
    prompt: list[dict[str, str]] | None = Field(default=None, exclude=True)  # the messages sent to the model
    rejected_draft: str | None = Field(default=None, exclude=True)  # the model's words the grounding check refused
