"""The one conversation entry point every channel calls: ``Assistant.respond``.

A turn: retrieve policy chunks → ask the model to phrase an answer from them → check the draft →
reply with citations. When the model is absent, not ready, slow, failing, or its draft does not
pass the checks, the reply is a template of cited policy text, flagged ``degraded``: never an error.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from bot import prompts
from bot.grounding import check_draft
from bot.reply import Citation, Reply
from knowledge.documents import detect_language
from retrieval.index import Hit
from retrieval.retriever import KnowledgeRetriever

log = logging.getLogger(__name__)


class InvalidMessage(ValueError):
    """The user's message cannot be answered as sent (empty, too long)."""


@dataclass
class ModelBinding:
    """The chat model the assistant may use, and how to tell whether it is ready now."""

    chat_model: BaseChatModel | None
    name: str | None = None
    is_ready: Callable[[], bool] = lambda: True
    timeout_s: float = 60.0


@dataclass
class Turn:
    role: str  # "user" | "assistant"
    text: str


class Assistant:
    """Answers one message in one session. Channels are thin adapters over ``respond``."""

    def __init__(
        self,
        retriever: KnowledgeRetriever,
        model: ModelBinding,
        max_message_chars: int = 4000,
        history_turns: int = 6,
    ) -> None:
        self.retriever = retriever
        self.model = model
        self.max_message_chars = max_message_chars
        self.history_turns = history_turns
        # In-memory history for now; the assistant issue persists sessions in the database.
        self._sessions: dict[str, list[Turn]] = {}
        # One worker: generation on a 2-core machine is serial anyway; the pool gives us a timeout.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kefu-model")

    def respond(self, message: str, session_id: str | None = None) -> Reply:
        text = (message or "").strip()
        if not text:
            raise InvalidMessage("message is empty")
        if len(text) > self.max_message_chars:
            raise InvalidMessage(f"message is longer than {self.max_message_chars} characters")
        session_id = session_id or uuid.uuid4().hex
        language = detect_language(text)
        timings: dict[str, float] = {}

        started = time.perf_counter()
        hits = self.retriever.search(text)
        timings["retrieve"] = _ms_since(started)

        answer, fallback_reason = None, None
        if not hits:
            fallback_reason = "no_relevant_knowledge"
        elif self.model.chat_model is None:
            fallback_reason = "no_model"
        elif not self.model.is_ready():
            fallback_reason = "model_not_ready"
        else:
            started = time.perf_counter()
            answer, fallback_reason = self._model_answer(text, language, hits, session_id)
            timings["generate"] = _ms_since(started)

        if answer is None:
            answer = prompts.degraded_answer(hits, language)
            cited = hits[:2]
        else:
            cited = hits
        history = self._sessions.setdefault(session_id, [])
        history += [Turn("user", text), Turn("assistant", answer)]
        del history[: -2 * self.history_turns]

        return Reply(
            session_id=session_id,
            answer=answer,
            citations=[Citation(source=h.source, chunk_id=h.chunk_id, section=h.section, text=h.text) for h in cited],
            degraded=fallback_reason is not None,
            fallback_reason=fallback_reason,
            language=language,
            model=self.model.name if fallback_reason is None else None,
            timings_ms=timings,
        )

    def _model_answer(self, text: str, language: str, hits: list[Hit], session_id: str) -> tuple[str | None, str | None]:
        """The model's checked answer, or None and the reason it cannot be used."""
        system = prompts.SYSTEM[language]
        context = prompts.format_context(hits, language)
        messages: list[BaseMessage] = [SystemMessage(system + "\n\n" + context)]
        for turn in self._sessions.get(session_id, [])[-2 * self.history_turns :]:
            messages.append(HumanMessage(turn.text) if turn.role == "user" else AIMessage(turn.text))
        messages.append(HumanMessage(text))

        future = self._executor.submit(self.model.chat_model.invoke, messages)
        try:
            draft = future.result(timeout=self.model.timeout_s)
        except FutureTimeout:
            future.cancel()
            log.warning("model timed out after %.1fs", self.model.timeout_s)
            return None, "model_timeout"
        except Exception as exc:  # any transport or server error degrades, never reaches the user
            log.warning("model call failed: %s", exc)
            return None, "model_error"

        content = draft.content if isinstance(draft.content, str) else str(draft.content)
        problem = check_draft(content, language, question=text, instructions=system, context=context)
        if problem:
            log.info("model draft rejected (%s): %r", problem, content[:200])
            return None, f"draft_{problem}"
        return content.strip(), None


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
