"""The sentences of retrieved chunks that answer a question: the extractive answer's evidence.

Retrieval ranks chunks (a section of a policy); a buyer wants the one or two sentences in them that
answer. Each sentence of the best chunks is scored by the embedding model (cosine with the
question), by lexical overlap (the share of the question's content words, and of its section
heading's, found in it), and by its chunk's rank; a configured cross-encoder replaces the cosine.
The one component, with a typed ``run()``, in the manner of the retrieval stages beside it.

Sentence vectors come from ``fast_encoder``: for the default ensemble, its multilingual-e5-small
half. (USE is faster since it runs on one thread, but chose worse sentences: freeform suite 145
vs 157 of 173; docs/retrieval.md.) They are cached by text: a knowledge base is a few thousand
sentences, and questions revisit the same ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from collections.abc import Callable
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from knowledge.markdown import sentences as split_sentences
from retrieval.embeddings import VectorCache
from retrieval.index import Hit
from retrieval.lexical import is_chinese, query_terms, tokenize

# How much each kind of evidence counts (measured on knowledge/suites/freeform.yaml's policy questions).
WEIGHTS = {"dense": 0.3, "lexical": 0.2, "rank": 0.1, "lead": 0.05, "fits": 0.15}
# What kind of sentence a question asks for: "how long" a duration, "how much" an amount; a question
# that names only a topic ("What is the return policy?") the rule with its limit ("within 30 days").
# ("when" and 什么时候 are left out: "when can I change the address?" asks for a condition.)
_ASKS_DURATION = re.compile(r"\bhow (?:long|soon|fast|quickly|many (?:days|hours|weeks))\b|\bwhat time\b|\bwhat hours\b|多久|多长时间|几天|几点|多少天", re.IGNORECASE)
_ASKS_AMOUNT = re.compile(r"\bhow much\b|\bcost|\bfee|\bprice|\bcharge|多少钱|费用|运费|收费|手续费|价格", re.IGNORECASE)
_DURATION = re.compile(r"\d[\d.,-]*\s*(?:business |working |calendar )?(?:days?|hours?|weeks?|months?|minutes?|years?)\b|\d[\d.,-]*\s*(?:个)?(?:工作日|天|小时|周|个月|分钟|年)|"
                       r"\d{1,2}:\d{2}|\bT\+\d|immediate|即时|立即|当天|same day", re.IGNORECASE)
_AMOUNT = re.compile(r"\$\s?\d|\d+(?:\.\d+)?\s*(?:美元|元|%)|\bfree\b|免费|免运费|\d+(?:\.\d+)?%", re.IGNORECASE)
# "Can I…?" / "能不能…？" is answered by what is allowed or not: "…can no longer be cancelled".
_ASKS_POSSIBLE = re.compile(r"\b(?:can|could|may) (?:i|we|you)\b|\bis it (?:still )?possible\b|\bam i (?:able|allowed)\b|\bdo you (?:accept|allow|support|ship|deliver|take)\b|"
                            r"能不能|能否|可不可以|可以.{0,16}吗|能.{0,16}吗|还能|支持.{0,10}吗", re.IGNORECASE)
_PERMISSION = re.compile(r"\b(?:can|cannot|can't|may|must|only|no longer|not|never|allowed|accepted|available)\b|只能|只有|才能|可以|不能|无法|不可|不支持|支持|不接受|均可|须", re.IGNORECASE)
_RULE = re.compile(r"\b(?:within|only|must|cannot|can't|up to|at least|can)\b.*\d|\d.*\b(?:within|only)\b|\d+\s*天内|只能|只有|须|必须|可以.*\d|\d.*内", re.IGNORECASE)
# …and for a bare topic, the section that sets its scope: "Return window and eligibility", "哪些订单可以取消".
_SCOPE_HEADING = re.compile(r"\bwindow\b|eligib|\bwhich\b|\bwhat\b|\baccepted\b|\bperiods?\b|\btypes?\b|\btiers?\b|\bwho\b|期限|条件|哪些|范围|支持的|种类|类型|等级|时效", re.IGNORECASE)
_TOPIC_WORDS = frozenset({"polici", "policy", "rule", "term", "condit", "政策", "规定", "规则", "条款", "流程", "怎么", "样"})
# A sentence of the kind asked for beats the best one when it scores at least this close to it.
FITS_WITHIN = 0.7  # set between 0.48 (that payment sentence for "What is the return policy?") and 0.79 ("wat is ur retrun polcy" → "within 30 days")
# A second sentence is quoted when it scores this close to the best one, within the length limit.
SECOND_WITHIN = 0.85
MAX_CHARS = {"en": 320, "zh": 160}
# Sentences that lean on the one before them ("This fee…", "这些商品…") are quoted with it.
_LEANS_BACK = ("this ", "these ", "that ", "it ", "they ", "such ", "then ", "otherwise", "这", "此", "该", "否则", "其")


@dataclass
class Quote:
    """One sentence of a retrieved chunk, with the evidence that chose it."""

    text: str
    hit: Hit
    position: int  # its place in the chunk
    score: float = 0.0
    evidence: dict[str, float] = field(default_factory=dict)


def fast_encoder(embeddings: Embeddings) -> Embeddings:
    """The quickest model inside ``embeddings`` for many short texts: an ensemble's first part (the
    default's multilingual-e5-small), else the model itself."""
    parts = getattr(embeddings, "parts", None)
    return parts[0] if parts else embeddings


class SentenceVectors:
    """Sentence vectors by text, computed once per process (an LRU), thread-safe."""

    def __init__(self, encoder: Embeddings, capacity: int = 20000) -> None:
        self.encoder = encoder
        self.capacity = capacity
        self._cache = VectorCache(capacity)

    def documents(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if self._cache.get(t) is None]
        fresh = {t: self._cache.put(t, _unit(v)) for t, v in zip(missing, np.asarray(self.encoder.embed_documents(missing), dtype=np.float32))} if missing else {}
        return np.stack([fresh[t] if t in fresh else self._cache(t, lambda t: _unit(np.asarray(self.encoder.embed_documents([t])[0], dtype=np.float32)))
                         for t in texts])  # fmt: skip

    def query(self, text: str) -> np.ndarray:
        return _unit(np.asarray(self.encoder.embed_query(text), dtype=np.float32))


def _unit(vector: np.ndarray) -> np.ndarray:
    return vector / (np.linalg.norm(vector) or 1.0)


class SentenceSelector:
    """``run(question, hits)`` → the sentences that answer it, best first, at most ``limit``."""

    def __init__(self, vectors: SentenceVectors | None, scorer: Any | None = None, chunks: int = 4,
                 weight: Callable[[str], float] | None = None) -> None:  # fmt: skip
        self.vectors = vectors
        self.scorer = scorer  # a cross-encoder (retrieval.rerank.PairScorer), when configured
        self.chunks = chunks
        self.weight = weight or (lambda term: 1.0)  # a token's idf in the knowledge base (LexicalIndex.term_weight)

    def run(self, question: str, hits: list[Hit], language: str) -> dict[str, Any]:
        """{"quotes": [Quote], "cross_lingual": bool}: sentences in the reply's language where the
        chunks have any, else the other language's (and ``cross_lingual`` says so)."""
        same = [h for h in hits if _language_of(h) == language]
        pool = (same or hits)[: self.chunks]
        candidates = _candidates(pool)
        if not candidates:
            return {"quotes": [], "cross_lingual": False}
        self._score(question, candidates, [h.chunk_id for h in pool])
        return {"quotes": _choose(candidates, language), "cross_lingual": not same}

    def warm(self, hits: list[Hit], batch: int = 256, should_stop: Callable[[], bool] = lambda: False) -> int:
        """Embed the sentences of ``hits`` (a knowledge base's chunks) ahead of the questions that
        reach them, so no turn waits for them (cold, a turn's quote step took 0.3–0.4 s); at most
        the cache's capacity. Returns how many sentences it embedded."""
        if self.vectors is None or self.scorer is not None:
            return 0
        texts = list(dict.fromkeys(_embedded_text(c) for c in _candidates(hits)))[: self.vectors.capacity]
        for start in range(0, len(texts), batch):
            if should_stop():
                return start
            self.vectors.documents(texts[start : start + batch])
        return len(texts)

    def _score(self, question: str, candidates: list[Quote], ranked: list[str]) -> None:
        fits = _fits(question, set(query_terms(question)))
        # Tokens as the lexical index makes them (stemmed words; Chinese words and character
        # bigrams, so 退回来 still meets 退回), each weighted by its rarity in the knowledge base.
        wanted = {t: self.weight(t) for t in set(tokenize(question))}
        total = sum(wanted.values()) or 1.0
        semantic = self._semantic(question, candidates)
        headings: dict[str, set[str]] = {}
        for quote, meaning in zip(candidates, semantic):
            terms = set(tokenize(quote.text))
            heading = headings.setdefault(quote.hit.section, set(tokenize(quote.hit.section.split(">")[-1])))
            lexical = (sum(w for t, w in wanted.items() if t in terms) + 0.5 * sum(w for t, w in wanted.items() if t in heading and t not in terms)) / total
            rank = 1.0 / (1 + ranked.index(quote.hit.chunk_id))
            quote.evidence = {"dense": round(float(meaning), 4), "lexical": round(lexical, 4), "rank": round(rank, 4),
                              "lead": 1.0 if quote.position == 0 else 0.0, "fits": _fitness(fits, quote)}  # fmt: skip
            quote.score = sum(WEIGHTS[k] * v for k, v in quote.evidence.items())

    def _semantic(self, question: str, candidates: list[Quote]) -> np.ndarray:
        """Each sentence's closeness to the question, scaled to 0..1 among the candidates."""
        texts = [_embedded_text(c) for c in candidates]
        if self.scorer is not None:
            raw = np.asarray(self.scorer.predict([(question, t) for t in texts], show_progress_bar=False), dtype=np.float32)
        elif self.vectors is not None:
            raw = self.vectors.documents(texts) @ self.vectors.query(question)
        else:
            return np.zeros(len(texts), dtype=np.float32)
        low, high = float(raw.min()), float(raw.max())
        return (raw - low) / (high - low) if high > low else np.zeros(len(texts), dtype=np.float32)


def _candidates(hits: list[Hit]) -> list[Quote]:
    """Every sentence of ``hits`` long enough to quote, in order."""
    quotes = [Quote(text=s, hit=h, position=n) for h in hits for n, s in enumerate(split_sentences(" ".join(h.text.split())))]
    return [q for q in quotes if len(q.text) >= 8]


def _embedded_text(quote: Quote) -> str:
    # Each sentence with its section's heading: "Refunds to a card take 5-7 business days" is
    # about a cancellation only under "Refund after cancellation".
    return f"{quote.hit.section.split('>')[-1].strip()}: {quote.text}" if quote.hit.section else quote.text


def _fits(question: str, terms: set[str]) -> re.Pattern | None:
    """The kind of sentence that answers: a duration, an amount, or for a bare topic its rule."""
    if _ASKS_DURATION.search(question):
        return _DURATION
    if _ASKS_AMOUNT.search(question):
        return _AMOUNT
    if _ASKS_POSSIBLE.search(question):
        return _PERMISSION
    if len(terms - _TOPIC_WORDS) <= 1:
        return _RULE
    return None


def _fitness(fits: re.Pattern | None, quote: Quote) -> float:
    if fits is None or not fits.search(quote.text):
        return 0.0
    if fits is _RULE:  # a bare topic: its rule, in the section that sets the topic's scope first
        return 1.0 if _SCOPE_HEADING.search(quote.hit.section.split(">")[-1]) else 0.5
    return 1.0


def _language_of(hit: Hit) -> str:
    return hit.language or ("zh" if is_chinese(hit.text) else "en")


def _choose(candidates: list[Quote], language: str) -> list[Quote]:
    """The best sentence (of the kind asked for, where any is), the one before it when it leans on
    it, and a second one of its section that scores nearly as well, within the length limit."""
    ranked = sorted(candidates, key=lambda q: -q.score)
    # A sentence of the kind asked for (a duration for "how long"…) answers before one that is not,
    # when it is nearly as good: any sentence with a number "fits" a bare topic, and one from the
    # fourth chunk found ("…refunded within 5 to 7 business days" under "Modify payment") is not
    # the return policy.
    fitting = max(ranked, key=lambda q: (q.evidence.get("fits", 0.0), q.score))
    best = fitting if fitting.score >= FITS_WITHIN * ranked[0].score else ranked[0]
    chosen = [best]
    limit = MAX_CHARS.get(language, MAX_CHARS["en"])
    if best.text.lower().startswith(_LEANS_BACK) and best.position > 0:
        before = next(q for q in candidates if q.hit is best.hit and q.position == best.position - 1)
        chosen.insert(0, before)
    # A second sentence of the same section adds its detail ("…within 30 days. Items must be
    # unused…"); one from another section is usually another topic.
    for quote in ranked:
        if quote in chosen or quote.hit is not best.hit or quote.score < SECOND_WITHIN * best.score:
            continue
        if best.evidence.get("fits") and not quote.evidence.get("fits"):
            continue
        if sum(len(q.text) for q in chosen) + len(quote.text) <= limit:
            chosen.append(quote)
        break
    # The best sentence's chunk first; within a chunk, its reading order.
    order = {chunk: n for n, chunk in enumerate(dict.fromkeys(q.hit.chunk_id for q in sorted(chosen, key=lambda q: -q.score)))}
    return sorted(chosen, key=lambda q: (order[q.hit.chunk_id], q.position))
