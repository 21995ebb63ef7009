"""What the platform bridges share: JSON errors, at-most-once event claims, principal mapping,
rendering a Reply as plain text, and the background worker that answers after the ack."""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait

from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError

from bot.reply import Reply
from kefu.principal import InvalidPrincipal, Principal
from knowledge.orders.db import session as open_session
from knowledge.kefu_tables import ChannelEvent
from serving.errors import error_body

log = logging.getLogger(__name__)


def json_error(status: int, code: str, message: str) -> JSONResponse:
    """The API's error shape, ``{"error": {"code", "message"}}``."""
    return JSONResponse(status_code=status, content=error_body(code, message))


def claim_event(db_url: str, channel: str, event_id: str) -> bool:
    """Record an inbound event as handled. True the first time; False when any replica already did.

    The unique (channel, event_id) constraint decides, so two replicas racing on one event
    cannot both answer it.
    """
    with open_session(db_url) as db:
        db.add(ChannelEvent(channel=channel, event_id=event_id[:128]))
        try:
            db.commit()
        except IntegrityError:
            db.rollback()
            return False
    return True


def map_principal(users: dict[str, str], user_id: str | None, channel: str) -> str | None:
    """The principal configured for a platform user id, or None (anonymous).

    A misconfigured entry (not ``buyer:ID``, ``merchant:ID``, ``operator``) is logged and treated
    as anonymous rather than trusted.
    """
    configured = users.get(user_id or "")
    if not configured:
        return None
    try:
        principal = Principal.parse(configured)
    except InvalidPrincipal as exc:
        log.warning("%s user %s: ignoring the configured principal: %s", channel, user_id, exc)
        return None
    return principal.named()


def sources_line(reply: Reply) -> str:
    """``Sources: a.md, b.md`` (each source once, in citation order; ``来源：`` for a Chinese
    reply), or '' without citations."""
    sources = list(dict.fromkeys(c.source for c in reply.citations if c.source))
    if not sources:
        return ""
    return ("来源：" if reply.language == "zh" else "Sources: ") + ", ".join(sources)


def render_text(reply: Reply, max_chars: int | None = None, max_bytes: int | None = None) -> str:
    """The answer as plain text and a short sources line, the answer shortened (never the
    sources line) to fit the platform's limit in characters or UTF-8 bytes."""
    answer = reply.answer.strip()
    sources = sources_line(reply)
    tail = f"\n\n{sources}" if sources else ""
    if max_chars is not None and len(answer) + len(tail) > max_chars:
        answer = answer[: max(max_chars - len(tail) - 1, 0)].rstrip() + "…"
    if max_bytes is not None:
        answer = truncate_utf8(answer, max(max_bytes - len(tail.encode()), 8))
    return answer + tail


def truncate_utf8(text: str, max_bytes: int) -> str:
    """``text`` cut to at most ``max_bytes`` of UTF-8 without splitting a character."""
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    ellipsis = "…".encode()
    return data[: max_bytes - len(ellipsis)].decode("utf-8", errors="ignore").rstrip() + "…"


class BackgroundAnswers:
    """A small worker pool that answers after the webhook was acknowledged.

    The platforms want an HTTP answer within seconds (Slack 3 s, WeCom 5 s); a turn can take
    longer, so the request only verifies, claims and queues, and a worker calls the assistant and
    posts the reply.
    """

    _all: "weakref.WeakSet[BackgroundAnswers]" = weakref.WeakSet()

    def __init__(self, name: str, workers: int = 4) -> None:
        self.name = name
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"kefu-{name}")
        self._pending: set[Future] = set()
        self._lock = threading.Lock()
        BackgroundAnswers._all.add(self)

    def submit(self, job: Callable[[], None]) -> None:
        def run() -> None:
            try:
                job()
            except Exception:  # a failed answer must not kill the worker
                log.exception("%s: answering in the background failed", self.name)

        with self._lock:
            future = self._pool.submit(run)
            self._pending.add(future)
        future.add_done_callback(self._done)

    def _done(self, future: Future) -> None:
        with self._lock:
            self._pending.discard(future)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until every answer queued so far was sent (or failed). False on timeout."""
        with self._lock:
            pending = list(self._pending)
        _, not_done = wait(pending, timeout=timeout)
        return not not_done

    @classmethod
    def wait_all_idle(cls, timeout: float | None = None) -> bool:
        """``wait_idle`` over every bridge's pool in this process (tests, graceful shutdown)."""
        return all([pool.wait_idle(timeout) for pool in list(cls._all)])

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True)


# What a platform user who is over the chat rate limit (KEFU_RATE_LIMIT_PER_MINUTE, shared with the
# API's limiter) gets instead of an answer: no model call, no tool call.
TOO_FAST = "消息太频繁了，请一分钟后再试。You are sending messages too fast; please try again in a minute."


def over_limit(limiter, channel: str, user_id: str) -> bool:
    """True when this platform user has sent more messages this minute than the limit allows."""
    return limiter is not None and not limiter.allow(f"{channel}:{user_id}")
