"""Guided mode: deterministic routing calls the order tools; answers are templates of their results.

For small models (the demo's 135M one) that cannot choose tools or restate facts reliably. The
same tools, gate and confirmation as agent mode; only who decides differs.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot import templates
from bot.intents import Intent
from bot.templates import say
from bot.tools.session import ToolSession
from bot.catalogue import named_items
from bot.variants import choose_variant

NEEDS_IDENTITY = {"status", "my_orders", "cancel", "return", "exchange", "modify_address", "modify_user_address"}


@dataclass
class GuidedOutcome:
    answer: str | None  # None: not an order matter; answer from the knowledge base instead
    wants_human: bool = False


def handle(intent: Intent, tools: ToolSession, language: str) -> GuidedOutcome:
    if intent.kind == "human":
        return GuidedOutcome(None, wants_human=True)
    if intent.kind == "small_talk":
        merchant = intent.small_talk == "greeting" and tools.principal.kind == "merchant"
        return GuidedOutcome(say("greeting_merchant" if merchant else intent.small_talk, language))

    verified_now = None
    if tools.principal.kind == "anonymous" and (intent.email or intent.name_zip):
        verified_now = _identify(intent, tools, language)
        if tools.principal.kind == "anonymous":
            return GuidedOutcome(verified_now)
    if intent.kind == "identify":
        answer = verified_now or _identify(intent, tools, language)
        if tools.principal.kind != "buyer":
            return GuidedOutcome(answer)
        return GuidedOutcome(("" if language == "zh" else " ").join([answer, say("how_can_i_help", language)]))
    if intent.kind not in NEEDS_IDENTITY:
        return GuidedOutcome(None)
    if tools.principal.kind == "anonymous":
        return GuidedOutcome(say("verify_first", language))

    handler = {"status": _status, "my_orders": _my_orders, "cancel": _cancel, "return": _return, "exchange": _exchange,
               "modify_address": _address, "modify_user_address": _user_address}[intent.kind]  # fmt: skip
    answer = handler(intent, tools, language)
    return GuidedOutcome(f"{verified_now}\n\n{answer}" if verified_now else answer)


def _identify(intent: Intent, tools: ToolSession, language: str) -> str:
    if intent.email:
        found = tools.call("find_user_id_by_email", {"email": intent.email})
    else:
        first, last, zip_code = intent.name_zip
        found = tools.call("find_user_id_by_name_zip", {"first_name": first, "last_name": last, "zip": zip_code})
    if not found.ok:
        return found.error if "another customer" in (found.error or "") else say("not_found_user", language)
    user = tools.call("get_user_details", {"user_id": found.result})
    name = user.result["name"]["first_name"] if user.ok else found.result
    return say("verified", language, name=name)


def _status(intent: Intent, tools: ToolSession, language: str) -> str:
    answers = []
    for order_id in intent.order_ids:
        status = tools.call("get_order_status", {"order_id": order_id})
        answers.append(templates.status_answer(status.result, language) if status.ok else say("order_not_found", language, order_id=order_id))
    return "\n\n".join(answers)


def _my_orders(intent: Intent, tools: ToolSession, language: str) -> str:
    if tools.principal.kind == "merchant":
        return _shop_orders(intent, tools, language)
    user = tools.call("get_user_details", {"user_id": tools.principal.subject})
    if not user.ok or not user.result["orders"]:
        return say("no_orders", language)
    listed = _status(Intent("status", order_ids=user.result["orders"]), tools, language)
    if not intent.action:
        return listed
    # "I want to cancel my order": which one? An example reply that works, with an order that allows it.
    allowing = [r.result["order_id"] for r in tools.log if r.name == "get_order_status" and r.ok and intent.action in r.result["can"]]
    if not allowing:
        return f"{listed}\n\n{say('none_allow', language)}"
    command = templates.COMMANDS[intent.action][language]
    return f"{listed}\n\n{say('which_order', language, command=command, example=allowing[0])}"


SHOP_ORDERS_SHOWN = 5


def _shop_orders(intent: Intent, tools: ToolSession, language: str) -> str:
    """A merchant's "my orders": the shop's counts by status, and a few orders of the status asked about."""
    found = tools.call("get_shop_orders", {"status": intent.order_state or ""})
    if not found.ok:
        return say("rejected", language, error=found.error)
    shop = found.result
    if not shop["total"]:
        return say("shop_no_orders", language)
    sep = "、" if language == "zh" else ", "
    counts = sep.join(f"{templates.state_name(state, language)} {n}" for state, n in shop["counts"].items())
    lines = [say("shop_orders", language, total=shop["total"], counts=counts)]
    if intent.order_state:
        listed = shop["orders"][:SHOP_ORDERS_SHOWN]
        lines.append(say("shop_orders_in_state", language, state=templates.state_name(intent.order_state, language),
                         n=shop["counts"].get(intent.order_state, 0)))  # fmt: skip
        lines += [f"- {o['order_id']}: " + sep.join(templates.item_label(i) for i in o["items"]) for o in listed]
        rest = len(shop["orders"]) + shop["more"] - len(listed)
        if rest > 0:
            lines.append(say("and_more", language, n=rest))
    return "\n".join(lines)


def _propose(tools: ToolSession, name: str, arguments: dict, language: str, order: dict | None = None) -> str:
    """Ask the tool session to run a write: it parks it for confirmation; we state it exactly."""
    result = tools.call(name, arguments)
    if result.needs_confirmation:
        # Described now, while the order's item names are at hand, for the confirmation turn too.
        tools.pending.described = {lang: templates.describe_action(name, arguments, lang, order) for lang in ("en", "zh")}
        return say("confirm", language, action=tools.pending.described[language])
    return say("rejected", language, error=result.error)


def _order(tools: ToolSession, order_id: str):
    found = tools.call("get_order_details", {"order_id": order_id})
    return found.result if found.ok else None


def _not_possible(tools: ToolSession, order_id: str, action: str, language: str) -> str | None:
    """Why ``action`` cannot be done on this order now, from the tool layer's own list; None if it can."""
    status = tools.call("get_order_status", {"order_id": order_id})
    if not status.ok:
        return say("order_not_found", language, order_id=order_id)
    if action in status.result["can"]:
        return None
    return say("not_now", language, action=templates.ACTIONS[action][language], status=templates.status_answer(status.result, language))


def _cancel(intent: Intent, tools: ToolSession, language: str) -> str:
    order_id = intent.order_ids[0]
    if blocked := _not_possible(tools, order_id, "cancel", language):
        return blocked
    if intent.reason is None:
        return say("ask_reason", language, order_id=order_id)
    return _propose(tools, "cancel_pending_order", {"order_id": order_id, "reason": intent.reason}, language)


def _return(intent: Intent, tools: ToolSession, language: str) -> str:
    order_id = intent.order_ids[0]
    if blocked := _not_possible(tools, order_id, "return", language):
        return blocked
    order = _order(tools, order_id)
    # The items the user named, else the whole order; refund to the original method unless a gift card is asked for.
    named = [i["item_id"] for i in named_items(order["items"], intent.text)]
    item_ids = named or [i["item_id"] for i in order["items"]]
    method = order["payment_history"][0]["payment_method_id"]
    if intent.refund_to_gift_card:
        user = tools.call("get_user_details", {"user_id": order["user_id"]})
        cards = [m for m, v in user.result["payment_methods"].items() if v["source"] == "gift_card"] if user.ok else []
        method = cards[0] if cards else method
    arguments = {"order_id": order_id, "item_ids": item_ids, "payment_method_id": method}
    return _propose(tools, "return_delivered_order_items", arguments, language, order)


def _exchange(intent: Intent, tools: ToolSession, language: str) -> str:
    """Another variant of a bought item: an exchange once delivered, an item change while pending."""
    order_id = intent.order_ids[0]
    status = tools.call("get_order_status", {"order_id": order_id})
    if not status.ok:
        return say("order_not_found", language, order_id=order_id)
    can = status.result["can"]
    action = "exchange" if "exchange" in can else "modify_items" if "modify_items" in can else None
    if action is None:
        return say("not_now", language, action=templates.ACTIONS["exchange"][language], status=templates.status_answer(status.result, language))
    order = _order(tools, order_id)
    candidates = named_items(order["items"], intent.text) or order["items"]
    if len({i["product_id"] for i in candidates}) > 1:
        items = ("、" if language == "zh" else "; ").join(templates.item_label(i) for i in order["items"])
        return say("which_item", language, order_id=order_id, items=items)
    item = candidates[0]
    product = tools.call("get_product_details", {"product_id": item["product_id"]}).result
    choice = choose_variant(product["variants"], item["item_id"], intent.text)
    if choice.item_id is None:
        options = "; ".join(", ".join(v["options"].values()) for k, v in product["variants"].items() if v["available"] and k != item["item_id"])
        if choice.problem == "not_available":
            return say("variant_unavailable", language, name=item["name"], options=options)
        example = next(iter(item["options"].items()), ("", ""))
        return say("which_variant", language, example=f"{example[0]} …", options=options)
    new = product["variants"][choice.item_id]
    method = order["payment_history"][0]["payment_method_id"]
    arguments = {"order_id": order_id, "item_ids": [item["item_id"]], "new_item_ids": [choice.item_id], "payment_method_id": method}
    described = {**order, "new_items": {choice.item_id: templates.item_label({**new, "name": item["name"]})},
                 "price_difference": round(new["price"] - item["price"], 2)}  # fmt: skip
    name = "exchange_delivered_order_items" if action == "exchange" else "modify_pending_order_items"
    return _propose(tools, name, arguments, language, described)


def _user_address(intent: Intent, tools: ToolSession, language: str) -> str:
    if tools.principal.kind != "buyer":
        return say("rejected", language, error="only a customer's own default address can be changed here")
    if intent.address is None:
        return say("ask_address", language)
    return _propose(tools, "modify_user_address", {"user_id": tools.principal.subject, **intent.address}, language)


def _address(intent: Intent, tools: ToolSession, language: str) -> str:
    order_id = intent.order_ids[0]
    if blocked := _not_possible(tools, order_id, "modify_address", language):
        return blocked
    if intent.address is None:
        return say("ask_address", language)
    return _propose(tools, "modify_pending_order_address", {"order_id": order_id, **intent.address}, language)
