"""Change a pending order's payment method: which order, which method (by kind: gift card,
PayPal, credit card; it must differ from the current one), confirm."""

from __future__ import annotations

from bot import templates
from bot.flows import Flow, FlowContext, Step
from bot.flows.common import order_details, order_for, payment_method, propose
from bot.templates import say


def run(ctx: FlowContext) -> Step:
    order_id, answer = order_for(ctx, "modify_payment")
    if answer:
        return answer
    order = order_details(ctx, order_id)
    kind = ctx.slots.get("payment")
    if kind in (None, "original"):
        user = ctx.tools.call("get_user_details", {"user_id": order["user_id"]})
        current = order["payment_history"][0]["payment_method_id"]
        others = [m for m_id, m in (user.result["payment_methods"] if user.ok else {}).items() if m_id != current]
        names = ", ".join(templates.payment_name(m, ctx.language) for m in others)
        return Step(say("ask_payment", ctx.language, methods=names), waiting_for="payment")
    method, problem = payment_method(ctx, order, kind)
    if problem:
        return problem
    if method["id"] == order["payment_history"][0]["payment_method_id"]:
        return Step(say("same_payment", ctx.language, order_id=order_id, method=templates.payment_name(method, ctx.language)), waiting_for="payment")
    return propose(ctx, "modify_pending_order_payment", {"order_id": order_id, "payment_method_id": method["id"]}, {**order, "payment": method})


FLOW = Flow("modify_payment", ("modify_payment",), run, slots=("order_id", "payment"))
