"""A merchant's stock: "which variants are out of stock?", "水杯还有库存吗？"."""

from __future__ import annotations

from bot.flows import Flow, FlowContext, Step
from bot.merchant_answers import stock_answer
from bot.templates import say


def run(ctx: FlowContext) -> Step:
    product = next((i.product for i in ctx.command.items if i.product), "")
    found = ctx.tools.call("get_shop_stock", {"product": product})
    return Step(stock_answer(found.result, ctx.language) if found.ok else say("rejected", ctx.language, error=found.error))


FLOW = Flow("shop_stock", ("shop_stock",), run, slots=())
