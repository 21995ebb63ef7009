"""The Chroma index of knowledge chunks: sync a source's chunks, query by meaning.

Chroma never embeds anything itself here: kefu passes vectors computed by its own local model,
because Chroma's default embedding function downloads a model at first use.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import chromadb
from chromadb.config import Settings as ChromaSettings
from langchain_core.embeddings import Embeddings

from knowledge.documents import Chunk

COLLECTION = "kefu_knowledge"


@dataclass(frozen=True)
class Hit:
    """One retrieved chunk, with what a citation needs."""

    source: str
    chunk_id: str
    section: str
    text: str
    score: float  # dense cosine from KnowledgeIndex.query; the fused RRF score from hybrid search
    language: str = ""
    # The evidence behind a hybrid hit (None where that retriever did not find it):
    dense_score: float | None = None  # cosine similarity with the query embedding
    bm25_score: float | None = None  # BM25 score (same-language or translated query)
    coverage: float | None = None  # idf-weighted share of the query's words (or their glossary translation) in the chunk

    def as_dict(self) -> dict:
        found = {
            "source": self.source,
            "chunk_id": self.chunk_id,
            "section": self.section,
            "text": self.text,
            "score": round(self.score, 4),
        }
        for key in ("dense_score", "bm25_score", "coverage"):
            value = getattr(self, key)
            if value is not None:
                found[key] = round(value, 4)
        return found


@dataclass
class SyncStats:
    added: int = 0
    removed: int = 0
    unchanged: int = 0

    def __iadd__(self, other: "SyncStats") -> "SyncStats":
        self.added += other.added
        self.removed += other.removed
        self.unchanged += other.unchanged
        return self


def chroma_client(chroma_dir: Path, chroma_url: str | None = None) -> chromadb.ClientAPI:
    """Embedded persistent client by default; an HTTP client when a server URL is configured."""
    settings = ChromaSettings(anonymized_telemetry=False)
    if chroma_url:
        url = urlparse(chroma_url)
        return chromadb.HttpClient(
            host=url.hostname or "127.0.0.1",
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            settings=settings,
        )
    chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(chroma_dir), settings=settings)


class KnowledgeIndex:
    """Chunks in one Chroma collection, keyed by stable chunk ids."""

    def __init__(self, client: chromadb.ClientAPI, embeddings: Embeddings, collection: str = COLLECTION) -> None:
        self.embeddings = embeddings
        chroma_settings = client.get_settings()
        # Where an embedded Chroma keeps its files (None for a Chroma server): the lexical index
        # persists beside it.
        self.persist_directory: str | None = (
            chroma_settings.persist_directory if chroma_settings.is_persistent else None
        )
        # embedding_function=None: vectors always come from `embeddings`, never Chroma's default.
        self._collection = client.get_or_create_collection(
            collection, embedding_function=None, metadata={"hnsw:space": "cosine"}
        )

    def count(self) -> int:
        return self._collection.count()

    def chunk_ids(self) -> list[str]:
        """Every chunk id in the collection (cheap: no documents, no vectors)."""
        return list(self._collection.get(include=[])["ids"])

    def snapshot(self) -> tuple[list[str], list[str], list[dict]]:
        """Ids, texts and metadata of every chunk, for building the lexical index."""
        found = self._collection.get(include=["documents", "metadatas"])
        return list(found["ids"]), list(found["documents"] or []), [dict(m or {}) for m in found["metadatas"] or []]

    def source_ids(self, source: str) -> set[str]:
        found = self._collection.get(where={"source": source}, include=[])
        return set(found["ids"])

    def sources(self, where: dict | None = None) -> set[str]:
        found = self._collection.get(where=where, include=["metadatas"])
        return {m["source"] for m in found["metadatas"] or []}

    def sync_source(self, source: str, chunks: list[Chunk]) -> SyncStats:
        """Make the index hold exactly ``chunks`` for ``source``: add new ids, drop vanished ones."""
        existing = self.source_ids(source)
        wanted = {c.chunk_id: c for c in chunks}
        new = [c for cid, c in wanted.items() if cid not in existing]
        stale = sorted(existing - wanted.keys())
        if new:
            # Add before deleting: an interrupted sync leaves extra chunks (removed on rerun), never a gap.
            self._collection.upsert(
                ids=[c.chunk_id for c in new],
                embeddings=self.embeddings.embed_documents([_embedding_text(c) for c in new]),
                documents=[c.text for c in new],
                metadatas=[{**c.metadata, "source": source, "section": c.section} for c in new],
            )
        if stale:
            self._collection.delete(ids=stale)
        return SyncStats(added=len(new), removed=len(stale), unchanged=len(wanted) - len(new))

    def remove_source(self, source: str) -> int:
        ids = sorted(self.source_ids(source))
        if ids:
            self._collection.delete(ids=ids)
        return len(ids)

    def query_exact(self, text: str, where: dict, k: int = 4) -> list[Hit]:
        """Filter first, then score exactly: for selective filters (one buyer's few order cards).

        Chroma's filtered HNSW query pays for the whole graph (114 ms at 100k chunks for a filter
        matching 20, measured); fetching the 20 by metadata and scoring them in numpy took 18 ms.
        For filters that match thousands of chunks, `query` is the faster of the two.
        """
        import numpy as np

        found = self._collection.get(where=where, include=["embeddings", "documents", "metadatas"])
        if not found["ids"]:
            return []
        vectors = np.asarray(found["embeddings"], dtype=np.float32)
        query = np.asarray(self.embeddings.embed_query(text), dtype=np.float32)
        scores = vectors @ query / (np.linalg.norm(vectors, axis=1) * np.linalg.norm(query) + 1e-12)
        best = np.argsort(-scores)[:k]
        return [
            Hit(source=str(found["metadatas"][i].get("source", "")), chunk_id=found["ids"][i],
                section=str(found["metadatas"][i].get("section", "")), text=found["documents"][i] or "",
                score=float(scores[i]), language=str(found["metadatas"][i].get("language", "")), dense_score=float(scores[i]))
            for i in best
        ]  # fmt: skip

    def query(self, text: str, k: int = 4, where: dict | None = None) -> list[Hit]:
        if self.count() == 0:
            return []
        result = self._collection.query(
            query_embeddings=[self.embeddings.embed_query(text)],
            n_results=k,
            where=where,
            include=["documents", "metadatas", "distances"],
        )
        hits = []
        for chunk_id, doc, meta, distance in zip(
            result["ids"][0], result["documents"][0], result["metadatas"][0], result["distances"][0]
        ):
            hits.append(
                Hit(
                    source=str(meta.get("source", "")),
                    chunk_id=chunk_id,
                    section=str(meta.get("section", "")),
                    text=doc or "",
                    score=1.0 - float(distance),
                    language=str(meta.get("language", "")),
                    dense_score=1.0 - float(distance),
                )
            )
        return hits


def _embedding_text(chunk: Chunk) -> str:
    # The heading path carries the topic ("Returns > Refund timing"); embed it with the body.
    return f"{chunk.section}\n{chunk.text}" if chunk.section else chunk.text
