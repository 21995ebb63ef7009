"""Hybrid search: dense (Chroma), BM25 on the question's words and on their glossary synonyms,
fused by reciprocal rank fusion; BM25 on the glossary translation for the other language's chunks;
then a relevance gate that decides whether anything found is worth citing.

Why these lists:

- **dense** understands paraphrase ("send it back" ≈ "return") but only in a language its model
  reads. all-MiniLM-L6-v2 reads English only, so the dense list votes only when the model's
  vocabulary knows ≥ 90% of the question's tokens (``LocalSentenceEmbeddings.vocabulary_coverage``):
  for a Chinese question its ranking is noise (it scores ~0.2-0.25 cosine against every Chinese
  chunk) and the embedding is not even computed. A multilingual model votes in both languages.
- **bm25** matches the question's own words, with jieba for Chinese: it is what makes Chinese
  retrieval work with the packaged model.
- **bm25-synonyms** adds the words a policy is likely to use for the question's words (the
  glossary's same-language synonyms: 寄回 → 退货, 退回; 收到 → 签收, 送达), at half weight. It
  stands in for the paraphrase that dense retrieval gives English.
- **bm25-translated** searches the *other* language's chunks with the question's words carried over
  by the domain glossary (``retrieval.glossary``), so "退到礼品卡的钱是马上到账吗？" also finds the
  English gift-card refund policy, and an English question a policy written only in Chinese.

Filters (``source``, ``shop``, ``user_id``, ``doc_type``, ``language``: any metadata key, by
equality, a list meaning "any of") restrict every list *before* ranking: posting lists over the
in-memory vector snapshot for dense (``retrieval.vectors``), a mask over BM25's scores for
lexical. Nothing is fetched and then thrown away.

An optional cross-encoder (``retrieval.rerank``, ``KEFU_RERANK_MODEL``) reorders the gated hits.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from knowledge.documents import detect_language
from retrieval.fusion import RankedList, ReciprocalRankFusion
from retrieval.glossary import Entry, synonyms, translate
from retrieval.index import Hit, KnowledgeIndex
from retrieval.lexical import Filters, LexicalIndex, LexicalMatch, query_terms, tokenize


@runtime_checkable
class Reranker(Protocol):
    """A stage that reorders hits for a query (``retrieval.rerank.CrossEncoderReranker``)."""

    def run(self, query: str, hits: list[Hit]) -> dict[str, list[Hit]]: ...


# How many candidates each list contributes to the fusion. Deeper lists cost little (BM25 scores
# every chunk anyway; Chroma returns 20 neighbours as fast as 5) and let a chunk ranked well by
# two lists surface even when neither ranks it first.
CANDIDATES = 20

# The synonym list's vote, relative to 1 for the question's own words: synonyms are a guess at
# the words a policy uses, not the question itself. Measured on the QA set: 0.3-0.7 all give
# recall@5 0.94-0.97; 0.5 has the best MRR.
SYNONYM_WEIGHT = 0.5

# Cross-lingual hits are placed, not fused. RRF cannot do it: the translated list ranks other
# chunks than the same-language lists (the other language's), so any weight either buries its
# best hit below rank 5 or lets it push the question's own language out of rank 1 (measured:
# recall@1 0.65 → 0.09 between weights 0.95 and 1.05). Instead its best two hits that pass the
# gate's translated threshold on their own take places 4 and 5: the three best answers in the
# question's language stay first (a degraded answer quotes the first two; the assistant's
# default k=4 sends the model three of its own language and one of the other), and an answer
# written only in the other language still reaches the model.
TRANSLATED_SLOTS = 2
TRANSLATED_AFTER = 3


# Whose documents come first for each reader; a chunk without an audience counts as buyer-facing.
AUDIENCE_ORDER = {"buyer": ("buyer", "agent", "merchant"), "merchant": ("merchant", "buyer", "agent")}


def dense_trust(vocabulary_coverage: float) -> float:
    """Weight of the dense list: 1 when the model knows ≥ 90% of the question's tokens, else 0.

    A step, not a ramp: a partly known question is not partly understood. all-MiniLM-L6-v2 knows
    69% of the tokens of "明天北京会下雨吗？" (common characters are in its vocabulary) and still
    embeds it as noise: 0.545 cosine with an unrelated Chinese chunk.
    """
    return 1.0 if vocabulary_coverage >= 0.9 else 0.0


@dataclass(frozen=True)
class Evidence:
    """How well one chunk matches the question, by each retriever (0 where it did not find it)."""

    dense: float = 0.0  # cosine similarity; 0 when the embedding model cannot read the question
    coverage: float = 0.0  # idf-weighted share of the question's content words in the chunk
    translated: float = 0.0  # share of the question the glossary translated × share of that in the chunk


@dataclass(frozen=True)
class RelevanceGate:
    """Decides whether a question is answerable from the knowledge base, and which hits to cite.

    The question is answerable when its best hit passes one of: ``dense ≥ min_dense`` (only when
    the embedding model can read the question), ``coverage ≥ min_coverage``, or
    ``translated ≥ min_translated``; or when the two lexical searches agree: the best coverage in
    the question's language plus the best translated coverage in the other reach
    ``min_agreement``, both above 0. Otherwise nothing is returned, and the assistant offers a
    human. Of an answerable question's hits, those with at least ``floor`` times a threshold on
    some measure are kept: a hit with no real evidence is not cited just to fill ``k``.

    Calibration: the best evidence per question (max over its hits) on
    ``tests/data/retrieval_qa.json`` (104 on-topic questions, 52 per language) and on 20
    off-topic questions in both languages (``OFF_TOPIC`` in tests/retrieval/test_retrieval.py), with
    all-MiniLM-L6-v2 on the demo knowledge base plus τ²'s policy.md:

    - dense (English questions only): off-topic at most 0.361 ("What time is it in Tokyo?"),
      0.27 for "Can I bring my dog to the office?", 0.25 for "zxqv blorf wug"; on-topic min 0.267,
      5th percentile 0.379, median 0.572. → ``min_dense`` 0.40 (MIN_RELEVANCE in serving.runtime).
    - coverage: off-topic at most 0.305 (Tokyo again: "time"), Chinese at most 0.221; on-topic
      Chinese min 0.182, 5th percentile 0.386, median 0.642; English median 0.613. → 0.35.
    - translated: off-topic 0.0 for all 20 (the glossary knows no weather, sport or poetry);
      on-topic median 0.5 (English) and 0.62 (Chinese). → 0.40, which also decides which
      cross-lingual hits are placed in the results (0.3-0.5 all give recall@5 ≥ 0.95).

    Result: 102 of the 104 on-topic questions are answerable ("My headphones stopped working after
    8 months, is that covered?" scores 0.384 / 0.233 / 0.143, and "买的沙发能搬进屋里吗？要不要加钱？"
    shares only 0.18 of its words with the base), none of the 20 off-topic ones. The margins are
    thin (0.04 for dense, 0.05 for coverage): recalibrate with your own questions when the
    knowledge base or the embedding model changes.

    Held out: on 80 questions written afterwards by someone who had not seen the tuned set or
    the glossary (``tests/data/retrieval_qa_heldout.json``), the thresholds above refused 9 of the
    68 questions whose answer the ungated search found; 7 were Chinese with both lexical signals
    moderate (coverage 0.27-0.35 and translated 0.24-0.36). Of 40 off-topic questions (20 written
    after this rule was proposed), the highest coverage + translated with both above 0 is 0.50
    ("北京到上海的高铁要多久？": 多久 is in the glossary; "Which team will win the World Cup?").
    → ``min_agreement`` 0.55: 5 of the 7 pass, no off-topic question does. A margin of 0.05
    again; the questions in tests/data/retrieval_qa_test.json were not used for any of this.
    """

    min_dense: float = 0.40
    min_coverage: float = 0.35
    min_translated: float = 0.40
    min_agreement: float = 0.55
    floor: float = 0.5
    # Per question language ("en", "zh") and for a chunk in the other language ("cross"), where
    # the embedding model's cosine scale differs (multilingual models: unrelated Chinese
    # questions score higher than English ones, a relevant chunk in the other language lower).
    min_dense_by_language: tuple[tuple[str, float], ...] = ()

    @classmethod
    def for_model(cls, min_relevance: float | dict[str, float]) -> "RelevanceGate":
        """The gate with an embedding model's dense calibration (``retrieval.embeddings``)."""
        if isinstance(min_relevance, dict):
            return cls(min_dense=max(min_relevance.values()), min_dense_by_language=tuple(sorted(min_relevance.items())))
        return cls(min_dense=float(min_relevance))

    def dense_threshold(self, language: str = "", chunk_language: str = "") -> float:
        """The minimum dense cosine for a question in ``language`` and a chunk in ``chunk_language``."""
        by_language = dict(self.min_dense_by_language)
        if language and chunk_language and chunk_language != language and "cross" in by_language:
            return by_language["cross"]
        return by_language.get(language, self.min_dense)

    @property
    def reads_across(self) -> bool:
        """Calibrated for chunks in the other language: the embedding model is multilingual."""
        return "cross" in dict(self.min_dense_by_language)

    def strength(self, evidence: Evidence, language: str = "", chunk_language: str = "") -> float:
        """The evidence as a multiple of the thresholds: ≥ 1 means it passes on its own."""
        return self._score(evidence, self.dense_threshold(language, chunk_language))

    def _score(self, evidence: Evidence, min_dense: float) -> float:
        """The evidence as a multiple of the thresholds: ≥ 1 means it passes on its own."""
        return max(
            evidence.dense / min_dense,
            evidence.coverage / self.min_coverage,
            evidence.translated / self.min_translated,
        )

    def run(self, hits: list[Hit], evidence: dict[str, Evidence], language: str = "") -> dict[str, list[Hit]]:
        """``language``: the question's ("en", "zh"), for the per-language dense thresholds."""
        scores = [self._score(evidence.get(hit.chunk_id, Evidence()), self.dense_threshold(language, hit.language)) for hit in hits]
        if not scores or (max(scores) < 1.0 and not self._lexical_agreement(evidence)):
            return {"hits": []}
        return {"hits": [hit for hit, score in zip(hits, scores) if score >= self.floor]}

    def _lexical_agreement(self, evidence: dict[str, Evidence]) -> bool:
        coverage = max((e.coverage for e in evidence.values()), default=0.0)
        translated = max((e.translated for e in evidence.values()), default=0.0)
        return coverage > 0 and translated > 0 and coverage + translated >= self.min_agreement

    def to_dict(self) -> dict[str, Any]:
        return {"type": "RelevanceGate", "init_parameters": self.__dict__.copy()}


class HybridSearcher:
    """The searcher the assistant, ``kefu search`` and ``kefu eval retrieval`` share."""

    def __init__(
        self,
        index: KnowledgeIndex,
        lexical: LexicalIndex | None = None,
        gate: RelevanceGate | None = None,
        fusion: ReciprocalRankFusion | None = None,
        candidates: int = CANDIDATES,
        synonym_weight: float = SYNONYM_WEIGHT,
        translated_slots: int = TRANSLATED_SLOTS,
        translated_after: int = TRANSLATED_AFTER,
        glossary: tuple[Entry, ...] = (),  # the shop's glossary (retrieval.glossary.load_glossary); () = none
        reranker: Reranker | None = None,
    ) -> None:
        self.index = index
        self.lexical = lexical if lexical is not None else LexicalIndex(None)
        # The gate calibrated for the index's embedding model (its ``min_relevance``).
        self.gate = gate if gate is not None else RelevanceGate.for_model(getattr(index.embeddings, "min_relevance", RelevanceGate.min_dense))
        self.fusion = fusion if fusion is not None else ReciprocalRankFusion()
        self.candidates = candidates
        self.synonym_weight = synonym_weight
        self.translated_slots = translated_slots
        self.translated_after = translated_after
        self.glossary = tuple(glossary)
        # The dense list's vote in the fusion, the embedding model's own (``dense_weight``): 2 for
        # the multilingual default, which reads both languages and paraphrase; 1 for MiniLM.
        self.dense_weight = float(getattr(index.embeddings, "dense_weight", 1.0))
        self.reranker = reranker  # optional cross-encoder stage (retrieval.rerank), after the gate

    def run(self, query: str, k: int = 4, filters: Filters | None = None, gated: bool = True, audience: str | None = None) -> dict[str, list[Hit]]:
        """The ``k`` best hits for ``query`` among the chunks passing ``filters``.

        ``gated`` False skips the relevance gate (for diagnosis: ``kefu search --ungated``).
        ``audience`` (buyer | merchant) puts the chunks written for that reader first, in their
        order, then the others (``AUDIENCE_ORDER``): a buyer's "What is the return policy?" cites
        the buyer-facing policy before an agent's rules or the merchant FAQ.
        """
        query = query.strip()
        if not query:
            return {"hits": []}
        self.lexical.sync(self.index)
        filters = dict(filters or {})
        evidence: dict[str, Evidence] = {}

        def note(chunk_id: str, **values: float) -> None:
            seen = evidence.get(chunk_id, Evidence())
            evidence[chunk_id] = replace(seen, **{key: max(getattr(seen, key), v) for key, v in values.items()})

        # 1. Dense, weighted by how much of the question the embedding model can read.
        coverage_of = getattr(self.index.embeddings, "vocabulary_coverage", None)
        trust = dense_trust(coverage_of(query)) if coverage_of else 1.0
        dense: list[Hit] = []
        vector = self.index.embeddings.embed_query(query) if trust > 0 else None  # untrusted: not even computed, it would only add noise
        if vector is not None:
            dense = self.index.query_vector(vector, k=self.candidates, where=filters or None)
            for hit in dense:
                note(hit.chunk_id, dense=hit.dense_score or 0.0)

        # 2. BM25 on the question's own words.
        own_language = filters if "language" in filters or not self.gate.reads_across else {**filters, "language": detect_language(query)}
        same = [_lexical_hit(m) for m in self.lexical.search(query, k=self.candidates, filters=own_language)]
        for hit in same:
            note(hit.chunk_id, coverage=hit.coverage or 0.0)

        # 3. BM25 on the glossary synonyms of its words, in the same language.
        expanded: list[Hit] = []
        own = synonyms(query, self.glossary)
        translation = translate(query, self.glossary)
        if own and self.synonym_weight > 0:
            # The question's other words count too, each as itself: with only the glossary's words
            # ("多久" → 天内, 几天) this list voted for every chunk with a duration and not for the
            # one naming the question's topic (投诉), which then fell from first in both own-language
            # lists to sixth (docs/retrieval.md).
            covered = {token for concept in own for word in concept for token in tokenize(word)}
            own = own + tuple((term,) for term in query_terms(query) if not set(tokenize(term)) & covered)
            for match in self.lexical.search_concepts(own, k=self.candidates, filters=filters):
                hit = _lexical_hit(match)
                expanded.append(replace(hit, coverage=round(match.coverage * translation.source_coverage, 4)))
                note(hit.chunk_id, coverage=expanded[-1].coverage or 0.0)

        ranked = self.fusion.run(
            [
                RankedList("dense", dense, trust * self.dense_weight),
                RankedList("bm25", same, 1.0),
                RankedList("bm25-synonyms", expanded, self.synonym_weight),
            ]
        )["hits"]

        # 4. The other language's chunks: dense (a multilingual model reads both) and BM25 on the
        # glossary translation. Their best hits that pass the gate's thresholds on their own take
        # places 4 and 5 (TRANSLATED_AFTER, TRANSLATED_SLOTS): a model ranks its own language's
        # chunks first, so an answer written only in the other language would not reach the top 5.
        crossing: list[Hit] = []
        dense_crossing: list[Hit] = []
        language = detect_language(query)
        other = "en" if language == "zh" else "zh"
        cross_filters = filters if "language" in filters else {**filters, "language": other}
        if vector is not None and self.gate.reads_across and self.translated_slots > 0 and "language" not in filters:
            threshold = self.gate.dense_threshold(language, other)
            for hit in self.index.query_vector(vector, k=self.translated_slots, where=cross_filters):
                note(hit.chunk_id, dense=hit.dense_score or 0.0)
                if (hit.dense_score or 0.0) >= threshold:
                    dense_crossing.append(hit)
        if translation and self.translated_slots > 0:
            for match in self.lexical.search_concepts(translation.concepts, k=self.candidates, filters=cross_filters):
                translated = round(match.coverage * translation.source_coverage, 4)
                note(match.chunk.chunk_id, translated=translated)
                if translated >= self.gate.min_translated:
                    crossing.append(replace(_lexical_hit(match), coverage=translated))
        # With nothing in the question's own language (an English-only base, a Chinese question),
        # the cross-lingual hits are all there is: they fill the list.
        seen: set[str] = set()
        # The glossary's hits first: a shop's own words are more precise than an embedding.
        crossing = [hit for hit in crossing + dense_crossing if not (hit.chunk_id in seen or seen.add(hit.chunk_id))]  # no chunk twice
        # 5. The reader's own documents first (a stable sort: relevance order within each), in each
        # language's list: the other language's hits keep their places after the first three.
        ranked, crossing = _for_reader(ranked, audience), _for_reader(crossing, audience)
        hits = interleave(ranked, crossing[: self.translated_slots if ranked else k], after=self.translated_after)

        if gated:
            hits = self.gate.run(hits, evidence, language=language)["hits"]
        # 6. The reranker orders what the gate kept; it cannot make a refused question answerable.
        if self.reranker is not None:
            hits = _for_reader(self.reranker.run(query, hits)["hits"], audience)
        return {"hits": hits[:k]}

    def search(self, query: str, k: int = 4, filters: Filters | None = None, audience: str | None = None) -> list[Hit]:
        return self.run(query, k=k, filters=filters, audience=audience)["hits"]


def _for_reader(hits: list[Hit], audience: str | None) -> list[Hit]:
    """``hits`` with the chunks written for ``audience`` first (AUDIENCE_ORDER), else unchanged."""
    order = AUDIENCE_ORDER.get(audience or "")
    if not order:
        return hits
    return sorted(hits, key=lambda hit: order.index(hit.audience) if hit.audience in order else order.index("buyer"))


def interleave(ranked: list[Hit], extra: list[Hit], after: int) -> list[Hit]:
    """``ranked`` with ``extra`` placed after its first ``after`` hits (no chunk twice)."""
    if not extra:
        return ranked
    head = ranked[:after]
    taken = {hit.chunk_id for hit in head}
    placed = [hit for hit in extra if hit.chunk_id not in taken]
    taken.update(hit.chunk_id for hit in placed)
    if head:
        # A placed hit has no fused score of its own: it takes the one of the hit above it, so
        # the list stays sorted by score (its BM25 score and coverage stay on the hit).
        placed = [replace(hit, score=head[-1].score) for hit in placed]
    return head + placed + [hit for hit in ranked[after:] if hit.chunk_id not in taken]


def _lexical_hit(match: LexicalMatch) -> Hit:
    chunk = match.chunk
    return Hit(
        source=chunk.source,
        chunk_id=chunk.chunk_id,
        section=chunk.section,
        text=chunk.text,
        score=match.score,
        language=str(chunk.metadata.get("language", "")),
        audience=str(chunk.metadata.get("audience", "")),
        bm25_score=match.score,
        coverage=match.coverage,
    )


def lexical_dir_for(index: KnowledgeIndex) -> Path | None:
    """Where a persistent Chroma keeps its files' sibling ``lexical/`` (None for a Chroma server)."""
    directory = getattr(index, "persist_directory", None)
    return Path(directory).parent / "lexical" if directory else None
