"""Filtered dense search from the in-memory snapshot, its freshness across replicas, and the
embedding model stamp (mismatch refused, `reembed` recovers)."""

import hashlib

import numpy as np
import pytest

from knowledge.documents import Chunk
from retrieval.index import COLLECTION, EmbeddingModelMismatch, KnowledgeIndex, chroma_client
from retrieval.vectors import VectorSnapshot


def _snapshot(n: int = 300, dim: int = 8) -> tuple[VectorSnapshot, np.ndarray]:
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(n, dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    metadatas = [{"shop": f"s{i % 3}", "language": "zh" if i % 2 else "en"} for i in range(n)]
    return VectorSnapshot("r1", [f"c{i}" for i in range(n)], [""] * n, metadatas, vectors.copy()), vectors


def test_search_scores_exactly_and_only_the_rows_passing_every_filter():
    snapshot, vectors = _snapshot()
    query = vectors[151]
    found = snapshot.search(query, k=4, filters={"shop": "s1"})
    assert found[0] == (151, pytest.approx(1.0, abs=1e-5))
    rows = [i for i in range(300) if i % 3 == 1]
    expected = sorted(rows, key=lambda i: -float(vectors[i] @ query))[:4]
    assert [row for row, _ in found] == expected
    both = snapshot.search(query, k=50, filters={"shop": "s1", "language": "zh"})
    assert both and all(row % 3 == 1 and row % 2 == 1 for row, _ in both) and len(both) == 50
    any_of = snapshot.search(query, k=300, filters={"shop": ["s0", "s2"]})
    assert len(any_of) == 200 and all(row % 3 != 1 for row, _ in any_of)
    assert snapshot.search(query, k=3, filters={"shop": "nope"}) == []
    assert snapshot.search(query, k=3, filters={"shop": "s1", "language": "fr"}) == []
    assert len(snapshot.search(query, k=1000)) == 300  # k beyond the rows: all of them, best first


class FixedEmbeddings:
    """A deterministic stand-in model: vectors from a hash of the text (tests the plumbing only)."""

    def __init__(self, identity: str) -> None:
        self.identity = identity

    def embed_documents(self, texts):
        return [self.embed_query(t) for t in texts]

    def embed_query(self, text):
        seed = int.from_bytes(hashlib.sha256(f"{self.identity}|{text}".encode()).digest()[:4], "big")
        rng = np.random.default_rng(seed)
        return rng.normal(size=16).tolist()


def _embedded(source: str, i: int) -> str:
    """What KnowledgeIndex embeds for chunk ``i`` of ``_chunks(source, …)``: heading, then text."""
    return f"{source} {i}\n{source} text {i}"


def _chunks(source: str, shop: str, n: int) -> list[Chunk]:
    return [Chunk(source=source, section=f"{source} {i}", text=f"{source} text {i}", metadata={"shop": shop}) for i in range(n)]


def test_another_replicas_write_is_seen_on_the_next_filtered_query(tmp_path):
    # Two indexes on one Chroma folder stand for two app replicas.
    model = FixedEmbeddings("m1")
    writer = KnowledgeIndex(chroma_client(tmp_path), model)
    reader = KnowledgeIndex(chroma_client(tmp_path), model)
    writer.sync_source("a.md", _chunks("a.md", "shop_a", 3))
    first = reader.query(_embedded("a.md", 1), k=5, where={"shop": "shop_a"})
    assert [h.text for h in first][:1] == ["a.md text 1"] and len(first) == 3
    loaded = reader.vectors()
    assert reader.vectors() is loaded  # unchanged revision: no reload

    writer.sync_source("b.md", _chunks("b.md", "shop_b", 2))
    assert [h.source for h in reader.query(_embedded("b.md", 0), k=5, where={"shop": "shop_b"})] == ["b.md", "b.md"]
    assert reader.vectors() is not loaded
    writer.remove_source("a.md")
    assert reader.query("a.md text 1", k=5, where={"shop": "shop_a"}) == []
    unchanged = reader.vectors()
    assert writer.sync_source("b.md", _chunks("b.md", "shop_b", 2)).added == 0
    assert reader.vectors() is unchanged  # a no-op sync stamps nothing


def test_a_writer_that_dies_half_way_still_makes_readers_reload(tmp_path, monkeypatch):
    model = FixedEmbeddings("m1")
    writer = KnowledgeIndex(chroma_client(tmp_path), model)
    reader = KnowledgeIndex(chroma_client(tmp_path), model)
    writer.sync_source("a.md", _chunks("a.md", "shop_a", 3))
    assert len(reader.query(_embedded("a.md", 0), k=5, where={"shop": "shop_a"})) == 3

    def crash(*args, **kwargs):
        raise RuntimeError("the writer's process died here")

    # An edit: the new chunk is written, then the writer dies before removing the old ones.
    monkeypatch.setattr(writer._collection, "delete", crash)
    edited = _chunks("a.md", "shop_a", 2) + [Chunk(source="a.md", section="a.md new", text="a.md new text", metadata={"shop": "shop_a"})]
    with pytest.raises(RuntimeError):
        writer.sync_source("a.md", edited)
    texts = [h.text for h in reader.query(_embedded("a.md", 0), k=10, where={"shop": "shop_a"})]
    assert "a.md new text" in texts and len(texts) == 4  # what the collection holds now, not the old snapshot


def test_another_models_vectors_are_refused_until_reembedded(tmp_path):
    KnowledgeIndex(chroma_client(tmp_path), FixedEmbeddings("m1")).sync_source("a.md", _chunks("a.md", "shop_a", 3))
    switched = KnowledgeIndex(chroma_client(tmp_path), FixedEmbeddings("m2"))
    with pytest.raises(EmbeddingModelMismatch, match="kefu ingest --reembed"):
        switched.query("a.md text 1", k=3)
    with pytest.raises(EmbeddingModelMismatch):
        switched.sync_source("b.md", _chunks("b.md", "shop_a", 1))
    assert switched.count() == 3  # nothing was written

    ids = sorted(switched.chunk_ids())
    assert switched.reembed() == 3
    assert sorted(switched.chunk_ids()) == ids
    hits = switched.query(_embedded("a.md", 2), k=1, where={"shop": "shop_a"})
    assert hits[0].text == "a.md text 2" and hits[0].score == pytest.approx(1.0, abs=1e-5)  # embedded with m2 now
    with pytest.raises(EmbeddingModelMismatch):
        KnowledgeIndex(chroma_client(tmp_path), FixedEmbeddings("m1")).query("x", k=1)


def test_a_reembed_cut_short_after_the_old_collection_went_is_finished_on_open(tmp_path):
    index = KnowledgeIndex(chroma_client(tmp_path), FixedEmbeddings("m1"))
    index.sync_source("a.md", _chunks("a.md", "shop_a", 2))
    client = chroma_client(tmp_path)
    copy = client.create_collection(f"{COLLECTION}-reembed", embedding_function=None)
    found = client.get_collection(COLLECTION).get(include=["embeddings", "documents", "metadatas"])
    copy.add(ids=found["ids"], embeddings=found["embeddings"], documents=found["documents"], metadatas=found["metadatas"])
    copy.modify(metadata={"kefu:complete": True, "kefu:embedding_model": "m1", "kefu:revision": "x"})
    client.delete_collection(COLLECTION)  # the crash happens here, before the rename
    reopened = KnowledgeIndex(chroma_client(tmp_path), FixedEmbeddings("m1"))
    assert reopened.count() == 2 and len(reopened.query("a.md text 0", k=2, where={"shop": "shop_a"})) == 2
