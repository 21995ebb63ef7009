"""Change a pending order's shipping address: which order, the new address in full, confirm."""

from __future__ import annotations

from bot.flows import Flow, FlowContext, Step
from bot.flows.common import find_order, not_possible, order_status, propose
from bot.templates import say


def run(ctx: FlowContext) -> Step:
    order_id, asked = find_order(ctx, "modify_address")
    if asked:
        return asked
    status = order_status(ctx, order_id)
    if status is None:
        return Step(say("order_not_found", ctx.language, order_id=order_id))
    ctx.state.focus_order = order_id
    if blocked := not_possible(ctx, status, "modify_address"):
        return blocked
    if not ctx.slots.get("address"):
        return Step(say("ask_address", ctx.language), waiting_for="address")
    return propose(ctx, "modify_pending_order_address", {"order_id": order_id, **ctx.slots["address"]})


FLOW = Flow("modify_address", ("modify_address",), run, slots=("order_id", "address"))
