"""The Chroma index of knowledge chunks: sync a source's chunks, query by meaning.

Chroma never embeds anything itself here: kefu passes vectors computed by its own local model,
because Chroma's default embedding function downloads a model at first use.

Two stamps live in the collection's metadata:

- ``kefu:revision``, a fresh random value after every write. Filtered queries are answered from
  an in-memory ``VectorSnapshot`` (filter first, score exactly: see ``retrieval.vectors``); a
  query compares the snapshot's revision with the collection's (one metadata read, ~0.5 ms
  embedded) and reloads when they differ, so another replica's ingest is seen on its next query.
  The lexical index uses the same stamp to skip its id fingerprint.
- ``kefu:embedding_model``, the identity of the model that made the vectors. A query or write with
  another model fails with ``EmbeddingModelMismatch`` (comparing vectors of two models gives
  confident nonsense); ``kefu ingest --reembed`` re-embeds the stored chunks with the new model.
"""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import chromadb
from chromadb.config import Settings as ChromaSettings
from langchain_core.embeddings import Embeddings

from knowledge.documents import Chunk
from retrieval.vectors import VectorSnapshot

COLLECTION = "kefu_knowledge"
REVISION_KEY = "kefu:revision"
MODEL_KEY = "kefu:embedding_model"
WRITE_PAGE = 1000  # ids per Chroma update/delete: under its maximum batch (5,461 on SQLite)
EMBED_BATCH = 64  # chunks per embedding call at ingest: the models batch internally, memory stays bounded
COMPLETE_KEY = "kefu:complete"  # set on a re-embedded copy once every chunk is in it


class EmbeddingModelMismatch(RuntimeError):
    """The collection's vectors were made by another embedding model than the configured one."""


@dataclass(frozen=True)
class Hit:
    """One retrieved chunk, with what a citation needs."""

    source: str
    chunk_id: str
    section: str
    text: str
    score: float  # dense cosine from KnowledgeIndex.query; the fused RRF score from hybrid search
    language: str = ""
    audience: str = ""  # buyer | agent | merchant (knowledge.audience); "" for chunks ingested before it existed
    # The evidence behind a hybrid hit (None where that retriever did not find it):
    dense_score: float | None = None  # cosine similarity with the query embedding
    bm25_score: float | None = None  # BM25 score (same-language or translated query)
    coverage: float | None = None  # idf-weighted share of the query's words (or their glossary translation) in the chunk
    rerank_score: float | None = None  # the cross-encoder's score, when a reranker is configured

    def as_dict(self) -> dict:
        found = {
            "source": self.source,
            "chunk_id": self.chunk_id,
            "section": self.section,
            "text": self.text,
            "score": round(self.score, 4),
        }
        if self.audience:
            found["audience"] = self.audience
        for key in ("dense_score", "bm25_score", "coverage", "rerank_score"):
            value = getattr(self, key)
            if value is not None:
                found[key] = round(value, 4)
        return found


@dataclass
class SyncStats:
    added: int = 0
    removed: int = 0
    unchanged: int = 0
    updated: int = 0  # same text, new metadata: rewritten in place, not re-embedded

    def __iadd__(self, other: "SyncStats") -> "SyncStats":
        self.added += other.added
        self.removed += other.removed
        self.unchanged += other.unchanged
        self.updated += other.updated
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
        self._client = client
        self.name = collection
        _recover_reembed(client, collection)
        # embedding_function=None: vectors always come from `embeddings`, never Chroma's default.
        self._collection = client.get_or_create_collection(
            collection, embedding_function=None, metadata={"hnsw:space": "cosine"}
        )
        self._snapshot: VectorSnapshot | None = None
        self._snapshot_lock = threading.Lock()

    # ------------------------------------------------------------------ stamps

    @property
    def model_identity(self) -> str | None:
        return getattr(self.embeddings, "identity", None)

    @property
    def stored_model_identity(self) -> str | None:
        """The model whose vectors the collection holds (None for a new, empty one)."""
        return self._stamps().get(MODEL_KEY)

    def _stamps(self) -> dict:
        """The collection's metadata as stored now (the handle's copy is from when it was opened)."""
        return dict(self._client.get_collection(self.name).metadata or {})

    def revision(self) -> str:
        """The collection's current revision; raises EmbeddingModelMismatch for another model's vectors."""
        stamps = self._stamps()
        stored, mine = stamps.get(MODEL_KEY), self.model_identity
        if stored and mine and stored != mine:
            raise EmbeddingModelMismatch(
                f"the index '{self.name}' holds vectors of the embedding model {stored}, but {mine} is configured: "
                "run `kefu ingest --reembed` to re-embed it, or set KEFU_EMBEDDING_MODEL back"
            )
        return str(stamps.get(REVISION_KEY, ""))

    def _new_stamps(self) -> dict:
        """The collection's metadata with a new revision and this index's model."""
        stamps = {k: v for k, v in self._stamps().items() if not k.startswith("hnsw:") and k != MODEL_KEY}  # hnsw:* cannot be re-set
        stamps[REVISION_KEY] = uuid.uuid4().hex
        if self.model_identity:
            stamps[MODEL_KEY] = self.model_identity
        return stamps

    def _touch(self) -> None:
        """Stamp a new revision (and the model), so every reader reloads. Writes stamp before and
        after: the stamp after covers readers that loaded during the write; the one before covers
        every earlier reader even when the writer dies half-way (only a reader that loaded during
        such a write stays behind, until the next write)."""
        self._collection.modify(metadata=self._new_stamps())

    def vectors(self) -> VectorSnapshot:
        """The in-memory snapshot at the collection's current revision (loaded again when stale)."""
        revision = self.revision()
        snapshot = self._snapshot
        if snapshot is not None and snapshot.revision == revision:
            return snapshot
        with self._snapshot_lock:
            snapshot = self._snapshot
            if snapshot is None or snapshot.revision != revision:
                # The revision is read before the load: a write landing during it stamps a newer
                # revision, and the next query loads again.
                snapshot = VectorSnapshot.load(self._collection, revision)
                self._snapshot = snapshot
        return snapshot

    def count(self) -> int:
        return self._collection.count()

    def chunk_ids(self) -> list[str]:
        """Every chunk id in the collection (cheap: no documents, no vectors)."""
        return list(self._collection.get(include=[])["ids"])

    def snapshot(self) -> tuple[list[str], list[str], list[dict]]:
        """Ids, texts and metadata of every chunk, for building the lexical index."""
        found = self._collection.get(include=["documents", "metadatas"])
        return list(found["ids"]), list(found["documents"] or []), [dict(m or {}) for m in found["metadatas"] or []]

    def chunks(self) -> list[Hit]:
        """Every stored chunk as a hit (score 0): what warms the caches built from chunks."""
        ids, documents, metadatas = self.snapshot()
        return [_hit(chunk_id, document, meta, 0.0) for chunk_id, document, meta in zip(ids, documents, metadatas)]

    def source_ids(self, source: str) -> set[str]:
        found = self._collection.get(where={"source": source}, include=[])
        return set(found["ids"])

    def metadata(self, chunk_id: str) -> dict:
        """A stored chunk's metadata ({} when there is no such chunk)."""
        found = self._collection.get(ids=[chunk_id], include=["metadatas"])
        return dict((found["metadatas"] or [{}])[0] or {})

    def sources(self, where: dict | None = None) -> set[str]:
        found = self._collection.get(where=where, include=["metadatas"])
        return {m["source"] for m in found["metadatas"] or []}

    def sync_source(self, source: str, chunks: list[Chunk]) -> SyncStats:
        """Make the index hold exactly ``chunks`` for ``source``: add new ids, drop vanished ones.

        A chunk whose text is unchanged (same id) but whose metadata differs, say a new ``--shop``
        tag or the ``root`` that ``--prune`` needs on chunks ingested before it existed, has its
        metadata updated in place, without re-embedding.
        """
        return self.sync_sources([(source, chunks)])

    def sync_sources(self, documents: list[tuple[str, list[Chunk]]], batch_size: int = EMBED_BATCH,
                     on_embedded: Callable[[int, int], None] | None = None) -> SyncStats:  # fmt: skip
        """``sync_source`` for many sources at once: their new chunks are embedded together in
        batches of ``batch_size`` (a file of three chunks does not make a batch of three) and each
        batch is written with one upsert (Chroma spends ~20 ms a write, so a write per order card
        cost more than embedding it); ``on_embedded(done, total)`` reports progress in chunks.
        Every add lands before any update or delete, so an interruption leaves no gap."""
        self.revision()  # refuses to mix another embedding model's vectors into the collection
        stored = self._stored_metadata([source for source, _chunks in documents])
        plans = []
        for source, chunks in documents:
            existing = stored.get(source, {})
            wanted = {c.chunk_id: c for c in chunks}
            new = [c for cid, c in wanted.items() if cid not in existing]
            stale = sorted(existing.keys() - wanted.keys())
            changed = [c for cid, c in wanted.items() if cid in existing and existing[cid] != _metadata(c, source)]
            plans.append((source, existing, wanted, new, stale, changed))
        if not any(plan[3] or plan[4] or plan[5] for plan in plans):
            return SyncStats(unchanged=sum(len(plan[2]) for plan in plans))
        self._touch()  # before writing too: a writer that dies mid-way still makes readers reload
        pending: list[tuple[str, Chunk]] = [(plan[0], c) for plan in plans for c in plan[3]]
        # A batch is written while the next one is embedded (both release the GIL): one writer.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kefu-index-write") as writer:
            writing = None
            for start in range(0, len(pending), batch_size):
                batch = pending[start : start + batch_size]
                vectors = self.embeddings.embed_documents([embedding_text(c.section, c.text) for _, c in batch])
                if writing is not None:
                    writing.result()  # a failed write stops the sync before any update or delete
                writing = writer.submit(self._collection.upsert, ids=[c.chunk_id for _, c in batch], embeddings=vectors,
                                        documents=[c.text for _, c in batch], metadatas=[_metadata(c, source) for source, c in batch])  # fmt: skip
                if on_embedded:
                    on_embedded(min(start + batch_size, len(pending)), len(pending))
            if writing is not None:
                writing.result()
        changed = [(plan[1], plan[0], c) for plan in plans for c in plan[5]]
        for start in range(0, len(changed), WRITE_PAGE):
            # Chroma merges an update into the stored metadata; None removes a key no longer wanted.
            page = changed[start : start + WRITE_PAGE]
            self._collection.update(ids=[c.chunk_id for _e, _s, c in page],
                                    metadatas=[{**dict.fromkeys(existing[c.chunk_id]), **_metadata(c, source)} for existing, source, c in page])  # fmt: skip
        stale = [chunk_id for plan in plans for chunk_id in plan[4]]
        for start in range(0, len(stale), WRITE_PAGE):
            self._collection.delete(ids=stale[start : start + WRITE_PAGE])
        stats = SyncStats()
        for _source, _existing, wanted, new, stale_ids, changed_chunks in plans:
            stats += SyncStats(added=len(new), removed=len(stale_ids), updated=len(changed_chunks),
                               unchanged=len(wanted) - len(new) - len(changed_chunks))  # fmt: skip
        self._touch()
        return stats

    def _stored_metadata(self, sources: list[str], page: int = 500) -> dict[str, dict[str, dict]]:
        """Per source, its stored chunks' metadata by chunk id (one read per ``page`` sources)."""
        stored: dict[str, dict[str, dict]] = {}
        unique = list(dict.fromkeys(sources))
        for start in range(0, len(unique), page):
            found = self._collection.get(where={"source": {"$in": unique[start : start + page]}}, include=["metadatas"])
            for chunk_id, meta in zip(found["ids"], found["metadatas"] or []):
                meta = dict(meta or {})
                stored.setdefault(str(meta.get("source", "")), {})[chunk_id] = meta
        return stored

    def remove_source(self, source: str) -> int:
        ids = sorted(self.source_ids(source))
        if ids:
            self._touch()
            self._collection.delete(ids=ids)
            self._touch()
        return len(ids)

    def query(self, text: str, k: int = 4, where: Mapping[str, object] | None = None) -> list[Hit]:
        """The ``k`` chunks nearest to ``text`` among those matching ``where``.

        ``where`` maps metadata keys to a value or a list of values (any of). Filtered queries are
        answered exactly from the in-memory snapshot; unfiltered ones by Chroma's HNSW index.
        """
        return self.query_vector(self.embeddings.embed_query(text), k=k, where=where)

    def query_vector(self, vector: list[float], k: int = 4, where: Mapping[str, object] | None = None) -> list[Hit]:
        if where:
            snapshot = self.vectors()
            return [_hit(snapshot.ids[row], snapshot.documents[row], snapshot.metadatas[row], score)
                    for row, score in snapshot.search(vector, k, where)]  # fmt: skip
        self.revision()  # the model check
        if self.count() == 0:
            return []
        result = self._collection.query(
            query_embeddings=[vector], n_results=k, include=["documents", "metadatas", "distances"]
        )
        return [
            _hit(chunk_id, doc, meta or {}, 1.0 - float(distance))
            for chunk_id, doc, meta, distance in zip(
                result["ids"][0], result["documents"][0], result["metadatas"][0], result["distances"][0]
            )
        ]

    # ------------------------------------------------------------------ re-embedding

    def reembed(self, on_progress: Callable[[int, int], None] | None = None, page: int = 1000) -> int:
        """Re-embed every stored chunk with the configured model; returns how many.

        The chunks are copied into a new collection, which then takes the old one's name; an
        interruption leaves the old collection in place (or the finished copy, which the next
        open renames into place), never a half-embedded index.
        """
        spare = _spare_name(self.name)
        if spare in _collection_names(self._client):
            self._client.delete_collection(spare)
        copy = self._client.create_collection(spare, embedding_function=None, metadata={"hnsw:space": "cosine"})
        total, done = self._collection.count(), 0
        while True:
            found = self._collection.get(include=["documents", "metadatas"], limit=page, offset=done)
            if not found["ids"]:
                break
            metadatas = [dict(m or {}) for m in found["metadatas"]]
            texts = [embedding_text(str(m.get("section", "")), d or "") for d, m in zip(found["documents"], metadatas)]
            copy.add(ids=found["ids"], embeddings=self.embeddings.embed_documents(texts), documents=found["documents"],
                     metadatas=metadatas)  # fmt: skip
            done += len(found["ids"])
            if on_progress:
                on_progress(done, total)
        copy.modify(metadata={**self._new_stamps(), COMPLETE_KEY: True})
        # The old collection goes, the copy takes its name: _recover_reembed finishes this if cut short.
        self._client.delete_collection(self.name)
        copy.modify(name=self.name)
        self._collection = self._client.get_collection(self.name)
        self._snapshot = None
        return done


def _spare_name(name: str) -> str:
    return f"{name}-reembed"


def _collection_names(client: chromadb.ClientAPI) -> set[str]:
    return {c if isinstance(c, str) else c.name for c in client.list_collections()}


def _recover_reembed(client: chromadb.ClientAPI, name: str) -> None:
    """Finish a re-embedding cut short between dropping the old collection and renaming the copy."""
    names = _collection_names(client)
    spare = _spare_name(name)
    if name not in names and spare in names:
        copy = client.get_collection(spare)
        if (copy.metadata or {}).get(COMPLETE_KEY):
            copy.modify(name=name)


def _hit(chunk_id: str, document: str | None, meta: Mapping, score: float) -> Hit:
    return Hit(
        source=str(meta.get("source", "")),
        chunk_id=chunk_id,
        section=str(meta.get("section", "")),
        text=document or "",
        score=score,
        language=str(meta.get("language", "")),
        audience=str(meta.get("audience", "")),
        dense_score=score,
    )


def _metadata(chunk: Chunk, source: str) -> dict:
    return {**chunk.metadata, "source": source, "section": chunk.section}


def embedding_text(section: str, text: str) -> str:
    # The heading path carries the topic ("Returns > Refund timing"); embed it with the body.
    return f"{section}\n{text}" if section else text
