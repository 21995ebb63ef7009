"""Cancel a pending order: which order, why (policy: "no longer needed" or "ordered by mistake"), confirm."""

from __future__ import annotations

from bot.flows import Flow, FlowContext, Step
from bot.flows.common import find_order, not_possible, order_status, propose
from bot.templates import say


def run(ctx: FlowContext) -> Step:
    order_id, asked = find_order(ctx, "cancel")
    if asked:
        return asked
    status = order_status(ctx, order_id)
    if status is None:
        return Step(say("order_not_found", ctx.language, order_id=order_id))
    ctx.state.focus_order = order_id
    if blocked := not_possible(ctx, status, "cancel"):
        return blocked
    if not ctx.slots.get("reason"):
        return Step(say("ask_reason", ctx.language, order_id=order_id), waiting_for="reason")
    return propose(ctx, "cancel_pending_order", {"order_id": order_id, "reason": ctx.slots["reason"]})


FLOW = Flow("cancel", ("cancel",), run, slots=("order_id", "reason"))
