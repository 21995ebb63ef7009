"""`kefu report`, `kefu export`, `kefu retention apply`, `kefu annotations …`: operators' features."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from serving.cli.common import annotations_app, app, date_or_exit, err, fail, orders_db_url, out, print_json, retention_app, settings_or_exit


@app.command("report")
def report_cmd(
    since: Annotated[str | None, typer.Option(help="First day (YYYY-MM-DD) of conversations counted.")] = None,
    until: Annotated[str | None, typer.Option(help="Last day (YYYY-MM-DD).")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Resolution rate, unresolved conversations by reason, handoffs and reasons, CSAT, deflected questions by intent, unanswered questions, latency, degraded share; per day, channel, shop."""
    from serving.operators.analytics import report

    figures = report(orders_db_url(), date_or_exit(since), date_or_exit(until))
    if as_json:
        print(json.dumps(figures, ensure_ascii=False))
        return
    pct = lambda v: "–" if v is None else f"{v:.1%}"  # noqa: E731
    out.print(f"conversations {figures['conversations']}: resolved {pct(figures['resolution_rate'])}, handed off {pct(figures['handoff_rate'])} "
              f"{figures['handoff_reasons']}, CSAT {pct(figures['csat'])} ({figures['ratings']['up']} up, {figures['ratings']['down']} down)")  # fmt: skip
    out.print(f"replies {figures['replies']}: degraded {pct(figures['degraded_share'])}, latency p50 {figures['latency_ms']['p50']} ms, p95 {figures['latency_ms']['p95']} ms")
    out.print(f"unresolved by reason: {figures['unresolved_by_reason']}")
    out.print(f"deflected by intent: {figures['deflected_by_intent']}")
    for item in figures["unanswered"][:10]:
        out.print(f"  unanswered ×{item['times']}: {item['question']}")


@app.command("export")
def export_cmd(
    kind: Annotated[str, typer.Argument(help="conversations or annotations")],
    since: Annotated[str | None, typer.Option(help="From this day (YYYY-MM-DD).")] = None,
    out_path: Annotated[Path | None, typer.Option("--out", help="JSONL file (default: standard output).")] = None,
    unmasked: Annotated[bool, typer.Option("--unmasked", help="Personal data in clear: needs --key with the export right.")] = False,
    key: Annotated[str | None, typer.Option(help="An operator key listed in KEFU_EXPORT_KEY_HASHES.")] = None,
) -> None:
    """Conversations or annotations as JSON Lines, personal data masked unless an operator key with the export right asks."""
    from serving.operators.exports import KINDS, export
    from serving.identity import operator_key_matches

    settings = settings_or_exit()
    if kind not in KINDS:
        raise fail(f"kind must be one of {', '.join(KINDS)}")
    if unmasked and not (key and operator_key_matches(key, settings.export_key_hashes)):
        raise fail("--unmasked needs --key with the export right (its SHA-256 in KEFU_EXPORT_KEY_HASHES)")
    rows = export(settings.resolved_database_url, kind, date_or_exit(since), masked=not unmasked)
    handle = open(out_path, "w", encoding="utf-8") if out_path else sys.stdout
    try:
        count = sum(handle.write(json.dumps(row, ensure_ascii=False) + "\n") > 0 for row in rows)
    finally:
        if out_path:
            handle.close()
    err.print(f"{count} {kind} exported{' (masked)' if not unmasked else ''}")


@retention_app.command("apply")
def retention_apply(
    days: Annotated[int | None, typer.Option(help="Older than this (default KEFU_RETENTION_DAYS).")] = None,
    delete: Annotated[bool, typer.Option("--delete", help="Delete instead of anonymising (annotated ones are anonymised).")] = False,
) -> None:
    """Anonymise (or delete) conversations past the retention period."""
    from serving.operators.retention import apply_retention

    settings = settings_or_exit()
    days = days or settings.retention_days
    if not days:
        raise fail("no retention period: set KEFU_RETENTION_DAYS or pass --days")
    counts = apply_retention(settings.resolved_database_url, days, delete=delete)
    out.print(f"older than {days} days: {counts['anonymised']} anonymised, {counts['deleted']} deleted")


def _annotations():
    from serving.runtime import build_annotations

    return build_annotations(settings_or_exit())


@annotations_app.command("add")
def annotations_add(
    turn_id: Annotated[int, typer.Argument(help="The assistant reply (its turn id, as in GET /v1/sessions/{id}).")],
    rating: Annotated[str, typer.Option(help="good or bad.")],
    answer: Annotated[str, typer.Option(help="The improved answer (becomes a curated answer).")] = "",
    operator: Annotated[str, typer.Option(help="Who annotates (audited).")] = "operator",
) -> None:
    """Mark a reply good or bad, with the answer it should have given."""
    from bot.annotations import AnnotationError

    try:
        print_json(_annotations().annotate(turn_id, f"operator:{operator}", rating, answer))
    except AnnotationError as exc:
        raise fail(str(exc), code=1) from None


@annotations_app.command("list")
def annotations_list() -> None:
    """Every annotation, withdrawn ones included."""
    print_json(_annotations().list())


@annotations_app.command("withdraw")
def annotations_withdraw(annotation_id: Annotated[int, typer.Argument()], operator: Annotated[str, typer.Option()] = "operator") -> None:
    """Withdraw an annotation: its curated answer is no longer given."""
    from bot.annotations import AnnotationError

    try:
        print_json(_annotations().withdraw(annotation_id, f"operator:{operator}"))
    except AnnotationError as exc:
        raise fail(str(exc), code=1) from None
