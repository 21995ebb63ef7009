"""Pre-sales comparison: "what is the difference between the coffee maker and the espresso
machine?", "智能手表和手表有什么区别？". Options, prices and stock side by side, from the database."""

from __future__ import annotations

from bot.flows import Flow, FlowContext, Step
from bot.product_answers import compare_answer
from bot.product_answers import say as say_product
from bot.templates import say


def run(ctx: FlowContext) -> Step:
    products = list(dict.fromkeys(i.product for i in ctx.command.items if i.product))
    if len(products) == 1 and ctx.state.focus_product:
        products.insert(0, ctx.state.focus_product)  # "how does it compare with the backpack?"
    if len(products) < 2:
        return Step(say_product("which_compare", ctx.language))
    compared = ctx.tools.call("compare_products", {"products": products[:4]})
    if not compared.ok:
        return Step(say("rejected", ctx.language, error=compared.error))
    return Step(compare_answer(compared.result, ctx.language))


FLOW = Flow("product_compare", ("product_compare",), run, needs_identity=False, slots=())
