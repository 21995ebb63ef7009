"""Answers built from tool results, in English and Chinese. Exact by construction: every fact in
them is copied from a tool result, never generated."""

from __future__ import annotations

from bot.nlu.names import ZH_NAMES
from knowledge.catalog import option_label, options_label, value_label
from knowledge.orders.records import STATUS_ZH

T = {
    "some_items": {"en": "some of its items", "zh": "这些商品"},
    "verify_first": {
        "en": "I can help with that once I have verified who you are: please give the email address on your account, or your full name and zip code.",
        "zh": "为了保护您的账户安全，请先验证身份：请提供账户邮箱，或您的姓名和邮编。",
    },
    "verified": {"en": "Thank you, {name}: you are verified.", "zh": "谢谢，{name}，身份已验证。"},
    "how_can_i_help": {"en": "How can I help with your orders?", "zh": "请问订单方面需要什么帮助？"},
    "not_found_user": {"en": "I could not find an account with those details. Please check them, or give your email address instead.",
                       "zh": "没有找到与这些信息匹配的账户，请核对后重试，或改用账户邮箱验证。"},
    "order_not_found": {"en": "I could not find order {order_id} on your account. Please check the order number.",
                        "zh": "您的账户下没有找到订单 {order_id}，请核对订单号。"},
    "status": {"en": "Order {order_id}: {status_text}", "zh": "订单 {order_id}：{status_text}"},
    "items": {"en": "Items: {items}.", "zh": "商品：{items}。"},
    "tracking": {"en": "Tracking number: {tracking}.", "zh": "物流单号：{tracking}。"},
    "can": {"en": "You can still: {actions}.", "zh": "目前还可以：{actions}。"},
    "no_orders": {"en": "There are no orders on your account.", "zh": "您的账户下没有订单。"},
    "not_now": {"en": "Order {order_id} is {state}, so I can't {action} now. {status}",
                "zh": "订单 {order_id} 目前无法{action}：该订单{state}。{status}"},
    "ask_reason": {"en": "I can cancel order {order_id}. Which reason should I record?\n{choices}",
                   "zh": "可以为您取消订单 {order_id}。请问取消原因是哪一个？\n{choices}"},
    "ask_reason_other": {"en": "I can cancel order {order_id}, but our cancellation form records only one of these two reasons. Which one applies?\n{choices}",
                         "zh": "可以为您取消订单 {order_id}，但取消时只能登记以下两种原因之一，请问是哪一种？\n{choices}"},
    "ask_address": {"en": "Please give the new address in full: street and number, apartment if any, city, state or province, zip or postal code, and country (for example: 123 Main St, Apt 4, Austin, TX 78701, USA).",
                    "zh": "请提供完整的新地址：街道门牌、单元（如有）、城市、省/州、邮编和国家或地区（例如：北京市朝阳区建国路88号3单元，邮编100022）。"},
    "ask_address_fields": {"en": "I have the address as: {so_far}. Please also give the {missing}.",
                           "zh": "已记下的地址：{so_far}。还需要：{missing}。"},
    "no_ship": {"en": "I can't use that address: we do not ship to {country}.", "zh": "无法使用该地址：我们不向{country}配送。"},
    "confirm": {"en": "Please confirm: {action}. Reply \"yes\" to go ahead, or \"no\" to stop.",
                "zh": "请确认：{action}。回复“是”继续，回复“不”取消。"},
    "declined": {"en": "OK, I have not made that change.", "zh": "好的，未做任何更改。"},
    "dropped": {"en": "I have not made the change you were asked to confirm ({action}).", "zh": "未执行待确认的操作（{action}）。"},
    "done": {"en": "Done: {action}.", "zh": "已完成：{action}。"},
    "rejected": {"en": "I could not do that: {error}.", "zh": "无法完成该操作：{error}。"},
    "handoff": {"en": "I have passed your conversation to a human agent, who will reply here shortly.",
                "zh": "已为您转接人工客服，客服会尽快在此回复您。"},
    "with_human": {"en": "A human agent is handling this conversation and will reply here.",
                   "zh": "人工客服正在处理您的会话，请稍候。"},
    "which_order": {"en": "Which order is it? Reply with its number, for example: “{command} {example}”.",
                    "zh": "请问是哪一个订单？请回复订单号，例如：“{command} {example}”。"},
    "no_gift_card": {"en": "There is no gift card on your account.", "zh": "您的账户里没有礼品卡。"},
    "gift_card_balance": {"en": "On your account: {cards}.", "zh": "您账户里的礼品卡：{cards}。"},
    "paid_with": {"en": "Order {order_id} was paid with: {methods}.", "zh": "订单 {order_id} 的支付方式：{methods}。"},
    "bought_items": {"en": "In order {order_id}: {items}.", "zh": "订单 {order_id} 中：{items}。"},
    "cancel_whole_only": {"en": "Order {order_id} can only be cancelled as a whole, so I can't cancel just {items}. I can cancel the whole order, or change items to another option, if you like.",
                          "zh": "订单 {order_id} 只能整单取消，不能只取消{items}。需要的话，我可以取消整个订单，或者把商品换成其他款式。"},
    "cancel_is_whole": {"en": "{items} are all the items of order {order_id}: I can cancel the whole order if you like.",
                        "zh": "{items}就是订单 {order_id} 的全部商品：需要的话，我可以取消整个订单。"},
    "still_waiting": {"en": "Still waiting for your yes: {action}. Reply \"yes\" to go ahead, or \"no\" to stop.",
                      "zh": "以下操作仍在等待您的确认：{action}。回复“确认”继续，或回复“不用了”取消。"},
    "which_address": {"en": "Which address do you mean?\n{choices}\nPlease give it in full.", "zh": "请问是哪个地址？\n{choices}\n请提供完整地址。"},
    "which_of_orders": {"en": "Which order do you mean?\n{choices}\nReply with its number or its order id.",
                        "zh": "请问是哪一个订单？\n{choices}\n请回复序号或订单号。"},
    "none_allow": {"en": "None of these orders allows that now: above is what each one still allows.",
                   "zh": "以上订单目前都无法办理该操作，每个订单还可以办理的事项见上文。"},
    "shop_orders": {"en": "Your shop has {total} orders: {counts}.", "zh": "您的店铺共有 {total} 个订单：{counts}。"},
    "shop_orders_in_state": {"en": "{state} ({n}):", "zh": "{state}（{n} 个）："},
    "shop_no_orders": {"en": "Your shop has no orders yet.", "zh": "您的店铺还没有订单。"},
    "and_more": {"en": "…and {n} more.", "zh": "……另有 {n} 个。"},
    "which_item": {"en": "Which item of order {order_id} would you like to change? {items}",
                   "zh": "请问要更换订单 {order_id} 中的哪件商品？{items}"},
    "which_variant": {"en": "What would you like instead? Say the option, for example: {example}. Available: {options}.",
                      "zh": "请问要换成什么规格？请说明选项，例如：{example}。可选：{options}。"},
    "left_as_is": {"en": "The option you asked for is not available now, so this stays as it is: {items}.", "zh": "您要的规格目前无货，以下商品保持不变：{items}。"},
    "variants_that_fit": {"en": "These are in stock and fit what you asked for:\n{choices}\nWhich would you like?",
                          "zh": "以下有货且符合您的要求：\n{choices}\n请问要哪一款？"},
    "once_per_order": {"en": "Note: order {order_id} can be returned or exchanged only once, so once this is done I cannot also {other} ({items}) in it. Say \"no\" if you would rather do that instead.",
                       "zh": "请注意：订单 {order_id} 只能退货或换货一次，办理这一项后就不能再{other}（{items}）了。如果想改办那一项，请回复“不”。"},
    "then_other_orders": {"en": "Then the same for order {orders}, confirmed on its own.", "zh": "之后再为订单 {orders} 办理同样的操作，单独确认。"},
    "variant_not_in_stock": {"en": "That option of {name} is not available now.", "zh": "{name} 的该规格目前无货。"},
    "variant_unavailable_offer": {"en": "That option of {name} is not available now.\n{alternatives}\nWhich would you like?",
                                  "zh": "{name} 的该规格目前无货。\n{alternatives}\n请问要换成哪一款？"},
    "variant_unavailable": {"en": "That option of {name} is not available now. Available: {options}.",
                            "zh": "{name} 的该规格目前无货。可选：{options}。"},
    "which_items_return": {"en": "Which items of order {order_id} would you like to return? {items}. You can also say \"everything\" or \"everything except …\".",
                           "zh": "请问要退回订单 {order_id} 中的哪些商品？{items}。也可以说“全部”或“除了……都退”。"},
    "no_such_item": {"en": "I could not find that item in order {order_id}. It holds: {items}.", "zh": "订单 {order_id} 中没有找到该商品。订单里有：{items}。"},
    "ask_payment": {"en": "Which payment method should be used: {methods}?", "zh": "请问使用哪种支付方式：{methods}？"},
    "no_payment_kind": {"en": "There is no {kind} on your account. Your payment methods: {methods}.",
                        "zh": "您的账户中没有{kind}。可用的支付方式：{methods}。"},
    "same_payment": {"en": "Order {order_id} is already paid with your {method}.", "zh": "订单 {order_id} 已经是用{method}支付的。"},
    "which_order_for": {"en": "Which order do you mean? {orders}", "zh": "请问是哪一个订单？{orders}"},
    "greeting": {"en": "Hello! I can help with your orders (status, tracking, cancelling, returns, address changes) and answer questions about our policies. What can I do for you?",
                 "zh": "您好！我可以帮您查询和处理订单（状态、物流、取消、退货、修改地址），也可以解答商城政策方面的问题。请问有什么可以帮您？"},
    "greeting_merchant": {"en": "Hello! I can show your shop's orders (for example, the pending ones) and answer questions about selling here: fees, settlement, listing rules. What can I do for you?",
                          "zh": "您好！我可以为您查看店铺订单（例如待发货订单），也可以解答入驻、费用、结算和商品发布规则等问题。请问有什么可以帮您？"},
    "about_bot": {"en": "I'm this shop's AI customer-service assistant. I answer from our policies and your order records, and a human agent can take over at any time: just say \"human\".",
                  "zh": "我是本店的 AI 智能客服，根据商城政策和您的订单记录作答。如需真人服务，随时回复“转人工”即可。"},
    "contact": {"en": "You're talking to our customer service right now: tell me what you need. If you'd rather talk to a person, say \"human\" and a human agent will reply here.",
                "zh": "您现在就在和客服对话，请直接告诉我您需要什么帮助。如需真人服务，回复“转人工”，人工客服会在这里回复您。"},
    "complaint": {"en": "I'm sorry about this, and I understand your frustration. I have passed your conversation to a human agent, who will reply here shortly.",
                  "zh": "非常抱歉给您带来不好的体验，我们非常重视您的反馈。已为您转接人工客服，客服会尽快在此回复您。"},
    "complaint_offer": {"en": "I'm sorry about this, and I understand your frustration. Would you like me to pass this to a human agent? Say \"human\" and one will reply here.",
                        "zh": "非常抱歉给您带来不好的体验。需要为您转接人工客服吗？回复“转人工”即可。"},
    "clarify": {"en": "There is nothing waiting for your confirmation right now. What can I help you with?",
                "zh": "目前没有需要您确认的操作。请问有什么可以帮您？"},
    "offer_verify": {"en": "I can {action} for you once you verify who you are: send the email address on your account, or your full name and zip code.",
                     "zh": "如需我为您{action}，请先验证身份：发送账户邮箱，或您的姓名和邮编。"},
    "offer_order": {"en": "If you'd like me to {action} for you, tell me which order.", "zh": "如需我为您{action}，请告诉我是哪个订单。"},
    "thanks": {"en": "You're welcome! Is there anything else I can help with?", "zh": "不客气！还有什么可以帮您的吗？"},
    "leave_it": {"en": "OK, I'll leave it as it is: nothing has been changed. Is there anything else I can help with?",
                 "zh": "好的，保持原样，没有做任何更改。还有什么可以帮您的吗？"},
    "goodbye": {"en": "Thank you for contacting us. Goodbye!", "zh": "感谢您的咨询，再见！"},
    "abuse": {"en": "I'm here to help with your orders and our policies. Let's keep it respectful: how can I help?",
              "zh": "我很乐意为您处理订单和政策问题，请文明交流。请问需要什么帮助？"},
}  # fmt: skip

ACTIONS = {
    "cancel": {"en": "cancel", "zh": "取消订单"},
    "modify_address": {"en": "change the shipping address", "zh": "修改收货地址"},
    "modify_payment": {"en": "change the payment method", "zh": "修改支付方式"},
    "modify_items": {"en": "change items to another option", "zh": "更换商品款式"},
    "return": {"en": "return items", "zh": "退货"},
    "exchange": {"en": "exchange items", "zh": "换货"},
}
def state_name(state: str, language: str) -> str:
    """An order status as stored ("pending"), in the reply's language."""
    return STATUS_ZH.get(state, state) if language == "zh" else state


def listing(items, language: str) -> str:
    """Items in a running list: "a, b, c", "a、b、c"."""
    return ("、" if language == "zh" else ", ").join(items)


def clauses(items, language: str) -> str:
    """Parts that each hold a list of their own: "a; b", "a；b"."""
    return ("；" if language == "zh" else "; ").join(items)


def sentences(parts, language: str) -> str:
    """Sentences one after another: a space between them in English, none in Chinese."""
    return ("" if language == "zh" else " ").join(parts)


# A kind of payment method, as the bot names it when the buyer has none of that kind.
PAYMENT_KINDS = {"gift_card": {"en": "a gift card", "zh": "礼品卡"}, "paypal": {"en": "a PayPal account", "zh": "PayPal 账户"},
                 "credit_card": {"en": "a credit card", "zh": "信用卡"}}  # fmt: skip


def product_name(name: str, language: str) -> str:
    """A product's name in the reply's language: the catalogue's Chinese name where known."""
    return ZH_NAMES.get(name, (name,))[0] if language == "zh" else name


def item_label(item: dict, language: str = "en") -> str:
    """An order line or variant as a buyer recognises it, options named with their values, in the
    reply's language (the catalogue's labels): "T-Shirt (color: black, size: XXL)", "T恤（颜色：黑色，尺码：XXL）"."""
    options = item.get("options") or {}
    if language == "zh":
        return f"{product_name(item['name'], 'zh')}（{options_label(options, 'zh')}）"
    return f"{item['name']} ({options_label(options, 'en')})"


def option_values(axis: str, values: list[str], language: str) -> str:
    """One option and the values it comes in: "color: black, white", "颜色：黑色、白色"."""
    if language == "zh":
        return f"{option_label(axis, 'zh')}：{'、'.join(value_label(v, 'zh', axis) for v in values)}"
    return f"{axis}: {', '.join(values)}"


def priced_line(line: dict, language: str) -> str:
    """An order line with what it cost: "T-Shirt (color: black): 19.99 USD"."""
    return f"{item_label(line, language)}{'：' if language == 'zh' else ': '}{line['price']:.2f} USD"


def item_list(order: dict, language: str) -> str:
    """An order's lines, each with its options: "T-Shirt (color: black, size: XXL); Mug (…)",
    "T恤（颜色：黑色，尺码：XXL）、杯子（…）" (English labels hold commas, so "; " between them)."""
    return ("、" if language == "zh" else "; ").join(item_label(i, language) for i in order["items"])


def payment_name(method: dict | None, language: str) -> str:
    """A payment method by its human name, never its internal id: "Visa credit card ending 1234"."""
    zh = language == "zh"
    if not method:
        return "原支付方式" if zh else "the original payment method"
    source = method.get("source")
    if source == "credit_card":
        brand = (method.get("brand") or "").title()
        four = method.get("last_four", "")
        return f"尾号 {four} 的 {brand} 信用卡" if zh else f"{brand} credit card ending {four}".strip()
    if source == "gift_card":
        balance = method.get("balance")
        money = "" if balance is None else (f"（余额 {balance:.2f} 美元）" if zh else f" (balance ${balance:.2f})")
        return f"礼品卡{money}" if zh else f"gift card{money}"
    if source == "paypal":
        return "PayPal 账户" if zh else "PayPal"
    return source or ("原支付方式" if zh else "the original payment method")


# How a buyer asks for an action on a named order, in words the intent patterns recognise.
# What the bot offers to do after answering whether it is possible ("I can cancel the order for you once…").
OFFERS = {
    "cancel": {"en": "cancel the order", "zh": "取消订单"},
    "return": {"en": "start the return", "zh": "办理退货"},
    "exchange": {"en": "arrange the exchange", "zh": "办理换货"},
    "modify_address": {"en": "change the address", "zh": "修改地址"},
    "modify_payment": {"en": "change the payment method", "zh": "修改支付方式"},
}
COMMANDS = {
    "cancel": {"en": "cancel", "zh": "取消"},
    "return": {"en": "return", "zh": "退货"},
    "modify_address": {"en": "change the address of", "zh": "修改地址"},
    "exchange": {"en": "exchange", "zh": "换货"},
}
REASONS = {"no longer needed": "不再需要", "ordered by mistake": "误下单"}  # the policy's own words (knowledge/demo/zh/cancellation.md)


def choice_label(choice: str, language: str) -> str:
    """A value the bot offers as a button (a reason, a variant's option values "black, XXL") as the
    buyer reads it: "不再需要", "黑色，XXL"."""
    if language != "zh":
        return choice
    if choice in REASONS:
        return REASONS[choice]
    return "，".join(value_label(v, "zh") for v in choice.split(", "))


def order_choice(status: dict, language: str) -> str:
    """One order in a short list to choose from: "#W… (Pending; Desk Lamp, Backpack)"."""
    sep = "、" if language == "zh" else ", "
    names = sep.join(dict.fromkeys(product_name(i["name"], language) for i in status["items"]))
    state = state_name(status["status"], language)
    return f"{status['order_id']}（{state}；{names}）" if language == "zh" else f"{status['order_id']} ({state}; {names})"


def money(amount: float, language: str) -> str:
    return f"{amount:.2f} 美元" if language == "zh" else f"${amount:.2f}"


def numbered(labels: list[str], language: str) -> str:
    """Choices as a numbered list the buyer can answer with a number ("1", "第一个") or the words."""
    return "\n".join(f"{n}. {label}" for n, label in enumerate(labels, 1))


def phrasebook(table: dict[str, dict[str, str]]):
    """``say(key, language, **values)`` for a table of {key: {"en": …, "zh": …}} templates."""

    def say(key: str, language: str, **values) -> str:
        return table[key][language].format(**values)

    return say


say = phrasebook(T)


def status_answer(status: dict, language: str) -> str:
    """From `get_order_status`'s result only."""
    sep = "、" if language == "zh" else ", "
    lines = [say("status", language, order_id=status["order_id"], status_text=status["status_text"][language])]
    if status["items"]:
        items = sep.join(item_label(i, language) for i in status["items"])
        lines.append(say("items", language, items=items))
    if status["tracking_ids"]:
        lines.append(say("tracking", language, tracking=sep.join(status["tracking_ids"])))
    if status["can"]:
        lines.append(say("can", language, actions=sep.join(ACTIONS[a][language] for a in status["can"])))
    return " ".join(lines)


# Each address field: its label in a confirmation, and its name when asked for (en, zh).
_ADDRESS_LABELS = {"address1": ("street", "街道"), "address2": ("unit", "单元"), "city": ("city", "城市"), "state": ("state/province", "省/州"),
                   "zip": ("zip", "邮编"), "country": ("country", "国家/地区")}  # fmt: skip
_ADDRESS_ASKED = {"address1": ("street and number", "街道门牌"), "address2": ("apartment or unit", "单元/房间"), "city": ("city", "城市"),
                  "state": ("state or province", "省/州"), "zip": ("zip or postal code", "邮编"), "country": ("country", "国家或地区")}  # fmt: skip


def address_field_asked(field: str, language: str) -> str:
    """An address field as the bot asks for it: "zip or postal code", "邮编"."""
    return _ADDRESS_ASKED[field][language == "zh"]


def address_fields(fields: dict, language: str) -> str:
    """An address with each field named: "street: 12 Oak St, city: Austin, state/province: TX, zip: 78701, country: USA"."""
    zh = language == "zh"
    parts = [f"{label[zh]}{'：' if zh else ': '}{fields[key]}" for key, label in _ADDRESS_LABELS.items() if fields.get(key)]
    return ("，" if zh else ", ").join(parts)


def describe_action(name: str, arguments: dict, language: str, order: dict | None = None) -> str:
    """The exact write, in words: what policy.md requires before asking for a yes. ``order``
    carries what the ids mean: the order's lines, "new_items" (labels of the new variants),
    "price_difference", "payment" (the payment method's record)."""
    zh = language == "zh"
    sep = "、" if zh else ", "
    order = order or {}
    order_id = arguments.get("order_id", "")
    method = payment_name(order.get("payment"), language) if "payment_method_id" in arguments and order.get("payment") else arguments.get("payment_method_id")
    if name == "cancel_pending_order":
        reason = REASONS.get(arguments["reason"], arguments["reason"]) if zh else arguments["reason"]
        return f"取消订单 {order_id}（原因：{reason}），款项原路退回" if zh else f"cancel order {order_id} (reason: {arguments['reason']}), refunding the payment to where it came from"
    if name in ("modify_pending_order_address", "modify_user_address"):
        address = address_fields(arguments, language)  # every field, named: the buyer checks each
        target = f"订单 {order_id} 的收货地址" if zh and order_id else "默认地址" if zh else f"the shipping address of order {order_id}" if order_id else "your default address"
        return f"将{target}改为 {address}" if zh else f"change {target} to {address}"
    if name == "modify_pending_order_payment":
        return f"将订单 {order_id} 的支付方式改为{method}" if zh else f"change the payment method of order {order_id} to your {method}"
    labels = {i["item_id"]: item_label(i, language) for i in order.get("items", [])}
    if name == "return_delivered_order_items":
        items = sep.join(labels.get(i, i) for i in arguments["item_ids"])
        return f"退回订单 {order_id} 中的 {items}，退款至{method}" if zh else f"return {items} from order {order_id}, refunding to your {method}"
    if name in ("exchange_delivered_order_items", "modify_pending_order_items"):
        new = order.get("new_items", {})
        new = new.get(language, {}) if set(new) <= {"en", "zh"} and new else new
        pairs = sep.join(f"{labels.get(old, old)} → {new.get(fresh, fresh)}" for old, fresh in zip(arguments["item_ids"], arguments["new_item_ids"]))
        difference = order.get("price_difference")
        money = "" if difference is None else (f"，差价 {difference:+.2f} 美元" if zh else f", price difference {difference:+.2f} USD")
        if name == "exchange_delivered_order_items":
            return (f"为订单 {order_id} 换货：{pairs}{money}，用{method}结算；您会收到寄回说明" if zh
                    else f"exchange in order {order_id}: {pairs}{money}, settled with your {method}; you will receive return instructions")  # fmt: skip
        return (f"修改订单 {order_id} 的商品：{pairs}{money}，用{method}结算（每个订单只能修改一次）" if zh
                else f"change items of order {order_id}: {pairs}{money}, settled with your {method} (an order's items can be changed only once)")  # fmt: skip
    return f"{name} {arguments}"
