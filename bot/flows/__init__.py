"""Flows: one module per task (status, cancel, return, exchange, …), found by discovery.

A flow module defines ``FLOW = Flow(name, intents, run, needs_identity)``; ``run(ctx)`` reads
the slots collected so far (``ctx.slots``), calls the tools, and returns a ``Step``: the answer,
and what it waits for next (a missing slot, or "confirmation" after proposing a write). It is
run again with the slots merged each time the buyer answers, so a flow holds no state of its
own. Adding a flow is adding a module here; nothing else lists them.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.dialogue.state import DialogueState
from bot.nlu.commands import Command
from bot.nlu.vocabulary import Vocabulary
from bot.tools.session import ToolSession


@dataclass
class FlowContext:
    tools: ToolSession
    language: str
    command: Command  # this turn's
    state: DialogueState  # ctx.state.slots: what the flow has collected (JSON-able)
    vocabulary: Vocabulary
    reread: bool = True  # the command came from the rules: its text may be read again against an order's own lines
    # Reads made once per run (a run proposes at most one write, so nothing read changes during it).
    cache: dict = field(default_factory=dict)

    @property
    def slots(self) -> dict:
        return self.state.slots


@dataclass
class Step:
    answer: str
    waiting_for: str | None = None  # a slot asked for, or "confirmation"; None: the flow is over
    wants_human: bool = False
    intent: str | None = None  # reported as the turn's intent when it differs from the command's
    # What the step did (bot.reply.OUTCOMES); by default from what it waits for: "confirmation" →
    # proposed, a slot → asked, nothing → info. A refusal says "refused".
    outcome: str | None = None
    choices: list[str] = field(default_factory=list)  # answers to offer as buttons (a reason, an order)
    # A question for the knowledge base whose answer explains the step (the policy behind a
    # refusal): the assistant quotes it, cited.
    explain: str | None = None
    handoff_reason: str = "user_request"  # with wants_human: "complaint" for frustration
    # The request cannot be done as asked (the option wanted is not in stock): said instead of the
    # step's answer when the buyer gave a request for that case ("if not, cancel the order").
    cannot: str | None = None


@dataclass(frozen=True)
class Flow:
    name: str
    intents: tuple[str, ...]
    run: Callable[[FlowContext], Step]
    needs_identity: bool = True
    # Slots this flow reads from a command (bot.dialogue.manager merges only these).
    slots: tuple[str, ...] = field(default=("order_id",))


def _discover() -> dict[str, Flow]:
    flows: dict[str, Flow] = {}
    for module in pkgutil.iter_modules(__path__):
        flow = getattr(importlib.import_module(f"{__name__}.{module.name}"), "FLOW", None)
        if isinstance(flow, Flow):
            flows[flow.name] = flow
    return flows


FLOWS = _discover()
BY_INTENT = {intent: flow for flow in FLOWS.values() for intent in flow.intents}


def for_intent(intent: str) -> Flow | None:
    return BY_INTENT.get(intent)
