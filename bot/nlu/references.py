"""What a message says *about* an order or a value instead of citing it: "my Denver order", "the
pending one with four items", "my most recent order", "I think it's #W…, not sure" (an
``OrderReference``); "my default address", "the New York address on my other order" (an
``AddressReference``). Reading only: ``bot.references`` matches them against the buyer's data."""

from __future__ import annotations

import re

from bot.nlu import patterns as P
from bot.nlu.commands import AddressReference, OrderReference
from bot.nlu.cues import cue
from bot.nlu.places import places_named

_NUMBERS = {"one": 1, "single": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
            "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}  # fmt: skip
# Status words that describe an order (not the actions "return"/"exchange", which are requests).
_DESCRIBING_STATES = ("pending", "processed", "delivered", "cancelled")
_RECEIVED = re.compile(r"\b(?:i|we) (?:received|got)\b|\barrived\b|收到的|到货的|已经到了", re.IGNORECASE)
# A place followed by "address" is the address wanted, not the order meant: "my New York address".
_ADDRESS_AFTER = re.compile(r"^\W{0,3}(?:\w+\W+){0,1}(?:address|one on|地址)|^\s*的?(?:那个|新)?(?:收货)?地址", re.IGNORECASE)


def _payment_kind(text: str) -> str | None:
    for kind, pattern in (("gift_card", P.GIFT_CARD), ("paypal", P.PAYPAL), ("credit_card", P.CREDIT_CARD)):
        if pattern.search(text):
            return kind
    return None


def order_places(text: str, skip: tuple[int, int] | None = None) -> list[str]:
    """The places that say which order ("going to LA", "寄到纽约的那个"), not the address wanted."""
    found = []
    for start, end, kind, canonical in places_named(text):
        if skip and skip[0] <= start < skip[1] or _ADDRESS_AFTER.match(text[end:end + 20]):
            continue
        if canonical not in found:
            found.append(canonical)
    return found


def read_order_reference(text: str, has_order_id: bool, address_span: tuple[int, int] | None) -> OrderReference | None:
    status = "pending" if cue("NOT_SHIPPED").search(text) or cue("JUST_PLACED").search(text) else next((s for s in _DESCRIBING_STATES if P.ORDER_STATES[s].search(text)), None)
    if status is None and _RECEIVED.search(text):
        status = "delivered"
    count = cue("ITEM_COUNT").search(text)
    item_count = None
    if count:
        word = next(g for g in count.groups() if g).lower()
        item_count = int(word) if word.isdigit() else _NUMBERS.get(word)
    recency = "latest" if cue("RECENT").search(text) else "oldest" if cue("OLDEST").search(text) else None
    payment = _payment_kind(text) if cue("PAID_WITH").search(text) else None
    reference = OrderReference(status=status, places=order_places(text, address_span), item_count=item_count, recency=recency,
                               payment=payment, unsure=bool(has_order_id and cue("UNSURE").search(text)))  # fmt: skip
    return reference if reference.given() or reference.unsure else None


_SAME_ADDRESS_AS_ORDER = re.compile(r"(?:same (?:shipping |delivery )?address as|address (?:from|used (?:for|on))|和|跟|同)\s*(?:my |the |that |我的?\s*)?(?:order\s*|订单\s*)?#?\s?W\s?(\d{7})", re.IGNORECASE)


def read_address_reference(text: str) -> AddressReference | None:
    if (named := _SAME_ADDRESS_AS_ORDER.search(text)) is not None:
        return AddressReference(source="order", order_id=f"#W{named.group(1)}")
    if cue("MY_DEFAULT_ADDRESS").search(text):
        return AddressReference(source="default")
    other = cue("OTHER_ORDER_ADDRESS").search(text)
    place = next((canonical for start, end, _, canonical in places_named(text) if _ADDRESS_AFTER.match(text[end:end + 20])), None)
    if other or place:
        return AddressReference(source="order", place=place)
    return None
