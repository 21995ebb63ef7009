"""Change the buyer's default address (the account's, not an order's): the address in full, confirm."""

from __future__ import annotations

from bot.flows import Flow, FlowContext, Step
from bot.flows.common import address_for, propose
from bot.templates import say


def run(ctx: FlowContext) -> Step:
    if ctx.tools.principal.kind != "buyer":
        return Step(say("rejected", ctx.language, error="only a customer's own default address can be changed here"))
    address, asked = address_for(ctx)
    if asked:
        return asked
    return propose(ctx, "modify_user_address", {"user_id": ctx.tools.principal.subject, **address})


FLOW = Flow("modify_user_address", ("modify_user_address",), run, slots=("address",))
