"""Pre-sales alternatives: "something like the backpack but cheaper", "有没有类似的、便宜点的？"
(about the product just shown). Only products in stock, each with why it was picked."""

from __future__ import annotations

from bot.flows import Flow, FlowContext, Step
from bot.nlu import patterns as P
from bot.product_answers import alternatives_answer
from bot.product_answers import say as say_product
from bot.templates import say


def run(ctx: FlowContext) -> Step:
    named = next((i.product for i in ctx.command.items if i.product), None)
    if named is None and ctx.state.focus_product is None:
        return Step(say_product("which_product", ctx.language))
    # The variant shown (same product, other options first), or a product named now / just shown.
    about = {"item_id": ctx.state.focus_item} if named is None and ctx.state.focus_item else {"product_id": named or ctx.state.focus_product}
    arguments: dict = {**about, "cheaper": bool(P.CHEAPER.search(ctx.command.text))}
    if ctx.command.max_price is not None:
        arguments["max_price"] = ctx.command.max_price
    picked = ctx.tools.call("recommend_alternatives", arguments)
    if not picked.ok:
        return Step(say("rejected", ctx.language, error=picked.error))
    ctx.state.focus_product = picked.result["item"]["product_id"]
    ctx.state.focus_item = picked.result["item"].get("item_id")
    return Step(alternatives_answer(picked.result, ctx.language))


FLOW = Flow("product_alternatives", ("product_alternatives",), run, needs_identity=False, slots=())
