"""Pre-sales search: "do you have the T-shirt in blue, size M?", "有没有适合徒步的水杯？",
"a stainless steel water bottle under $50". Open to anyone; prices and stock from the database."""

from __future__ import annotations

from bot.flows import Flow, FlowContext, Step
from bot.product_answers import search_answer
from bot.templates import say


def run(ctx: FlowContext) -> Step:
    command = ctx.command
    item = next((i for i in command.items if i.product), None)
    arguments: dict = {"query": command.text, "options": dict(item.described) if item else {}}
    if command.max_price is not None:
        arguments["max_price"] = command.max_price
    found = ctx.tools.call("search_products", arguments)
    if not found.ok:
        return Step(say("rejected", ctx.language, error=found.error))
    shown = found.result["products"]
    if shown or found.result["near_misses"]:
        # "anything cheaper?" is about what was shown first.
        ctx.state.focus_product = (shown or found.result["near_misses"])[0]["product_id"]
        ctx.state.focus_item = shown[0]["variants"][0]["item_id"] if shown else None
    return Step(search_answer(found.result, ctx.language), outcome=None if shown or found.result["near_misses"] else "not_found")


FLOW = Flow("product_search", ("product_search",), run, needs_identity=False, slots=())
