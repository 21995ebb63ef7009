"""What every command group shares: the Typer apps, the consoles, failing with a message, settings."""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console

from kefu.settings import Settings, get_settings

app = typer.Typer(help="kefu 客服: a self-hosted customer-service assistant for e-commerce shops.", no_args_is_help=True)
llm_app = typer.Typer(help="The chat model: convert the demo model, run the local vLLM server, measure it.", no_args_is_help=True)
eval_app = typer.Typer(help="Evaluations: retrieval quality (recall@k, MRR), understanding (intent accuracy, slot exact-match).", no_args_is_help=True)
bench_app = typer.Typer(help="Benchmarks that print numbers: model latency and throughput.", no_args_is_help=True)
orders_app = typer.Typer(help="The order database: import τ²-retail or a shop's own data, show orders.", no_args_is_help=True)
users_app = typer.Typer(help="Buyers in the order database: show users.", no_args_is_help=True)
tools_app = typer.Typer(help="The order tools the assistant calls: list, call and replay them directly.", no_args_is_help=True)
token_app = typer.Typer(help="Identity tokens for buyers, merchants and operators.", no_args_is_help=True)
db_app = typer.Typer(help="The database schema (Alembic migrations).", no_args_is_help=True)
reviews_app = typer.Typer(help="Buyers' product reviews: demo reviews, a shop's own, sentiment insights.", no_args_is_help=True)
annotations_app = typer.Typer(help="Operators' annotations of replies; improved answers become curated answers.", no_args_is_help=True)
retention_app = typer.Typer(help="Retention of conversations (KEFU_RETENTION_DAYS).", no_args_is_help=True)
for name, sub in [("llm", llm_app), ("eval", eval_app), ("bench", bench_app), ("orders", orders_app),
                  ("users", users_app), ("tools", tools_app), ("token", token_app), ("db", db_app),
                  ("reviews", reviews_app), ("annotations", annotations_app), ("retention", retention_app)]:  # fmt: skip
    app.add_typer(sub, name=name)

REPO = Path(__file__).resolve().parents[2]  # the checkout: the demo knowledge base, the test data

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print a one-line error (no traceback) and return the exit to raise."""
    err.print(f"[red]error:[/red] {message}", highlight=False)
    return typer.Exit(code)


@contextmanager
def index_errors():
    """An index built by another embedding model, or a configured model directory that is not
    there: one line saying what to do, exit 2."""
    from retrieval.embeddings import ModelNotInstalled
    from retrieval.index import EmbeddingModelMismatch

    try:
        yield
    except (EmbeddingModelMismatch, ModelNotInstalled) as exc:
        raise fail(str(exc)) from None


def settings_or_exit() -> Settings:
    try:
        return get_settings()
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        raise fail(f"invalid configuration: {exc}") from None


def orders_db_url() -> str:
    return settings_or_exit().resolved_database_url


def print_json(value) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=1))


def date_or_exit(text: str | None):
    from datetime import date

    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        raise fail(f"not a date (YYYY-MM-DD): {text}") from None


def principal_or_exit(text: str):
    from kefu.principal import InvalidPrincipal, Principal

    try:
        return Principal.parse(text)
    except InvalidPrincipal as exc:
        raise fail(str(exc)) from None


def report_dir(report: Path | None) -> Path:
    folder = report or settings_or_exit().home / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def model_or_exit(settings: Settings):
    """The configured chat model, joined to a local model server that is already running (never
    spawned here); a bad configuration is a message and exit 2."""
    from serving.llm.providers import ConfigurationError, build_model_runtime

    try:
        model = build_model_runtime(settings, start_vllm=False)
    except ConfigurationError as exc:
        raise fail(str(exc)) from None
    if model.supervisor is not None:
        model.supervisor.start(spawn=False)
    return model
