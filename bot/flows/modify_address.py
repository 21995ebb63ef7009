"""Change a pending order's shipping address: which order, the new address in full, confirm."""

from __future__ import annotations

from bot.flows import Flow, FlowContext, Step
from bot.flows.common import order_for, propose
from bot.templates import say


def run(ctx: FlowContext) -> Step:
    order_id, answer = order_for(ctx, "modify_address")
    if answer:
        return answer
    if not ctx.slots.get("address"):
        return Step(say("ask_address", ctx.language), waiting_for="address")
    return propose(ctx, "modify_pending_order_address", {"order_id": order_id, **ctx.slots["address"]})


FLOW = Flow("modify_address", ("modify_address",), run, slots=("order_id", "address"))
