"""What the order flows share: finding the order meant, the lines meant, the payment method
meant, and proposing a write for confirmation. Not a flow itself (no ``FLOW``)."""

from __future__ import annotations

from bot import templates
from bot.flows import FlowContext, Step
from bot.nlu.commands import AddressReference, Command, OrderReference
from bot.nlu.items import resolve_lines
from bot.nlu.ordering import price_rank
from bot.nlu.patterns import REFERS_TO_IT
from bot.nlu.regions import country_name
from bot.nlu.rules import Context, understand
from bot.references import address_referred, orders_described
from bot.templates import say
from bot.tools.context import undeliverable


def order_details(ctx: FlowContext, order_id: str) -> dict | None:
    found = ctx.tools.call("get_order_details", {"order_id": order_id})
    return found.result if found.ok else None


def order_status(ctx: FlowContext, order_id: str) -> dict | None:
    found = ctx.tools.call("get_order_status", {"order_id": order_id})
    return found.result if found.ok else None


def user_details(ctx: FlowContext) -> dict | None:
    if ctx.tools.principal.kind != "buyer":
        return None
    found = ctx.tools.call("get_user_details", {"user_id": ctx.tools.principal.subject})
    return found.result if found.ok else None


# The question whose answer in the shop's policy says why an action is refused: quoted, cited.
RULE_QUESTIONS = {
    "cancel": {"en": "Which orders can be cancelled?", "zh": "哪些订单可以取消？"},
    "modify_address": {"en": "When can the shipping address of an order be changed?", "zh": "什么时候可以修改订单的收货地址？"},
    "modify_payment": {"en": "When can I change the payment method of an order?", "zh": "什么时候可以修改订单的支付方式？"},
    "modify_items": {"en": "Can I change the options of items before an order ships?", "zh": "订单发货前可以修改商品的款式吗？"},
    "return": {"en": "Which orders can be returned?", "zh": "哪些订单可以退货？"},
    "exchange": {"en": "Which orders can be exchanged?", "zh": "哪些订单可以换货？"},
}


# Where the shop's shipping policy says which destinations it serves.
SHIPPING_RULE = {"en": "Do you ship to {country}?", "zh": "能寄到{country}吗？"}
def address_for(ctx: FlowContext) -> tuple[dict | None, Step | None]:
    """The new address in full, or the step that asks for what is missing (each missing field
    named, what was read so far shown), or refuses a destination the shop does not ship to."""
    address = ctx.slots.get("address") or _address_of_the_buyers(ctx)
    if isinstance(address, Step):
        return None, address
    partial = ctx.slots.get("address_partial") or {}
    country = (address or partial.get("fields") or {}).get("country")
    if country and (refused := undeliverable(country, ctx.tools.excluded_countries)) is not None:
        ctx.slots.pop("address", None)
        ctx.slots.pop("address_partial", None)
        named = country_name(refused, ctx.language)
        return None, Step(say("no_ship", ctx.language, country=named), outcome="refused", explain=SHIPPING_RULE[ctx.language].format(country=named))
    if address:
        return address, None
    if partial:
        missing = templates.listing((templates.address_field_asked(f, ctx.language) for f in partial.get("missing", [])), ctx.language)
        problems = templates.listing((f"{templates.address_field_asked(f, ctx.language)} {partial['fields'].get(f, '')}: {why}"
                                      for f, why in partial.get("problems", {}).items()), ctx.language)  # fmt: skip
        so_far = templates.address_fields(partial.get("fields", {}), ctx.language) or "-"
        asked = say("ask_address_fields", ctx.language, so_far=so_far, missing=templates.listing((p for p in (missing, problems) if p), ctx.language))
        return None, Step(asked, waiting_for="address")
    return None, Step(say("ask_address", ctx.language), waiting_for="address")


def _address_of_the_buyers(ctx: FlowContext) -> dict | Step | None:
    """"My default address", "the New York address on my other order": the address the buyer
    already has (bot.references), settled only when exactly one fits; else they are asked for it."""
    stored = ctx.slots.get("address_ref")
    if not stored or ctx.tools.principal.kind != "buyer":
        return None
    user = user_details(ctx)
    if user is None:
        return None
    found = address_referred(AddressReference.model_validate(stored), user, buyer_orders(ctx), excluding=ctx.slots.get("order_id"))
    if len(found) == 1:
        ctx.slots["address"] = found[0]
        return found[0]
    ctx.slots.pop("address_ref", None)
    if not found:
        return Step(say("ask_address", ctx.language), waiting_for="address")
    listed = templates.numbered([templates.address_fields(a, ctx.language) for a in found], ctx.language)
    return Step(say("which_address", ctx.language, choices=listed), waiting_for="address")


def not_possible(ctx: FlowContext, status: dict, action: str) -> Step | None:
    """Why ``action`` cannot be done on this order now, from the tool layer's own list; None if it can."""
    if action in status["can"]:
        return None
    answer = say("not_now", ctx.language, action=templates.ACTIONS[action][ctx.language], order_id=status["order_id"],
                 state=templates.state_name(status["status"], ctx.language), status=templates.status_answer(status, ctx.language))  # fmt: skip
    return Step(answer, outcome="refused", explain=RULE_QUESTIONS.get(action, {}).get(ctx.language))


def buyer_statuses(ctx: FlowContext) -> list[dict]:
    """get_order_status of each of the buyer's orders, in their order."""
    user = user_details(ctx)
    return [s for s in (order_status(ctx, o) for o in (user or {}).get("orders", [])) if s]


def buyer_orders(ctx: FlowContext) -> list[dict]:
    """get_order_details of each of the buyer's orders, oldest first (their place in the buyer's list)."""
    if "orders" not in ctx.cache:
        user = user_details(ctx)
        ctx.cache["orders"] = [d for d in (order_details(ctx, o) for o in (user or {}).get("orders", [])) if d]
    return ctx.cache["orders"]


def _reference(ctx: FlowContext) -> OrderReference | None:
    stored = ctx.slots.get("order_ref")
    return OrderReference.model_validate(stored) if stored else None


def _holding(ctx: FlowContext, orders: list[dict], items: dict | None) -> list[dict]:
    """The orders holding every product the buyer named (by the catalogue's name, else by the words used)."""
    if not items or not items.get("items"):
        return []
    named = set(named_products(items))
    described = [slot for slot in items["items"] if slot.get("product") and slot.get("described")]
    if described:
        # "the 15-inch laptop with 32GB": the orders with a line of that product and those options.
        exact = [o for o in orders if all(any(line["name"] == slot["product"] and all(line["options"].get(k) == v for k, v in slot["described"].items())
                                              for line in o["items"]) for slot in described)]  # fmt: skip
        if exact:
            return exact
    if named:
        # Every product named, else any ("the charger order, I don't need it without the tablet").
        return ([o for o in orders if named <= {line["name"] for line in o["items"]}]
                or [o for o in orders if named & {line["name"] for line in o["items"]}])  # fmt: skip
    return [o for o in orders if lines_meant(ctx, o, {**items, "all": False})]


def find_order(ctx: FlowContext, action: str, also: tuple[str, ...] = ()) -> tuple[str | None, Step | None]:
    """The order the buyer means for ``action``: named (unless the buyer was unsure of the id and
    the items named are in another order); "the other one" of those discussed; the one under
    discussion ("cancel it"); the one the buyer describes ("my Denver order", "the pending one
    with four items", "my most recent order": bot.references) or whose items they name; else the
    buyer is asked: a short numbered list of the orders that fit, or all orders with what each allows."""
    command, state = ctx.command, ctx.state
    reference, items = _reference(ctx), ctx.slots.get("items")
    if command.other and (state.offered_orders or state.focus_order):
        current = ctx.slots.get("order_id") or state.focus_order
        others = [o for o in state.offered_orders if o != current]
        if len(others) == 1:
            ctx.slots["order_id"] = others[0]
        elif not others and current:
            statuses = [s for s in buyer_statuses(ctx) if s["order_id"] != current and {action, *also} & set(s["can"])]
            if len(statuses) == 1:
                ctx.slots["order_id"] = statuses[0]["order_id"]
    if ctx.slots.get("order_id") and not command.order_ids and price_rank(command.text) and command.text != (items or {}).get("text"):
        ctx.slots.pop("order_id")  # "no, return the more expensive one instead": which order, again
    if ctx.slots.get("order_id"):
        if reference is not None and reference.unsure and items and items.get("items"):
            # "I think it's #W…, not sure": the items named say which order when the id does not hold them.
            named = order_details(ctx, ctx.slots["order_id"])
            if named is None or not lines_meant(ctx, named, items):
                holding = _holding(ctx, buyer_orders(ctx), items)
                if len(holding) == 1:
                    ctx.slots["order_id"] = holding[0]["order_id"]
        return ctx.slots["order_id"], None
    described = reference is not None and reference.given()
    if len(state.focus_orders) > 1 and REFERS_TO_IT.search(command.text) and not command.items and not described:
        # "Then cancel the whole order" after a question about items in two orders: each order in turn.
        first, *rest = state.focus_orders
        state.focus_orders = []
        queue_for_orders(ctx, action, [(order_id, []) for order_id in rest])
        ctx.slots["order_id"] = first
        return first, None
    if state.focus_order and REFERS_TO_IT.search(command.text) and not command.items and not described:
        ctx.slots["order_id"] = state.focus_order
        return state.focus_order, None
    statuses = buyer_statuses(ctx)
    if not statuses:
        return None, Step(say("no_orders", ctx.language))
    if (source := _address_source(ctx)) and len(kept := [s for s in statuses if s["order_id"] not in source]) < len(statuses):
        statuses = kept  # "another order … same address as the luggage order": not the order copied from
    candidates = statuses
    if described or items and items.get("items"):
        orders = buyer_orders(ctx)
        # The items first ("the grill I just ordered": the latest of the orders with a grill), then the description.
        holding = _holding(ctx, orders, items)
        fitting = orders_described(reference, holding or orders) if described else holding or orders
        holding = [o for o in fitting if o in holding]
        ids = [o["order_id"] for o in fitting]
        candidates = [s for s in statuses if s["order_id"] in ids] or statuses
        allowing_fit = [s for s in candidates if {action, *also} & set(s["can"])]
        if len(allowing_fit) > 1 and holding and action in ("return", "cancel") and (rank := price_rank(command.text)) is not None:
            # "Return the cheaper one" of two tablets in two orders: the order of the cheaper (dearer) line.
            named = {slot.get("product") for slot in items["items"]}
            priced = [(line["price"], o["order_id"]) for o in fitting for line in o["items"] if line["name"] in named
                      and o["order_id"] in {s["order_id"] for s in allowing_fit}]  # fmt: skip
            if priced:
                ctx.slots["order_id"] = (min if rank == "least" else max)(priced)[1]
                return ctx.slots["order_id"], None
        if len(allowing_fit) == 1 and (described or holding):
            ctx.slots["order_id"] = allowing_fit[0]["order_id"]
            return allowing_fit[0]["order_id"], None
        if len(candidates) == 1 and len(fitting) == 1 and (described or holding):
            ctx.slots["order_id"] = candidates[0]["order_id"]  # the one meant: the flow says why it cannot
            return candidates[0]["order_id"], None
        if action in SPLIT_BY_ORDER and items and not [o for o in holding if set(named_products(items)) <= {line["name"] for line in o["items"]}]:
            # "Return the skateboard, the hose and the backpack" from three orders: one request per
            # order, the first now, the others queued (each proposed and confirmed on its own).
            groups = lines_by_order(ctx, [o for o in orders if o["order_id"] in {s["order_id"] for s in allowing_fit}], items)
            if groups is not None and len(groups) > 1:
                (first, products), rest = groups[0], groups[1:]
                queue_for_orders(ctx, action, rest)
                ctx.slots["order_id"] = first
                ctx.slots["items"] = {**items, "items": [slot for slot in items["items"] if slot.get("product") in products] or items["items"]}
                return first, None
        if 1 < len(allowing_fit) < len(statuses):
            # Several fit the description: a short numbered list to pick from, nothing guessed.
            state.offered_orders = [s["order_id"] for s in allowing_fit]
            labels = [templates.order_choice(s, ctx.language) for s in allowing_fit]
            return None, Step(say("which_of_orders", ctx.language, choices=templates.numbered(labels, ctx.language)), waiting_for="order_id",
                              choices=list(state.offered_orders))  # fmt: skip
    allowing = [s for s in statuses if {action, *also} & set(s["can"])]
    if len(allowing) == 1 and len(statuses) == 1:
        ctx.slots["order_id"] = allowing[0]["order_id"]
        return allowing[0]["order_id"], None
    listed = "\n\n".join(templates.status_answer(s, ctx.language) for s in statuses)
    state.offered_orders = [s["order_id"] for s in allowing]
    if not allowing:
        return None, Step(f"{listed}\n\n{say('none_allow', ctx.language)}")
    command_words = templates.COMMANDS.get(action, templates.COMMANDS["return"])[ctx.language]
    return None, Step(f"{listed}\n\n{say('which_order', ctx.language, command=command_words, example=allowing[0]['order_id'])}", waiting_for="order_id")


# Requests on items that may be split into one request per order (a cancel is of a whole order: never split).
SPLIT_BY_ORDER = ("return", "exchange", "modify_items")


def named_products(items: dict | None) -> list[str]:
    return list(dict.fromkeys(slot["product"] for slot in (items or {}).get("items", []) if slot.get("product")))


def lines_by_order(ctx: FlowContext, orders: list[dict], items: dict) -> list[tuple[str, list[str]]] | None:
    """The orders holding the items named, each with the products it holds, in the order the
    buyer named them; None when an item is in more than one of them (then the buyer is asked)."""
    found: dict[str, list[str]] = {}
    for order in orders:
        names = list(dict.fromkeys(line["name"] for line in lines_meant(ctx, order, {**items, "all": False, "except": []})))
        if names:
            found[order["order_id"]] = names
    held = [name for names in found.values() for name in names]
    if not found or len(held) != len(set(held)):
        return None
    text = items.get("text", "").lower()
    mentions = {slot.get("product"): text.find((slot.get("mention") or "").lower()) for slot in items.get("items", [])}
    first_said = {order_id: min((mentions.get(n, len(text)) for n in names), default=len(text)) for order_id, names in found.items()}
    return sorted(found.items(), key=lambda pair: first_said[pair[0]])


def queue_for_orders(ctx: FlowContext, action: str, groups: list[tuple[str, list[str]]]) -> None:
    """The same request for each of these orders (with the products it holds; none: the whole
    order), queued before what the message left to do."""
    items = ctx.slots.get("items") or {}
    queued = []
    for order_id, products in groups:
        slots = [slot for slot in items.get("items", []) if slot.get("product") in products] or items.get("items", [])
        command = Command(intent=action, order_ids=[order_id], items=slots, reason=ctx.slots.get("reason") or ctx.command.reason,
                          payment=ctx.slots.get("payment") or ctx.command.payment, text=items.get("text") or ctx.command.text)  # fmt: skip
        queued.append(command.model_dump(mode="json"))
    ctx.state.queue = queued + ctx.state.queue
    # Said with the proposal: what comes next, so nothing the buyer asked for looks dropped.
    ctx.cache["then_note"] = say("then_other_orders", ctx.language, orders=templates.listing((o for o, _ in groups), ctx.language))


# A delivered order is returned or exchanged once (the tools refuse a second): said before the first is written.
_ONCE = {"return_delivered_order_items": "return", "exchange_delivered_order_items": "exchange"}


def _once_per_order(ctx: FlowContext, name: str, arguments: dict, order: dict | None) -> str | None:
    """When another request of the message (queued) would return or exchange items of the same
    delivered order, the policy's limit and the choice it leaves: stated with the proposal."""
    if name not in _ONCE:
        return None
    held = {line["name"] for line in (order or order_details(ctx, arguments["order_id"]) or {"items": []})["items"]}
    for queued in ctx.state.queue:
        products = {i.get("product") for i in queued.get("items", []) if i.get("product")}
        if queued.get("intent") in _ONCE.values() and (queued.get("order_ids") or [arguments["order_id"]])[0] == arguments["order_id"] and products & held:
            other = templates.ACTIONS[queued["intent"]][ctx.language]
            named = templates.listing((templates.product_name(p, ctx.language) for p in products & held), ctx.language)
            return say("once_per_order", ctx.language, order_id=arguments["order_id"], other=other, items=named)
    return None


def _address_source(ctx: FlowContext) -> set[str]:
    """The orders an address is copied from (named, or holding the product named)."""
    stored = ctx.slots.get("address_ref") or {}
    if stored.get("order_id"):
        return {stored["order_id"]}
    if stored.get("product"):
        return {o["order_id"] for o in buyer_orders(ctx) if any(line["name"] == stored["product"] for line in o["items"])}
    return set()


def order_for(ctx: FlowContext, action: str) -> tuple[str | None, Step | None]:
    """The order meant for ``action`` once it is known to allow it: its id, or the step to answer
    instead (which order?, not found, not possible now). It becomes the order under discussion."""
    order_id, asked = find_order(ctx, action)
    if asked:
        return None, asked
    status = order_status(ctx, order_id)
    if status is None:
        return None, Step(say("order_not_found", ctx.language, order_id=order_id), outcome="not_found")
    ctx.state.focus_order = order_id
    return (None, blocked) if (blocked := not_possible(ctx, status, action)) else (order_id, None)


def item_slots(command: Command) -> dict | None:
    """The items a command names, as stored in the flow's slots (with the words, to read them
    again against the order's own lines)."""
    if not (command.items or command.all_items or command.except_items):
        return None
    return {"text": command.text, "items": [i.model_dump() for i in command.items], "all": command.all_items,
            "except": [i.model_dump() for i in command.except_items]}  # fmt: skip


def read_against_order(ctx: FlowContext, order: dict, items: dict) -> Command:
    """The stored item words, understood again with only this order's products in the vocabulary,
    so "耳机" is the earbuds in an order without headphones and options are read against the
    product actually bought. A model's command (no words to re-read) is used as it is."""
    stored = Command(intent="inform", items=items["items"], all_items=items["all"], except_items=items["except"], text=items["text"])
    if not ctx.reread:
        return stored
    names = {line["name"] for line in order["items"]}
    again = understand(items["text"], ctx.vocabulary.restricted(names), Context(principal_kind=ctx.tools.principal.kind, waiting_for="items"))
    return again if (again.items or again.all_items) else stored


def lines_meant(ctx: FlowContext, order: dict, items: dict | None = None) -> list[dict]:
    items = items if items is not None else ctx.slots.get("items")
    if not items:
        return []
    return only_kept(ctx, resolve_lines(read_against_order(ctx, order, items), order["items"]))


def only_kept(ctx: FlowContext, lines: list[dict]) -> list[dict]:
    """The lines a change of mind kept ("actually, only the lamp": bot.dialogue.manager)."""
    kept = ctx.slots.get("only")
    return [line for line in lines if line["name"] in kept] if kept else lines


def payment_method(ctx: FlowContext, order: dict, kind: str | None, for_refund: bool = False) -> tuple[dict | None, Step | None]:
    """The buyer's payment method of the ``kind`` named (gift card, PayPal, credit card), else the
    order's original one. A refund goes to the original method or a gift card only (policy)."""
    user = ctx.tools.call("get_user_details", {"user_id": order["user_id"]})
    methods = user.result["payment_methods"] if user.ok else {}
    original_id = order["payment_history"][0]["payment_method_id"] if order.get("payment_history") else None
    if kind in (None, "original") or (for_refund and kind not in ("gift_card",)):
        method = methods.get(original_id) or {"id": original_id, "source": (original_id or "").rsplit("_", 1)[0]}
        return method, None
    of_kind = [m for m in methods.values() if m.get("source") == kind]
    if not of_kind:
        names = ", ".join(templates.payment_name(m, ctx.language) for m in methods.values())
        return None, Step(say("no_payment_kind", ctx.language, kind=templates.PAYMENT_KINDS[kind][ctx.language], methods=names), waiting_for="payment")
    # "my Visa card", "the card ending 1037": the buyer's own card of that brand or number, else the first of the kind.
    said = " ".join(t for t in (ctx.command.text, (ctx.slots.get("items") or {}).get("text", "")) if t).casefold()
    named = [m for m in of_kind if m.get("brand") and m["brand"].casefold() in said or m.get("last_four") and str(m["last_four"]) in said]
    return (named or of_kind)[0], None


def propose(ctx: FlowContext, name: str, arguments: dict, order: dict | None = None) -> Step:
    """Ask the tool session to run a write: it parks it for confirmation; we state it exactly."""
    result = ctx.tools.call(name, arguments)
    if result.needs_confirmation:
        # Described now, while the order's item names are at hand, for the confirmation turn too.
        ctx.tools.pending.described = {lang: templates.describe_action(name, arguments, lang, order) for lang in ("en", "zh")}
        answer = say("confirm", ctx.language, action=ctx.tools.pending.described[ctx.language])
        if (limit := _once_per_order(ctx, name, arguments, order)) is not None:
            answer = f"{limit}\n{answer}"
        return Step(f"{answer}\n{ctx.cache['then_note']}" if ctx.cache.get("then_note") else answer, waiting_for="confirmation")
    return Step(say("rejected", ctx.language, error=result.error), outcome="refused")
