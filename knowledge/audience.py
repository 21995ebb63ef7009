"""Who a document is written for: ``buyer`` (the shop's customers), ``agent`` (instructions to a
customer-service agent, such as τ²'s policy.md) or ``merchant`` (sellers on the platform).

Stamped on every chunk as the ``audience`` metadata at ingest, so a buyer's "What is the return
policy?" cites the buyer-facing policy before the agent's rules or the merchant FAQ
(``retrieval.retriever``). A shop states it with ``kefu ingest --audience``; otherwise it is read
from the document: a file or title naming merchants/sellers (商家, 卖家), or a text that opens by
addressing an agent ("As a retail agent, you can…", "你是客服", "作为客服"); else buyer.
"""

from __future__ import annotations

import re

AUDIENCES = ("buyer", "agent", "merchant")

_MERCHANT = re.compile(r"merchant|seller|vendor|商家|卖家|商户|店主", re.IGNORECASE)
_AGENT = re.compile(r"^\s*(?:#[^\n]*\n\s*)*(?:as an? [\w -]{0,30}agent\b|you are an? [\w -]{0,30}(?:agent|assistant)\b|agents? (?:must|should|can)\b|"
                    r"(?:你是|作为)(?:一名|一个)?[\u4e00-\u9fff]{0,8}(?:客服|助手))", re.IGNORECASE)  # fmt: skip


def audience_of(source: str, text: str) -> str:
    """The audience of a document named ``source`` whose text (its first chunks) is ``text``."""
    title = next((line.lstrip("# ").strip() for line in text.splitlines() if line.strip()), "")
    if _MERCHANT.search(source.rsplit("/", 1)[-1]) or _MERCHANT.search(title):
        return "merchant"
    if _AGENT.search(text[:600]):
        return "agent"
    return "buyer"
