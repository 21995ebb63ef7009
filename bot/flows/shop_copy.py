"""A merchant's product copy in chat: "write a playful description of the backpack in Chinese",
"给背包写一段文案". From the product's facts by the template here (exact by construction); the
model-written, checked copy is `kefu copy` and the console's merchant tab (bot.copywriter)."""

from __future__ import annotations

from bot.copywriter import template_copy
from bot.flows import Flow, FlowContext, Step
from bot.merchant_answers import say as say_merchant
from bot.templates import say


def run(ctx: FlowContext) -> Step:
    product = next((i.product for i in ctx.command.items if i.product), None)
    if product is None:
        return Step(say_merchant("copy_which", ctx.language))
    language = ctx.command.copy_language or ctx.language
    facts = ctx.tools.call("get_copy_facts", {"product": product, "language": language})
    if not facts.ok:
        return Step(say("rejected", ctx.language, error=facts.error))
    text = template_copy(facts.result, language, ctx.command.tone or "friendly")
    return Step(say_merchant("copy_template", ctx.language, text=text))


FLOW = Flow("shop_copy", ("shop_copy",), run, slots=())
