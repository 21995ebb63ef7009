"""Reciprocal rank fusion: merge ranked lists whose scores are not comparable.

Cosine similarities and BM25 scores live on different scales (BM25's is not even bounded), so
fusing by score would need a calibration that drifts with every corpus. RRF uses only ranks:
a chunk's fused score is the sum over lists of ``weight / (k + rank)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from retrieval.index import Hit

# k = 60, the constant of Cormack, Clarke & Büttcher (SIGIR 2009), who found it close to best
# across TREC collections and insensitive around that value. It damps the head of each list:
# rank 1 scores 1/61 and rank 10 scores 1/70, so a chunk two lists both rank well beats one
# that a single list ranks first. A small k (say 1) would let one list's top hit dominate.
RRF_K = 60


@dataclass(frozen=True)
class RankedList:
    """One retriever's hits, best first, and how much its vote counts in the fusion."""

    name: str
    hits: Sequence[Hit]
    weight: float = 1.0


class ReciprocalRankFusion:
    """Joins ranked lists of hits into one list by reciprocal rank fusion.

    Hits are identified by ``chunk_id``. The fused hit keeps the first-seen copy's fields, with
    ``score`` set to the fused score and ``dense_score``/``bm25_score``/``coverage`` merged from
    every list that found it.
    """

    def __init__(self, k: int = RRF_K, top_k: int | None = None) -> None:
        if k < 0:
            raise ValueError("the RRF constant k must be >= 0")
        self.k = k
        self.top_k = top_k

    def run(self, rankings: Sequence[RankedList], top_k: int | None = None) -> dict[str, list[Hit]]:
        """Fuse ``rankings``; returns ``{"hits": [...]}`` best first (at most ``top_k``)."""
        scores: dict[str, float] = {}
        merged: dict[str, Hit] = {}
        for ranking in rankings:
            if ranking.weight <= 0:
                continue
            for rank, hit in enumerate(ranking.hits, start=1):
                scores[hit.chunk_id] = scores.get(hit.chunk_id, 0.0) + ranking.weight / (self.k + rank)
                merged[hit.chunk_id] = _merge(merged.get(hit.chunk_id), hit)
        # Ties (equal fused scores) keep the order of first appearance: stable and deterministic.
        order = sorted(scores, key=lambda chunk_id: -scores[chunk_id])
        limit = top_k if top_k is not None else self.top_k
        if limit is not None:
            order = order[:limit]
        return {"hits": [replace(merged[chunk_id], score=scores[chunk_id]) for chunk_id in order]}

    def to_dict(self) -> dict[str, Any]:
        return {"type": "ReciprocalRankFusion", "init_parameters": {"k": self.k, "top_k": self.top_k}}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ReciprocalRankFusion":
        return cls(**data.get("init_parameters", {}))


def _merge(seen: Hit | None, hit: Hit) -> Hit:
    if seen is None:
        return hit

    def best(a: float | None, b: float | None) -> float | None:
        return b if a is None else a if b is None else max(a, b)

    return replace(
        seen,
        dense_score=best(seen.dense_score, hit.dense_score),
        bm25_score=best(seen.bm25_score, hit.bm25_score),
        coverage=best(seen.coverage, hit.coverage),
    )
