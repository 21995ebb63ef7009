"""What one turn of the assistant collects while it runs (the answer, its hits, the model, the
timings, the dialogue state…) and the outcome it reports (``bot.reply.OUTCOMES``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.dialogue.state import DialogueState
from bot.reply import Handoff
from bot.tools.session import WRITE_TOOL_NAMES, ToolSession
from retrieval.index import Hit


@dataclass
class TurnState:
    language: str
    flags: list[str]
    answer: str | None = None
    intent: str = "question"
    mode: str = "guided"
    hits: list[Hit] = None
    handoff: Handoff | None = None
    fallback_reason: str | None = None
    model: str | None = None
    query: str | None = None
    wants_human: bool = False
    timings: dict = None
    emit: Callable[[dict], None] = None
    started: float = 0.0
    prompt: list[dict[str, str]] | None = None  # what the model was sent, for the console's trace
    rejected_draft: str | None = None
    state: DialogueState | None = None
    understanding: dict | None = None
    outcome: str | None = None  # what the turn did (bot.reply.OUTCOMES); inferred in _finish when None
    choices: list[str] = None
    handoff_reason: str = "user_request"
    quotes: dict = None  # chunk id → the sentences of it the answer quotes
    reread: bool = True
    audience: str | None = None  # whose documents retrieval puts first (buyer | merchant)

    def __post_init__(self) -> None:
        self.hits = self.hits or []
        self.timings = self.timings or {}
        self.choices = self.choices or []
        self.quotes = self.quotes or {}


def outcome_of(turn: TurnState, tools: ToolSession | None, pending: dict | None) -> str:
    """What the turn did (bot.reply.OUTCOMES): as its step said, else from what happened."""
    if turn.handoff is not None:
        return "handoff"
    if turn.outcome:
        return turn.outcome
    if pending is not None:
        return "proposed"
    if tools is not None and any(r.ok and r.name in WRITE_TOOL_NAMES for r in tools.log):
        return "done"
    if "abuse" in turn.flags:
        return "clarify"
    return "answered" if turn.hits else "info"
