"""Order status: "where is #W…?", "我的订单 W… 到哪了？". Without a number, the buyer's orders."""

from __future__ import annotations

from bot import templates
from bot.flows import Flow, FlowContext, Step
from bot.flows.my_orders import run as my_orders
from bot.templates import say


def run(ctx: FlowContext) -> Step:
    order_ids = ctx.command.order_ids or ([ctx.slots["order_id"]] if ctx.slots.get("order_id") else [])
    if not order_ids:
        return my_orders(ctx)
    answers, found = [], False
    for order_id in order_ids:
        status = ctx.tools.call("get_order_status", {"order_id": order_id})
        if status.ok:
            ctx.state.focus_order, found = order_id, True
        answers.append(templates.status_answer(status.result, ctx.language) if status.ok else say("order_not_found", ctx.language, order_id=order_id))
    return Step("\n\n".join(answers), outcome=None if found else "not_found")


FLOW = Flow("status", ("status",), run)
