"""Who is calling: identity tokens (standard JWTs) for buyers, merchants and operators, and operator API keys.

A shop's site mints a token for its logged-in customer (`kefu token create`, or any JWT library
in its own backend: HS256 with KEFU_SECRET_KEY, claims ``role``, ``sub``, ``iat``, ``exp`` and
``aud`` = "kefu") and the widget passes it as `Authorization: Bearer TOKEN`. The token names the
principal; nothing a user types can change it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from pathlib import Path

import jwt

from kefu.principal import InvalidPrincipal, Principal

ROLES = ("buyer", "merchant", "operator")
AUDIENCE = "kefu"
ALGORITHM = "HS256"
# Clocks of the shop's backend and of kefu may differ by a little.
LEEWAY_S = 30


DEMO_KEY_FILE = "secret.key"


def signing_key(settings) -> str:
    """The key identity tokens and session keys are signed with: KEFU_SECRET_KEY (production: the
    same on every replica), else a demo key made once in KEFU_HOME (``secret.key``, mode 600), so
    `kefu token create` and a `make run` server in the same KEFU_HOME agree without setup."""
    if settings.secret_key:
        return settings.secret_key
    import os
    import secrets

    path = Path(settings.home) / DEMO_KEY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # two processes at once: one creates it
    except FileExistsError:
        key = path.read_text("utf-8").strip()
        if len(key) >= 32:
            return key
        raise InvalidToken(f"{path} holds no usable key (under 32 characters): delete it or set KEFU_SECRET_KEY") from None
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(secrets.token_hex(32) + "\n")
    return path.read_text("utf-8").strip()


class InvalidToken(ValueError):
    """A token that is malformed, wrongly signed, for another audience or expired."""


def create_token(secret: str, role: str, subject: str, ttl_s: int = 3600, now: float | None = None) -> str:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if not subject:
        raise ValueError("subject is required")
    issued = int(now if now is not None else time.time())
    claims = {"role": role, "sub": subject, "iat": issued, "exp": issued + int(ttl_s), "aud": AUDIENCE}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def verify_token(secret: str, token: str) -> Principal:
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], audience=AUDIENCE, leeway=LEEWAY_S,
                            options={"require": ["exp", "iat", "aud", "sub"]})  # fmt: skip
    except jwt.ExpiredSignatureError:
        raise InvalidToken("token expired") from None
    except jwt.InvalidSignatureError:
        raise InvalidToken("bad token signature") from None
    except jwt.InvalidAudienceError:
        raise InvalidToken(f"token is not for this service (aud must be {AUDIENCE!r})") from None
    except jwt.MissingRequiredClaimError as exc:
        raise InvalidToken(f"token lacks the {exc.claim!r} claim") from None
    except jwt.InvalidTokenError:
        raise InvalidToken("malformed token") from None
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


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def session_key(secret: str, session_id: str, principal: str = "anonymous") -> str:
    """The key that continues (and reads back) a conversation begun without an identity token.

    Only the server issues it, to whoever started the conversation. It is bound to whom the
    conversation acts for: when the buyer verifies in chat, the key changes, so a key (and id)
    planted before the verification cannot read what the verified buyer sees (session fixation)."""
    return _b64(hmac.new(secret.encode(), f"session:{session_id}:{principal}".encode(), hashlib.sha256).digest())[:32]


def session_key_matches(secret: str, session_id: str, principal: str, key: str | None) -> bool:
    return bool(key) and hmac.compare_digest(key.encode(), session_key(secret, session_id, principal).encode())
