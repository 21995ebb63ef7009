"""LangChain retriever over the knowledge index; every document carries its citation fields."""

from __future__ import annotations

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from retrieval.index import Hit, KnowledgeIndex


class KnowledgeRetriever(BaseRetriever):
    """Top-k chunks for a query, above a minimum similarity."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: KnowledgeIndex
    k: int = 4
    min_score: float = 0.0

    def search(self, query: str) -> list[Hit]:
        return [hit for hit in self.index.query(query, k=self.k) if hit.score >= self.min_score]

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [
            Document(page_content=hit.text, metadata={**hit.as_dict(), "language": hit.language}, id=hit.chunk_id)
            for hit in self.search(query)
        ]


def hit_from_document(document: Document) -> Hit:
    meta = document.metadata
    return Hit(
        source=meta["source"],
        chunk_id=meta["chunk_id"],
        section=meta.get("section", ""),
        text=document.page_content,
        score=float(meta.get("score", 0.0)),
        language=meta.get("language", ""),
    )
