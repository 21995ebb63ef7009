"""`kefu ingest` and `kefu search`: the knowledge base and the cards of orders and products."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer

from serving.cli.common import app, err, fail, index_errors, out, principal_or_exit, settings_or_exit


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
    who = principal_or_exit(principal) if principal is not None else None
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
