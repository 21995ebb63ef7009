"""The buyer's orders: "what orders do I have?", "我都买了什么？"; a merchant's are the shop's."""

from __future__ import annotations

from bot import templates
from bot.flows import Flow, FlowContext, Step
from bot.flows.common import buyer_statuses
from bot.flows.shop_orders import run as shop_orders
from bot.templates import say


def run(ctx: FlowContext) -> Step:
    if ctx.tools.principal.kind == "merchant":
        return shop_orders(ctx)
    statuses = buyer_statuses(ctx)
    if not statuses:
        return Step(say("no_orders", ctx.language))
    if len(statuses) == 1:
        ctx.state.focus_order = statuses[0]["order_id"]
    ctx.state.offered_orders = [s["order_id"] for s in statuses]
    return Step("\n\n".join(templates.status_answer(s, ctx.language) for s in statuses))


FLOW = Flow("my_orders", ("my_orders",), run)
