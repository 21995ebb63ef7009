"""LangChain retriever over the knowledge index; every document carries its citation fields."""

from __future__ import annotations

from pathlib import Path

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, PrivateAttr

from retrieval.hybrid import HybridSearcher, RelevanceGate, Reranker, lexical_dir_for
from retrieval.index import Hit, KnowledgeIndex
from retrieval.lexical import Filters, LexicalIndex


class KnowledgeRetriever(BaseRetriever):
    """Top-k chunks for a query by hybrid search (dense + BM25, RRF), behind the relevance gate.

    ``min_score`` is the gate's minimum dense cosine (per question language as a dict), the
    embedding model's calibration (``serving.runtime.min_relevance``); the lexical thresholds are the gate's
    defaults (see ``retrieval.hybrid.RelevanceGate``). ``lexical_dir`` is where the BM25 index
    persists; by default beside an embedded Chroma's files, in memory for a Chroma server.
    ``filters`` (e.g. ``{"shop": "s1"}``) apply to every search, before ranking. ``reranker`` (a
    ``retrieval.rerank.CrossEncoderReranker``) reorders the gated hits when configured.
    ``glossary`` adds the shop's bilingual words to the lexical search (``KEFU_GLOSSARY_FILE``).
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: KnowledgeIndex
    k: int = 4
    min_score: float | dict[str, float] = RelevanceGate().min_dense  # per language as a dict
    lexical_dir: Path | None = None
    filters: dict[str, object] | None = None
    reranker: Reranker | None = None
    audience: str | None = None  # the reader whose documents come first, unless a search says
    glossary: tuple = ()  # the shop's glossary entries (retrieval.glossary.load_glossary); () = none

    _searcher: HybridSearcher | None = PrivateAttr(default=None)

    @property
    def searcher(self) -> HybridSearcher:
        if self._searcher is None:
            directory = self.lexical_dir if self.lexical_dir is not None else lexical_dir_for(self.index)
            gate = RelevanceGate.for_model(self.min_score)
            self._searcher = HybridSearcher(self.index, LexicalIndex(directory), gate=gate, reranker=self.reranker, glossary=self.glossary)
        return self._searcher

    def search(self, query: str, k: int | None = None, filters: Filters | None = None, audience: str | None = None) -> list[Hit]:
        """``audience`` (buyer | merchant): that reader's documents first (``HybridSearcher.run``)."""
        merged = {**(self.filters or {}), **(filters or {})}
        return self.searcher.search(query, k=k or self.k, filters=merged or None, audience=audience or self.audience)

    def spelled(self, query: str) -> str:
        """``query`` with its English misspellings and chat shorthand repaired (retrieval.spelling),
        the knowledge base's own words kept."""
        from retrieval.spelling import correct_spelling

        lexical = self.searcher.lexical
        lexical.sync(self.index)
        return correct_spelling(query, lexical.words())

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [
            Document(page_content=hit.text, metadata={**hit.as_dict(), "language": hit.language}, id=hit.chunk_id)
            for hit in self.search(query)
        ]

