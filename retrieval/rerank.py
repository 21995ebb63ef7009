"""Optional rerank stage: a cross-encoder reads the question and each candidate chunk together.

A bi-encoder (the dense list) and BM25 score question and chunk separately; a cross-encoder
(ms-marco-MiniLM, bge-reranker, …) attends across both and orders the best few more precisely,
at ~36 ms per pair for a MiniLM-size model on a 2-core CPU. kefu runs it only when ``KEFU_RERANK_MODEL`` names a local
sentence-transformers CrossEncoder directory: no reranker is packaged on PyPI, and none is
downloaded. It runs after the relevance gate: it reorders what the gate let through and can
never make an off-topic question answerable.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from retrieval.embeddings import ModelNotInstalled, tokenizer_coverage
from retrieval.index import Hit, embedding_text

# The reranker scores the best DEPTH hits the gate kept; the rest keep their fused order after
# them. A MiniLM-L6 cross-encoder costs ~36 ms a pair on the 2-core dev machine (chunks of ~600
# characters): 10 pairs 0.37 s p50, 20 pairs 0.73 s. The assistant uses 4 hits; 10 is enough room.
DEPTH = 10

# As for the dense list (``retrieval.hybrid.dense_trust``): a reranker whose vocabulary lacks most
# of the question (an English cross-encoder, a Chinese question) would order by noise: skip it.
MIN_COVERAGE = 0.9


class PairScorer(Protocol):
    """What the stage needs from a cross-encoder: a relevance score per (question, passage) pair."""

    def predict(self, pairs: list[tuple[str, str]]) -> Any: ...


@dataclass
class CrossEncoderReranker:
    """Reorders hybrid hits by a cross-encoder's score; each hit keeps it as ``rerank_score``."""

    model_path: str
    depth: int = DEPTH
    batch_size: int = 16

    def __post_init__(self) -> None:
        self._scorer: PairScorer = _load_cross_encoder(self.model_path)

    @property
    def scorer(self) -> PairScorer:
        """The cross-encoder itself (retrieval.sentences scores an answer's sentences with it)."""
        return self._scorer

    def reads(self, query: str) -> float:
        """Share of the question's tokens the reranker's vocabulary knows."""
        return tokenizer_coverage(getattr(self._scorer, "tokenizer", None), query)

    def run(self, query: str, hits: list[Hit]) -> dict[str, list[Hit]]:
        if len(hits) < 2 or self.reads(query) < MIN_COVERAGE:
            return {"hits": hits}
        head, tail = hits[: self.depth], hits[self.depth :]
        scores = self._scorer.predict(
            [(query, embedding_text(hit.section, hit.text)) for hit in head], batch_size=self.batch_size, show_progress_bar=False
        )
        scored = [replace(hit, rerank_score=float(score)) for hit, score in zip(head, scores)]
        # sorted() is stable: equal scores keep the fused order.
        return {"hits": sorted(scored, key=lambda hit: -(hit.rerank_score or 0.0)) + tail}

    def to_dict(self) -> dict[str, Any]:
        return {"type": "CrossEncoderReranker", "init_parameters": {"model_path": self.model_path, "depth": self.depth}}


@lru_cache(maxsize=2)
def _load_cross_encoder(model_path: str) -> PairScorer:
    folder = Path(model_path)
    if not (folder / "config.json").is_file():
        raise ModelNotInstalled(f"reranker {model_path}: not a model directory (no config.json); check KEFU_RERANK_MODEL")
    # Imported lazily: sentence-transformers pulls torch.
    from sentence_transformers import CrossEncoder
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    return CrossEncoder(model_path, device="cpu", local_files_only=True)
