"""Several requests in one message ("return the mat and the kettle, and exchange the shoes for a
size up"; "change the address and swap the speaker"; "First, … Second, … And last, …"): the
message cut where one request ends and the next begins, so each is understood, confirmed and
done on its own (bot.dialogue.manager queues them in the stored dialogue state)."""

from __future__ import annotations

import re

from bot.nlu import patterns as P
from bot.nlu.cues import cue

# The kinds of request a message can hold several of; a payment named with one ("charge the
# difference to my PayPal") belongs to it, so it is not a kind of its own here.
_KINDS = (("cancel", P.CANCEL), ("return", P.RETURN), ("change", P.EXCHANGE), ("change", P.MODIFY_ITEMS), ("address", P.ADDRESS),
          ("default_address", P.DEFAULT_ADDRESS))  # fmt: skip
# "Refund to my Visa", "差价或者退款都走我的 Visa 卡": how the money goes with a request, not one of its own.
_MONEY = re.compile(r"refund|money back|退款", re.IGNORECASE)
_STRONG = re.compile(r"[.!?;。！？；]\s*")
_BOUNDARY = re.compile(r"[.!?;。！？；]\s*|,\s*(?:and\s+)?|，\s*|\s+and\s+(?:also\s+|then\s+)?|\s+also\s+|\s+then\s+|另外|还有|然后|再把|并且|同时")


def _cues(text: str) -> list[tuple[int, str]]:
    found = []
    own_address = [m.span() for m in cue("TO_OWN_ADDRESS").finditer(text)]
    for kind, pattern in _KINDS:
        for m in pattern.finditer(text):
            if cue("NOT_ACTION").search(text[max(0, m.start() - 24):m.start()]):
                continue  # "please don't cancel any orders"
            if kind == "return" and _MONEY.fullmatch(m.group(0)):
                continue  # "差价或者退款都走我的 Visa 卡", "refund to my card": how the money goes, not another request
            if kind == "change" and (m.group(0).lower() == "instead" or P.ADDRESS.search(m.group(0)) or P.ADDRESS.search(text[max(0, m.start() - 6):m.start()])):
                continue  # "…instead", "change the shipping address to", "收货地址改成": not another item change
            if kind == "default_address" and any(s <= m.start() < e for s, e in own_address):
                kind = "address"  # "send it to my default address": the order's address, a value of the buyer's
            found.append((m.start(), kind))
    return sorted(found)


def split_requests(text: str) -> list[str]:
    """The message's requests, in order (one element: a single request)."""
    cuts = {m.start() for m in cue("ENUMERATION").finditer(text) if m.start() > 0}
    cues = _cues(text)
    previous_kind, previous_end = None, 0
    for start, kind in cues:
        if previous_kind is not None and kind != previous_kind:
            # Cut at the last boundary between the previous request's cue and this one.
            # Cut at the last sentence end between the two cues, else the last comma or "and".
            boundaries = [m.end() for m in _STRONG.finditer(text, previous_end, start)] or [m.end() for m in _BOUNDARY.finditer(text, previous_end, start)]
            if boundaries:
                cuts.add(boundaries[-1])
        previous_kind, previous_end = kind, start + 1
    pieces, begin = [], 0
    for cut in sorted(cuts):
        pieces.append(text[begin:cut])
        begin = cut
    pieces.append(text[begin:])
    pieces = [re.sub(r"(?:\s+(?:and|also|then))+\s*$", "", p.strip(" ,，"), flags=re.IGNORECASE) for p in pieces if p.strip(" ,，.。")]
    # A piece that asks for nothing (a description, "I've got three things.") joins the request after it.
    merged: list[str] = []
    carry = ""
    for piece in pieces:
        if not _cues(piece) and not re.search(r"\b(?:it|them)\b|把|它", piece):
            carry = f"{carry} {piece}".strip()
            continue
        merged.append(f"{carry} {piece}".strip() if carry else piece)
        carry = ""
    if carry:
        merged = merged[:-1] + [f"{merged[-1]} {carry}"] if merged else [carry]
    return merged or [text]
