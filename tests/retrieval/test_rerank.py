"""The optional cross-encoder stage: off by default, after the gate, ordered by the model's scores."""

import json

import pytest
from typer.testing import CliRunner

from retrieval.embeddings import default_embedding_model_path
from retrieval.hybrid import HybridSearcher
from retrieval.lexical import LexicalIndex
from retrieval.rerank import CrossEncoderReranker
from serving.cli import app
from serving.runtime import build_index, build_retriever
from tests.conftest import make_settings

runner = CliRunner()


class ReversingReranker:
    """Puts the fused order upside down and records what it was given."""

    def __init__(self) -> None:
        self.seen: list[list[str]] = []

    def run(self, query, hits):
        self.seen.append([hit.chunk_id for hit in hits])
        return {"hits": list(reversed(hits))}


@pytest.fixture(scope="module")
def cross_encoder_dir(tmp_path_factory):
    """A real CrossEncoder directory, made offline from the packaged MiniLM (its scoring head is
    untrained: good for the wiring, says nothing about quality)."""
    import torch
    from sentence_transformers import CrossEncoder

    torch.manual_seed(0)
    folder = tmp_path_factory.mktemp("cross-encoder")
    CrossEncoder(default_embedding_model_path(), num_labels=1, device="cpu", local_files_only=True).save(str(folder))
    return folder


def test_no_rerank_stage_unless_configured(knowledge_home):
    assert build_retriever(make_settings(knowledge_home)).searcher.reranker is None


def test_reranker_orders_what_the_gate_kept_and_cannot_admit_an_off_topic_question(knowledge_home):
    index = build_index(make_settings(knowledge_home))
    plain = HybridSearcher(index, LexicalIndex(knowledge_home / "lexical"))
    reranker = ReversingReranker()
    reranked = HybridSearcher(index, LexicalIndex(knowledge_home / "lexical"), reranker=reranker)

    question = "How long does a refund take?"
    gated = [hit.chunk_id for hit in plain.run(question, k=50)["hits"]]
    assert len(gated) > 3
    top = [hit.chunk_id for hit in reranked.run(question, k=3)["hits"]]
    assert reranker.seen[-1] == gated  # every gated hit, in fused order, before the cut to k
    assert top == list(reversed(gated))[:3]

    assert reranked.run("What is the weather in Paris tomorrow?", k=3)["hits"] == []
    assert reranker.seen[-1] == []


def test_cross_encoder_scores_and_orders_the_hits(knowledge_home, cross_encoder_dir):
    retriever = build_retriever(make_settings(knowledge_home, rerank_model=str(cross_encoder_dir), rerank_depth=5), k=8)
    stage = retriever.searcher.reranker
    assert isinstance(stage, CrossEncoderReranker) and stage.depth == 5

    hits = retriever.searcher.run("How long does a refund take?", k=8)["hits"]
    scored = [hit.rerank_score for hit in hits[:5]]
    assert all(score is not None for score in scored) and scored == sorted(scored, reverse=True)
    assert all(hit.rerank_score is None for hit in hits[5:])  # beyond the depth: fused order, unscored
    assert "rerank_score" in hits[0].as_dict()

    # The packaged MiniLM's vocabulary lacks most Chinese: its cross-encoder is skipped, not trusted.
    assert stage.reads("退款多久到账？") < 0.9
    assert all(hit.rerank_score is None for hit in retriever.searcher.run("退款多久到账？", k=5)["hits"])


def test_cli_search_reranks_and_a_missing_reranker_is_one_line(monkeypatch, knowledge_home, cross_encoder_dir, tmp_path):
    from kefu.settings import get_settings

    monkeypatch.setenv("KEFU_HOME", str(knowledge_home))
    monkeypatch.setenv("KEFU_RERANK_MODEL", str(cross_encoder_dir))
    get_settings.cache_clear()
    try:
        found = runner.invoke(app, ["search", "Can I pay with PayPal?", "--k", "3", "--json"])
        assert found.exit_code == 0, found.output
        scores = [hit["rerank_score"] for hit in json.loads(found.stdout)]
        assert len(scores) == 3 and scores == sorted(scores, reverse=True)

        monkeypatch.setenv("KEFU_RERANK_MODEL", str(tmp_path / "no-such-model"))
        get_settings.cache_clear()
        missing = runner.invoke(app, ["search", "Can I pay with PayPal?", "--json"])
        assert missing.exit_code == 2 and "KEFU_RERANK_MODEL" in missing.output
        assert "Traceback" not in missing.output
    finally:
        get_settings.cache_clear()
