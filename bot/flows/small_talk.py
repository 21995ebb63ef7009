"""Greetings, thanks, goodbyes, "are you a bot?", "how do I contact support?": fixed answers,
no search, no model call, never a failed turn."""

from __future__ import annotations

from bot.flows import Flow, FlowContext, Step
from bot.templates import say


def run(ctx: FlowContext) -> Step:
    kind = ctx.command.small_talk or "greeting"
    merchant = kind == "greeting" and ctx.tools.principal.kind == "merchant"
    return Step(say("greeting_merchant" if merchant else kind, ctx.language), outcome="clarify" if kind == "clarify" else "small_talk")


FLOW = Flow("small_talk", ("small_talk",), run, needs_identity=False, slots=())
