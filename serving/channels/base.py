"""What a channel is: one platform the assistant speaks on, an input adapter and an output
adapter over the assistant's one entry point (``Assistant.respond``), as Rasa's channels are.

- ``Channel``: its ``name`` (stored with each conversation), whether its callers are bound to an
  identity or are operators (``kefu.principal``'s access rule decides by the name), and
  ``render(reply)``: the Reply as the platform shows it.
- ``Bridge``: a platform that calls us (a webhook): ``router()`` is its input adapter (verify,
  parse, claim, acknowledge at once), ``deliver(session_id, text)`` its output adapter (also used
  for an operator's reply, ``serving.operators.handoffs``), and the answer after the acknowledgement — respond,
  render, send — is written once here (``answer_later``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import ClassVar

from fastapi import APIRouter

from bot.assistant import InvalidMessage
from bot.reply import Reply
from kefu.principal import IDENTITY_BOUND_CHANNELS, OPERATOR_CHANNELS
from serving.channels.common import TOO_FAST, BackgroundAnswers, map_principal, over_limit, render_text

log = logging.getLogger(__name__)


class Channel:
    name: ClassVar[str]

    @property
    def binds_identity(self) -> bool:
        """The caller names the session, and a conversation is bound to the identity that opened it."""
        return self.name in IDENTITY_BOUND_CHANNELS

    @property
    def operator(self) -> bool:
        """Every caller is an operator (may open any conversation)."""
        return self.name in OPERATOR_CHANNELS

    def render(self, reply: Reply) -> str:
        """The reply as this platform shows it: plain text with a short sources line."""
        return render_text(reply)


class ApiChannel(Channel):
    """The HTTP API (`/v1/chat`, `/v1/chat/stream`): the widget and the Gradio chat speak through it."""

    name = "api"


class ConsoleChannel(Channel):
    """The operator console's test chat."""

    name = "console"


class CliChannel(Channel):
    """`kefu chat` in a terminal."""

    name = "cli"


class Bridge(Channel):
    """A platform that calls us and is answered after the acknowledgement, from a worker thread."""

    sorry: ClassVar[str] = "Sorry, something went wrong while answering. Please try again in a moment."

    def __init__(self, runtime, limiter=None) -> None:
        self.runtime = runtime
        self.settings = runtime.settings
        self.limiter = limiter
        self.answers = BackgroundAnswers(self.name)

    def router(self) -> APIRouter:
        """The input adapter: the platform's webhook routes."""
        raise NotImplementedError

    def deliver(self, session_id: str, text: str) -> None:
        """The output adapter: ``text`` into the platform conversation ``session_id`` is."""
        raise NotImplementedError

    def users(self) -> dict[str, str]:
        """Platform user id → the principal configured for it (KEFU_SLACK_USERS, KEFU_WECOM_USERS)."""
        return {}

    def answer_later(self, text: str, *, session_id: str, user_id: str, send: Callable[[str], None]) -> bool:
        """Queue the answer to ``text`` from platform user ``user_id``: respond, render, ``send``.
        A user over the rate limit is told so instead (no model, no tool call): True then."""
        if over_limit(self.limiter, self.name, user_id):
            self.answers.submit(lambda: send(TOO_FAST))
            return True
        self.answers.submit(lambda: send(self._answer(text, session_id, user_id)))
        return False

    def _answer(self, text: str, session_id: str, user_id: str) -> str:
        principal = map_principal(self.users(), user_id, self.name)
        try:
            return self.render(self.runtime.assistant.respond(text, session_id=session_id, principal=principal, channel=self.name))
        except InvalidMessage as exc:
            return f"Sorry, I cannot answer that: {exc}."
        except Exception:
            log.exception("%s: the assistant failed on session %s", self.name, session_id)
            return self.sorry
