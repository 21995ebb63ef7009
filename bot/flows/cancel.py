"""Cancel a pending order: which order, why (policy: "no longer needed" or "ordered by mistake"), confirm."""

from __future__ import annotations

from bot.flows import Flow, FlowContext, Step
from bot.flows.common import order_for, propose
from bot.templates import say


def run(ctx: FlowContext) -> Step:
    order_id, answer = order_for(ctx, "cancel")
    if answer:
        return answer
    if not ctx.slots.get("reason"):
        return Step(say("ask_reason", ctx.language, order_id=order_id), waiting_for="reason")
    return propose(ctx, "cancel_pending_order", {"order_id": order_id, "reason": ctx.slots["reason"]})


FLOW = Flow("cancel", ("cancel",), run, slots=("order_id", "reason"))
