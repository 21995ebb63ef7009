"""Exact vector search inside one metadata partition, for selective filters.

With a `where` filter Chroma searches its HNSW graph and checks each candidate's metadata, which
costs more the more selective the filter is (a probe: 24.5 ms p50 with a filter over 20k chunks,
2.5 ms without). When a filter picks one shop's or one buyer's chunks, it is cheaper to filter
first: keep the vectors grouped by the filter key and score only that group, exactly, in numpy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PAGE = 5000


@dataclass
class Partition:
    ids: list[str]
    documents: list[str]
    vectors: np.ndarray  # (n, d) float32, unit length


class PartitionedVectors:
    """Chunks grouped by the value of one metadata key; `search` scores only the asked group."""

    def __init__(self, key: str, partitions: dict[str, Partition]) -> None:
        self.key = key
        self.partitions = partitions

    @classmethod
    def from_collection(cls, collection, key: str) -> "PartitionedVectors":
        grouped: dict[str, tuple[list, list, list]] = {}
        total = collection.count()
        for offset in range(0, total, PAGE):
            page = collection.get(include=["embeddings", "metadatas", "documents"], limit=PAGE, offset=offset)
            for chunk_id, vector, meta, doc in zip(page["ids"], page["embeddings"], page["metadatas"], page["documents"]):
                value = (meta or {}).get(key)
                if value is None:
                    continue
                ids, docs, vectors = grouped.setdefault(str(value), ([], [], []))
                ids.append(chunk_id)
                docs.append(doc or "")
                vectors.append(vector)
        partitions = {}
        for value, (ids, docs, vectors) in grouped.items():
            matrix = np.asarray(vectors, dtype=np.float32)
            matrix /= np.linalg.norm(matrix, axis=1, keepdims=True) + 1e-12
            partitions[value] = Partition(ids, docs, matrix)
        return cls(key, partitions)

    def search(self, vector, value: str, k: int = 5) -> list[tuple[str, float, str]]:
        """(id, cosine, document) of the k best chunks whose `key` equals `value`."""
        partition = self.partitions.get(str(value))
        if partition is None:
            return []
        query = np.asarray(vector, dtype=np.float32)
        query /= np.linalg.norm(query) + 1e-12
        scores = partition.vectors @ query
        k = min(k, len(scores))
        best = np.argpartition(-scores, k - 1)[:k]
        best = best[np.argsort(-scores[best])]
        return [(partition.ids[i], float(scores[i]), partition.documents[i]) for i in best]
