"""A merchant's reviews: "what do buyers complain about?", "买家对水杯的评价怎么样？": share
positive, average rating, the top praise and complaint with a quote, products needing attention first."""

from __future__ import annotations

from bot.flows import Flow, FlowContext, Step
from bot.merchant_answers import reviews_answer
from bot.templates import say


def run(ctx: FlowContext) -> Step:
    product = next((i.product for i in ctx.command.items if i.product), "")
    found = ctx.tools.call("get_review_insights", {"product": product})
    return Step(reviews_answer(found.result, ctx.language) if found.ok else say("rejected", ctx.language, error=found.error))


FLOW = Flow("shop_reviews", ("shop_reviews",), run, slots=())
