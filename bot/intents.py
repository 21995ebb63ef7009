"""Deterministic routing for guided mode: what the user wants, and the ids and details they gave.

Small models cannot be trusted to pick tools or copy ids; these patterns can, in both languages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from knowledge.documents import detect_language

ORDER_ID = re.compile(r"#?\s?W\s?(\d{7})\b", re.IGNORECASE)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
NAME_ZIP_EN = re.compile(
    r"(?:i am|i'm|my name is|this is|name is|name:)\s+([A-Za-z][\w'-]*)\s+([A-Za-z][\w'-]*)\b.*?(?:zip|postal|postcode)?\D{0,20}?(\d{5,6})\b",
    re.IGNORECASE | re.DOTALL,
)
NAME_ZIP_ZH = re.compile(r"(?:我是|我叫|姓名[:：]?)\s*([A-Za-z][\w'-]*)\s+([A-Za-z][\w'-]*).*?(?:邮编|邮政编码)[:：是为\s]*(\d{5,6})", re.DOTALL)
US_ADDRESS = re.compile(
    r"(?<![\w#])(?P<address1>\d{1,6}\s[^,\n]+?),\s*(?:(?P<address2>(?:apt|apartment|suite|unit|#)[^,\n]*?),\s*)?"
    r"(?P<city>[A-Za-z][A-Za-z .'-]+?),\s*(?P<state>[A-Z]{2}),?\s+(?P<zip>\d{5})(?:,\s*(?P<country>[A-Za-z .]+))?",
    re.IGNORECASE,
)

HUMAN = re.compile(r"转人工|人工客服|找人工|真人|投诉|complain|human|real person|a person|live agent|speak to (?:an? )?(?:agent|someone)|talk to (?:an? )?(?:agent|someone|person)", re.IGNORECASE)
CANCEL = re.compile(r"\bcancel\b|取消", re.IGNORECASE)
RETURN = re.compile(r"\breturn(?:ing)?\b|\brefund\b|退货|退款|退掉", re.IGNORECASE)
EXCHANGE = re.compile(r"\bexchange\b|\bswap\b|\bswitch\b|\bchange\b.{0,40}?\b(?:to|for|into)\b|\bdifferent (?:size|colou?r)\b|"
                      r"换货|换成|换个|换一个|换一件|改成", re.IGNORECASE)
ADDRESS = re.compile(r"\baddress\b|\bship (?:it )?to\b|地址", re.IGNORECASE)
# The account's default address, not an order's: "change my default address", "把账户里的默认收货地址改一下".
DEFAULT_ADDRESS = re.compile(r"\bdefault (?:shipping |delivery )?address\b|\baccount(?:'s)? address\b|\baddress on (?:file|my account)\b|"
                             r"默认(?:收货)?地址|账[户号](?:里的|的)?(?:默认)?(?:收货)?地址", re.IGNORECASE)
CHANGE = re.compile(r"\bchange\b|\bupdate\b|\bmodify\b|\bset\b|\bnew\b|修改|改|更新|换", re.IGNORECASE)
STATUS = re.compile(r"status|where(?:'s| is)|track|arrive|deliver|shipped|到哪|物流|状态|发货|快递|进度|查询|订单", re.IGNORECASE)
MY_ORDERS = re.compile(
    r"(?:shop|store)(?:'s)? orders|orders (?:of|in|for) my (?:shop|store)|店铺.{0,8}订单|店里.{0,8}订单|"
    r"my (?:recent |last |latest )?(?:orders|purchases)|list (?:my )?orders|orders (?:do |did |have )?i (?:have|placed|made|got)|"
    r"what (?:did |have )?i (?:order|ordered|buy|bought)|所有订单|我的订单|订单列表|我(?:都|最近)?买了(?:什么|哪些)|我(?:都|最近)?下(?:过|了)(?:哪些|什么|几)",
    re.IGNORECASE,
)
# Questions about the assistant itself, asked before a request for a human is looked for: "Are you
# a human?" is a question, "I want a human" a request.
ABOUT_THE_BOT = re.compile(
    r"\bare you (?:an? )?(?:bot|robot|ai|human|real|person|machine)\b|\bwho are you\b|\bam i (?:talking|chatting) to\b|"
    r"你是(?:不是)?(?:机器人|真人|人工|ai|谁)|你们是(?:不是)?机器人|是机器人吗|是真人吗",
    re.IGNORECASE,
)
CONTACT = re.compile(
    r"\bcontact (?:customer )?(?:support|service|you|us)\b|\breach (?:customer )?(?:support|service|you)\b|customer (?:service|support) "
    r"(?:phone|number|email|hours)|\byour (?:phone|telephone) number\b|联系客服|客服电话|客服热线|客服邮箱|怎么联系(?:你们|客服)|联系方式",
    re.IGNORECASE,
)
# A message that is only a greeting, a thanks or a goodbye: answered in kind, not searched for.
_SMALL_TALK_END = r"[\s!！.。,，~～?？:)）😊🙏]*$"
SMALL_TALK = {
    "greeting": re.compile(r"^\s*(?:hi|hello|hey|hiya|good (?:morning|afternoon|evening)|greetings|你好|您好|嗨|哈喽|hello呀|在吗|在不在|有人吗)(?: there)?"
                           + _SMALL_TALK_END, re.IGNORECASE),
    "thanks": re.compile(r"^\s*(?:(?:ok(?:ay)?|great|perfect|好的)[\s,，!！.。]*)?(?:thanks?(?: (?:you|a lot|so much))?|thank you(?: very much| so much)?|thx|ty|"
                         r"many thanks|cheers|谢谢(?:你|您)?(?:啦|了)?|多谢|感谢|辛苦了)" + _SMALL_TALK_END, re.IGNORECASE),
    "goodbye": re.compile(r"^\s*(?:bye|goodbye|good bye|see you|再见|拜拜|bye bye)" + _SMALL_TALK_END, re.IGNORECASE),
}
REASON_NO_LONGER = re.compile(r"no longer need|don'?t need|not needed|changed my mind|不需要|不要了|不想要", re.IGNORECASE)
REASON_MISTAKE = re.compile(r"by mistake|mistaken|accident|wrong(?:ly)? order|买错|下错|拍错|误购", re.IGNORECASE)
GIFT_CARD = re.compile(r"gift ?card|礼品卡", re.IGNORECASE)
ORDER_NOUN = re.compile(r"\border\b|\bpackage\b|\bparcel\b|\bshipment\b|订单|包裹", re.IGNORECASE)
# "Where is my order?" is about the buyer's own orders; "How long after shipping does an order
# arrive?" (订单发货后多久能到？) is about the rule. A first-person order wins over a question form.
OWN_ORDER = re.compile(r"\bmy\b|\bmine\b|\bi (?:ordered|bought|placed|purchased)\b|我的|我(?:买|下|订)的|我买了|我下了", re.IGNORECASE)
RULE_QUESTION = re.compile(
    r"\bcan (?:i|you|we|an?)\b|\bhow (?:long|much|many|do|does|can|soon)\b|\bwhat (?:is|are|if|happens)\b|\bis it possible\b|"
    r"\bdo you\b|多久|多长时间|能不能|可不可以|可以吗|能.{0,8}吗|怎么|如何|是什么|一般",
    re.IGNORECASE,
)
TRACKING_NUMBER = re.compile(r"\btracking\b|快递单号|物流单号|运单号|单号", re.IGNORECASE)
# Which orders a merchant asks about: "pending orders", "待发货订单" (values as stored).
ORDER_STATES = {
    "pending": re.compile(r"\bpending\b|待发货|未发货|待处理", re.IGNORECASE),
    "processed": re.compile(r"\bprocessed\b|\bshipped\b|已发货|已处理", re.IGNORECASE),
    "delivered": re.compile(r"\bdelivered\b|已送达|已签收", re.IGNORECASE),
    "cancelled": re.compile(r"\bcancell?ed\b|已取消", re.IGNORECASE),
    "return requested": re.compile(r"\breturns?\b|退货", re.IGNORECASE),
    "exchange requested": re.compile(r"\bexchanges?\b|换货", re.IGNORECASE),
}
SOMETHING_BOUGHT = re.compile(r"\bsomething\b|\ban? item\b|\bitems\b|\bthings\b|东西|商品|宝贝", re.IGNORECASE)
# Asking for an action, not about the rule: "I want to cancel my order", not "Can I cancel an order?".
WANTS = re.compile(r"\bi (?:want|need|would like|'d like|wanna) to\b|\bplease\b|\bhelp me\b|我想|我要|帮我|请帮|麻烦", re.IGNORECASE)


@dataclass
class Intent:
    kind: str  # human | identify | cancel | return | exchange | modify_address | modify_user_address | status | my_orders | small_talk | question
    order_ids: list[str] = field(default_factory=list)
    email: str | None = None
    name_zip: tuple[str, str, str] | None = None
    reason: str | None = None
    address: dict | None = None
    refund_to_gift_card: bool = False
    small_talk: str | None = None  # greeting | thanks | goodbye, when that is all the message says
    action: str | None = None  # cancel | return | modify_address wanted on an order not yet named
    order_state: str | None = None  # the order status a message names ("pending orders", "待发货订单")
    text: str = ""  # the message as written (item names; option values such as size "S", case-sensitively)


def reply_language(text: str) -> str:
    """The language to answer in, judged without the order ids, emails and addresses in the
    message: "改成 12 Oak St, Austin, TX 78701" is Chinese."""
    words = US_ADDRESS.sub(" ", EMAIL.sub(" ", ORDER_ID.sub(" ", text)))
    return detect_language(words)


def detect(text: str) -> Intent:
    order_ids = [f"#W{digits}" for digits in dict.fromkeys(ORDER_ID.findall(text))]
    email = (EMAIL.search(text) or [None])[0]
    match = NAME_ZIP_EN.search(text) or NAME_ZIP_ZH.search(text)
    name_zip = (match.group(1), match.group(2), match.group(3)) if match and not email else None
    reason = "no longer needed" if REASON_NO_LONGER.search(text) else "ordered by mistake" if REASON_MISTAKE.search(text) else None
    address_match = US_ADDRESS.search(ORDER_ID.sub(" ", text))
    address = None
    if address_match:
        parts = address_match.groupdict()
        address = {"address1": parts["address1"].strip(), "address2": (parts["address2"] or "").strip(), "city": parts["city"].strip(),
                   "state": parts["state"].upper(), "country": (parts["country"] or "USA").strip(), "zip": parts["zip"]}  # fmt: skip

    action = None
    if not order_ids and WANTS.search(text):
        action = ("cancel" if CANCEL.search(text) else "return" if RETURN.search(text) else "exchange" if EXCHANGE.search(text)
                  else "modify_address" if ADDRESS.search(text) else None)  # fmt: skip

    small_talk = "about_bot" if ABOUT_THE_BOT.search(text) and len(text) <= 60 else None
    if small_talk:
        kind = "small_talk"
    elif HUMAN.search(text):
        kind = "human"
    elif CANCEL.search(text) and order_ids:
        kind = "cancel"
    elif RETURN.search(text) and order_ids:
        kind = "return"
    elif EXCHANGE.search(text) and order_ids and not ADDRESS.search(text):
        kind = "exchange"
    elif ADDRESS.search(text) and order_ids:
        kind = "modify_address"
    elif order_ids:
        kind = "status"
    elif DEFAULT_ADDRESS.search(text) and CHANGE.search(text):
        kind = "modify_user_address"
    elif (MY_ORDERS.search(text) or action and (ORDER_NOUN.search(text) or SOMETHING_BOUGHT.search(text))
          or ORDER_NOUN.search(text) and STATUS.search(text) and (OWN_ORDER.search(text) or not RULE_QUESTION.search(text))
          or TRACKING_NUMBER.search(text) and OWN_ORDER.search(text)):
        kind = "my_orders"
    elif email or name_zip:
        kind = "identify"
    else:
        kind = "question"
    if kind == "question":
        small_talk = next((name for name, pattern in SMALL_TALK.items() if pattern.match(text)), None)
        small_talk = small_talk or ("contact" if CONTACT.search(text) and len(text) <= 60 else None)
        kind = "small_talk" if small_talk else kind
    return Intent(kind, order_ids, email, name_zip, reason, address, refund_to_gift_card=bool(GIFT_CARD.search(text)), small_talk=small_talk,
                  action=action if kind == "my_orders" else None, text=text,
                  order_state=next((state for state, p in ORDER_STATES.items() if p.search(text)), None))  # fmt: skip
