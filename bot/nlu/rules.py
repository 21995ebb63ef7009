"""The deterministic command generator: one message (and what the bot is waiting for) → a Command.

Cue patterns (``bot.nlu.patterns``) say which intent; the catalogue's vocabulary says which items
and option values; rapidfuzz repairs typos in the cue words first ("cancle", "retrun",
"exhange"). What the bot is waiting for decides how a bare answer reads: "no longer needed"
after "why do you want to cancel?" is a reason, not a new request.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from bot.nlu import patterns as P
from bot.nlu.addresses import AddressReading, read_address
from bot.nlu.commands import AddressReference, OrderReference, ACTION_INTENTS, Address, Command, ItemSlot
from bot.nlu.cues import cue
from bot.nlu.options import read_options
from bot.nlu.ordering import asks_ranking
from bot.nlu.places import is_place
from bot.nlu.references import read_address_reference, read_order_reference
from bot.nlu.requests import split_requests
from bot.nlu.similarity import Guess, IntentExamples, default_examples
from bot.nlu.vocabulary import Vocabulary
from knowledge.documents import detect_language

# Cue words whose misspellings are repaired before matching (English; Chinese input methods do not misspell).
_CUE_WORDS = ["cancel", "return", "refund", "exchange", "address", "order", "orders", "status", "tracking", "delivered", "shipped",
              "confirm", "change", "modify", "payment", "replace", "package", "everything", "except", "instead", "human", "history",
              "processed", "pending", "purchase"]  # fmt: skip
_KNOWN = frozenset(_CUE_WORDS) | frozenset(
    "can cancelled canceled return's ordered order's changes changed chance charge range orange modified chair process deliver delivery "
    "deliveries shipping shipment humans humane others border".split()
)  # fmt: skip


_CJK_SCRIPT = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class Context:
    """What the understanding step may know besides the message."""

    principal_kind: str = "anonymous"  # anonymous | buyer | merchant | operator
    waiting_for: str | None = None  # the slot the bot asked for: order_id | reason | address | items | options | payment | confirmation
    has_focus_order: bool = False  # an order is under discussion ("cancel it")
    has_focus_product: bool = False  # a product was just shown to a shopper ("anything cheaper?")


_WORD_LETTER = re.compile(r"[A-Za-z\u3400-\u9fff]")


def reply_language(text: str, earlier: Sequence[str] = ()) -> str:
    """The language to answer in, judged without the order ids, emails and addresses in the
    message: "改成 12 Oak St, Austin, TX 78701" is Chinese. A message without words ("1",
    "#W2378156", "78701") answers in the language of the buyer's last message that had some
    (``earlier``, oldest first)."""
    words = P.EMAIL.sub(" ", P.ORDER_ID.sub(" ", text))
    if (span := _address_span(words)) is not None and _CJK_SCRIPT.search(words[span[0]:span[1]]) is None:
        words = words[: span[0]] + " " + words[span[1]:]  # a Latin address says nothing of the buyer's language
    if not _WORD_LETTER.search(words):
        before = next((t for t in reversed(earlier) if _WORD_LETTER.search(P.EMAIL.sub(" ", P.ORDER_ID.sub(" ", t)))), None)
        if before is not None:
            return reply_language(before)
    return detect_language(words)


def protected_spans(text: str) -> list[tuple[int, int]]:
    """Where typo repair must not touch: emails, order ids, addresses, zip codes and the name a
    buyer gives ("I'm Wei Huang": "Huang" is a surname, not a misspelt "human")."""
    spans = [m.span() for pattern in (P.EMAIL, P.ORDER_ID) for m in pattern.finditer(text)]
    spans += [span] if (span := _address_span(text)) is not None else []
    spans += [m.span("name") for m in P.NAME_INTRO.finditer(text)]
    spans += [m.span() for m in re.finditer(r"\b\d[\w-]*\b", text)]  # zips, house numbers, postcodes
    bare = P.NAME_ZIP_BARE.match(text)
    if bare:
        spans.append((bare.start(1), bare.end(2)))
    return spans


def repair_typos(text: str) -> str:
    """Misspelt cue words replaced by the word meant ("I want to cancle my oder" → cancel, order),
    outside the protected spans (``protected_spans``)."""
    spans = protected_spans(text)

    def fix(match: re.Match) -> str:
        word = match.group(0)
        lower = word.lower()
        if len(lower) < 5 or lower in _KNOWN or any(start <= match.start() < end for start, end in spans):
            return word
        best = process.extractOne(lower, _CUE_WORDS, scorer=fuzz.ratio, score_cutoff=80)
        return best[0] if best else word

    return re.sub(r"[A-Za-z]+", fix, text)


def offered_action(command: Command) -> str | None:
    """The action a general question asks whether it is possible ("Can I cancel my order?",
    "地址填错了还能改吗？"): what the bot can offer to do once it has answered. None otherwise."""
    if not P.ASKS_POSSIBLE.search(command.text):
        return None
    return next((action for action, pattern in P.OFFERABLE.items() if pattern.search(command.text)), None)


def dialogue_act(text: str) -> str | None:
    """"question" (about what is possible, how long, how much…), "request" (to act), or None."""
    if P.REQUEST_CUE.search(text):
        return "request"
    if P.GENERAL_QUESTION.search(text) or text.rstrip().endswith(("?", "？")):
        return "question"
    return None


def confirmation_of(text: str) -> str | None:
    """yes | no | yes_but (a yes with a condition or another request: not a confirmation) | None."""
    hesitation = P.FILLER.match(text)
    if hesitation and (P.NO_START.match(text[hesitation.end():]) or not P.YES_ZH.match(text)):
        text = text[hesitation.end():]  # "hmm no, don't do it" refuses; "嗯嗯好的" stays a yes
    if P.YES_ZH.match(text) or cue("DO_IT").match(text):
        return "yes"
    if P.YES_START.match(text):
        rest = re.findall(r"[a-z']+", text.lower())
        return "yes" if all(word in P.YES_WORDS for word in rest) else "yes_but"
    if re.match(r"^\s*(?:是的?|好的?|好吧|可以|确认|对|行|嗯+|没问题|没错)[,，]", text):
        return "yes_but"  # "好的，不过……" / "是的，另外……"
    if P.NO_START.match(text):
        return "no"
    return None


# A name anywhere in a message with a zip code: "hey, Mei Kovacs here, zip 28236", "Sofia Li, San
# Antonio, 78260", "你好，我报一下信息哈：Yusuf Rossi，邮编19122". Two capitalised words that are
# not a place or a greeting, the first such pair; the zip a lone 5–6 digit number.
_ZIP = re.compile(r"(?<![\d#A-Za-z])(\d{5,6})(?!\d)")
_ZIP_CUE = re.compile(r"\bzip\b|\bpostal\b|\bpost ?code\b|邮编|邮政编码", re.IGNORECASE)
_NOT_NAMES = frozenset("hi hey hello hiya yes yeah ok okay thanks thank dear good morning afternoon evening order orders zip my the it's its "
                       "i'm im this that sorry please name email big apple".split())  # fmt: skip


def _name_zip_anywhere(text: str, address_given: bool) -> tuple[str, str, str] | None:
    zips = _ZIP.findall(text)
    if len(set(zips)) != 1 or address_given and not _ZIP_CUE.search(text):
        return None  # an address change carries its own zip
    words = list(re.finditer(r"(?<![A-Za-z'-])[A-Za-z][a-z'-]*", text))
    for left, right in zip(words, words[1:]):
        first, last = left.group(0), right.group(0)
        if not (first[0].isupper() and last[0].isupper()) or not re.fullmatch(r"[\s]+", text[left.end():right.start()]):
            continue
        if first.lower() in _NOT_NAMES or last.lower() in _NOT_NAMES or is_place(f"{first} {last}"):
            continue
        return first, last, zips[0]
    return None


def _plausible_name(name_zip: tuple[str, str, str]) -> bool:
    """"I'm in Seattle, zip 98193" gives no name: a place or a little word is not one."""
    first, last, _ = name_zip
    return not (first.lower() in _LITTLE_WORDS or is_place(f"{first} {last}"))


_LITTLE_WORDS = frozenset("in from at a an the not here calling looking trying going just so very also still living based".split())


@lru_cache(maxsize=256)
def _reading(text: str) -> AddressReading | None:
    """One message's address, read once: the language, typo repair, item reading and the address
    slot all ask for it."""
    return read_address(text)


def _address(text: str) -> tuple[Address | None, dict | None]:
    """The address the message gives (bot.nlu.addresses: usaddress, cpca, pycountry): complete, or
    the fields read with what is missing (asked for, never guessed)."""
    reading = _reading(text)
    if reading is None:
        return None, None
    if reading.complete:
        return Address(**reading.as_dict()), None
    return None, {"fields": reading.fields, "missing": reading.missing, "problems": reading.problems}


def _address_span(text: str) -> tuple[int, int] | None:
    reading = _reading(text)
    return (reading.start, reading.end) if reading is not None and reading.end > reading.start else None


def _reason(text: str) -> str | None:
    if P.REASON_NO_LONGER.search(text):
        return "no longer needed"
    if P.REASON_MISTAKE.search(text):
        return "ordered by mistake"
    return None


def _payment(text: str) -> str | None:
    """The payment method named first, leaving out the one replaced ("my card instead of PayPal")."""
    found = []
    for kind, pattern in (("original", P.ORIGINAL_PAYMENT), ("gift_card", P.GIFT_CARD), ("paypal", P.PAYPAL), ("credit_card", P.CREDIT_CARD)):
        for m in pattern.finditer(text):
            replaced = re.search(r"(?:instead of|rather than|not|paid (?:with|by|using)|而不是|不用|不要|别用|别再用)\s*(?:my |the |a |an |用)?\s*$", text[max(0, m.start() - 16):m.start()], re.IGNORECASE)
            if not replaced:
                found.append((m.start(), kind))
    return min(found)[1] if found else None


def read_items(text: str, vocabulary: Vocabulary, wants_change: bool) -> tuple[list[ItemSlot], list[ItemSlot]]:
    """The items a message names, and those it excludes ("everything except the tablet"), each
    with the option values that describe it and, for a change, the values wanted instead."""
    blank = lambda m: " " * len(m.group(0))  # noqa: E731 (keeps positions)
    clean = P.EMAIL.sub(blank, P.ORDER_ID.sub(blank, text))
    if (span := _address_span(clean)) is not None:
        clean = clean[: span[0]] + " " * (span[1] - span[0]) + clean[span[1]:]
    mentions = vocabulary.mentions(clean)
    named, excluded = [], []
    except_at = next((m.start() for m in P.EXCEPT.finditer(clean)), None)
    for n, (start, end, words, products) in enumerate(mentions):
        stop = mentions[n + 1][0] if n + 1 < len(mentions) else len(clean)
        begin = mentions[n - 1][1] if n else 0
        # The words before the name since the last separator describe it ("the black earbuds").
        head = re.split(r"[,，;；。?？!！]|\.(?:\s|$)|\s[-–—]+\s|\band\b|和|还有", clean[begin:start], flags=re.IGNORECASE)[-1]
        tail = clean[end:stop]
        if P.KEEP.search(head + " " + re.split(r"[,，;；。?？!！]|\.(?:\s|$)|\s[-–—]+\s|\band\b|\bbut\b|和|但", tail)[0]) or P.NOT_THIS_ITEM.search(head):
            continue  # "keep the backpack", "背包留着", "…, not the skateboard": not part of the request
        # …and the words after it, up to the next item, say what is wanted instead ("… for the blue ones").
        direction = P.DIRECTION.search(tail) if wants_change else None
        instead_of = re.search(r"\binstead of\b|\brather than\b|而不是", tail, re.IGNORECASE) if wants_change else None
        if instead_of:  # "in large instead of medium": wanted first, what was bought after
            described_text, wanted_text = head + " " + tail[instead_of.end():], tail[: instead_of.start()]
        elif direction and direction.group(0).lower() == "instead":
            # "the keyboard I got is clicky, want a linear one instead": what it is, then what is wanted
            wanted_at = P.WANT_VERB.search(tail)
            described_text, wanted_text = (head + " " + tail[: wanted_at.start()], tail[wanted_at.start():]) if wanted_at else (head, tail)
        else:
            described_text = head + " " + (tail[: direction.start()] if direction else ("" if wants_change else tail))
            wanted_text = tail[direction.start():] if direction else (tail if wants_change else "")
            if wants_change and not direction and head.strip():
                described_text, wanted_text = "", head + " " + tail
        slot = ItemSlot(product=products[0] if len(products) == 1 else None, mention=words)
        if len(products) == 1:
            terms = vocabulary.products[products[0]]
            if wants_change:
                options = read_options(wanted_text, terms)
                slot.want, slot.avoid, slot.prefer = options.want, options.avoid, options.rank
            slot.described = read_options(described_text, terms, prefer=set(slot.want)).want
        (excluded if except_at is not None and start > except_at else named).append(slot)
    named = _one_slot_per_product(named)
    if wants_change and (same := cue("SAME_AS").search(clean)) is not None and not cue("AS_IT_IS").search(same.group(0)):
        # "change the grill to the same type as the one I already received": options copied from another line the buyer owns.
        counts = {p: sum(1 for m in mentions if p in m[3]) for p in {s.product for s in named if s.product}}
        for slot in named:
            if len(named) == 1 or counts.get(slot.product, 0) > 1:
                slot.same_as_other = True
    return named, excluded


def _one_slot_per_product(slots: list[ItemSlot]) -> list[ItemSlot]:
    """A product named twice ("the vacuum…, the vacuum is the canister one") is one item, described by both mentions."""
    merged: list[ItemSlot] = []
    for slot in slots:
        same = next((m for m in merged if slot.product and m.product == slot.product), None)
        if same is None:
            merged.append(slot)
            continue
        same.described = {**same.described, **slot.described}
        same.want, same.avoid = {**same.want, **slot.want}, {**same.avoid, **slot.avoid}
        same.prefer = same.prefer + [p for p in slot.prefer if p not in same.prefer]
    return merged


def _shopping(text: str, items: list[ItemSlot], context: Context, acting_on_order: bool) -> str | None:
    """product_search | product_compare | product_alternatives for a question about the catalogue
    (no order, no rule of the shop's in it), else None."""
    if acting_on_order or P.POLICY_TOPIC.search(text) or P.PEOPLE.search(text):
        return None
    named = len({i.product for i in items if i.product})
    if P.PRODUCT_COMPARE.search(text) and (named >= 2 or named == 1 and context.has_focus_product):
        return "product_compare"
    if P.PRODUCT_ALTERNATIVE.search(text) and (named or context.has_focus_product):
        return "product_alternatives"
    if P.PRODUCT_ASK.search(text) or named and (_price_cap(text) is not None or P.PRODUCT_ASK_NAMED.search(text)):
        return "product_search"
    return None


def _shop_question(text: str, context: Context) -> str | None:
    """shop_copy | shop_reviews | shop_stock | shop_summary for a merchant's question about its shop."""
    if context.principal_kind != "merchant":
        return None
    for intent, pattern in (("shop_copy", P.SHOP_COPY), ("shop_reviews", P.SHOP_REVIEWS), ("shop_stock", P.SHOP_STOCK), ("shop_summary", P.SHOP_SUMMARY)):
        if pattern.search(text):
            return intent
    return "shop_summary" if P.SHOP_OVERVIEW.search(text) and not P.ORDER_NOUN.search(text) else None


def _price_cap(text: str) -> float | None:
    match = P.PRICE_CAP.search(text)
    return float(next(g for g in match.groups() if g)) if match else None


_PACKAGED = object()


def _guess(text: str, context: Context, rule_question: bool, examples: IntentExamples | None) -> Guess | None:
    if examples is None:
        return None
    return examples.guess(text, examples.allowed(context.principal_kind, context.waiting_for, rule_question))


def _asked(pattern: re.Pattern, text: str) -> re.Match | None:
    """The first match of an action word that asks for it: not "please don't cancel any orders", "订单都不要取消"."""
    return next((m for m in pattern.finditer(text) if not cue("NOT_ACTION").search(text[max(0, m.start() - 24):m.start()])), None)


_ADDRESS_INTENTS = ("modify_address", "modify_user_address")


def _same_address_as(command: Command, requests: list[Command]) -> Command:
    """"Change that order's address to my new home, and my default address too": a later address
    request with no address of its own takes the one the message gave."""
    if command.intent not in _ADDRESS_INTENTS or command.address or command.address_ref or command.address_partial:
        return command
    given = next((c for c in requests if c is not command and c.intent in _ADDRESS_INTENTS and (c.address or c.address_ref)), None)
    return command.model_copy(update={"address": given.address, "address_ref": given.address_ref}) if given else command


def _amount(match: re.Match | None) -> float | None:
    return float(next(g for g in match.groups() if g)) if match else None


def _came_with(text: str, vocabulary: Vocabulary) -> list[str]:
    """Products named only to say which order ("the backpack that came with the vacuum cleaner", "跟吸尘器一起买的背包")."""
    found = []
    for start, end, _, products in vocabulary.mentions(text):
        if len(products) == 1 and (cue("CAME_WITH").search(text[max(0, start - 40):start])
                                   or cue("CAME_WITH_BEFORE").search(text[max(0, start - 6):start]) and cue("CAME_WITH_AFTER").search(text[end:end + 12])):  # fmt: skip
            found.append(products[0])
    return found


def _order_named_by_item(text: str, vocabulary: Vocabulary) -> str | None:
    """A product said as the name of an order ("the luggage set order", "平板那个订单"), with "same
    as"/"on"/"跟…一样" around it: the order whose address is meant."""
    if not (cue("SAME_AS").search(text) or re.search(r"\b(?:on|from|in) the \w+(?: \w+)? order\b", text, re.IGNORECASE)):
        return None
    for start, end, _, products in vocabulary.mentions(text):
        if len(products) == 1 and re.match(r"\s*(?:order\b|(?:那个|那|的)?(?:订单|单子)|那单)", text[end:end + 8], re.IGNORECASE):
            return products[0]
    return None


def _only_negated_actions(text: str) -> bool:
    """Action words, each of them negated: "don't cancel it", "订单都不要取消"."""
    patterns = (P.CANCEL, P.RETURN, P.EXCHANGE)
    return any(p.search(text) for p in patterns) and not any(_asked(p, text) for p in patterns)


def understand(text: str, vocabulary: Vocabulary, context: Context | None = None, examples: IntentExamples | None | object = _PACKAGED) -> Command:
    """``examples``: the labelled messages a message no cue reads is compared with (default the
    packaged ones; None: cue patterns only). Several requests in one message: the first, with
    the others in ``then`` (bot.nlu.requests)."""
    context = context or Context()
    pieces = split_requests(text) if context.waiting_for != "confirmation" else [text]
    if len(pieces) > 1:
        commands = [_understand_one(piece, vocabulary, context, examples) for piece in pieces]
        actions = [c for c in commands if c.intent in ACTION_INTENTS]
        # The same request said in two breaths ("地址写错了，改成 …") is one; enumerated ones ("1）… 2）…") are several.
        if len(actions) > 1 and (len({c.intent for c in actions}) > 1 or cue("ENUMERATION").search(text)):
            first = commands[0] if commands[0].intent in ACTION_INTENTS else actions[0]
            found = {k: v for c in commands for k, v in (("email", c.email), ("name_zip", c.name_zip)) if v}  # identity said anywhere
            rest = [c.model_copy(update={"otherwise": bool(cue("OTHERWISE").search(c.text))}) for c in actions if c is not first]
            rest = [_same_address_as(c, [first, *rest]) for c in rest]
            return first.model_copy(update={**found, "then": rest})
    return _understand_one(text, vocabulary, context, examples)


def _understand_one(text: str, vocabulary: Vocabulary, context: Context, examples: IntentExamples | None | object) -> Command:
    raw = text
    text = repair_typos(text)
    order_ids = [f"#W{digits}" for digits in dict.fromkeys(P.ORDER_ID.findall(text))]
    email = (P.EMAIL.search(text) or [None])[0]
    match = P.NAME_ZIP_EN.search(text) or P.NAME_ZIP_ZH.search(text) or P.NAME_ZIP_BARE.match(text)
    name_zip = (match.group(1), match.group(2), match.group(3)) if match and not email else None
    address, address_partial = _address(text)
    if name_zip is not None and not _plausible_name(name_zip):
        name_zip = None
    if name_zip is None and not email and context.principal_kind == "anonymous":
        name_zip = _name_zip_anywhere(text, address is not None or address_partial is not None)
    reason = _reason(text)
    payment = _payment(text)
    confirmation = confirmation_of(text)
    do_it = cue("DO_IT").match(text) is not None and context.waiting_for != "confirmation"
    if do_it:
        confirmation = None  # "那就取消吧" with nothing waiting: the action itself, on the order under discussion
    bare_answer = confirmation if confirmation in ("yes", "no") else None  # kept for "nothing to confirm"
    if confirmation == "no" and context.waiting_for != "confirmation":
        confirmation = None  # "不需要了" answering "why cancel?" is a reason, not a refusal
    elif confirmation == "no":
        reason = None  # "不用了" answering "shall I go ahead?" refuses; it gives no reason
    # "No, the other order" / "不对，要白色的" corrects; "no" / "no, stop" / "nope, leave it" alone declines.
    remainder = P.CORRECTION.sub("", text, count=1).strip(" ,，.。!！") if P.CORRECTION.match(text) else ""
    correction = (bool(remainder) and confirmation != "yes" and context.waiting_for is not None and not P.NO_START.match(remainder)
                  and not P.DECLINE_REST.search(remainder) and not P.RULE_QUESTION.search(remainder))  # fmt: skip
    other = bool(P.OTHER.search(text))
    order_state = next((state for state, p in P.ORDER_STATES.items() if p.search(text)), None)

    wants = P.WANTS.search(text)
    act = dialogue_act(text)
    # A general question about what is possible is about the rule even when it says "my order"
    # ("Can I pay for my order with two cards?"); a question about a named order, or its state, is not.
    general = act == "question" and not order_ids and not email and not name_zip and not P.OWN_STATUS.search(text)
    rule_question = (P.RULE_QUESTION.search(text) or general) and not order_ids and (not P.OWN_ORDER.search(text) or P.HYPOTHETICAL.search(text) or general)
    cancel, ret = _asked(P.CANCEL, text), _asked(P.RETURN, text)
    exchange = _asked(P.EXCHANGE, text)
    modify_items = P.MODIFY_ITEMS.search(text)
    address_given = address is not None or address_partial is not None
    # "Ship it to my default address" changes the order's address (with a value of the buyer's
    # own); "change my default address to …" changes the account's.
    to_own_address = bool(cue("TO_OWN_ADDRESS").search(text))
    order_address = (P.ADDRESS.search(text) or address_given and order_ids) and (not P.DEFAULT_ADDRESS.search(text) or to_own_address)
    payment_change = P.PAYMENT_CHANGE.search(text) and not ret and not (exchange and vocabulary.mentions(text))
    # "I'd like a bigger one", "换个容量最大的": a ranking asks for another variant.
    # …but "return the cheaper one" says which of the buyer's items, not which variant to get.
    ranked = asks_ranking(text) and (act != "question" or bool(P.WANTS.search(text))) and not ret and not P.PRODUCT_ALTERNATIVE.search(text)
    if ret and modify_items and not exchange and modify_items.group(0).lower() == "instead":
        modify_items = None  # "return the more expensive one instead": still a return
    wants_change = ((bool(exchange or modify_items or ranked) or correction and bool(P.WANT_VERB.search(text)) and not ret)
                    and not cancel and not order_address and not payment_change)  # fmt: skip
    items, except_items = read_items(text, vocabulary, wants_change)
    all_items = bool(P.ALL_ITEMS.search(text)) or bool(except_items)
    rule_question = rule_question and not items and not (context.has_focus_order and P.REFERS_TO_IT.search(text))
    # "Can I cancel just the skateboard?": whether a part of an order can be cancelled is the policy's to answer.
    rule_question = rule_question or bool(act == "question" and P.ASKS_POSSIBLE.search(text) and cue("ONLY").search(text) and P.CANCEL.search(text))
    about_an_order = bool(order_ids or items or P.IMPERATIVE.search(text) or do_it and context.has_focus_order or context.has_focus_order and P.REFERS_TO_IT.search(text)
                          or wants and act != "question" or all_items or P.OWN_ORDER.search(text) or other or confirmation == "yes_but")  # fmt: skip
    acting = about_an_order and not rule_question

    small_talk = "about_bot" if P.ABOUT_THE_BOT.search(text) and len(text) <= 60 else None
    # Not while a change waits for a yes: "no, that's ridiculous, don't" refuses the change first.
    # "I want to complain" is one; "how long does a complaint take?" is a question about them.
    complaint = context.waiting_for != "confirmation" and bool(P.COMPLAINT.search(text) or P.COMPLAIN_WORD.search(text) and act != "question")
    # Questions about the people and how to reach them are the knowledge base's to answer, not a handoff or a guess.
    about_people = bool(P.STAFF.search(text)) and bool(P.HUMAN_INFO.search(text) or P.CONTACT_DETAIL.search(text)) and act == "question"
    intent = "question"
    shop_question = _shop_question(text, context) if not order_ids else None
    if small_talk:
        intent = "small_talk"
    elif shop_question:
        intent = shop_question  # a merchant's "what do buyers complain about?" is about reviews, not a request for a human
    elif complaint and not (acting and (cancel or ret or exchange or modify_items or order_address or payment_change)):
        # Frustration or a complaint: an apology and a person (flows/handoff.py). "…terrible quality,
        # I want to return both" asks for the return: the flow does it.
        intent = "human"
    elif P.HUMAN.search(text) and not about_people:
        intent = "human"  # "when are your human agents available?" is a question about them
    elif confirmation in ("yes", "no") and context.waiting_for == "confirmation" and not correction:
        intent = "confirm" if confirmation == "yes" else "decline"
    elif context.principal_kind == "merchant" and (P.MY_ORDERS.search(text) or P.ORDER_NOUN.search(text) or order_state or P.SHOP.search(text)) and not order_ids:
        intent = "shop_orders"  # a merchant acts on no order: a question about orders is about the shop's
    elif correction and context.waiting_for and not order_ids:
        intent = "inform"  # "不是这个，要退的是那件红色的" repairs the answer the bot asked for
    elif cancel and acting:
        intent = "cancel"
    elif ret and acting and not wants_change:
        intent = "return"
    elif order_address and (acting or to_own_address) and (order_ids or P.CHANGE.search(text) or address_given or to_own_address):
        intent = "modify_address"
    elif P.DEFAULT_ADDRESS.search(text) and (P.CHANGE.search(text) or address_given) and not rule_question:
        intent = "modify_user_address"
    elif payment_change and (acting or P.CHANGE.search(text) or payment) and not rule_question:
        intent = "modify_payment"
    elif (exchange or (modify_items or ranked) and items) and acting:
        intent = "exchange"  # another variant: an exchange once delivered, an item change while pending (the flow decides)
    elif order_ids and context.waiting_for == "order_id" and not P.STATUS.search(P.ORDER_ID.sub(" ", text)):
        intent = "inform"  # "#W1234567" after "which order?"
    elif context.waiting_for and not order_ids and (address_given or reason or payment or items or other or all_items or correction):
        intent = "inform"  # the answer to what the bot asked
    elif shopping := _shopping(text, items, context, acting_on_order=bool(
            order_ids or email or name_zip or cancel or ret or exchange or modify_items or order_address or payment_change or P.IMPERATIVE.search(text)
            or P.OWN_PURCHASE.search(text) or context.has_focus_order and P.REFERS_TO_IT.search(text))):  # fmt: skip
        intent = shopping  # a question about the catalogue, before anything is ordered
    elif order_ids:
        intent = "status"
    elif not rule_question and (P.MY_ORDERS.search(text) or P.ORDER_NOUN.search(text) and P.STATUS.search(text) and (P.OWN_ORDER.search(text) or not P.RULE_QUESTION.search(text))
          or P.TRACKING_NUMBER.search(text) and P.OWN_ORDER.search(text)):  # fmt: skip
        intent = "my_orders"
    elif email or name_zip:
        intent = "identify"
    elif reason and context.has_focus_order:
        intent = "cancel"  # "I no longer need it", about the order under discussion
    asks = None
    if (context.principal_kind == "buyer" and act == "question" and intent in ("question", "cancel", "status", "my_orders") and P.ASKS_POSSIBLE.search(text)
            and cue("ONLY").search(text) and cue("CANCEL_PART").search(text) and (items or P.ORDER_NOUN.search(text) or context.has_focus_order)):  # fmt: skip
        # "Can I remove just the jacket from my pending order?": answered from that order (bot/flows/my_data.py).
        intent, asks = "my_data", "cancel_part"
    if intent in ("question", "status", "my_orders", "product_search") and act == "question" and context.principal_kind == "buyer":
        # "Which card did I pay with?", "礼品卡还剩多少？", "is the camera I bought 10x zoom?": from the buyer's own data.
        asks = "payment" if cue("ASKS_PAYMENT").search(text) else "balance" if cue("ASKS_BALANCE").search(text) else (
            "item" if items and cue("ASKS_ITEM").search(text) else None)  # fmt: skip
        intent = "my_data" if asks else intent
    if intent == "question":
        small_talk = next((name for name, pattern in P.SMALL_TALK.items() if pattern.match(text)), None)
        # "how do I contact support?" gets the fixed answer; "what's your phone number?" the knowledge base's.
        small_talk = small_talk or ("contact" if P.CONTACT.search(text) and len(text) <= 60 and not P.CONTACT_DETAIL.search(text) else None)
        intent = "small_talk" if small_talk else intent
    if intent == "question" and context.waiting_for is None and _only_negated_actions(text):
        intent, small_talk = "small_talk", "leave_it"  # "ok, then leave that order alone. Don't cancel it."
    if intent == "question" and bare_answer and context.waiting_for is None and not rule_question:
        intent, small_talk = "small_talk", "clarify"  # a stray "yes" / "好的" / "no thanks": nothing waits for it
    if intent == "question" and not P.NAMES_AN_ID.search(text) and not about_people and not (bare_answer and context.waiting_for):
        guessed = _guess(text, context, bool(rule_question), default_examples() if examples is _PACKAGED else examples)
        if guessed is not None:
            intent, small_talk = guessed.intent, guessed.small_talk
            confirmation = {"confirm": "yes", "decline": "no"}.get(intent, confirmation)
    if intent == "small_talk":
        confirmation = None
    if intent != "shop_orders":
        order_state = None
    if intent in ("cancel", "return", "exchange", "modify_items", "modify_address", "modify_payment") and not order_ids:
        action = intent
    else:
        action = None
    if intent == "my_orders" and wants:
        # "I want to … my order" with an action word the intents above did not take (rare): keep it.
        action = next((a for a, p in (("cancel", P.CANCEL), ("return", P.RETURN), ("exchange", P.EXCHANGE), ("modify_address", P.ADDRESS))
                       if p.search(text)), None)  # fmt: skip
    max_price = _price_cap(text) if intent.startswith("product_") else None
    copy_language = ("zh" if P.COPY_ZH.search(text) else "en" if P.COPY_EN.search(text) else None) if intent == "shop_copy" else None
    tone = next((t for t, p in P.TONE.items() if p.search(text)), None) if intent == "shop_copy" else None
    span = _address_span(text)
    # The order meant is described before "the same as …"; what follows describes the other one.
    same_as = cue("SAME_AS").search(text)
    described = text[: same_as.start()] if same_as else text
    order_ref = read_order_reference(described, bool(order_ids), span) if context.principal_kind != "merchant" else None
    address_ref = None
    if address is None and address_partial is None and intent in ("modify_address", "modify_user_address", "inform"):
        # "Change my default address to her Chicago address": the value is said after what changes.
        changed = P.DEFAULT_ADDRESS.search(text) if intent == "modify_user_address" else None
        value_text = text[changed.end():] if changed else text
        address_ref = read_address_reference(value_text)
        if address_ref is not None and address_ref.source == "default" and not to_own_address:
            address_ref = None  # "change my default address" names what changes, not the value
        if (address_ref is None or address_ref.source == "order" and not address_ref.order_id and not address_ref.place) and (
                source := _order_named_by_item(value_text, vocabulary)) is not None:  # fmt: skip
            # "same as the luggage set order", "就跟平板那个订单的地址一样": the address on the order holding it.
            address_ref = AddressReference(source="order", product=source)
            items = [i for i in items if i.product != source]
    price_below = price_at_least = None
    if intent in ACTION_INTENTS:
        # "If it's under $200, exchange mine for it; if it's $200 or more, return mine": each holds at its price.
        price_below = _amount(cue("PRICE_BELOW").search(text))
        price_at_least = _amount(cue("PRICE_AT_LEAST").search(text))
    if companions := _came_with(text, vocabulary):
        # "the backpack that came with the vacuum cleaner": the vacuum says which order, it is not returned.
        items = [i for i in items if i.product not in companions] or items
        order_ref = (order_ref or OrderReference()).model_copy(update={"with_products": companions})
    if address_ref is not None and address_ref.order_id in order_ids:
        order_ids = [o for o in order_ids if o != address_ref.order_id]  # the order whose address is copied is not the one changed
    if address_ref is not None and (address_ref.order_id or address_ref.product) and other:
        order_ref = None  # "another order … same as the luggage order": the words describe the order copied from
    return Command(intent=intent, order_ids=order_ids, order_ref=order_ref, address_ref=address_ref, asks=asks, items=items, all_items=all_items, except_items=except_items, other=other,
                   reason=reason, address=address, address_partial=address_partial, payment=payment, email=email, name_zip=name_zip,
                   confirmation=confirmation, correction=correction, order_state=order_state, small_talk=small_talk,
                   action=action, max_price=max_price, copy_language=copy_language, tone=tone, complaint=bool(complaint and intent == "human"),
                   act=act, price_below=price_below, price_at_least=price_at_least, text=raw)  # fmt: skip
