"""The composition root: build the assistant and its parts from settings, once per process."""

from __future__ import annotations

import atexit
import logging
import threading
import time
from dataclasses import dataclass

from bot.annotations import Annotations
from bot.assistant import Assistant, ModelBinding
from kefu.settings import LLMProvider, Settings
from knowledge.catalog import DEMO_DESCRIPTIONS, load_descriptions
from retrieval.curated import CURATED_COLLECTION, CuratedAnswers
from retrieval.embeddings import embeddings_for
from retrieval.glossary import load_glossary
from retrieval.index import COLLECTION, KnowledgeIndex, chroma_client
from retrieval.order_cards import ORDER_COLLECTION, OrderCardIndex
from retrieval.product_cards import PRODUCT_COLLECTION, ProductCardIndex
from retrieval.retriever import KnowledgeRetriever
from retrieval.sentences import fast_encoder
from serving.llm.providers import ModelRuntime, build_model_runtime


log = logging.getLogger(__name__)


def build_index(settings: Settings, collection: str = COLLECTION) -> KnowledgeIndex:
    embeddings = embeddings_for(settings.embedding_model)
    return KnowledgeIndex(chroma_client(settings.chroma_dir, settings.chroma_url), embeddings, collection=collection)


def min_relevance(index: KnowledgeIndex) -> float | dict[str, float]:
    """The relevance gate's minimum dense cosine for the index's embedding model: each model's
    own calibration (``retrieval.embeddings``); the lexical thresholds: ``retrieval.hybrid.RelevanceGate``."""
    return getattr(index.embeddings, "min_relevance", 0.40)


def build_retriever(settings: Settings, index: KnowledgeIndex | None = None, k: int | None = None) -> KnowledgeRetriever:
    """The hybrid retriever every channel, ``kefu search`` and ``kefu eval`` share; with
    ``KEFU_RERANK_MODEL`` set, a cross-encoder reorders its gated hits."""
    reranker = None
    if settings.rerank_model:
        from retrieval.rerank import CrossEncoderReranker

        reranker = CrossEncoderReranker(settings.rerank_model, depth=settings.rerank_depth)
    index = index if index is not None else build_index(settings)
    return KnowledgeRetriever(
        index=index,
        k=k or settings.retrieval_k,
        min_score=min_relevance(index),
        lexical_dir=settings.home / "lexical",
        reranker=reranker,
        glossary=load_glossary(settings.glossary_file),
    )


def build_order_cards(settings: Settings) -> OrderCardIndex:
    return OrderCardIndex(build_index(settings, ORDER_COLLECTION), settings.resolved_database_url)


def build_curated(settings: Settings) -> CuratedAnswers:
    return CuratedAnswers(build_index(settings, CURATED_COLLECTION))


def build_annotations(settings: Settings) -> Annotations:
    return Annotations(settings.resolved_database_url, build_curated(settings))


def build_product_cards(settings: Settings) -> ProductCardIndex:
    descriptions = load_descriptions(settings.product_descriptions_file or DEMO_DESCRIPTIONS)
    return ProductCardIndex(build_index(settings, PRODUCT_COLLECTION), settings.resolved_database_url, descriptions)


class SentenceWarmup:
    """Embeds the knowledge base's sentences in a background thread, so the first turns that reach
    a chunk find its sentences' vectors ready (``kefu bench turn``: a cold quote step took
    0.3–0.4 s). Started by long-lived processes (`kefu serve`, `kefu bench turn`), not by every
    command that builds a runtime; turns are answered meanwhile, and ``/readyz`` says "warming"
    (503) until it is done. Stopped (between batches) and joined on close and at exit: a process
    must not exit while onnxruntime runs in this thread (it aborts)."""

    def __init__(self, assistant: Assistant, index: KnowledgeIndex) -> None:
        self.done = threading.Event()
        self.sentences, self.seconds, self.error = 0, 0.0, ""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(assistant, index), name="kefu-sentence-warmup", daemon=True)

    @property
    def started(self) -> bool:
        return self._thread.ident is not None

    def start(self) -> SentenceWarmup:
        if not self.started:
            atexit.register(self.stop)
            self._thread.start()
        return self

    def _run(self, assistant: Assistant, index: KnowledgeIndex) -> None:
        started = time.perf_counter()
        try:
            self.sentences = assistant.sentences.warm(index.chunks(), should_stop=self._stop.is_set)
        except Exception as exc:  # noqa: BLE001 - a failed warm-up leaves the lazy path, never the app, broken
            self.error = f"{type(exc).__name__}: {exc}"
            log.warning("sentence warm-up failed: %s", self.error)
        finally:
            self.seconds = round(time.perf_counter() - started, 2)
            self.done.set()

    def stop(self, timeout: float = 60.0) -> None:
        self._stop.set()
        if self.started:
            self._thread.join(timeout)

    def status(self) -> dict:
        return {"started": self.started, "done": self.done.is_set(), "sentences": self.sentences,
                "seconds": self.seconds if self.done.is_set() else None, **({"error": self.error} if self.error else {})}  # fmt: skip


@dataclass
class Runtime:
    settings: Settings
    index: KnowledgeIndex
    model: ModelRuntime
    assistant: Assistant
    annotations: Annotations
    warmup: SentenceWarmup | None = None

    def close(self) -> None:
        if self.warmup is not None:
            self.warmup.stop()
        self.model.stop()


def _warm_up(retriever: KnowledgeRetriever) -> None:
    """What the first question would otherwise load (the spelling word list, jieba's dictionary,
    the lexical index, the sentence encoder): done once, before the app answers."""
    from retrieval.lexical import tokenize

    tokenize("预热 warm-up")
    retriever.spelled("warm-up")
    fast_encoder(retriever.index.embeddings).embed_documents(["warm-up"])


def build_runtime(settings: Settings, start_vllm: bool | None = None) -> Runtime:
    settings.home.mkdir(parents=True, exist_ok=True)
    index = build_index(settings)
    order_cards = build_order_cards(settings)
    product_cards = build_product_cards(settings)
    curated = build_curated(settings)
    for checked in (index, order_cards.index, product_cards.index, curated.index):
        checked.revision()  # an index of another embedding model's vectors fails here, not mid-chat
    # The embedding models load their weights on first use: done here, in one thread, before the
    # app answers. Lazily, the first requests of a busy start each loaded a copy at once (50
    # sessions: first turns took 40–57 s; `kefu bench load`).
    index.embeddings.embed_query("warm-up")
    model = build_model_runtime(settings, start_vllm=start_vllm)
    retriever = build_retriever(settings, index)
    # Agent mode needs a tool-calling model: assumed for an external endpoint (a GPU vLLM with
    # --enable-auto-tool-choice), never for the demo's 135M model.
    calls_tools = settings.llm_tool_calling if settings.llm_tool_calling is not None else settings.llm_provider is LLMProvider.OPENAI
    binding = ModelBinding(
        chat_model=model.chat_model, name=model.name, is_ready=model.ready, timeout_s=settings.llm_timeout_s, calls_tools=calls_tools,
        concurrency=settings.resolved_llm_concurrency, drafts=model.drafts,
    )
    _warm_up(retriever)
    assistant = Assistant(
        retriever, binding, db_url=settings.resolved_database_url, mode=settings.bot_mode, max_message_chars=settings.max_message_chars,
        order_cards=order_cards, product_cards=product_cards, curated=curated, understanding=settings.understanding,
        complaint_handoff=settings.complaint_handoff, excluded_countries=frozenset(settings.shipping_excluded_countries),
    )
    assistant.warm_up()
    annotations = Annotations(settings.resolved_database_url, curated)  # the same curated index the assistant reads
    warmup = SentenceWarmup(assistant, index) if settings.warm_sentences else None  # started by `kefu serve`
    return Runtime(settings=settings, index=index, model=model, assistant=assistant, annotations=annotations, warmup=warmup)
