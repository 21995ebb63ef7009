"""Who a request acts for, and which conversations they may read or continue: the one home of
both, low enough for every layer (every package imports kefu/).

A principal is parsed once, where a request comes in (an identity token, a bridge's user map, the
CLI's ``--as``), and set by authentication, never by model-supplied arguments. Its text form
(``buyer:ID``) is for storage and for the assistant's entry point; it is read back only by
``Principal.parse``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

KINDS = ("anonymous", "buyer", "merchant", "operator")


class InvalidPrincipal(ValueError):
    pass


@dataclass(frozen=True)
class Principal:
    kind: str  # anonymous | buyer | merchant | operator
    subject: str | None = None  # user id for a buyer, shop id for a merchant

    @classmethod
    def parse(cls, text: str | None) -> "Principal":
        """`anonymous`, `operator`, `buyer:USER_ID` or `merchant:SHOP_ID`."""
        kind, _, subject = (text or "").strip().partition(":")
        if kind not in KINDS:
            raise InvalidPrincipal(f"unknown principal {text!r}: use anonymous, operator, buyer:USER_ID or merchant:SHOP_ID")
        if kind in ("buyer", "merchant") and not subject:
            raise InvalidPrincipal(f"{kind} needs an id: {kind}:ID")
        if kind in ("anonymous", "operator") and subject:
            raise InvalidPrincipal(f"{kind} takes no id")
        return cls(kind, subject or None)

    def __str__(self) -> str:
        return f"{self.kind}:{self.subject}" if self.subject else self.kind

    @property
    def is_buyer(self) -> bool:
        return self.kind == "buyer"

    @property
    def user_id(self) -> str | None:
        """The buyer's user id; None for anyone else."""
        return self.subject if self.kind == "buyer" else None

    @property
    def shop_id(self) -> str | None:
        """The merchant's shop id; None for anyone else."""
        return self.subject if self.kind == "merchant" else None

    @classmethod
    def stored(cls, text: str | None) -> "Principal":
        """A principal as a conversation stored it, retention's anonymised form (``anonymised``)
        included; never raises (an unreadable one reads as anonymous)."""
        kind, _, subject = (text or "").removesuffix(RETAINED).partition(":")
        return cls(kind, subject or None) if kind in KINDS else ANONYMOUS

    def named(self) -> str | None:
        """The text form the assistant's entry point takes: None for anonymous (no identity)."""
        return None if self.kind == "anonymous" else str(self)


ANONYMOUS = Principal("anonymous")
OPERATOR = Principal("operator")
RETAINED = ":retained"  # the mark of a stored principal retention has anonymised


def anonymised(stored: str, pseudonym) -> str:
    """A stored principal with its subject replaced by ``pseudonym(subject)`` and marked retained:
    "buyer:ava_1" → "buyer:u-3f2a…:retained" (kept as it is when already retained)."""
    if stored.endswith(RETAINED):
        return stored
    kind, _, subject = stored.partition(":")
    return f"{kind}:{pseudonym(subject)}{RETAINED}" if subject else f"{kind}{RETAINED}"


# ---- who may continue, read or rate a stored conversation

# Channels whose every caller is an operator (they may open any conversation).
OPERATOR_CHANNELS = frozenset({"console", "cli"})
# Channels whose callers name the session (the HTTP API and the Gradio chat on it): a conversation
# there is bound to the identity that opened or claimed it. A bridge's session ids are its
# platform's (a Slack thread, a WeCom user): the platform says who speaks, and a shared thread has
# several speakers.
IDENTITY_BOUND_CHANNELS = frozenset({"api"})


def may_continue_on(channel: str, caller: str | None, *, started_on: str, owner: str, bound_to: str | None) -> bool:
    """Whether ``caller`` (a principal's text form, None for anonymous) on ``channel`` may continue
    a conversation ``started_on`` a channel, acting for ``owner``, bound to ``bound_to``: operators'
    channels any; others only their own channel's, and on an identity-bound channel only the
    identity it is bound to. An unbound one may be claimed by a signed-in caller unless it was
    verified in chat as someone else."""
    if channel in OPERATOR_CHANNELS:
        return True
    if started_on != channel:
        return False
    if channel not in IDENTITY_BOUND_CHANNELS:
        return True
    if bound_to is not None:
        return caller == bound_to
    return caller is None or owner in (str(ANONYMOUS), caller)


def access_by_identity(caller: Principal, owner: str) -> Literal["granted", "with_key", "refused"]:
    """Whether ``caller`` may use a conversation acting for ``owner`` by identity alone
    ("granted": an operator, or the owner signed in), only holding the conversation's session key
    ("with_key": one begun without a token, or a caller without one), or not at all."""
    if caller.kind == "operator":
        return "granted"
    if caller != ANONYMOUS and owner == str(caller):
        return "granted"
    if caller == ANONYMOUS or owner in (str(ANONYMOUS), str(caller)):
        return "with_key"
    return "refused"
