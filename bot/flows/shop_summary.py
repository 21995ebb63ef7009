"""A merchant's overview: "how is my shop doing?", "what sells best?", "店铺经营情况怎么样": orders by
status, what needs action, revenue from its own items, best sellers."""

from __future__ import annotations

from bot.flows import Flow, FlowContext, Step
from bot.merchant_answers import summary_answer
from bot.templates import say


def run(ctx: FlowContext) -> Step:
    found = ctx.tools.call("get_shop_summary", {})
    return Step(summary_answer(found.result, ctx.language) if found.ok else say("rejected", ctx.language, error=found.error))


FLOW = Flow("shop_summary", ("shop_summary",), run, slots=())
