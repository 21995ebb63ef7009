"""Retrieval evaluation on a labelled question set: recall@1, recall@k, MRR, query latency.

It measures a searcher with ``search(query, k=k)``: the ``KnowledgeRetriever`` the assistant uses
(hybrid search behind the relevance gate), so a relevant chunk the gate drops counts as a miss.
A bare ``KnowledgeIndex`` (dense only) is measured through its ``query``.
"""

from __future__ import annotations

import json
import statistics
import time
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
        items.append(QAItem(entry["q"], entry["source"], entry["phrase"]))
    return items


def is_relevant(hit: Hit, item: QAItem) -> bool:
    same_source = hit.source == item.source or hit.source.endswith("/" + item.source) or item.source.endswith("/" + hit.source)
    return same_source and item.phrase in hit.text


def evaluate(searcher: Searcher | KnowledgeIndex, items: list[QAItem], k: int = 5) -> dict:
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
    n = len(items)
    return {
        "questions": n,
        "recall@1": round(sum(r == 1 for r in first_relevant_ranks) / n, 4),
        f"recall@{k}": round(sum(r is not None for r in first_relevant_ranks) / n, 4),
        "mrr": round(sum(1 / r for r in first_relevant_ranks if r) / n, 4),
        "latency_ms": {"p50": round(statistics.median(latencies_ms), 1), "p95": round(_percentile(latencies_ms, 95), 1)},
        "misses": misses,
    }


def _percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (no interpolation): the value ``pct``% of the samples are at or below."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))  # ceil
    return ordered[int(rank) - 1]
