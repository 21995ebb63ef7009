"""Guardrails on text going in and out: PII masking, prompt-injection screening, abuse."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_CARD = re.compile(r"\b(?:\d[ -]?){13,19}\b")
_PHONE = re.compile(r"(?<!\d)(?:\+?\d{1,3}[ -]?)?(?:1[3-9]\d{9}|\(?\d{3}\)?[ .-]?\d{3}[ .-]?\d{4})(?!\d)")
_STREET = re.compile(
    r"\b\d{1,5}\s+(?:[A-Z][a-z]+\s){1,3}(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Boulevard|Blvd|Way|Court|Ct)\b\.?"
    r"|[\u4e00-\u9fff]{2,}(?:路|街|大道)\d+号"
)


def mask_pii(text: str) -> str:
    """Replace emails, card numbers, phone numbers and street addresses with placeholders.

    Used for logs and for what goes to the model where it is not needed (the tools get the
    real values; the model only phrases answers).
    """
    text = _EMAIL.sub("[email]", text)
    text = _CARD.sub(lambda m: "[card]" if len(re.sub(r"\D", "", m.group())) >= 13 else m.group(), text)
    text = _PHONE.sub("[phone]", text)
    return _STREET.sub("[address]", text)


_INJECTION = re.compile(
    r"ignore (?:all |any )?(?:the )?(?:previous|prior|above|earlier) (?:instructions|rules|prompts?)"
    r"|disregard (?:the |your )?(?:previous |prior )?(?:instructions|rules|system prompt)"
    r"|you are now (?:an? )?(?:operator|admin|developer|dan)\b|system prompt|act as (?:an? )?(?:operator|admin)"
    r"|(?:reveal|print|show) (?:me )?(?:your|the) (?:instructions|prompt)"
    r"|忽略(?:之前|以上|前面)(?:的)?(?:所有)?(?:指令|指示|规则|提示)|你现在是(?:管理员|运营|开发者)|系统提示词",
    re.IGNORECASE,
)


def looks_like_injection(text: str) -> bool:
    """Text that tries to rewrite the assistant's instructions (from a user or a retrieved document)."""
    return bool(_INJECTION.search(text))


_ABUSE = re.compile(r"\b(?:fuck|shit|bitch|idiot|stupid bot)\b|傻[逼屄]|操你|妈的|滚蛋", re.IGNORECASE)


def is_abusive(text: str) -> bool:
    return bool(_ABUSE.search(text))
