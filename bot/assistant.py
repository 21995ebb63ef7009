"""The one conversation entry point every channel calls: ``Assistant.respond``.

A turn: guardrails → the conversation's state (identity, pending confirmation, handoff) from the
database → a pending write confirmed or dropped → order matters through the tools (guided
routing, or a tool-calling model in agent mode) → otherwise a policy answer from the knowledge
base → the state saved. When the model is absent, not ready, slow, failing, or its draft does
not pass the checks, answers are templates of cited policy text and tool facts, flagged
``degraded``: never an error.
"""

from __future__ import annotations

import copy
import logging
import queue
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from bot import prompts, templates
from bot.agent import run_agent, tool_facts
from bot.dialogue.manager import DialogueManager, describe
from bot.dialogue.state import DialogueState
from bot.grounding import check_draft
from bot.guardrails import is_abusive, looks_like_injection, mask_pii
from bot.memory import ConversationStore, Turn
from bot.nlu.commands import Command
from bot.nlu.model import ModelCommandGenerator
from bot.nlu.rules import Context, offered_action, reply_language, understand
from bot.nlu.vocabulary import Vocabulary, vocabulary_for
from bot.product_answers import citations as product_citations
from bot.reply import Citation, Handoff, Reply, ToolCall
from bot.tools.session import WRITE_TOOL_NAMES, PendingAction, ToolSession
from bot.turn import TurnState, outcome_of
from kefu.principal import ANONYMOUS, IDENTITY_BOUND_CHANNELS, Principal, may_continue_on
from knowledge.documents import detect_language
from knowledge.orders.db import UNAVAILABLE_ERRORS
from knowledge.kefu_tables import Conversation
from retrieval.curated import CuratedAnswers
from retrieval.index import Hit
from retrieval.order_cards import OrderCardIndex
from retrieval.product_cards import ProductCardIndex
from retrieval.retriever import KnowledgeRetriever
from retrieval.sentences import SentenceSelector, SentenceVectors, fast_encoder

log = logging.getLogger(__name__)

MAX_FAILURES = 3
# Cosine above which a described order ("the one with the blue water bottle") is taken as meant;
# below it, all of the buyer's orders are listed instead.
ORDER_CARD_MIN_SCORE = 0.45  # turns in a row the bot could not help before it hands off
FOLLOW_UP = re.compile(r"^\s*(?:and|what about|how about|also|then)\b|^\s*(?:那|还有|那么|另外)", re.IGNORECASE)


class InvalidMessage(ValueError):
    """The user's message cannot be answered as sent (empty, too long)."""


class ForeignSession(LookupError):
    """The session belongs to another channel (a Slack thread, a WeCom chat, a widget chat), or to
    another identity: it cannot be continued by this caller, or a web caller could speak, and read,
    as a Slack user or as another buyer."""



@dataclass
class ModelBinding:
    """The chat model the assistant may use, and how to tell whether it is ready now."""

    chat_model: BaseChatModel | None
    name: str | None = None
    is_ready: Callable[[], bool] = lambda: True
    timeout_s: float = 60.0
    calls_tools: bool = False  # agent mode is possible (the model is a tool-calling one)
    concurrency: int = 1  # model calls in flight at once: 1 for a CPU model, more for a server that batches
    # Whether the model passed its capability check (bot.capability) for a reply language: False
    # (it failed: a model that cannot answer from given facts is not waited for), True, or None (not
    # known yet: it is tried, and quoted text goes out when its draft fails). By default, None.
    drafts: Callable[[str], bool | None] = lambda language: None


class Assistant:
    """Answers one message in one session. Channels are thin adapters over ``respond``."""

    def __init__(
        self,
        retriever: KnowledgeRetriever,
        model: ModelBinding,
        db_url: str,
        mode: str = "auto",
        max_message_chars: int = 4000,
        history_turns: int = 6,
        order_cards: OrderCardIndex | None = None,
        understanding: str = "rules",
        product_cards: ProductCardIndex | None = None,
        curated: CuratedAnswers | None = None,
        sentences: SentenceSelector | None = None,
        complaint_handoff: str = "handoff",
        excluded_countries: frozenset[str] = frozenset(),
    ) -> None:
        self.retriever = retriever
        self.order_cards = order_cards
        self.product_cards = product_cards
        self.curated = curated
        # The sentences an extractive answer quotes, chosen by the embedding model (its fast part),
        # lexical overlap and the cross-encoder when one is configured.
        self.sentences = sentences or SentenceSelector(SentenceVectors(fast_encoder(retriever.index.embeddings)),
                                                       scorer=getattr(retriever.reranker, "scorer", None))  # fmt: skip
        self.complaint_handoff = complaint_handoff  # handoff | offer: what a complaint gets besides the apology
        self.excluded_countries = excluded_countries  # destinations the shop does not ship to (the tools refuse them)
        self.model = model
        self.store = ConversationStore(db_url)
        self.db_url = db_url
        self.mode = mode
        self.max_message_chars = max_message_chars
        self.history_turns = history_turns
        # The understanding step: the rules, or a tool-calling model producing the same commands
        # (validated; the rules when it fails). "auto": the model when it calls tools.
        self.understanding = understanding
        self._command_generator = ModelCommandGenerator(model.chat_model) if model.chat_model is not None else None
        # The pool gives model calls a timeout; its size bounds the calls in flight (one for the
        # CPU demo model, where generation is serial anyway; a GPU server batches many).
        self._executor = ThreadPoolExecutor(max_workers=model.concurrency, thread_name_prefix="kefu-model")

    def on_database(self, db_url: str) -> "Assistant":
        """The same assistant (retriever, model, indexes) over another copy of the shop: an
        evaluation's episodes each get a fresh database without rebuilding everything else."""
        other = copy.copy(self)
        other.db_url, other.store = db_url, ConversationStore(db_url)
        return other

    @property
    def decides_with_model(self) -> bool:
        return self.mode == "agent" or (self.mode == "auto" and self.model.calls_tools)

    def check_session(self, session_id: str | None, channel: str, principal: str | None = None) -> None:
        """Raise ForeignSession when this caller may not continue ``session_id`` (for callers that
        must refuse before the turn starts, such as a stream)."""
        if session_id is not None and (conversation := self.store.find(session_id)) is not None:
            _refuse_foreign(conversation, channel, principal)

    def stream(self, message: str, session_id: str | None = None, principal: str | None = None, channel: str = "api") -> Iterator[dict]:
        """The same turn as ``respond``, as events: status and tool events while it runs, then the
        answer's tokens, citations, handoff, and ``done`` with the whole Reply.

        Answer tokens are sent after the draft passed the grounding checks, never before: a
        retracted sentence is worse than a short wait. Invalid input, or another channel's
        session, raises before any event.
        """
        self._validate(message)
        self.check_session(session_id, channel, principal)
        return self._events(message, session_id, principal, channel)

    def _events(self, message: str, session_id: str | None, principal: str | None, channel: str) -> Iterator[dict]:
        events: queue.Queue = queue.Queue()
        outcome: dict = {}

        def run() -> None:
            try:
                outcome["reply"] = self.respond(message, session_id, principal, channel, on_event=events.put)
            except Exception as exc:  # surfaced to the caller as an error event
                log.exception("turn failed")
                outcome["error"] = exc
            events.put(None)

        threading.Thread(target=run, name="kefu-turn", daemon=True).start()
        yield {"type": "status", "stage": "received"}
        while (event := events.get()) is not None:
            yield event
        if "error" in outcome:
            yield {"type": "error", **_error_event(outcome["error"])}
            return
        reply: Reply = outcome["reply"]
        for token in re.findall(r"\S+\s*|\s+", reply.answer):
            yield {"type": "token", "text": token}
        for citation in reply.citations:
            yield {"type": "citation", **citation.model_dump()}
        if reply.handoff:
            yield {"type": "handoff", **reply.handoff.model_dump()}
        yield {"type": "done", "reply": reply.model_dump(mode="json")}

    def _validate(self, message: str) -> str:
        text = (message or "").strip()
        if not text:
            raise InvalidMessage("message is empty")
        if len(text) > self.max_message_chars:
            raise InvalidMessage(f"message is longer than {self.max_message_chars} characters")
        return text

    def warm_up(self) -> None:
        """What a replica's first turn would otherwise pay (~0.3 s in `kefu bench turn`): the order
        database's engine and schema check, the shop's vocabulary, the understanding rules'
        patterns in both languages. No conversation is written."""
        vocabulary = vocabulary_for(self.db_url)
        for text in ("What is the return policy?", "我的订单到哪了？"):
            understand(text, vocabulary)

    def respond(
        self,
        message: str,
        session_id: str | None = None,
        principal: str | None = None,
        channel: str = "api",
        on_event: Callable[[dict], None] | None = None,
    ) -> Reply:
        text = self._validate(message)
        started = time.perf_counter()
        session_id = session_id or uuid.uuid4().hex
        conversation = self.store.load(session_id, principal=principal or str(ANONYMOUS), channel=channel)
        _refuse_foreign(conversation, channel, principal)
        state = DialogueState.load(conversation.dialogue_state)
        if principal and conversation.principal != principal:
            # The channel's authenticated identity wins over anything the conversation did before
            # (on the API that is only an anonymous conversation, which it now claims).
            conversation.principal, conversation.pending_action, state = principal, None, DialogueState()
        if principal and channel in IDENTITY_BOUND_CHANNELS:
            conversation.bound_to = principal
        history = self.store.history(session_id, 2 * self.history_turns)
        language = reply_language(text, [t.text for t in history if t.role == "user"])
        turn = TurnState(language=language, flags=["prompt_injection"] if looks_like_injection(text) else [], emit=on_event or _ignore,
                          started=started)  # fmt: skip

        if conversation.handoff_status:
            turn.answer = templates.say("with_human", language)
            turn.handoff = Handoff(reason=conversation.handoff_reason or "", summary=conversation.handoff_summary or "")
            return self._finish(conversation, text, turn, None)

        tools = ToolSession(
            db_url=self.db_url,
            principal=Principal.parse(conversation.principal),
            pending=PendingAction(**conversation.pending_action) if conversation.pending_action else None,
            products=self.product_cards,
            excluded_countries=self.excluded_countries,
            on_result=lambda r: self._after_tool(r, turn),
        )
        turn.state = state
        # Whose documents are cited first: a merchant's own FAQ for a merchant, else buyer-facing text.
        turn.audience = "merchant" if tools.principal.kind == "merchant" else "buyer"
        if is_abusive(text):
            turn.flags.append("abuse")
            turn.answer = templates.say("abuse", language)
        else:
            self._route(text, history, tools, turn)

        conversation.failures = conversation.failures + 1 if turn.fallback_reason == "no_relevant_knowledge" else 0
        if turn.wants_human or conversation.failures >= MAX_FAILURES:
            self._hand_off(conversation, tools, turn, history, text, turn.handoff_reason if turn.wants_human else "repeated_failure")
        return self._finish(conversation, text, turn, tools)

    # ---- steps of a turn

    def _after_tool(self, result, turn: TurnState) -> None:
        turn.emit({"type": "tool", "name": result.name, "ok": result.ok})
        turn.timings["tools"] = round(turn.timings.get("tools", 0.0) + result.ms, 1)
        if result.ok:
            turn.hits.extend(product_citations(result.name, result.result))  # a catalogue answer cites the product records
        order_id = result.arguments.get("order_id")
        if result.ok and order_id and result.name in WRITE_TOOL_NAMES and self.order_cards is not None:
            try:
                self.order_cards.sync([order_id])  # the order's card follows the order
            except Exception:  # the write stands; a stale card is refreshed by the next `kefu ingest --orders`
                log.exception("order card sync failed for %s", order_id)

    def _understand(self, text: str, state: DialogueState, tools: ToolSession, turn: TurnState, vocabulary: Vocabulary) -> Command:
        """The one understanding step: the message (and what the bot waits for) → a command."""
        context = Context(principal_kind=tools.principal.kind, waiting_for="confirmation" if tools.pending else state.waiting_for,
                          has_focus_order=state.focus_order is not None, has_focus_product=state.focus_product is not None)  # fmt: skip
        started = time.perf_counter()
        command, by = None, "rules"
        wants_model = self.understanding == "model" or self.understanding == "auto" and self.model.calls_tools
        if wants_model and self._command_generator is not None and self.model.is_ready():
            command, _ = self._with_timeout(lambda: self._command_generator.generate(text, context, vocabulary))
            by = "model" if command is not None else "rules"
        if command is None:
            command = understand(text, vocabulary, context)
        turn.reread = by == "rules"
        turn.timings["understand"] = _ms_since(started)
        turn.understanding = {"intent": command.intent, "slots": command.slots(), "by": by}
        return command

    def _route(self, text: str, history: list[Turn], tools: ToolSession, turn: TurnState) -> None:
        state = turn.state
        vocabulary = vocabulary_for(self.db_url)
        command = self._understand(text, state, tools, turn, vocabulary)
        if command.intent == "my_orders" and self.order_cards is not None and tools.principal.kind == "buyer":
            # "where is my order with the blue water bottle": the buyer's own order cards, filtered in the index.
            cards = self.order_cards.search(text, tools.principal, k=1)
            if cards and cards[0].score >= ORDER_CARD_MIN_SCORE:
                command = command.model_copy(update={"intent": "status", "order_ids": [cards[0].section]})
        turn.intent = command.intent

        # A handoff request and small talk need no model, nor does a task in progress: its state decides.
        in_progress = tools.pending is not None or state.waiting_for is not None
        if (self.decides_with_model and not in_progress and command.intent not in ("human", "small_talk", "confirm", "decline")
                and self._model_usable(turn.language)):  # fmt: skip
            turn.mode = "agent"
            if self._agent_turn(text, history, tools, turn):
                return
        manager = DialogueManager(vocabulary, reread=turn.reread)
        outcome = manager.handle(command, state, tools, turn.language)
        turn.intent, turn.outcome, turn.choices = outcome.intent, outcome.outcome, outcome.choices
        if outcome.wants_human and outcome.handoff_reason == "complaint" and self.complaint_handoff == "offer":
            turn.answer, turn.outcome = templates.say("complaint_offer", turn.language), "clarify"
        elif outcome.wants_human:
            turn.wants_human, turn.handoff_reason = True, outcome.handoff_reason
            turn.answer = outcome.answer
        elif outcome.answer is not None:
            turn.answer = outcome.answer
            if outcome.explain:
                self._explain(outcome.explain, turn)
        else:
            self._answer_from_knowledge(text, history, turn)
            self._offer(command, state, tools, turn)
        if outcome.prefix:
            turn.answer = f"{outcome.prefix}\n\n{turn.answer}"
        if outcome.suffix:
            turn.answer = f"{turn.answer}\n\n{outcome.suffix}"

    def _agent_turn(self, text: str, history: list[Turn], tools: ToolSession, turn: TurnState) -> bool:
        hits = self.retriever.search(text, audience=turn.audience)
        context = prompts.format_context(hits, turn.language)
        system = prompts.AGENT_SYSTEM[turn.language]
        messages = [SystemMessage(f"{system}\n\n{context}"), *_history_messages(history), HumanMessage(mask_pii(text) if not tools.principal.kind == "anonymous" else text)]
        turn.prompt = _as_prompt(messages)
        started = time.perf_counter()
        answer, problem = self._with_timeout(lambda: run_agent(self.model.chat_model, tools, messages))
        turn.timings["agent"] = _ms_since(started)
        if answer is not None and problem is None:
            problem = check_draft(answer, turn.language, question=text, instructions=system, context=context + tool_facts(tools))
            problem = f"draft_{problem}" if problem else None
            turn.rejected_draft = answer if problem else None
        if answer is None or problem:
            turn.fallback_reason = problem or "agent_step_limit"
            return False  # guided routing answers instead (degraded)
        # The policy chunks it was given, and the product records its tool calls returned.
        turn.answer, turn.hits, turn.model = answer.strip(), hits + turn.hits, self.model.name
        return True

    def _answer_from_knowledge(self, text: str, history: list[Turn], turn: TurnState) -> None:
        query = text
        previous = next((t.text for t in reversed(history) if t.role == "user"), None)
        leans_on_previous = FOLLOW_UP.search(text) or len(text.split()) <= 4 and detect_language(text) == "en" and not _has_a_subject(text)
        if previous and leans_on_previous:
            query = f"{previous} {text}"  # history-aware rewrite for follow-ups: "and how long does that take?"
        query = self.retriever.spelled(query)  # "wat is ur retrun polcy" → "what is your return policy"
        turn.query = query
        turn.emit({"type": "status", "stage": "retrieving"})
        started = time.perf_counter()
        if self.curated is not None and (curated := self.curated.match(query)) is not None:
            # An operator's improved answer to this question, asked another way: it wins, cited.
            turn.timings["retrieve"] = _ms_since(started)
            turn.answer, turn.outcome = curated.answer, "answered"
            turn.hits = [Hit(source=curated.citation_source, chunk_id=f"annotation:{curated.annotation_id}",
                             section=f"Curated by {curated.operator}, {curated.date}", text=curated.answer, score=curated.score)]  # fmt: skip
            return
        hits = [h for h in self.retriever.search(query, audience=turn.audience) if not looks_like_injection(h.text)]
        turn.timings["retrieve"] = _ms_since(started)
        if not hits:
            turn.fallback_reason, turn.outcome = "no_relevant_knowledge", "not_found"
            turn.answer = prompts.degraded_answer([], turn.language)
            return
        turn.outcome = "answered"
        # The model drafts when it is there, up, and has not failed its capability check for this
        # language; otherwise the quoted sentences go out at once (not "degraded" when it failed:
        # quoting is then the answer by design, not an accident).
        if turn.fallback_reason:
            pass  # the model already failed this turn (as an agent): quote the policy instead
        elif self.model.chat_model is None:
            turn.fallback_reason = "no_model"
        elif not self.model.is_ready():
            turn.fallback_reason = "model_not_ready"
        elif self.model.drafts(turn.language) is not False:
            turn.emit({"type": "status", "stage": "generating"})
            started = time.perf_counter()
            answer, turn.fallback_reason = self._phrase_policy(text, turn.language, hits, history, turn)
            turn.timings["generate"] = _ms_since(started)
            if answer is not None:
                turn.answer, turn.hits, turn.model = answer, hits, self.model.name
                return
        self._quote(query, hits, turn)

    def _quote(self, question: str, hits: list[Hit], turn: TurnState) -> None:
        """The extractive answer: the sentences of ``hits`` that answer ``question``, each cited."""
        started = time.perf_counter()
        chosen = self.sentences.run(question, hits, turn.language)
        turn.timings["quote"] = _ms_since(started)
        if not chosen["quotes"]:
            turn.answer, turn.hits = prompts.degraded_answer(hits, turn.language, question=question), hits[:2]
            return
        turn.answer, turn.hits, turn.quotes = prompts.quoted_answer(chosen["quotes"], turn.language, chosen["cross_lingual"])

    def _explain(self, question: str, turn: TurnState) -> None:
        """A refusal's reason in the policy's words: the sentences that answer ``question``, cited."""
        hits = [h for h in self.retriever.search(question, audience=turn.audience) if not looks_like_injection(h.text)]
        if not hits:
            return
        said, kept = turn.answer, turn.outcome
        self._quote(question, hits, turn)
        turn.answer, turn.outcome = f"{said}\n\n{turn.answer}", kept

    def _offer(self, command: Command, state: DialogueState, tools: ToolSession, turn: TurnState) -> None:
        """After a general question about an action ("Can I cancel my order?"), the offer to do it:
        once the buyer verifies (the request then waits for it), or for which order."""
        action = offered_action(command) if turn.outcome == "answered" and command.act == "question" else None
        if action is None or tools.principal.kind == "merchant":
            return
        words = templates.OFFERS[action][turn.language]
        if tools.principal.kind == "anonymous":
            state.deferred = Command(intent=action, action=action, text=command.text).model_dump(mode="json")
            turn.answer = f"{turn.answer}\n\n{templates.say('offer_verify', turn.language, action=words)}"
        else:
            turn.answer = f"{turn.answer}\n\n{templates.say('offer_order', turn.language, action=words)}"

    def _phrase_policy(
        self, text: str, language: str, hits: list[Hit], history: list[Turn], turn: TurnState
    ) -> tuple[str | None, str | None]:
        """The model's checked answer from the policy excerpts, or None and the reason it cannot be used."""
        system = prompts.SYSTEM[language]
        context = prompts.format_context(hits, language)
        messages = prompts.policy_messages(mask_pii(text), hits, language, _history_messages(history))
        turn.prompt = _as_prompt(messages)
        draft, problem = self._with_timeout(lambda: self.model.chat_model.invoke(messages))
        if problem:
            return None, problem
        content = draft.content if isinstance(draft.content, str) else str(draft.content)
        checked = time.perf_counter()
        problem = check_draft(content, language, question=text, instructions=system, context=context)
        turn.timings["check"] = _ms_since(checked)
        if problem:
            log.info("model draft rejected (%s): %r", problem, mask_pii(content[:200]))
            turn.rejected_draft = content
            return None, f"draft_{problem}"
        return content.strip(), None

    def _with_timeout(self, call):
        future = self._executor.submit(call)
        try:
            return future.result(timeout=self.model.timeout_s), None
        except FutureTimeout:
            future.cancel()
            log.warning("model timed out after %.1fs", self.model.timeout_s)
            return None, "model_timeout"
        except Exception as exc:  # any transport or server error degrades, never reaches the user
            log.warning("model call failed: %s", mask_pii(str(exc)))
            return None, "model_error"

    def _model_usable(self, language: str) -> bool:
        return self.model.chat_model is not None and self.model.is_ready() and self.model.drafts(language) is not False

    def _hand_off(self, conversation: Conversation, tools: ToolSession, turn: TurnState, history: list[Turn], text: str, reason: str) -> None:
        asked = [t.text for t in history if t.role == "user"][-3:] + [text]
        summary = mask_pii(" | ".join(asked))[:500]
        tools.call("transfer_to_human_agents", {"summary": summary})
        conversation.handoff_status, conversation.handoff_reason, conversation.handoff_summary = "queued", reason, summary
        turn.handoff = Handoff(reason=reason, summary=summary)
        if reason == "repeated_failure":
            turn.answer = f"{turn.answer}\n\n{templates.say('handoff', turn.language)}"

    def _finish(self, conversation: Conversation, text: str, turn: TurnState, tools: ToolSession | None) -> Reply:
        pending = None
        if tools is not None:
            conversation.principal = str(tools.principal)
            conversation.pending_action = ({"name": tools.pending.name, "arguments": tools.pending.arguments, "described": tools.pending.described}
                                           if tools.pending else None)  # fmt: skip
            if tools.pending:
                pending = {"name": tools.pending.name, "arguments": tools.pending.arguments, "prompt": describe(tools.pending, turn.language)}
            elif turn.state is not None and turn.state.waiting_for == "confirmation":
                turn.state.finish()  # the proposal was refused by the tools: nothing waits
            if turn.state is not None:
                conversation.dialogue_state = turn.state.dump()
        turn.timings["total"] = _ms_since(turn.started)
        outcome = outcome_of(turn, tools, pending)
        reply = Reply(
            session_id=conversation.session_id,
            answer=turn.answer or "",
            citations=[Citation(source=h.source, chunk_id=h.chunk_id, section=h.section, text=h.text, score=round(h.score, 4),
                                quote=turn.quotes.get(h.chunk_id)) for h in turn.hits],  # fmt: skip
            tool_calls=[ToolCall(name=r.name, arguments=r.arguments, ok=r.ok, result=r.result if r.ok else r.error) for r in (tools.log if tools else [])],
            handoff=turn.handoff,
            pending_confirmation=pending,
            intent=turn.intent,
            outcome=outcome,
            choices=_choice_labels(turn.choices, turn.language) if pending is None else [],
            mode=turn.mode,
            flags=turn.flags,
            degraded=turn.fallback_reason is not None,
            fallback_reason=turn.fallback_reason,
            language=turn.language,
            model=turn.model,
            timings_ms=turn.timings,
            query=turn.query,
            understanding=turn.understanding,
            dialogue=({"flow": turn.state.flow, "waiting_for": turn.state.waiting_for, "slots": turn.state.slots}
                      if turn.state is not None and turn.state.flow else None),  # fmt: skip
            prompt=turn.prompt,
            rejected_draft=turn.rejected_draft,
        )
        self.store.save(conversation, [("user", text, None), ("assistant", reply.answer, reply.model_dump(mode="json"))])
        return reply


def _choice_labels(choices: list[str], language: str) -> list[str]:
    """The values offered (stored in the catalogue's or the policy's terms) as the buyer reads them."""
    return [templates.choice_label(c, language) for c in choices]


def _ignore(event: dict) -> None:
    pass


def _error_event(exc: Exception) -> dict:
    """What a stream says when its turn failed: a busy or unreachable database is worth a retry."""
    if isinstance(exc, UNAVAILABLE_ERRORS):
        return {"code": "database_unavailable", "message": "the database is busy or unreachable; retry in a few seconds", "retry_after_s": 2}
    return {"code": "internal_error", "message": "internal error"}


def _history_messages(history: list[Turn]) -> list[BaseMessage]:
    return [HumanMessage(mask_pii(t.text)) if t.role == "user" else AIMessage(t.text) for t in history if t.role in ("user", "assistant")]


# The words of a question's frame: a short message made only of these ("How long?", "How much
# does it cost?") is about the last question; one with any other word ("How much is shipping?")
# names its own subject.
_QUESTION_FRAME = frozenset(
    """how long much many what which when where why who is are was were does do did it its that this
    the a an to for of in on take takes cost costs about then so ok okay please can could i you we
    there they be will would should usually normally""".split()
)


def _has_a_subject(text: str) -> bool:
    return any(word not in _QUESTION_FRAME for word in re.findall(r"[a-z]+", text.lower()))


def _refuse_foreign(conversation: Conversation, channel: str, principal: str | None) -> None:
    """The conversation-access rule (kefu.principal.may_continue_on), as this entry point raises it."""
    if not may_continue_on(channel, principal, started_on=conversation.channel, owner=conversation.principal, bound_to=conversation.bound_to):
        raise ForeignSession(f"no such session for this caller: {conversation.session_id}")


def _as_prompt(messages: list[BaseMessage]) -> list[dict[str, str]]:
    return [{"role": m.type, "content": m.content if isinstance(m.content, str) else str(m.content)} for m in messages]


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
