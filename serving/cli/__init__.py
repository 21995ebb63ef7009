"""The ``kefu`` command line (Typer). A channel like any other: it calls the same runtime.

One module per command group (``serving/cli/*.py``); importing each registers its commands on the
apps in ``serving.cli.common``. The entry point stays ``serving.cli:app``."""

from __future__ import annotations

from serving.cli import identity, serve, knowledge, chat, orders, operators, merchant, tools, llm, evaluate, bench  # noqa: F401  (registers the commands, in this order)
from serving.cli.common import app

__all__ = ["app", "main"]


def main() -> None:  # pragma: no cover - console-script shim
    app()
