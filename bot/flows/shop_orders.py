"""A merchant's shop: its orders counted by status, and a few of the status asked about
("How many orders are pending?", "我的店铺有多少待发货订单？"). Only the shop's own lines."""

from __future__ import annotations

from bot import templates
from bot.flows import Flow, FlowContext, Step
from bot.templates import say

SHOWN = 5


def run(ctx: FlowContext) -> Step:
    if ctx.tools.principal.kind != "merchant":
        return Step(say("rejected", ctx.language, error="only a merchant can see a shop's orders"))
    state = ctx.command.order_state
    found = ctx.tools.call("get_shop_orders", {"status": state or ""})
    if not found.ok:
        return Step(say("rejected", ctx.language, error=found.error))
    shop = found.result
    if not shop["total"]:
        return Step(say("shop_no_orders", ctx.language))
    counts = templates.listing((f"{templates.state_name(s, ctx.language)} {n}" for s, n in shop["counts"].items()), ctx.language)
    lines = [say("shop_orders", ctx.language, total=shop["total"], counts=counts)]
    if state:
        listed = shop["orders"][:SHOWN]
        lines.append(say("shop_orders_in_state", ctx.language, state=templates.state_name(state, ctx.language), n=shop["counts"].get(state, 0)))
        lines += [f"- {o['order_id']}: " + templates.listing((templates.item_label(i, ctx.language) for i in o["items"]), ctx.language) for o in listed]
        rest = len(shop["orders"]) + shop["more"] - len(listed)
        if rest > 0:
            lines.append(say("and_more", ctx.language, n=rest))
    return Step("\n".join(lines))


FLOW = Flow("shop_orders", ("shop_orders",), run)
