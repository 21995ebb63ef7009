"""BM25 over the knowledge chunks: the lexical half of hybrid retrieval.

The packaged embedding model (all-MiniLM-L6-v2) is English-only, so for Chinese the exact words
carry the relevance signal. This index scores chunks with BM25 (``bm25s``) over tokens that work
in both scripts: jieba words plus character bigrams for Chinese, lower-cased words stemmed by
Snowball (PyStemmer, the stemmer bm25s uses) for English.

It always indexes exactly what the Chroma collection holds. It is never written to by ingestion:
before answering it compares a fingerprint of the collection's chunk ids (which change with every
edit, since a chunk id includes its content hash) with the one it was built from, and rebuilds
from the collection's contents when they differ. Reruns, edits, deletes, another process's ingest,
and a crash half-way through either write cannot leave the two out of step.

Persisted under ``KEFU_HOME/lexical/<fingerprint>/``: a finished index is renamed into place in one
step, so a reader sees a whole index or none; an index for an older fingerprint is deleted once a
newer one is in place.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import re
import shutil
import threading
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

# Part of the fingerprint: bump it when tokenisation or BM25 parameters change, so every
# persisted index is rebuilt with the new rules instead of being read with the wrong ones.
LEXICAL_FORMAT = "kefu-bm25-v2"  # v2: Snowball stemming
BM25_K1 = 1.2
BM25_B = 0.75

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(rf"[{_CJK}]+|[a-z0-9]+")
_HAS_CJK = re.compile(rf"[{_CJK}]")

# Function words that carry no topic. English: articles, pronouns, auxiliaries, question words.
EN_STOPWORDS = frozenset(
    """a an the and or but of to in on at for from by with as into about than then so if
    is are was were be been being am do does did doing have has had having can could will would
    shall should may might must i me my mine you your yours we us our they them their he him his
    she her it its this that these those there here what which who whom whose how when where why
    any some all just also only very more most such please not no yes get got still""".split()
)
# Chinese: particles, pronouns and question words that jieba splits off as words of their own.
ZH_STOPWORDS = frozenset(
    """的 地 得 了 着 过 吗 呢 吧 啊 呀 嘛 么 哦 哈 我 我们 你 你们 您 他 她 它 他们 她们 是 在 和 与
    及 或 或者 就 都 也 还 还能 还要 还是 要 想 会 能 能否 能不能 可以 可不可以 可否 是否 是不是 有没有
    什么 怎么 怎么样 怎样 怎么办 怎么处理 如何 多少 几 哪些 哪个 哪里 为什么 为啥 一个 这个 那个 这 那
    有 没有 不 没 把 被 给 让 对 从 到 请 自己 现在 已经 一下 一些 需要 应该 如果 但是 因为 所以""".split()
)


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Snowball's English stem: "returns", "returned" and "returning" all match "return"."""
    return _stemmer().stemWord(word)


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)  # it logs its dictionary loading at INFO/DEBUG
    jieba.initialize()
    return jieba


def tokenize(text: str) -> list[str]:
    """Index/query tokens for mixed Chinese and English text.

    Chinese runs give jieba's search-mode words (which include the parts of long words) plus every
    character bigram, so a query still matches when jieba segments it differently from the document
    ("补开发票" vs "开票"). English runs give lower-cased, stemmed words. Stopwords are dropped.
    """
    tokens: list[str] = []
    for match in _RUNS.finditer(text.lower()):
        run = match.group()
        if run[0] < "\u3400":  # ASCII letters or digits
            if run not in EN_STOPWORDS:
                tokens.append(stem(run))
            continue
        tokens.extend(word for word in _jieba().lcut_for_search(run) if word not in ZH_STOPWORDS)
        # Bigrams are kept even across function words: they are cheap, low-idf when common, and
        # dropping the stopword ones measured worse (recall@5 0.952 → 0.942 on the QA set).
        tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
    return tokens


def query_terms(text: str) -> list[str]:
    """The distinct content words of a query, for measuring how much of it a chunk covers.

    Chinese runs give jieba's precise-mode words (no overlapping parts, no bigrams), English runs
    the same stemmed words as ``tokenize``.
    """
    terms: list[str] = []
    for match in _RUNS.finditer(text.lower()):
        run = match.group()
        if run[0] < "\u3400":
            if run not in EN_STOPWORDS:
                terms.append(stem(run))
        else:
            terms.extend(word for word in _jieba().lcut(run) if word not in ZH_STOPWORDS)
    return list(dict.fromkeys(terms))


def is_chinese(text: str) -> bool:
    return bool(_HAS_CJK.search(text))


def fingerprint(ids: Iterable[str]) -> str:
    """Names one exact set of chunk ids (and the tokenisation format) in 20 hex digits."""
    digest = hashlib.sha256(LEXICAL_FORMAT.encode())
    for chunk_id in sorted(ids):
        digest.update(b"\n" + chunk_id.encode())
    return digest.hexdigest()[:20]


@dataclass(frozen=True)
class LexicalChunk:
    """What the lexical index keeps of a chunk: the same fields the Chroma collection holds."""

    chunk_id: str
    text: str
    metadata: dict

    @property
    def source(self) -> str:
        return str(self.metadata.get("source", ""))

    @property
    def section(self) -> str:
        return str(self.metadata.get("section", ""))


@dataclass(frozen=True)
class LexicalMatch:
    """One chunk's BM25 score for a query and the share of the query's weight it contains."""

    chunk: LexicalChunk
    score: float
    coverage: float  # idf-weighted share of the query's content words found in the chunk, 0..1


Filters = Mapping[str, object]
Term = str | tuple[str, ...]


def matches_filters(metadata: Mapping[str, object], filters: Filters | None) -> bool:
    """Equality on each key (a list, tuple or set means "any of these"); all keys must match."""
    for key, wanted in (filters or {}).items():
        value = metadata.get(key)
        if isinstance(wanted, (list, tuple, set, frozenset)):
            if value not in wanted:
                return False
        elif value != wanted:
            return False
    return True


class _Built:
    """One immutable BM25 index over one set of chunks."""

    def __init__(self, fingerprint: str, chunks: list[LexicalChunk], bm25) -> None:
        self.fingerprint = fingerprint
        self.chunks = chunks
        self.bm25 = bm25
        self.n = len(chunks)
        # Lower-cased "section + text" per chunk, for matching Chinese query words as substrings
        # (independent of how jieba happened to segment the chunk).
        self.texts = [f"{c.section}\n{c.text}".lower() for c in chunks]
        self._term_docs: dict[str, np.ndarray] = {}
        self.words: frozenset[str] | None = None  # LexicalIndex.words(), computed on first use

    def term_docs(self, term: str) -> np.ndarray:
        """Rows of the chunks that contain ``term``: as a substring when it is Chinese (whatever
        jieba made of the chunk), else all of its stemmed words as tokens."""
        found = self._term_docs.get(term)
        if found is None:
            if is_chinese(term):
                found = np.fromiter((i for i, text in enumerate(self.texts) if term in text), dtype=np.int64)
            else:
                found = None
                indptr, indices = self.bm25.scores["indptr"], self.bm25.scores["indices"]
                for word in _RUNS.findall(term.lower()):
                    if word in EN_STOPWORDS:  # never indexed: "how long" is present where "long" is
                        continue
                    token_id = self.bm25.vocab_dict.get(stem(word))
                    docs = (
                        np.zeros(0, dtype=np.int64)
                        if token_id is None
                        else np.asarray(indices[indptr[token_id] : indptr[token_id + 1]], dtype=np.int64)
                    )
                    found = docs if found is None else np.intersect1d(found, docs)
                if found is None:
                    found = np.zeros(0, dtype=np.int64)
            if len(self._term_docs) < 50_000:  # bounded: queries bring new words forever
                self._term_docs[term] = found
        return found

    def idf(self, doc_freq: int) -> float:
        # Lucene's BM25 idf; a word absent from every chunk (df=0) gets the highest weight, so an
        # off-topic question's unknown words pull its coverage down.
        return math.log(1.0 + (self.n - doc_freq + 0.5) / (doc_freq + 0.5))

    def coverage(self, terms: Sequence[Term], rows: np.ndarray) -> np.ndarray:
        """For each row: the idf-weighted share of ``terms`` that the chunk contains (0..1).

        A term is a word, or a tuple of alternatives (a translated word) present if any one is.
        """
        if not terms or rows.size == 0:
            return np.zeros(rows.size)
        weights = np.empty(len(terms))
        present = np.zeros((len(terms), rows.size), dtype=bool)
        for t, term in enumerate(terms):
            alternatives = (term,) if isinstance(term, str) else tuple(term)
            docs = np.unique(np.concatenate([self.term_docs(a) for a in alternatives])) if alternatives else np.zeros(0)
            weights[t] = self.idf(docs.size)
            present[t] = np.isin(rows, docs)
        return (weights[:, None] * present).sum(axis=0) / weights.sum()


class LexicalIndex:
    """BM25 over the chunks of the Chroma collection; rebuilt when the collection's ids change.

    ``directory`` None keeps the index in memory only (rebuilt once per process).
    """

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = Path(directory) if directory is not None else None
        self._built: _Built | None = None
        self._checked_revision = ""
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ sync

    def sync(self, knowledge_index) -> None:
        """Make this index match ``knowledge_index``'s collection (cheap when it already does)."""
        # The collection's revision stamp changes with every write: while it stays the one this
        # index was checked at, even the id listing (~100 ms at 100k chunks) is skipped.
        revision = knowledge_index.revision() if hasattr(knowledge_index, "revision") else ""
        if revision and self._built is not None and self._checked_revision == revision:
            return
        ids = knowledge_index.chunk_ids()
        wanted = fingerprint(ids)
        if self._built is not None and self._built.fingerprint == wanted:
            self._checked_revision = revision
            return
        with self._lock:
            if self._built is not None and self._built.fingerprint == wanted:
                return
            built = self._load(wanted)
            if built is None:
                ids, documents, metadatas = knowledge_index.snapshot()
                # The collection may have changed since the ids were read: name what was read.
                actual = fingerprint(ids)
                chunks = [LexicalChunk(i, d or "", dict(m or {})) for i, d, m in zip(ids, documents, metadatas)]
                built = _build(actual, chunks)
                self._save(built)
            self._built = built
            # Only when what was built is what the revision named: otherwise check again next time.
            self._checked_revision = revision if built.fingerprint == wanted else ""

    @property
    def fingerprint(self) -> str | None:
        return self._built.fingerprint if self._built else None

    def term_weight(self, term: str) -> float:
        """The idf of a token of ``tokenize`` (how rare it is in the indexed chunks); 1.0 when empty."""
        built = self._built
        return built.idf(built.term_docs(term).size) if built is not None and built.n else 1.0

    def words(self) -> frozenset[str]:
        """The lower-cased English words of the indexed chunks (for spelling repair)."""
        built = self._built
        if built is None:
            return frozenset()
        if built.words is None:
            built.words = frozenset(w for text in built.texts for w in re.findall(r"[a-z][a-z']+", text))
        return built.words

    def __len__(self) -> int:
        return self._built.n if self._built else 0

    # ------------------------------------------------------------------ search

    def search(
        self,
        query: str | Sequence[str],
        k: int = 20,
        filters: Filters | None = None,
        terms: Sequence[Term] | None = None,
    ) -> list[LexicalMatch]:
        """The ``k`` best chunks by BM25 among those that pass ``filters`` (applied before ranking).

        ``query`` is text, or tokens already made (the translated query of cross-lingual search);
        ``terms`` are the words coverage is measured on (default: ``query_terms(query)``; a tuple
        of alternatives counts as one word).
        Only chunks sharing at least one token with the query are returned.
        """
        built = self._built
        if built is None or built.n == 0:
            return []
        tokens = tokenize(query) if isinstance(query, str) else list(query)
        distinct = list(dict.fromkeys(tokens))
        vocab = built.bm25.vocab_dict
        known = [t for t in distinct if t in vocab]
        if not known:
            return []
        mask = None
        if filters:
            mask = np.fromiter((matches_filters(c.metadata, filters) for c in built.chunks), dtype=np.float32, count=built.n)
            if not mask.any():
                return []
        scores = built.bm25.get_scores(known, weight_mask=mask)
        candidates = np.flatnonzero(scores > 0)
        if candidates.size == 0:
            return []
        top = candidates[np.argsort(-scores[candidates], kind="stable")[:k]]
        if terms is None:
            terms = query_terms(query) if isinstance(query, str) else distinct
        coverage = built.coverage(list(dict.fromkeys(terms)), top)  # type: ignore[arg-type]
        return [LexicalMatch(built.chunks[i], float(scores[i]), float(c)) for i, c in zip(top, coverage)]

    def search_concepts(
        self,
        concepts: Sequence[tuple[str, ...]],
        k: int = 20,
        filters: Filters | None = None,
    ) -> list[LexicalMatch]:
        """BM25 for a query given as concepts, each a tuple of interchangeable words.

        A chunk scores the sum over concepts of its best alternative's BM25 (a structured query,
        after Pirkola 1998): a word with five translations counts once, not five times, and a
        chunk matching every concept beats one matching one concept in many ways. Coverage is the
        idf-weighted share of concepts with an alternative in the chunk.
        """
        built = self._built
        if built is None or built.n == 0 or not concepts:
            return []
        mask = None
        if filters:
            mask = np.fromiter((matches_filters(c.metadata, filters) for c in built.chunks), dtype=np.float32, count=built.n)
            if not mask.any():
                return []
        vocab = built.bm25.vocab_dict
        total = np.zeros(built.n, dtype=np.float32)
        for concept in concepts:
            best = np.zeros(built.n, dtype=np.float32)
            for alternative in concept:
                tokens = [t for t in dict.fromkeys(tokenize(alternative)) if t in vocab]
                if tokens:
                    np.maximum(best, built.bm25.get_scores(tokens, weight_mask=mask), out=best)
            total += best
        candidates = np.flatnonzero(total > 0)
        if candidates.size == 0:
            return []
        top = candidates[np.argsort(-total[candidates], kind="stable")[:k]]
        coverage = built.coverage(list(dict.fromkeys(tuple(c) for c in concepts)), top)
        return [LexicalMatch(built.chunks[i], float(total[i]), float(c)) for i, c in zip(top, coverage)]

    # ------------------------------------------------------------------ persistence

    def _load(self, wanted: str) -> _Built | None:
        if self.directory is None:
            return None
        folder = self.directory / wanted
        if not (folder / "chunks.json").is_file():
            return None
        try:
            import bm25s

            bm25 = bm25s.BM25.load(str(folder), load_corpus=False, mmap=False, show_progress=False)
            records = json.loads((folder / "chunks.json").read_text("utf-8"))
            chunks = [LexicalChunk(r["id"], r["text"], r["metadata"]) for r in records]
            return _Built(wanted, chunks, bm25)
        except Exception as exc:  # a damaged or concurrently deleted folder: rebuild instead
            log.warning("lexical index %s unreadable (%s); rebuilding", folder, exc)
            return None

    def _save(self, built: _Built) -> None:
        if self.directory is None:
            return
        final = self.directory / built.fingerprint
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            if not final.exists():
                staging = self.directory / f".tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
                staging.mkdir()
                built.bm25.save(str(staging), show_progress=False)
                records = [{"id": c.chunk_id, "text": c.text, "metadata": c.metadata} for c in built.chunks]
                (staging / "chunks.json").write_text(json.dumps(records, ensure_ascii=False), "utf-8")
                try:
                    staging.rename(final)  # atomic: readers see the whole index or nothing
                except OSError:  # another process put the same index in place first
                    shutil.rmtree(staging, ignore_errors=True)
            for old in self.directory.iterdir():
                if old.name != built.fingerprint and old.is_dir():
                    shutil.rmtree(old, ignore_errors=True)
        except OSError as exc:  # a read-only home still gets a working in-memory index
            log.warning("could not persist the lexical index under %s: %s", self.directory, exc)


def _build(fp: str, chunks: list[LexicalChunk]) -> _Built:
    import bm25s

    bm25 = bm25s.BM25(k1=BM25_K1, b=BM25_B)
    # The section heading path names the topic ("退货与退款 > 退货运费"): index it with the body.
    corpus = [tokenize(f"{c.section}\n{c.text}" if c.section else c.text) for c in chunks]
    if chunks:
        bm25.index(corpus, show_progress=False)
    else:
        bm25.index([[""]], show_progress=False)
    return _Built(fp, chunks, bm25)
