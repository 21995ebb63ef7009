"""Operator replies in handed-off conversations: stored in the conversation, then delivered to the
platform the conversation lives on. The API route and the console share this one home.

Each bridge registers a deliverer under its channel name (``slack``, ``wecom``): the conversation's
stored channel picks it, and the deliverer finds the thread or user in the session id
(``slack:{channel}:{thread_ts}``, ``wecom:{agent_id}:{user_id}``). Conversations on the widget, the
console or the API have none: their clients read the operator's turn from the session's history.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from bot.memory import ConversationStore

log = logging.getLogger(__name__)

# Shown before the operator's words on a platform, so the buyer knows a person is writing now.
OPERATOR_LABEL = "人工客服 / Human agent: "

Deliver = Callable[[str, str], None]  # (session_id, text); raises when the platform refuses


@dataclass
class OperatorDesk:
    store: ConversationStore
    deliverers: Mapping[str, Deliver] = field(default_factory=dict)

    def reply(self, session_id: str, text: str) -> dict | None:
        """Record the operator's message (the handoff becomes "taken") and send it to the platform.

        None when the session is not in the handoff queue. The message is stored even when the
        platform refuses it; ``delivery_error`` then says why, and the operator can retry.
        """
        # The channel the conversation was started on decides, not its id: an API client may
        # name its session "slack:…", and that must not make an operator's words go to Slack.
        platform = self.store.operator_says(session_id, text)
        if platform is None:
            return None
        outcome: dict = {"session_id": session_id, "status": "taken", "delivered_to": None}
        deliver = self.deliverers.get(platform)
        if deliver is None:
            return outcome
        try:
            deliver(session_id, OPERATOR_LABEL + text)
        except Exception as exc:  # a platform's API error must not lose the stored reply or crash the route
            log.warning("operator reply on %s not delivered: %s", session_id, exc)
            outcome["delivery_error"] = f"{platform}: {exc}"[:300]
        else:
            outcome["delivered_to"] = platform
        return outcome

    def release(self, session_id: str) -> bool:
        """Hand the conversation back to the bot."""
        return self.store.release(session_id)
