"""The buyer's orders: "what orders do I have?", "我都买了什么？"; a merchant's are the shop's."""

from __future__ import annotations

from bot import templates
from bot.flows import Flow, FlowContext, Step
from bot.flows.shop_orders import run as shop_orders
from bot.templates import say


def run(ctx: FlowContext) -> Step:
    if ctx.tools.principal.kind == "merchant":
        return shop_orders(ctx)
    user = ctx.tools.call("get_user_details", {"user_id": ctx.tools.principal.subject})
    if not user.ok or not user.result["orders"]:
        return Step(say("no_orders", ctx.language))
    answers = []
    for order_id in user.result["orders"]:
        status = ctx.tools.call("get_order_status", {"order_id": order_id})
        if status.ok:
            answers.append(templates.status_answer(status.result, ctx.language))
    if len(user.result["orders"]) == 1:
        ctx.state.focus_order = user.result["orders"][0]
    ctx.state.offered_orders = list(user.result["orders"])
    return Step("\n\n".join(answers))


FLOW = Flow("my_orders", ("my_orders",), run)
