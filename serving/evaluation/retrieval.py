"""Retrieval evaluation on a labelled question set: recall@1, recall@k, MRR, query latency.

It measures a searcher with ``search(query, k=k)``: the ``KnowledgeRetriever`` the assistant uses
(hybrid search behind the relevance gate), so a relevant chunk the gate drops counts as a miss.
A bare ``KnowledgeIndex`` (dense only) is measured through its ``query``.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from retrieval.index import Hit, KnowledgeIndex


class Searcher(Protocol):
    def search(self, query: str, k: int) -> list[Hit]: ...


class EvalError(ValueError):
    """A QA file that cannot be evaluated; the message names the item and the problem."""


@dataclass(frozen=True)
class QAItem:
    q: str
    source: str  # the file that answers it, as ingested (a suffix match is enough)
    phrase: str  # a verbatim phrase of the answering chunk
    # Other chunks that answer it just as well (the other language's policy, an FAQ row), as
    # (source, phrase) pairs: the optional "also" list of an item.
    also: tuple[tuple[str, str], ...] = ()
    lang: str = ""  # optional labels, for per-group scores
    kind: str = ""


def load_qa(path: Path) -> list[QAItem]:
    try:
        raw = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise EvalError(f"{path}: no such file") from None
    except json.JSONDecodeError as exc:
        raise EvalError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(raw, list) or not raw:
        raise EvalError(f"{path}: expected a non-empty JSON list of {{q, source, phrase}}")
    items = []
    for number, entry in enumerate(raw):
        if not isinstance(entry, dict) or not all(isinstance(entry.get(key), str) and entry[key] for key in ("q", "source", "phrase")):
            raise EvalError(f"{path}: item {number} needs non-empty string fields q, source, phrase")
        also = entry.get("also", [])
        if not isinstance(also, list) or not all(
            isinstance(a, dict) and all(isinstance(a.get(key), str) and a[key] for key in ("source", "phrase")) for a in also
        ):
            raise EvalError(f"{path}: item {number}: 'also' must be a list of {{source, phrase}} with non-empty strings")
        items.append(
            QAItem(entry["q"], entry["source"], entry["phrase"], tuple((a["source"], a["phrase"]) for a in also),
                   str(entry.get("lang", "")), str(entry.get("kind", "")))
        )  # fmt: skip
    return items


def is_relevant(hit: Hit, item: QAItem) -> bool:
    return any(_answers(hit, source, phrase) for source, phrase in ((item.source, item.phrase), *item.also))


def _answers(hit: Hit, source: str, phrase: str) -> bool:
    same_source = hit.source == source or hit.source.endswith("/" + source) or source.endswith("/" + hit.source)
    return same_source and phrase in hit.text


def evaluate(
    searcher: Searcher | KnowledgeIndex, items: list[QAItem], k: int = 5, on_item: Callable[[int, int], None] | None = None
) -> dict:
    """recall@1, recall@k, MRR (overall and per label), latency and the misses; ``on_item(done,
    total)`` after each question, for a progress bar."""
    first_relevant_ranks: list[int | None] = []
    misses = []
    latencies_ms: list[float] = []

    def search(query: str) -> list[Hit]:
        return searcher.query(query, k=k) if isinstance(searcher, KnowledgeIndex) else searcher.search(query, k=k)

    search(items[0].q)  # warm-up, untimed: model load, lexical index load or build, jieba's dictionary
    for item in items:
        started = time.perf_counter()
        hits = search(item.q)
        latencies_ms.append((time.perf_counter() - started) * 1000)
        rank = next((r for r, hit in enumerate(hits, 1) if is_relevant(hit, item)), None)
        first_relevant_ranks.append(rank)
        if rank is None:
            misses.append({"q": item.q, "source": item.source, "got": [h.source + " › " + h.section for h in hits[:3]]})
        if on_item is not None:
            on_item(len(first_relevant_ranks), len(items))
    report = {"questions": len(items), **_scores(first_relevant_ranks, k)}
    groups = {}
    for label in sorted({i.lang for i in items if i.lang} | {i.kind for i in items if i.kind}):
        ranks = [r for i, r in zip(items, first_relevant_ranks) if label in (i.lang, i.kind)]
        groups[label] = {"questions": len(ranks), **_scores(ranks, k)}
    if groups:
        report["groups"] = groups  # by the items' optional "lang" and "kind" labels
    report["latency_ms"] = {"p50": round(statistics.median(latencies_ms), 1), "p95": round(_percentile(latencies_ms, 95), 1)}
    report["misses"] = misses
    return report


def _scores(ranks: list[int | None], k: int) -> dict:
    n = len(ranks)
    return {
        "recall@1": round(sum(r == 1 for r in ranks) / n, 4),
        f"recall@{k}": round(sum(r is not None for r in ranks) / n, 4),
        "mrr": round(sum(1 / r for r in ranks if r) / n, 4),
    }


def _percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (no interpolation): the value ``pct``% of the samples are at or below."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))  # ceil
    return ordered[int(rank) - 1]
