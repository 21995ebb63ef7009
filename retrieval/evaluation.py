"""Retrieval evaluation on a labelled question set: recall@1, recall@k, MRR."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from retrieval.index import Hit, KnowledgeIndex


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


def evaluate(index: KnowledgeIndex, items: list[QAItem], k: int = 5) -> dict:
    first_relevant_ranks: list[int | None] = []
    misses = []
    for item in items:
        hits = index.query(item.q, k=k)
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
        "misses": misses,
    }
