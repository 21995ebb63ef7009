"""`kefu bench retrieval`: filtered top-k latency at N chunks, kefu vs LangChain's plain Chroma.

The corpus is synthetic (vectors near real chunk embeddings, spread over 50 shops); the queries
are real questions embedded with the real model. Both sides search the same embedded Chroma
collection with the same shop filter and k; embedding the query is done once, outside the timing.
kefu's side is the live path, ``KnowledgeIndex.query_vector`` with a ``where`` filter: the
revision check (a metadata read) and the in-memory filtered exact search, every query.
"""

from __future__ import annotations

import statistics
import tempfile
import time

import numpy as np

from retrieval.index import EMBED_BATCH, KnowledgeIndex

SHOPS = 50
QUERIES = [
    "How long does a refund take?", "Can I return a delivered order?", "How much is express shipping?",
    "Do you ship internationally?", "How do I get an invoice?", "What does the warranty cover?",
    "Can I combine two coupons?", "How do membership points work?", "How do I cancel my order?",
    "What is the commission for electronics?", "退款多久到账？", "怎么申请发票？", "会员积分怎么用？", "可以修改收货地址吗？",
]  # fmt: skip


def _percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {"p50_ms": round(statistics.median(ordered), 2), "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 2)}


def bench_retrieval(embeddings, seed_texts: list[str], chunks: int, k: int = 5, repeats: int = 200, progress=None) -> dict:
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from langchain_chroma import Chroma

    rng = np.random.default_rng(7)
    seeds = np.asarray(embeddings.embed_documents(seed_texts), dtype=np.float32)
    with tempfile.TemporaryDirectory(prefix="kefu-bench-") as folder:
        client = chromadb.PersistentClient(path=folder, settings=ChromaSettings(anonymized_telemetry=False))
        collection = client.get_or_create_collection("bench", embedding_function=None, metadata={"hnsw:space": "cosine"})
        started = time.perf_counter()
        for offset in range(0, chunks, 5000):
            n = min(5000, chunks - offset)
            base = seeds[rng.integers(0, len(seeds), n)]
            vectors = base + rng.normal(0, 0.05, base.shape).astype(np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            shops = rng.integers(0, SHOPS, n)
            collection.add(
                ids=[f"c{offset + i}" for i in range(n)],
                embeddings=vectors.tolist(),
                documents=[f"synthetic chunk {offset + i}" for i in range(n)],
                metadatas=[{"shop": f"shop_{s}"} for s in shops],
            )
            if progress:
                progress(offset + n)
        load_s = time.perf_counter() - started

        index = KnowledgeIndex(client, embeddings, collection="bench")
        started = time.perf_counter()
        index.vectors()  # the snapshot a replica loads once per revision
        warm_s = time.perf_counter() - started
        baseline_store = Chroma(client=client, collection_name="bench", embedding_function=embeddings)

        queries = [embeddings.embed_query(q) for q in QUERIES]
        plan = [(queries[i % len(queries)], f"shop_{rng.integers(0, SHOPS)}") for i in range(repeats)]
        kefu_ms, baseline_ms, agree = [], [], 0
        for vector, shop in plan:
            t0 = time.perf_counter()
            mine = index.query_vector(vector, k=k, where={"shop": shop})
            t1 = time.perf_counter()
            theirs = baseline_store.similarity_search_by_vector(vector, k=k, filter={"shop": shop})
            t2 = time.perf_counter()
            kefu_ms.append((t1 - t0) * 1000)
            baseline_ms.append((t2 - t1) * 1000)
            agree += len({hit.text for hit in mine} & {d.page_content for d in theirs})
    kefu, baseline = _percentiles(kefu_ms), _percentiles(baseline_ms)
    return {
        "chunks": chunks,
        "filter": f"shop = one of {SHOPS}",
        "k": k,
        "queries": repeats,
        "kefu": kefu,
        "baseline": baseline,
        "speedup_p95": round(baseline["p95_ms"] / max(kefu["p95_ms"], 1e-6), 1),
        "top_k_overlap": round(agree / (k * repeats), 3),  # kefu is exact; HNSW is approximate
        "load_s": round(load_s, 1),
        "snapshot_load_s": round(warm_s, 2),
    }


def bench_embed(embeddings, questions: list[str], batch_size: int = 32) -> dict:
    """`kefu bench embed`: one question at a time as a turn asks (each once, the question caches
    emptied first), then the same questions in batches of ``batch_size``, per question."""
    from retrieval.embeddings import clear_question_caches

    questions = list(dict.fromkeys(questions))  # a repeat would come from the cache
    embeddings.embed_documents(["warm-up", "model load, first-call allocations"])
    clear_question_caches()
    single_ms = []
    for question in questions:
        started = time.perf_counter()
        embeddings.embed_query(question)
        single_ms.append((time.perf_counter() - started) * 1000)
    batches = [questions[i : i + batch_size] for i in range(0, len(questions) - batch_size + 1, batch_size)]  # full batches only
    embed_queries = getattr(embeddings, "embed_queries", None) or (lambda texts: [embeddings.embed_query(t) for t in texts])
    started = time.perf_counter()
    for batch in batches:
        embed_queries(batch)
    batch_s = time.perf_counter() - started
    return {
        "model": getattr(embeddings, "identity", type(embeddings).__name__),
        "questions": len(questions),
        "single": _percentiles(single_ms),
        "batch_size": batch_size,
        "batch_per_question_ms": round(batch_s * 1000 / max(sum(map(len, batches)), 1), 2),
    }


def bench_ingest(embeddings, paths: list, batch_size: int = EMBED_BATCH, progress=None) -> dict:
    """`kefu bench ingest`: a whole ingest (read, chunk, embed, write to a fresh embedded Chroma,
    stamp) against the model's own embedding-only throughput on the same chunks, in chunks/s."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    from knowledge.loaders import LOADERS
    from retrieval.index import embedding_text
    from retrieval.ingest import discover, ingest

    chunks = [c for file, source in discover(paths) for c in LOADERS[file.suffix.lower()](file, source, {})]
    texts = [embedding_text(c.section, c.text) for c in chunks]
    embeddings.embed_documents(texts[:2])  # warm-up: model load, first-call allocations
    started = time.perf_counter()
    for start in range(0, len(texts), batch_size):
        embeddings.embed_documents(texts[start : start + batch_size])
    embed_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory(prefix="kefu-bench-ingest-") as folder:
        client = chromadb.PersistentClient(path=folder, settings=ChromaSettings(anonymized_telemetry=False))
        index = KnowledgeIndex(client, embeddings, collection="bench")
        started = time.perf_counter()
        report = ingest(index, paths, on_embedded=progress)
        ingest_s = time.perf_counter() - started
    embed_rate, ingest_rate = len(texts) / embed_s, report.stats.added / ingest_s
    return {
        "model": getattr(embeddings, "identity", type(embeddings).__name__),
        "files": report.files,
        "chunks": report.stats.added,
        "embedding_only_chunks_per_s": round(embed_rate, 2),
        "ingest_chunks_per_s": round(ingest_rate, 2),
        "ratio": round(ingest_rate / embed_rate, 3),
        "embedding_only_s": round(embed_s, 2),
        "ingest_s": round(ingest_s, 2),
    }


def bench_order_cards(embeddings, db_url: str, batch_size: int = EMBED_BATCH, progress=None) -> dict:
    """`kefu bench ingest --orders`: every order's card (τ²'s shop: 1,000 documents) synced into a
    fresh embedded Chroma, against the model's own embedding-only throughput on the same cards."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    from retrieval.index import embedding_text
    from retrieval.order_cards import ORDER_COLLECTION, OrderCardIndex

    embeddings.embed_documents(["warm-up", "model load, first-call allocations"])
    with tempfile.TemporaryDirectory(prefix="kefu-bench-cards-") as folder:
        client = chromadb.PersistentClient(path=folder, settings=ChromaSettings(anonymized_telemetry=False))
        index = KnowledgeIndex(client, embeddings, collection=ORDER_COLLECTION)
        started = time.perf_counter()
        stats = OrderCardIndex(index, db_url).sync(on_embedded=progress)
        ingest_s = time.perf_counter() - started
        _ids, documents, metadatas = index.snapshot()
    if not documents:
        from retrieval.ingest import IngestError

        raise IngestError("no orders in the order database: `kefu orders import-tau2 …` or `kefu orders demo` first")
    texts = [embedding_text(str(m.get("section", "")), d) for d, m in zip(documents, metadatas)]
    started = time.perf_counter()
    for start in range(0, len(texts), batch_size):
        embeddings.embed_documents(texts[start : start + batch_size])
    embed_s = time.perf_counter() - started
    embed_rate, ingest_rate = len(texts) / embed_s, stats.added / ingest_s
    return {
        "model": getattr(embeddings, "identity", type(embeddings).__name__),
        "documents": "order cards",
        "chunks": stats.added,
        "embedding_only_chunks_per_s": round(embed_rate, 2),
        "ingest_chunks_per_s": round(ingest_rate, 2),
        "ratio": round(ingest_rate / embed_rate, 3),
        "embedding_only_s": round(embed_s, 2),
        "ingest_s": round(ingest_s, 2),
    }
