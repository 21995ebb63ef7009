"""Another variant of bought items, for the exchange and modify-items flows (not a flow itself):
an exchange once delivered, an item change while pending; each item named gets the option
values asked for it (bot.nlu.variants), all of one order's items in one request (the order
allows one exchange, one item change)."""

from __future__ import annotations

import re

from bot import templates
from bot.flows import FlowContext, Step
from bot.flows.common import buyer_orders, find_order, not_possible, only_kept, order_details, order_status, payment_method, propose, read_against_order
from bot.nlu.commands import ItemSlot
from bot.nlu.cues import cue
from bot.nlu.items import resolve_lines
from bot.nlu.options import read_options
from bot.nlu.references import read_order_reference
from bot.nlu.variants import choose_variant, fitting_variants
from bot.nlu.vocabulary import KEY_WORDS
from bot.product_answers import alternatives_answer
from bot.references import orders_described, other_line
from bot.templates import say

TOOLS = {"exchange": "exchange_delivered_order_items", "modify_items": "modify_pending_order_items"}


def _slot_for(line: dict, slots: list[ItemSlot]) -> ItemSlot:
    return next((s for s in slots if s.product == line["name"]), slots[0] if len(slots) == 1 else ItemSlot())


def change_variants(ctx: FlowContext, preferred: str) -> Step:
    order_id, asked = find_order(ctx, preferred, also=tuple(a for a in TOOLS if a != preferred))
    if asked:
        return asked
    status = order_status(ctx, order_id)
    if status is None:
        return Step(say("order_not_found", ctx.language, order_id=order_id), outcome="not_found")
    ctx.state.focus_order = order_id
    action = next((a for a in (preferred, *TOOLS) if a in status["can"]), None)
    if action is None:
        return not_possible(ctx, status, preferred)
    order = order_details(ctx, order_id)
    items = ctx.slots.get("items")
    command = read_against_order(ctx, order, items) if items else None
    lines = only_kept(ctx, resolve_lines(command, order["items"])) if command else []
    if not lines and len(order["items"]) == 1:
        lines = list(order["items"])
    if not lines:
        return Step(say("which_item", ctx.language, order_id=order_id, items=templates.item_list(order, ctx.language)), waiting_for="items")
    slots = command.items if command else []
    extra = ctx.slots.get("options_text", "")  # the answer to "which option would you like?"
    pairs, new_items, difference, skipped = [], {}, 0.0, []
    each = _each_of_the_same(items["text"] if items else "", lines)
    for line in lines:
        slot = _slot_for(line, slots)
        if id(line) in each:
            slot = ItemSlot(product=line["name"])  # "one to ceramic, the other to 1.5 liters": this line's own words
        product = ctx.tools.call("get_product_details", {"product_id": line["product_id"]}).result
        # Options the item was named with; for items named by no product ("everything"), the whole
        # request's words; then what the buyer answered when asked ("the blue one").
        want, avoid, prefer = dict(slot.want), dict(slot.avoid), list(slot.prefer)
        fallbacks: dict[str, list[str]] = {}
        terms = ctx.vocabulary.products.get(line["name"])
        # Options said for no item in particular: the request's words ("switch the item in it to red"), then the answer to "which option?".
        said = [items["text"]] if items and not command.items else [] if items else [ctx.command.text]
        texts = [each[id(line)]] if id(line) in each else said + ([extra] if extra else [])
        for text in texts:
            if terms is not None:
                read = read_options(text, terms)
                want, avoid = {**want, **read.want}, {**avoid, **read.avoid}
                prefer += [p for p in read.rank if p not in prefer]
                fallbacks = {**fallbacks, **read.fallbacks}
        if terms is not None and items and id(line) not in each:
            fallbacks = {**read_options(items["text"], terms).fallbacks, **fallbacks}
        shown = product["variants"].get(ctx.state.focus_item or "") if ctx.state.focus_product == line["product_id"] else None
        if shown and not want and not prefer and items and cue("FOR_IT").search(items["text"]):
            want = dict(shown["options"])  # "exchange my keyboard for it": the variant just shown
        if slot.same_as_other and (copied := _same_as_other(ctx, line, order_id, items)) is not None:
            want = {**copied, **want}
        keep = _kept_as_is(items["text"] if items else "", line, terms)
        if len(lines) == 1 and not extra and cue("ASKS_OPTIONS").search(ctx.command.text):
            # "What options do you have, and what do they cost?": the variants that fit, to choose from.
            fitting = fitting_variants(product["variants"], line["item_id"], want, avoid, prefer, keep)
            if isinstance(fitting, list) and len(fitting) > 1:
                return _offer(ctx, line, fitting)
        choice = choose_variant(product["variants"], line["item_id"], want, avoid, prefer, keep)
        for key, values in fallbacks.items():
            for value in values:  # "battery would be best, then USB": the next value named, in turn
                if choice.item_id is None and key in want:
                    choice = choose_variant(product["variants"], line["item_id"], {**want, key: value}, avoid, prefer, keep)
        if choice.item_id is None and items and _leave_if_not(items["text"], line["name"], ctx):
            skipped.append(line)  # "otherwise leave the coffee machine alone": it stays as it is
            continue
        if choice.item_id is None:
            available = [v for k, v in product["variants"].items() if v["available"] and k != line["item_id"]]
            options = templates.clauses((templates.options_label(variant["options"], ctx.language) for variant in available), ctx.language)
            name = templates.product_name(line["name"], ctx.language)
            if choice.problem == "not_available":
                # What is in stock instead, from the same product (an exchange keeps the product), with why each.
                offered = ctx.tools.call("recommend_alternatives", {"item_id": line["item_id"], "limit": 10})
                same = [p for p in offered.result["alternatives"] if p["product_id"] == line["product_id"]][:3] if offered.ok else []
                cannot = say("variant_not_in_stock", ctx.language, name=name)
                if same:
                    alternatives = alternatives_answer({**offered.result, "alternatives": same}, ctx.language)
                    return Step(say("variant_unavailable_offer", ctx.language, name=name, alternatives=alternatives), waiting_for="options", cannot=cannot)
                return Step(say("variant_unavailable", ctx.language, name=name, options=options), waiting_for="options", cannot=cannot)
            key = next(iter(line["options"]), "")
            return Step(say("which_variant", ctx.language, example=f"{name} {templates.option_label(key, ctx.language)} …", options=options), waiting_for="options")
        new = product["variants"][choice.item_id]
        pairs.append((line["item_id"], choice.item_id))
        # Both languages' labels: the confirmation turn may come in the other language.
        for lang in ("en", "zh"):
            new_items.setdefault(lang, {})[choice.item_id] = templates.item_label({**new, "name": line["name"]}, lang)
        difference += new["price"] - line["price"]
    left = say("left_as_is", ctx.language, items=templates.listing((templates.item_label(line, ctx.language) for line in skipped), ctx.language)) if skipped else None
    if not pairs:
        return Step(left or "", cannot=left)
    method, problem = payment_method(ctx, order, ctx.slots.get("payment"))
    if problem:
        return problem
    arguments = {"order_id": order_id, "item_ids": [old for old, _ in pairs], "new_item_ids": [new for _, new in pairs], "payment_method_id": method["id"]}
    described = {**order, "new_items": new_items, "price_difference": round(difference, 2), "payment": method}
    step = propose(ctx, TOOLS[action], arguments, described)
    if left:
        step.answer = f"{left}\n\n{step.answer}"
    return step


def _same_as_other(ctx: FlowContext, line: dict, order_id: str, items: dict | None) -> dict | None:
    """The options of the buyer's other line of this product ("the same type as the grill I already
    received": the orders described after "the same as"); None when there is none or several differ."""
    text = (items or {}).get("text", "")
    same = cue("SAME_AS").search(text)
    source = read_order_reference(text[same.end():], False, None) if same else None
    orders = [o for o in buyer_orders(ctx) if o["order_id"] != order_id]
    if source is not None and source.given():
        orders = orders_described(source.model_copy(update={"recency": None}), orders)
    lines = other_line(line["name"], orders, line["item_id"])
    options = {tuple(sorted(other["options"].items())) for other in lines}
    return dict(lines[0]["options"]) if len(options) == 1 else None


def _each_of_the_same(text: str, lines: list[dict]) -> dict:
    """Two lines of the same variant, each asked for differently ("一个换成陶瓷的…；另一个换成1.5升的",
    "one to ceramic, the other to 1.5 liters"): each line with the words about it."""
    the_other = cue("THE_OTHER").search(text)
    twins = [line for line in lines if sum(other["item_id"] == line["item_id"] for other in lines) == 2]
    if the_other is None or len(twins) != 2:
        return {}
    ones = [m for m in cue("ONE_OF_THEM").finditer(text) if m.end() <= the_other.start()]
    if not ones:
        return {}
    first, second = text[ones[-1].start(): the_other.start()], text[the_other.start():]
    return {id(twins[0]): first, id(twins[1]): second}


def _offer(ctx: FlowContext, line: dict, fitting: list[tuple[str, dict]]) -> Step:
    """The variants that fit, with their prices; the buyer picks one by its words, its number or
    a ranking ("the most expensive of those": the ranking is read against the same request)."""
    fitting = sorted(fitting, key=lambda pair: pair[1].get("price", 0))
    labels = [f"{templates.item_label({**variant, 'name': line['name']}, ctx.language)}: {templates.money(variant['price'], ctx.language)}"
              for _, variant in fitting]  # fmt: skip
    values = [", ".join(variant["options"].values()) for _, variant in fitting]
    return Step(say("variants_that_fit", ctx.language, choices=templates.numbered(labels, ctx.language)), waiting_for="options", choices=values)


def _leave_if_not(text: str, product: str, ctx: FlowContext) -> bool:
    """The buyer said this item stays as it is when the option asked for is not in stock
    ("otherwise leave the coffee machine alone", "要是没有…，那键盘就不换了")."""
    for sentence in re.split(r"(?<=[.!?;。！？；])\s*", text):
        if cue("LEAVE_IF_NOT").search(sentence) and any(product in products for _, _, _, products in ctx.vocabulary.mentions(sentence)):
            return True
    return False


def _kept_as_is(text: str, line: dict, terms) -> dict[str, str]:
    """Options the buyer says stay as they are ("same material and colour as mine", "材质和颜色都跟我现在订的一样")."""
    same = cue("SAME_AS").search(text)
    if same is None or terms is None or not cue("AS_IT_IS").search(same.group(0) + text[same.end():same.end() + 12]):
        return {}
    clause = re.split(r"[,，;；。.!?！？]", text[: same.start()])[-1] + same.group(0)
    named = {key for key in line["options"] for word in (key, *KEY_WORDS.get(key.lower(), ())) if re.search(re.escape(word), clause, re.IGNORECASE)}
    return {key: line["options"][key] for key in named}
