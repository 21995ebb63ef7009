"""Change the buyer's default address (the account's, not an order's): the address in full, confirm."""

from __future__ import annotations

from bot.flows import Flow, FlowContext, Step
from bot.flows.common import propose
from bot.templates import say


def run(ctx: FlowContext) -> Step:
    if ctx.tools.principal.kind != "buyer":
        return Step(say("rejected", ctx.language, error="only a customer's own default address can be changed here"))
    if not ctx.slots.get("address"):
        return Step(say("ask_address", ctx.language), waiting_for="address")
    return propose(ctx, "modify_user_address", {"user_id": ctx.tools.principal.subject, **ctx.slots["address"]})


FLOW = Flow("modify_user_address", ("modify_user_address",), run, slots=("address",))
