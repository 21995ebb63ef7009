"""`kefu token …`: identity tokens and operator keys."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from serving.cli.common import err, fail, settings_or_exit, token_app


@token_app.command("create")
def token_create(
    role: Annotated[str, typer.Option(help="buyer | merchant | operator")],
    subject: Annotated[str, typer.Option(help="The user id (buyer), shop id (merchant) or operator name.")],
    ttl: Annotated[int, typer.Option(min=1, help="Seconds until it expires.")] = 3600,
) -> None:
    """Print an identity token, usable as `Authorization: Bearer TOKEN` (signed with KEFU_SECRET_KEY, else KEFU_HOME's demo key)."""
    from serving.identity import DEMO_KEY_FILE, ROLES, InvalidToken, create_token, signing_key

    settings = settings_or_exit()
    if role not in ROLES:
        raise fail(f"--role must be one of {', '.join(ROLES)}")
    try:
        key = signing_key(settings)
    except InvalidToken as exc:
        raise fail(str(exc)) from None
    if not settings.secret_key:
        err.print(f"signed with the demo key in {settings.home / DEMO_KEY_FILE} (a server on this KEFU_HOME accepts it); production sets KEFU_SECRET_KEY")
    print(create_token(key, role, subject, ttl))


@token_app.command("operator-key")
def token_operator_key() -> None:
    """Make a new operator API key: prints the key (give it to the operator) and its hash (configure it)."""
    import hashlib
    import secrets

    key = "kefu_op_" + secrets.token_urlsafe(32)
    print(json.dumps({"key": key, "sha256": hashlib.sha256(key.encode()).hexdigest(),
                      "configure": "add the sha256 to KEFU_OPERATOR_KEY_HASHES (a JSON list)"}))  # fmt: skip
