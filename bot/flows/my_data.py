"""Questions about the buyer's own data, answered from the tools before any action: which payment
method an order used ("which card did I pay with?"), the gift card balance ("how much is left on
my gift card?"), the options and price of an item they bought ("is the camera I bought 10x
zoom?"). The order asked about becomes the one under discussion, so "ok, then cancel it" /
"那就取消吧" goes on with it. "Can I cancel just the jacket?" is answered from that order: a
pending order is cancelled whole (the tools cancel orders, not lines), so the bot says so and
offers what it can do; "then cancel the whole order" goes on with it."""

from __future__ import annotations

from bot import templates
from bot.flows import Flow, FlowContext, Step
from bot.flows.common import buyer_orders, find_order, lines_by_order, lines_meant, order_details, order_for, order_status, user_details
from bot.templates import say


def run(ctx: FlowContext) -> Step:
    asks = ctx.command.asks or ctx.slots.get("asks")
    ctx.slots["asks"] = asks
    if asks == "balance":
        user = user_details(ctx) or {}
        cards = [m for m in user.get("payment_methods", {}).values() if m.get("source") == "gift_card"]
        if not cards:
            return Step(say("no_gift_card", ctx.language))
        return Step(say("gift_card_balance", ctx.language, cards="; ".join(templates.payment_name(c, ctx.language) for c in cards)))
    if asks == "cancel_part":
        return _cancel_part(ctx)
    # Named, or the one under discussion unless the question describes another ("the camera I bought").
    described = ctx.slots.get("items") or ctx.slots.get("order_ref")
    order_id = ctx.slots.get("order_id") or (None if described else ctx.state.focus_order)
    if order_id is None:
        order_id, asked = find_order(ctx, "status", also=("cancel", "return", "exchange", "modify_items", "modify_address", "modify_payment"))
        if asked:
            return asked
    order = order_details(ctx, order_id)
    if order is None:
        return Step(say("order_not_found", ctx.language, order_id=order_id), outcome="not_found")
    ctx.state.focus_order = order_id
    if asks == "payment":
        user = user_details(ctx) or {}
        methods = user.get("payment_methods", {})
        used = [methods.get(p["payment_method_id"], {"source": p["payment_method_id"].rsplit("_", 1)[0]}) for p in order.get("payment_history", [])
                if p.get("transaction_type") == "payment"]  # fmt: skip
        methods_used = dict.fromkeys(templates.payment_name(m, ctx.language) for m in used)
        return Step(say("paid_with", ctx.language, order_id=order_id, methods=templates.listing(methods_used, ctx.language)))
    named = {slot.get("product") for slot in (ctx.slots.get("items") or {}).get("items", [])}
    lines = [line for line in order["items"] if line["name"] in named] or order["items"]
    described = templates.clauses((templates.priced_line(line, ctx.language) for line in lines), ctx.language)
    return Step(say("bought_items", ctx.language, order_id=order_id, items=described))


# The policy's answer to quote under the reply (cited).
PART_CANCEL_RULE = {"en": "Can I cancel only some items of my order?", "zh": "能只取消订单里的部分商品吗？"}


def _cancel_part(ctx: FlowContext) -> Step:
    items = ctx.slots.get("items")
    if not ctx.slots.get("order_id") and not items and not ctx.slots.get("order_ref") and ctx.state.focus_order:
        ctx.slots["order_id"] = ctx.state.focus_order  # "can I cancel just that hose?" of the order under discussion
    if not ctx.slots.get("order_id") and items and not ctx.slots.get("order_ref"):
        # The items may be in several pending orders: each is answered, and "then cancel the whole order" means each.
        pending = [o for o in buyer_orders(ctx) if "cancel" in (order_status(ctx, o["order_id"]) or {}).get("can", [])]
        groups = lines_by_order(ctx, pending, items)
        if groups is not None and len(groups) > 1:
            ctx.state.focus_orders = [order_id for order_id, _ in groups]
            ctx.state.focus_order = None
            return Step("\n".join(_whole_only(ctx, order_id) for order_id, _ in groups), explain=PART_CANCEL_RULE[ctx.language])
    order_id, answer = order_for(ctx, "cancel")
    if answer:
        return answer
    return Step(_whole_only(ctx, order_id), explain=PART_CANCEL_RULE[ctx.language])


def _whole_only(ctx: FlowContext, order_id: str) -> str:
    order = order_details(ctx, order_id) or {"items": []}
    lines = lines_meant(ctx, order)
    named = templates.listing(dict.fromkeys(templates.product_name(line["name"], ctx.language) for line in lines), ctx.language)
    if lines and len(lines) == len(order["items"]):
        return say("cancel_is_whole", ctx.language, order_id=order_id, items=named)
    return say("cancel_whole_only", ctx.language, order_id=order_id, items=named or say("some_items", ctx.language))


FLOW = Flow("my_data", ("my_data",), run, slots=("order_id", "items"))
