"""`kefu eval …`: evaluations (retrieval, understanding, suites, τ² replays and episodes, products)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from serving.cli.common import err, eval_app, fail, index_errors, out, report_dir, settings_or_exit


@eval_app.command("retrieval")
def eval_retrieval(
    qa_file: Annotated[Path, typer.Argument(help='JSON list of {"q", "source", "phrase"}.')],
    k: Annotated[int, typer.Option("--k", min=1, max=50)] = 5,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Recall@1, recall@k, MRR and query latency of the assistant's retrieval (hybrid, gated) on a labelled question set."""
    from serving.evaluation.retrieval import EvalError, evaluate, load_qa
    from serving.runtime import build_retriever

    try:
        items = load_qa(qa_file)
    except EvalError as exc:
        raise fail(str(exc)) from None
    settings = settings_or_exit()
    with index_errors():
        report = evaluate(build_retriever(settings, k=k), items, k=k)
    if as_json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        out.print({key: value for key, value in report.items() if key != "misses"})


@eval_app.command("nlu")
def eval_nlu(
    labelled_file: Annotated[Path, typer.Argument(help='JSON {"examples": [{"id", "text", "context", "expected"}]} (tests/data/nlu_labelled.json).')],
    catalogue: Annotated[Path | None, typer.Option(help="Product names and options ({\"products\": …}); default: the configured shop's catalogue.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Intent accuracy and slot exact-match of the understanding step on a labelled message set, per split and language."""
    from serving.evaluation.nlu import evaluate, load_catalogue
    from bot.nlu.vocabulary import vocabulary_for

    try:
        examples = json.loads(labelled_file.read_text())["examples"]
        vocabulary = load_catalogue(catalogue) if catalogue else vocabulary_for(settings_or_exit().resolved_database_url)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise fail(f"cannot read the labelled set or catalogue: {exc}") from None
    report = evaluate(examples, vocabulary)
    if as_json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        out.print(report["groups"])


def _json_file(path: Path):
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise fail(f"{path}: {exc}") from None


@eval_app.command("suite")
def eval_suite(
    path: Annotated[Path, typer.Argument(metavar="FILE.yaml", help="A conversation suite (knowledge/suites/demo-en.yaml).")],
    report: Annotated[Path | None, typer.Option(help="Folder for the JSON report (default KEFU_HOME/reports).")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Scripted conversations with assertions (tool called, citation, answer contains, handoff, no other user's data): a table and a JSON report. Exit 1 when a check fails."""
    import tempfile

    from rich.progress import Progress
    from rich.table import Table

    from serving.evaluation.suite import SuiteError, load_suite, run_suite, slug, turns_in
    from serving.runtime import build_runtime

    settings = settings_or_exit()
    try:
        suite = load_suite(path)
    except SuiteError as exc:
        raise fail(str(exc)) from None
    with tempfile.TemporaryDirectory(prefix="kefu-suite-") as scratch:
        if suite.get("shop") == "demo":  # kefu's generated demo shop, fresh: the suite runs the same everywhere
            from knowledge.orders.db import dispose_engine, session
            from knowledge.orders.demo import generate_demo_shop
            from knowledge.orders.importer import RetailDB, import_retail

            url = f"sqlite:///{Path(scratch) / 'demo.db'}"
            with session(url) as db:
                import_retail(db, RetailDB.model_validate(generate_demo_shop()))
            settings = settings.model_copy(update={"database_url": url})
        with index_errors():
            runtime = build_runtime(settings, start_vllm=False)
        try:
            with Progress(console=err, transient=True) as progress:
                task = progress.add_task(f"suite {suite.get('name', path.name)}", total=turns_in(suite))
                result = run_suite(runtime.assistant, suite, on_turn=lambda: progress.advance(task))
        finally:
            runtime.close()
            if suite.get("shop") == "demo":
                dispose_engine(url)
    (report_dir(report) / f"suite-{slug(result['suite'] or path.stem)}.json").write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", "utf-8")
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        table = Table("conversation", "turn", "checks", "failed")
        for conversation in result["results"]:
            for turn in conversation["turns"]:
                failed = "; ".join(f"{c['check']} ({c['detail']})" for c in turn["checks"] if not c["ok"])
                table.add_row(conversation["name"], turn["say"], f"{sum(c['ok'] for c in turn['checks'])}/{len(turn['checks'])}", failed or "")
        out.print(table)
        out.print(f"{result['passed']}/{result['conversations']} conversations passed, {result['checks_passed']}/{result['checks']} checks")
    if result["passed"] != result["conversations"]:
        raise typer.Exit(1)


@eval_app.command("tau2-replay")
def eval_tau2_replay(
    tasks_path: Annotated[Path, typer.Argument(metavar="TASKS.json", help="τ²-retail tasks (tasks-train.json).")],
    db_json: Annotated[Path, typer.Option("--db", help="τ²-retail db.json.")],
    expected_path: Annotated[Path, typer.Option("--expected", help="The reference end states (tasks-train-expected.json).")],
    parity: Annotated[bool, typer.Option("--parity/--no-parity", help="Reproduce the reference tools' quirks (τ²'s scoring needs it).")] = True,
    limit: Annotated[int | None, typer.Option(help="Only the first N tasks.")] = None,
    report: Annotated[Path | None, typer.Option(help="Folder for the JSON report (default KEFU_HOME/reports).")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Replay each task's gold actions on a fresh copy of the shop as its buyer; compare every touched order and user with the reference. Last line: N/M tasks match."""
    import tempfile

    from rich.progress import Progress

    from serving.evaluation.shops import FreshShops
    from serving.evaluation.tau2_replay import replay_all, summary

    tasks, expected = _json_file(tasks_path), _json_file(expected_path)
    tasks = [t for t in tasks if t["id"] in expected][:limit]
    with tempfile.TemporaryDirectory(prefix="kefu-tau2-") as scratch, Progress(console=err, transient=True) as progress:
        shops = FreshShops(db_json, Path(scratch))
        task = progress.add_task("replaying", total=len(tasks))
        results = replay_all(tasks, expected, shops, parity, on_task=lambda _r: progress.advance(task))
    figures = summary(results)
    (report_dir(report) / "tau2-replay.json").write_text(json.dumps(figures, indent=1) + "\n", "utf-8")
    if as_json:
        print(json.dumps(figures))
    else:
        for r in results:
            out.print(f"task {r.task_id:>3}: {'match' if r.matched else 'MISMATCH'} ({r.actions} actions"
                      f"{'' if r.flags_match else ', accept/reject differs'}{', ' + ', '.join(r.differences) if r.differences else ''})")  # fmt: skip
    print(f"{figures['matched']}/{figures['tasks']} tasks match")


@eval_app.command("episodes")
def eval_episodes(
    episodes_path: Annotated[Path, typer.Argument(metavar="EPISODES.json", help="Scripted episodes (tests/data/episodes_described_blind2.json).")],
    db_json: Annotated[Path, typer.Option("--db", help="τ²-retail db.json.")],
    expected_path: Annotated[Path, typer.Option("--expected", help="The reference end states (tasks-train-expected.json).")],
    report: Annotated[Path | None, typer.Option(help="Folder for the JSON report (default KEFU_HOME/reports).")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Scripted buyer episodes on a fresh copy of the shop each; pass when the orders and users the task touches end as τ²'s reference. Last line: N/M episodes pass."""
    import tempfile

    from rich.progress import Progress

    from serving.evaluation.scripted import run_scripted, summary
    from serving.evaluation.shops import FreshShops
    from serving.runtime import build_runtime

    episodes, expected = _json_file(episodes_path), _json_file(expected_path)
    if not isinstance(episodes, list) or any(not isinstance(e, dict) or e.get("task") not in expected or not e.get("turns") for e in episodes):
        raise fail(f"{episodes_path}: expected a list of {{task, language, turns}} whose tasks are in {expected_path.name}")
    settings = settings_or_exit()
    with tempfile.TemporaryDirectory(prefix="kefu-episodes-") as scratch, Progress(console=err, transient=True) as progress:
        shops = FreshShops(db_json, Path(scratch))
        with index_errors():
            runtime = build_runtime(settings, start_vllm=False)
        bar = progress.add_task("episodes", total=len(episodes))
        try:
            results = run_scripted(runtime.assistant.on_database, episodes, expected, shops, on_episode=lambda _r: progress.advance(bar))
        finally:
            runtime.close()
    figures = summary(results)
    (report_dir(report) / f"episodes-{episodes_path.stem}.json").write_text(json.dumps(figures, indent=1, ensure_ascii=False) + "\n", "utf-8")
    if as_json:
        print(json.dumps(figures, ensure_ascii=False))
    else:
        for r in results:
            out.print(f"{r.id:>14}: {'pass' if r.passed else 'FAIL ' + ', '.join(r.differences)}")
    print(f"{figures['passed']}/{figures['episodes']} episodes pass")


@eval_app.command("tau2")
def eval_tau2(
    tasks_path: Annotated[Path, typer.Option("--tasks", help="τ²-retail tasks (tasks-train.json).")],
    db_json: Annotated[Path, typer.Option("--db", help="τ²-retail db.json.")],
    user_model: Annotated[str, typer.Option(help="The customer's model name at --user-base-url.")],
    user_base_url: Annotated[str, typer.Option(help="An OpenAI-compatible endpoint for the customer (vLLM in practice).")],
    trials: Annotated[int, typer.Option(min=1, max=16, help="Episodes per task (pass^k for k ≤ trials).")] = 1,
    limit: Annotated[int | None, typer.Option(help="Only the first N tasks.")] = None,
    task_ids: Annotated[list[str] | None, typer.Option("--task", help="Only these task ids (repeat the option).")] = None,
    max_turns: Annotated[int, typer.Option(min=1, max=50, help="Customer messages per episode at most.")] = 10,
    resume: Annotated[bool, typer.Option("--resume", help="Continue an interrupted run (its episodes file in the report folder).")] = False,
    report: Annotated[Path | None, typer.Option(help="Folder for the episodes JSONL and the summary JSON (default KEFU_HOME/reports).")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Simulated τ² episodes: an LLM plays each task's customer against kefu; pass when the shop ends as the gold actions leave it; pass^k."""
    import tempfile

    from langchain_openai import ChatOpenAI
    from rich.progress import Progress

    from serving.evaluation.shops import FreshShops
    from serving.evaluation.tau2_sim import run_all, run_episode, summary
    from serving.runtime import build_runtime

    settings = settings_or_exit()
    tasks = _json_file(tasks_path)
    tasks = [t for t in tasks if not task_ids or t["id"] in task_ids][:limit]
    if not tasks:
        raise fail("no tasks to run")
    user = ChatOpenAI(base_url=user_base_url, model=user_model, api_key=settings.llm_api_key, temperature=0.0, max_tokens=120, timeout=settings.llm_timeout_s, max_retries=1)
    folder = report_dir(report)
    log = folder / "tau2-episodes.jsonl"
    with tempfile.TemporaryDirectory(prefix="kefu-tau2-sim-") as scratch, Progress(console=err, transient=True) as progress:
        shops = FreshShops(db_json, Path(scratch))

        with index_errors():
            runtime = build_runtime(settings, start_vllm=False)  # once: each episode only gets its own copy of the shop
        bar = progress.add_task("episodes", total=len(tasks) * trials)
        try:
            results = run_all(tasks, trials, lambda task: run_episode(runtime.assistant.on_database, user, task, shops, "operator", max_turns), log,
                              resume, on_episode=lambda _r: progress.advance(bar))  # fmt: skip
        finally:
            runtime.close()
    figures = summary(results, trials) | {"user_model": user_model, "assistant_model": settings.llm_model or settings.llm_provider.value}
    (folder / "tau2-sim.json").write_text(json.dumps(figures, indent=1) + "\n", "utf-8")
    if as_json:
        print(json.dumps(figures))
    else:
        for task_id, passed in figures["per_task"].items():
            out.print(f"task {task_id:>3}: {' '.join('pass' if p else 'fail' for p in passed)}")
        out.print(", ".join(f"{k} {v}" for k, v in figures.items() if k.startswith("pass^")) + f" over {figures['tasks']} tasks")


@eval_app.command("products")
def eval_products_cmd(
    path: Annotated[Path, typer.Argument(help='Labelled questions: [{"q", "lang", "product", "kind"}] (tests/data/product_questions.json).')],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Catalogue search: is the product a shopper means in the top 1 / top 3 (per language and kind)."""
    from serving.evaluation.products import evaluate
    from bot.tools.session import ToolSession
    from serving.runtime import build_product_cards

    settings = settings_or_exit()
    try:
        questions = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise fail(f"{path}: {exc}") from None
    with index_errors():
        cards = build_product_cards(settings)
        if cards.index.count() == 0:
            raise fail("no product cards in the index: run `kefu ingest --products` first")
        report = evaluate(questions, ToolSession(db_url=settings.resolved_database_url, products=cards))
    if as_json:
        print(json.dumps(report, ensure_ascii=False))
        return
    for group, figures in report["groups"].items():
        out.print(f"{group:>14}: n {figures['n']:>3}  top-1 {figures['top1']:.3f}  top-3 {figures['top3']:.3f}")
    for miss in report["misses"]:
        out.print(f"  miss: {miss['q']} → {miss['product']} (got {', '.join(miss['got']) or 'nothing'})")
