"""Return delivered items: which order, which items (named, "everything", "everything except
…"), the refund to the original payment method or a gift card, confirm."""

from __future__ import annotations

from bot import templates
from bot.flows import Flow, FlowContext, Step
from bot.flows.common import lines_meant, order_details, order_for, payment_method, propose
from bot.templates import say


def run(ctx: FlowContext) -> Step:
    order_id, answer = order_for(ctx, "return")
    if answer:
        return answer
    order = order_details(ctx, order_id)
    items = ctx.slots.get("items")
    if not items:
        if len(order["items"]) > 1:
            return Step(say("which_items_return", ctx.language, order_id=order_id, items=templates.item_list(order, ctx.language)), waiting_for="items")
        lines = order["items"]
    else:
        lines = lines_meant(ctx, order)
        if not lines:
            ctx.slots.pop("items", None)
            return Step(say("no_such_item", ctx.language, order_id=order_id, items=templates.item_list(order, ctx.language)), waiting_for="items")
    method, problem = payment_method(ctx, order, ctx.slots.get("payment"), for_refund=True)
    if problem:
        return problem
    arguments = {"order_id": order_id, "item_ids": [line["item_id"] for line in lines], "payment_method_id": method["id"]}
    return propose(ctx, "return_delivered_order_items", arguments, {**order, "payment": method})


FLOW = Flow("return", ("return",), run, slots=("order_id", "items", "payment"))
