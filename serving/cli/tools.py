"""`kefu tools …`: list, call and replay the order tools directly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from serving.cli.common import fail, out, principal_or_exit, print_json, settings_or_exit, tools_app


@tools_app.command("list")
def tools_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The order tools with their argument schemas (as a model sees them)."""
    from bot.tools.session import tool_specs

    specs = tool_specs()
    if as_json:
        print_json(specs)
        return
    for spec in specs:
        out.print(f"{spec['name']:<32} {'write' if spec['writes'] else 'read '}  {spec['description'].splitlines()[0]}", highlight=False)


def _tool_session(principal: str):
    from bot.tools.session import open_session_for

    settings = settings_or_exit()
    # Direct operator/test interface: confirmations are bypassed explicitly (audit says "direct").
    return open_session_for(settings.resolved_database_url, principal_or_exit(principal), confirm_writes=False,
                            tau2_parity=settings.tau2_parity, excluded_countries=settings.shipping_excluded_countries)  # fmt: skip


@tools_app.command("call")
def tools_call(
    name: Annotated[str, typer.Argument(help="Tool name (see `kefu tools list`).")],
    principal: Annotated[str, typer.Option("--as", help="anonymous | operator | buyer:USER_ID | merchant:SHOP_ID")] = "operator",
    args: Annotated[str, typer.Option("--args", help="Arguments as a JSON object.")] = "{}",
) -> None:
    """Call one tool directly and print {name, ok, result | error}; exit 1 when it is rejected."""
    try:
        arguments = json.loads(args)
    except json.JSONDecodeError as exc:
        raise fail(f"--args is not valid JSON: {exc}") from None
    if not isinstance(arguments, dict):
        raise fail("--args must be a JSON object")
    result = _tool_session(principal).call(name, arguments)
    print_json(result.as_dict())
    if not result.ok:
        raise typer.Exit(1)


@tools_app.command("replay")
def tools_replay(
    file: Annotated[Path, typer.Argument(help='JSON list of {"name", "arguments"}.')],
    principal: Annotated[str, typer.Option("--as", help="The principal the session starts as.")] = "anonymous",
    as_json: Annotated[bool, typer.Option("--json")] = True,
) -> None:
    """Run calls in order in one session (authentication carries over, confirmations bypassed)."""
    try:
        calls = json.loads(file.read_text("utf-8"))
    except FileNotFoundError:
        raise fail(f"{file}: no such file") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise fail(f"{file}: not valid JSON ({exc})") from None
    if not isinstance(calls, list) or not all(isinstance(c, dict) and isinstance(c.get("name"), str) for c in calls):
        raise fail(f'{file}: expected a JSON list of {{"name", "arguments"}}')
    session = _tool_session(principal)
    print_json([session.call(c["name"], c.get("arguments") or {}).as_dict() for c in calls])
