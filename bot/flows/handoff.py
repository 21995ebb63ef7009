"""A human agent: "转人工", "talk to a person"; complaints and frustration with an apology first. The
assistant queues the conversation (or, with KEFU_COMPLAINT_HANDOFF=offer, offers to for a complaint)."""

from __future__ import annotations

from bot.flows import Flow, FlowContext, Step
from bot.templates import say


def run(ctx: FlowContext) -> Step:
    if ctx.command.complaint:
        return Step(say("complaint", ctx.language), wants_human=True, handoff_reason="complaint", outcome="handoff")
    return Step(say("handoff", ctx.language), wants_human=True, outcome="handoff")


FLOW = Flow("handoff", ("human",), run, needs_identity=False, slots=())
