"""`kefu chat`: talk to the assistant in a terminal (the CLI channel)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from serving.cli.common import app, err, fail, index_errors, out, principal_or_exit, settings_or_exit


@app.command()
def chat(
    message: Annotated[str | None, typer.Option("--message", "-m", help="Ask one question and exit.")] = None,
    principal: Annotated[str | None, typer.Option("--as", help="Chat as: anonymous | buyer:USER_ID | merchant:SHOP_ID | operator")] = None,
    session_id: Annotated[str | None, typer.Option("--session", help="Continue this conversation.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the structured reply as JSON.")] = False,
) -> None:
    """Talk to the assistant in the terminal (same engine as the API)."""
    if principal is not None:
        principal = str(principal_or_exit(principal))
    from bot.assistant import InvalidMessage
    from serving.channels.base import CliChannel
    from serving.llm.providers import ConfigurationError
    from serving.runtime import build_runtime

    settings = settings_or_exit()
    try:
        with index_errors():
            runtime = build_runtime(settings, start_vllm=False)
        if runtime.model.supervisor is not None:
            runtime.model.supervisor.start(spawn=False)  # attach to `kefu llm serve` / `kefu serve`
    except ConfigurationError as exc:
        raise fail(str(exc)) from None
    try:
        lines = [message] if message is not None else _prompt_lines()
        for line in lines:
            try:
                reply = runtime.assistant.respond(line, session_id=session_id, principal=principal, channel=CliChannel.name)
            except InvalidMessage as exc:
                if message is not None:
                    raise fail(str(exc)) from None
                err.print(f"[red]{exc}[/red]")
                continue
            session_id = reply.session_id
            if as_json:
                print(reply.model_dump_json(indent=1))
            else:
                from ui.chat import render_answer

                out.print(render_answer(reply), highlight=False)
    finally:
        runtime.close()


def _prompt_lines():
    while True:
        try:
            line = input("you> ")
        except (EOFError, KeyboardInterrupt):
            return
        if line.strip() in {"exit", "quit", "/q"}:
            return
        yield line
