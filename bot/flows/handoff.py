"""A human agent: "转人工", "talk to a person", complaints. The assistant queues the conversation."""

from __future__ import annotations

from bot.flows import Flow, FlowContext, Step
from bot.templates import say


def run(ctx: FlowContext) -> Step:
    return Step(say("handoff", ctx.language), wants_human=True)


FLOW = Flow("handoff", ("human",), run, needs_identity=False, slots=())
