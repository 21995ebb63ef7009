import numpy as np

from retrieval.partitioned import Partition, PartitionedVectors


def test_search_scores_only_the_asked_partition_exactly():
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(300, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    shop = {f"s{i}": Partition([f"s{i}-{j}" for j in range(100)], [""] * 100, vectors[i * 100:(i + 1) * 100]) for i in range(3)}
    index = PartitionedVectors("shop", shop)
    query = vectors[150]
    found = index.search(query, "s1", k=3)
    assert found[0][0] == "s1-50" and abs(found[0][1] - 1.0) < 1e-5
    assert all(chunk_id.startswith("s1-") for chunk_id, _, _ in found)
    expected = np.argsort(-(vectors[100:200] @ query))[:3]
    assert [c for c, _, _ in found] == [f"s1-{j}" for j in expected]
    assert index.search(query, "nope") == []
