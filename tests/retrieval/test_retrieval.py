"""Hybrid retrieval end to end: the packaged embedding model, embedded Chroma, BM25 with jieba."""

from pathlib import Path

import pytest

from knowledge.documents import Chunk
from retrieval.fusion import RankedList, ReciprocalRankFusion
from retrieval.hybrid import Evidence, RelevanceGate
from retrieval.index import Hit
from retrieval.ingest import ingest
from retrieval.lexical import fingerprint, query_terms, tokenize
from retrieval.retriever import KnowledgeRetriever
from serving.evaluation.retrieval import evaluate, load_qa
from serving.runtime import build_index, build_retriever, min_relevance
from tests.conftest import REPO, TAU2_POLICY, make_settings

QA = REPO / "tests" / "data" / "retrieval_qa.json"

# Questions a shop's knowledge base cannot answer; the relevance gate is calibrated on these and
# the QA set (see retrieval.hybrid.RelevanceGate).
OFF_TOPIC = [
    "What is the weather in Paris tomorrow?",
    "zxqv blorf wug",
    "今天天气怎么样",
    "Who won the football match last night?",
    "帮我写一首关于春天的诗",
    "How do I bake sourdough bread?",
    "明天北京会下雨吗？",
    "What's the capital of Australia?",
    "推荐一部好看的电影",
    "Can I bring my dog to the office?",
    "Tell me a joke about cats",
    "股票今天涨了吗",
    "How many moons does Jupiter have?",
    "帮我翻译这句话",
    "What time is it in Tokyo?",
    "你叫什么名字",
    "Explain quantum entanglement",
    "我的猫不吃饭怎么办",
    "Who is the president of France?",
    "怎么学好英语",
    # Written after the gate's agreement rule was proposed, before it was measured:
    "What's a good recipe for dumplings?",
    "How far is the moon from Earth?",
    "Write me a cover letter for a job",
    "What is 17 times 23?",
    "Which team will win the World Cup?",
    "How do I fix a flat bicycle tire?",
    "What's the best way to learn guitar?",
    "Is it going to snow this weekend?",
    "Who wrote Hamlet?",
    "How do I reset my router?",
    "北京到上海的高铁要多久？",
    "今晚吃什么好？",
    "帮我算一下 37 乘以 48",
    "怎么减肥最快？",
    "世界上最高的山是哪座？",
    "给我讲个笑话",
    "明天适合去爬山吗？",
    "怎么做红烧肉？",
    "我家 wifi 老是断怎么办",
    "推荐几本好看的小说",
]


def retriever_for(home: Path, k: int = 5, **settings) -> KnowledgeRetriever:
    return build_retriever(make_settings(home, **settings), k=k)


@pytest.fixture(scope="module")
def demo_retriever(knowledge_home) -> KnowledgeRetriever:
    return retriever_for(knowledge_home)


def test_recall_on_the_labelled_questions(demo_retriever):
    report = evaluate(demo_retriever, load_qa(QA), k=5)
    assert report["questions"] == 104
    # Measured 0.952 (recall@1 0.644, MRR 0.762) with the multilingual default and the demo glossary
    # (2026-12-03; MiniLM: 0.952, 0.635, 0.750); dense-only all-MiniLM-L6-v2 scored 0.538.
    assert report["recall@5"] >= 0.9, report["misses"]
    assert report["recall@1"] >= 0.55 and report["mrr"] >= 0.65, report


@pytest.mark.parametrize(
    ("name", "floor"),
    # Multilingual default, 2026-12-03: dev 0.900, test 0.891 (docs/retrieval.md). Before, with MiniLM,
    # measured 2026-11-23 (demo base + τ²'s policy.md, no FAQs): the dev set, used once to
    # propose the gate's agreement rule, 0.80 (0.75 before it); the test set, used for nothing
    # but this measure, 0.844 (recall@1 0.56, MRR 0.68). Far below the tuned set's 0.952: the
    # glossary and thresholds fit the questions they were tuned on. Floors guard against
    # regressions, they are not targets.
    [("retrieval_qa_heldout.json", 0.76), ("retrieval_qa_test.json", 0.80)],
)
def test_recall_on_questions_written_after_the_tuning(demo_retriever, name, floor):
    items = load_qa(REPO / "tests" / "data" / name)
    if not TAU2_POLICY.exists():  # a clone without ../shared has no τ² policy to find
        items = [item for item in items if item.kind != "policy"]
    report = evaluate(demo_retriever, items, k=5)
    assert report["recall@5"] >= floor, report["misses"]


def test_the_gate_admits_two_lexical_signals_that_agree_but_not_one_alone():
    gate = RelevanceGate()
    hit = Hit(source="zh/shipping.md", chunk_id="c1", section="", text="", score=1.0)
    other = Hit(source="en/shipping.md", chunk_id="c2", section="", text="", score=0.5)
    agreeing = {"c1": Evidence(coverage=0.30), "c2": Evidence(translated=0.30)}
    assert gate.run([hit, other], agreeing)["hits"] == [hit, other]
    assert gate.run([hit], {"c1": Evidence(coverage=0.34)})["hits"] == []  # one signal below its own threshold
    assert gate.run([hit, other], {"c1": Evidence(coverage=0.25), "c2": Evidence(translated=0.25)})["hits"] == []
    assert gate.run([hit], {"c1": Evidence(coverage=0.36)})["hits"] == [hit]


def test_chinese_finds_chinese_and_english_finds_english(demo_retriever):
    # The demo base holds policies and FAQs (faq-en.csv, faq-zh.csv) in both languages.
    zh = demo_retriever.search("退货政策是什么？")
    assert zh and zh[0].source in ("zh/returns-refunds.md", "faq-zh.csv"), [(h.source, h.section) for h in zh]
    refund = demo_retriever.search("退货退款需要多长时间到账？")
    assert refund[0].language == "zh" and any("5-7 个工作日" in h.text for h in refund[:3])
    en = demo_retriever.search("How long does a refund take to arrive?")
    assert en[0].source in ("en/returns-refunds.md", "faq-en.csv") and any("5-7 business days" in h.text for h in en[:3])
    # The evidence behind a hit stays visible: dense cosine, BM25 for both languages.
    assert en[0].dense_score is not None and en[0].dense_score > demo_retriever.searcher.gate.dense_threshold("en")
    assert zh[0].bm25_score is not None and zh[0].bm25_score > 0


def test_cross_lingual_question_reaches_the_other_language(demo_retriever):
    hits = demo_retriever.search("退到礼品卡的钱是马上到账吗？")
    assert hits[0].language == "zh"  # the question's own language first
    assert any(h.source == "en/returns-refunds.md" and "gift card is immediate" in h.text for h in hits[:5])


def test_off_topic_questions_get_no_hits_and_on_topic_ones_do(demo_retriever):
    found = {q: [(h.source, h.section) for h in demo_retriever.search(q)] for q in OFF_TOPIC}
    assert not any(found.values()), {q: hits for q, hits in found.items() if hits}
    for question in ["What is the return policy?", "退货政策是什么？", "How much is express shipping?", "积分会过期吗？"]:
        assert demo_retriever.search(question), question


def _chunk(source: str, text: str, section: str, **metadata: str) -> Chunk:
    return Chunk(source=source, section=section, text=text, metadata={"language": "en", "doc_type": "policy", **metadata})


def test_filters_apply_before_ranking(tmp_path):
    retriever = retriever_for(tmp_path, k=3)
    index = retriever.index
    # Shop b has many chunks that match the question far better than shop a's single one: a
    # filter applied after a top-k cut would find nothing for shop a.
    for part in range(3):  # 30 chunks, embedded in three batches
        source = f"b/express-{part}.md"
        index.sync_source(
            source,
            [
                Chunk(source, "Express shipping", f"Express shipping costs $9.99 and takes 1-2 business days (variant {n}).", n, {"language": "en", "shop": "b"})
                for n in range(10)
            ],
        )
    index.sync_source("a/delivery.md", [_chunk("a/delivery.md", "Parcels are delivered by courier; express shipping is available at extra cost.", "Delivery", shop="a")])
    index.sync_source(
        "u/notes.md", [_chunk("u/notes.md", "Your express shipping upgrade was refunded.", "Account notes", shop="a", user_id="u1", doc_type="note")]
    )

    unfiltered = retriever.search("How much does express shipping cost?")
    assert unfiltered and all(h.source.startswith("b/") for h in unfiltered)

    shop_a = retriever.search("How much does express shipping cost?", filters={"shop": "a"})
    assert {h.source for h in shop_a} == {"a/delivery.md", "u/notes.md"}
    only_policy = retriever.search("How much does express shipping cost?", filters={"shop": "a", "doc_type": "policy"})
    assert [h.source for h in only_policy] == ["a/delivery.md"]
    assert [h.source for h in retriever.search("express shipping refunded", filters={"user_id": "u1"})] == ["u/notes.md"]
    assert retriever.search("express shipping", filters={"user_id": "someone-else"}) == []
    by_source = retriever.search("express shipping", k=20, filters={"source": ["b/express-1.md", "a/delivery.md"]})
    assert len(by_source) > 3 and {h.source for h in by_source} <= {"b/express-1.md", "a/delivery.md"}
    # A retriever bound to a shop applies its filter to every search.
    bound = KnowledgeRetriever(index=index, k=3, min_score=min_relevance(index), lexical_dir=tmp_path / "lexical", filters={"shop": "a"})
    assert all(h.source in {"a/delivery.md", "u/notes.md"} for h in bound.search("express shipping"))


def test_lexical_index_follows_reingest_edit_and_delete(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    policy = docs / "gifts.md"
    policy.write_text("# 礼品包装\n\n## 包装费用\n\n每件商品的礼品包装收费 3 美元，可在结算时选择。\n", "utf-8")
    (docs / "hours.md").write_text("# Service hours\n\n## Hours\n\nThe help desk answers from 9:00 to 18:00.\n", "utf-8")
    home = tmp_path / "home"
    retriever = retriever_for(home)
    ingest(retriever.index, [docs])
    first = retriever.search("礼品包装要多少钱？")
    assert first and first[0].source == "gifts.md" and "3 美元" in first[0].text
    lexical_dirs = {p.name for p in (home / "lexical").iterdir()}
    assert lexical_dirs == {fingerprint(retriever.index.chunk_ids())}

    # A rerun changes nothing: same fingerprint, nothing rebuilt.
    ingest(retriever.index, [docs])
    assert retriever.search("礼品包装要多少钱？")[0].chunk_id == first[0].chunk_id
    assert {p.name for p in (home / "lexical").iterdir()} == lexical_dirs

    # An edit through another index object (another process, say): no stale text survives.
    policy.write_text("# 礼品包装\n\n## 包装费用\n\n礼品包装现已免费提供。\n", "utf-8")
    ingest(build_index(make_settings(home)), [docs])
    edited = retriever.search("礼品包装要多少钱？")
    assert edited and "免费" in edited[0].text and all("3 美元" not in h.text for h in edited)
    assert len(list((home / "lexical").iterdir())) == 1  # the old index was replaced, not kept

    # A new retriever (a restart) loads the persisted index for the current fingerprint.
    assert "免费" in retriever_for(home).search("礼品包装要多少钱？")[0].text

    # A deleted source is gone from both halves.
    assert retriever.index.remove_source("gifts.md") > 0
    assert all(h.source != "gifts.md" for h in retriever.searcher.run("礼品包装 免费", k=10, gated=False)["hits"])
    assert retriever.search("When does the help desk answer?")[0].source == "hours.md"


def test_tokenizer_and_fusion_units():
    assert tokenize("Returns are FREE for Gold members") == ["return", "free", "gold", "member"]
    tokens = tokenize("退货运费怎么算")
    assert {"退货", "运费", "货运"} <= set(tokens)  # jieba's words, and every bigram
    assert query_terms("退货政策是什么？") == ["退货", "政策"]  # content words, for coverage

    def hit(chunk_id: str) -> Hit:
        return Hit(source="s", chunk_id=chunk_id, section="", text="", score=0.0)

    fused = ReciprocalRankFusion().run(
        [RankedList("dense", [hit("a"), hit("b"), hit("c")]), RankedList("bm25", [hit("b"), hit("c")])]
    )["hits"]
    # b (ranks 2 and 1) and c (3 and 2) beat a (rank 1 in one list): agreement wins.
    assert [h.chunk_id for h in fused] == ["b", "c", "a"]
    assert fused[0].score == pytest.approx(1 / 62 + 1 / 61)
    assert ReciprocalRankFusion.from_dict(ReciprocalRankFusion(top_k=2).to_dict()).top_k == 2


# ---- issue 12: audience, stemming, navigation sections, batched embedding, model names


def test_a_buyer_is_cited_buyer_facing_text_before_agent_or_merchant_text(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "returns.md").write_text("# Returns\n\nYou can return an item within 30 days of delivery for a full refund.\n", encoding="utf-8")
    (docs / "agent-rules.md").write_text(
        "# Return rules\n\nAs a retail agent, you can return delivered items within 30 days; confirm the items and the refund method.\n", encoding="utf-8"
    )
    (docs / "merchant-returns.md").write_text("# Returns for sellers\n\nA return request is approved by the seller within 30 days of delivery.\n", encoding="utf-8")
    retriever = retriever_for(tmp_path, k=3)
    ingest(retriever.index, [docs])
    audiences = {h.source: h.audience for h in retriever.search("What is the return policy?", k=3)}
    assert audiences == {"returns.md": "buyer", "agent-rules.md": "agent", "merchant-returns.md": "merchant"}
    assert [h.audience for h in retriever.search("What is the return policy?", audience="buyer")] == ["buyer", "agent", "merchant"]
    assert retriever.search("What is the return policy?", audience="merchant")[0].source == "merchant-returns.md"
    # A shop says it outright for a folder: everything in it is merchant-facing.
    ingest(retriever.index, [docs], audience="merchant")
    assert {h.audience for h in retriever.search("What is the return policy?", k=3)} == {"merchant"}


def test_the_demo_return_policy_question_cites_the_buyer_policy_first(demo_retriever):
    for question in ("What is the return policy?", "退货政策是什么？"):
        hits = demo_retriever.search(question, audience="buyer")
        assert hits and hits[0].audience == "buyer", [(h.source, h.audience) for h in hits]
        assert all(h.audience == "buyer" for h in hits[:2])


def test_snowball_stemming_matches_word_forms():
    assert tokenize("returned items shipping") == tokenize("return item shipped")
    assert query_terms("Refunds were delivered") == query_terms("refund deliver")


def test_navigation_sections_are_not_indexed():
    from knowledge.markdown import chunk_markdown

    chunks = chunk_markdown("# Gift cards\n\nGift cards never expire.\n\n## Further reading\n\n- \"Redeeming a coupon\"\n\n## 延伸阅读\n\n- 兑换优惠券\n", "g.md")
    assert [c.text for c in chunks] == ["Gift cards never expire."]


def test_new_chunks_of_many_files_are_embedded_in_shared_batches(tmp_path):
    from langchain_core.embeddings import Embeddings

    from retrieval.index import KnowledgeIndex, chroma_client

    class Counting(Embeddings):
        calls: list[int] = []

        def embed_documents(self, texts):
            self.calls.append(len(texts))
            return [[1.0, float(len(t) % 7), 0.5] for t in texts]

        def embed_query(self, text):
            return [1.0, 0.0, 0.0]

    embeddings = Counting()
    index = KnowledgeIndex(chroma_client(tmp_path / "chroma"), embeddings)
    docs = [(f"f{n}.md", [_chunk(f"f{n}.md", f"Text {n}.{i} about delivery.", f"S{i}") for i in range(3)]) for n in range(5)]
    progress = []
    stats = index.sync_sources(docs, batch_size=4, on_embedded=lambda done, total: progress.append((done, total)))
    assert stats.added == 15 and embeddings.calls == [4, 4, 4, 3] and progress[-1] == (15, 15)
    assert index.count() == 15 and index.sync_sources(docs).unchanged == 15 and embeddings.calls == [4, 4, 4, 3]


def test_embedding_model_names():
    from retrieval.embeddings import DEFAULT_MODEL, E5Embeddings, EnsembleEmbeddings, LocalSentenceEmbeddings, embeddings_for

    default = embeddings_for(None)
    assert isinstance(default, EnsembleEmbeddings) and default.identity.startswith("multilingual-e5-small") and default.dimension == 896
    assert embeddings_for(DEFAULT_MODEL).identity == default.identity
    assert isinstance(embeddings_for("multilingual-e5-small"), E5Embeddings)
    assert isinstance(embeddings_for("all-minilm-l6-v2"), LocalSentenceEmbeddings)
    # One vector for both models: its dot product is the weighted mean of their cosines.
    import numpy as np

    q, p = np.array(default.embed_query("退款多久到账？")), np.array(default.embed_documents(["Refunds reach your card in 5-7 business days."])[0])
    e5, use = default.parts
    expected = 0.7 * np.dot(e5.embed_query("退款多久到账？"), e5.embed_documents(["Refunds reach your card in 5-7 business days."])[0]) + 0.3 * np.dot(
        use.embed_query("退款多久到账？"), use.embed_documents(["Refunds reach your card in 5-7 business days."])[0]
    )
    assert abs(float(q @ p) - float(expected)) < 1e-4


def test_question_vectors_are_computed_once_and_shared_by_every_user_of_the_model():
    from retrieval.embeddings import E5Embeddings, VectorCache

    computed = []
    cache = VectorCache(capacity=2)
    compute = lambda text: computed.append(text) or [float(len(text))]  # noqa: E731
    assert cache("a", compute) == [1.0] and cache("a", compute) == [1.0] and computed == ["a"]
    cache("bb", compute), cache("ccc", compute)  # capacity 2: "a", the least recently used, is dropped
    assert cache("a", compute) == [1.0] and computed == ["a", "bb", "ccc", "a"]
    # The NLU's instance and the index's share the vectors of the one packaged model; one question
    # through embed_queries is the same vector as through embed_query.
    nlu, index = E5Embeddings(), E5Embeddings()
    question = "How many days do I have to return an item?"
    assert nlu.embed_queries([question])[0].tolist() == pytest.approx(index.embed_query(question), abs=1e-6)
    assert index._queries.get(question) is not None


def test_a_chunk_first_in_both_own_language_lists_is_not_outvoted_by_glossary_synonyms(knowledge_home):
    # "多久" brings the glossary's duration words (天内, 几天…) into the synonym list; when that list
    # searched only the glossary's words, every chunk with a duration got its vote and the complaints
    # section, first by dense and by BM25, fell to sixth (issue 25, docs/retrieval.md).
    from serving.runtime import build_retriever

    retriever = build_retriever(make_settings(knowledge_home), k=5)
    hits = retriever.search("投诉一般多久能处理完？", k=5)
    chinese = [h for h in hits if h.source.startswith("zh/")]
    assert any(h.section.endswith("投诉") for h in chinese[:3]), [(h.source, h.section) for h in hits]
