"""Who a tool session acts for. Set by authentication, never by model-supplied arguments."""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("anonymous", "buyer", "merchant", "operator")


class InvalidPrincipal(ValueError):
    pass


@dataclass(frozen=True)
class Principal:
    kind: str  # anonymous | buyer | merchant | operator
    subject: str | None = None  # user id for a buyer, shop id for a merchant

    @classmethod
    def parse(cls, text: str) -> "Principal":
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


ANONYMOUS = Principal("anonymous")
OPERATOR = Principal("operator")
