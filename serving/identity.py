"""Who is calling: HMAC-signed identity tokens for buyers, merchants and operators, and operator API keys.

A shop's site mints a token for its logged-in customer (`kefu token create`, or the same HMAC in
its own backend) and the widget passes it as `Authorization: Bearer TOKEN`. The token names the
principal; nothing a user types can change it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

from bot.tools.principal import InvalidPrincipal, Principal

ROLES = ("buyer", "merchant", "operator")


class InvalidToken(ValueError):
    """A token that is malformed, wrongly signed or expired."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def create_token(secret: str, role: str, subject: str, ttl_s: int = 3600, now: float | None = None) -> str:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if not subject:
        raise ValueError("subject is required")
    issued = int(now if now is not None else time.time())
    payload = _b64(json.dumps({"role": role, "sub": subject, "iat": issued, "exp": issued + int(ttl_s)}, separators=(",", ":")).encode())
    signature = _b64(hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest())
    return f"kefu1.{payload}.{signature}"


def verify_token(secret: str, token: str, now: float | None = None) -> Principal:
    try:
        version, payload, signature = token.split(".")
    except ValueError:
        raise InvalidToken("malformed token") from None
    expected = _b64(hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest())
    if version != "kefu1" or not hmac.compare_digest(signature, expected):
        raise InvalidToken("bad token signature")
    try:
        claims = json.loads(_unb64(payload))
    except (ValueError, UnicodeDecodeError):
        raise InvalidToken("malformed token") from None
    if claims.get("exp", 0) < (now if now is not None else time.time()):
        raise InvalidToken("token expired")
    role, subject = claims.get("role"), claims.get("sub")
    try:
        return Principal("operator") if role == "operator" else Principal.parse(f"{role}:{subject}")
    except InvalidPrincipal:
        raise InvalidToken("token names no valid principal") from None


def operator_key_matches(key: str, hashes: list[str]) -> bool:
    digest = hashlib.sha256(key.encode()).hexdigest()
    # Compare against every stored hash in constant time; keys are never stored in clear.
    return any(hmac.compare_digest(digest, stored.strip().lower()) for stored in hashes)


# ---------------------------------------------------------------- session keys

SESSION_KEY_HEADER = "X-Kefu-Session-Key"


def session_key(secret: str, session_id: str) -> str:
    """A key that lets a caller without an identity read back its own conversation (to see a human
    agent's replies after a handoff). Whoever chats in a session without a token gets it; it
    grants no more than the session id already does (continuing the conversation)."""
    return _b64(hmac.new(secret.encode(), f"session:{session_id}".encode(), hashlib.sha256).digest())[:32]


def session_key_matches(secret: str, session_id: str, key: str | None) -> bool:
    return bool(key) and hmac.compare_digest(key.encode(), session_key(secret, session_id).encode())
