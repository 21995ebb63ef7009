"""The Slack bridge: the Events API in, ``chat.postMessage`` out.

Input adapter: verify Slack's request signature (signing secret, 5-minute window) on the raw
body, answer ``url_verification``, drop events already handled (ChannelEvent: Slack's retries of
a delivery that reached us, one message arriving as two events) but answer a retry whose first
try was lost, ignore bots, and turn a direct message or an @-mention into plain text with the
sender's Slack user id.
Output adapter: the Reply's answer as plain text with a short sources line, posted in the thread
of the message it answers; an operator's reply to a handed-off thread goes the same way
(``deliver``, used by ``serving.operators.handoffs``). The HTTP request is acknowledged at once; the answer
follows from a worker thread, because Slack wants a response within 3 seconds.

A conversation is a Slack thread: session ``slack:{channel}:{thread_ts or ts}``.
"""

from __future__ import annotations

import html
import json
import logging
import re

from fastapi import APIRouter, Request
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier
from starlette.concurrency import run_in_threadpool

from serving.channels.base import Bridge
from serving.channels.common import claim_event, json_error, render_text

log = logging.getLogger(__name__)

EVENTS_PATH = "/integrations/slack/events"
CHANNEL = "slack"
MAX_TEXT = 3900  # Slack advises keeping a message's text under 4,000 characters
# Message subtypes that are still a person writing to us; every other subtype (bot_message,
# message_changed, message_deleted, channel_join, ...) is ignored.
USER_SUBTYPES = {None, "file_share", "thread_broadcast"}
SORRY = "Sorry, something went wrong while answering. Please try again in a moment."

_LEADING_MENTIONS = re.compile(r"^\s*(?:<@[A-Z0-9]+(?:\|[^>]*)?>[\s,:]*)+")
_LABELLED_LINK = re.compile(r"<([^<>|]+)\|([^<>]+)>")  # <mailto:a@b.c|a@b.c>, <https://x|label>
_BARE_LINK = re.compile(r"<((?:https?|mailto):[^<>]+)>")
_USER_MENTION = re.compile(r"<@([A-Z0-9]+)>")


def clean_text(text: str) -> str:
    """Slack's message markup to what the user typed: mentions of the bot at the start dropped,
    links and e-mail addresses unwrapped, ``&amp; &lt; &gt;`` unescaped."""
    text = _LEADING_MENTIONS.sub("", text or "")
    text = _LABELLED_LINK.sub(lambda m: m.group(2), text)
    text = _BARE_LINK.sub(lambda m: m.group(1).removeprefix("mailto:"), text)
    text = _USER_MENTION.sub(lambda m: f"@{m.group(1)}", text)
    return html.unescape(text).strip()


def escape(text: str) -> str:
    """Slack's three control characters, escaped as its docs require."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def incoming_message(payload: dict) -> dict | None:
    """The user message an ``event_callback`` carries, or None for anything the bot must not answer.

    Answered: ``app_mention`` (in channels the app was added to) and ``message`` in a direct
    message with the app (channel_type ``im``). Never: bots (ours included), edits, deletions,
    joins, empty text.
    """
    event = payload.get("event")
    if not isinstance(event, dict):
        return None
    kind = event.get("type")
    if kind not in ("app_mention", "message"):
        return None
    if kind == "message" and event.get("channel_type") != "im":
        return None
    if event.get("bot_id") or event.get("bot_profile") or event.get("subtype") not in USER_SUBTYPES:
        return None
    user, channel, ts = event.get("user"), event.get("channel"), event.get("ts")
    if not (isinstance(user, str) and isinstance(channel, str) and isinstance(ts, str)):
        return None
    own = {a.get("user_id") for a in payload.get("authorizations") or [] if isinstance(a, dict) and a.get("is_bot")}
    if user in own:
        return None
    text = clean_text(event.get("text") if isinstance(event.get("text"), str) else "")
    if not text:
        return None
    thread_ts = event.get("thread_ts") if isinstance(event.get("thread_ts"), str) else None
    return {"user": user, "channel": channel, "ts": ts, "thread_ts": thread_ts or ts, "text": text}


class SlackBridge(Bridge):
    name = CHANNEL
    sorry = SORRY

    def users(self) -> dict[str, str]:
        return self.settings.slack_users

    def render(self, reply) -> str:
        return render_text(reply, max_chars=MAX_TEXT)

    def post(self, channel: str, thread_ts: str, text: str) -> None:
        client = WebClient(token=self.settings.slack_bot_token, base_url=self.settings.slack_api_url, timeout=15)
        client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=escape(text))

    def deliver(self, session_id: str, text: str) -> None:
        """An operator's message, into the Slack thread the conversation is (serving.operators.handoffs)."""
        if not self.settings.slack_bot_token:
            raise RuntimeError("the Slack bridge has no bot token (KEFU_SLACK_BOT_TOKEN)")
        _, channel, thread_ts = session_id.split(":", 2)
        self.post(channel, thread_ts, text[:MAX_TEXT])

    def router(self) -> APIRouter:
        settings = self.settings
        db_url = settings.resolved_database_url
        router = APIRouter(tags=["channels"])

        @router.post(EVENTS_PATH, summary="Slack Events API request URL")
        async def slack_events(request: Request):
            if not settings.slack_signing_secret:
                return json_error(503, "not_configured", "the Slack bridge is not configured (KEFU_SLACK_SIGNING_SECRET)")
            body = await request.body()
            try:
                valid = SignatureVerifier(settings.slack_signing_secret).is_valid_request(body, dict(request.headers))
            except (ValueError, UnicodeDecodeError):  # a non-numeric timestamp, a body that is not UTF-8
                valid = False
            if not valid:
                return json_error(401, "bad_signature", "missing, wrong or expired Slack signature")
            try:
                payload = json.loads(body)
            except ValueError:
                return json_error(400, "malformed_json", "request body is not valid JSON")
            if not isinstance(payload, dict):
                return json_error(400, "malformed_json", "request body is not a JSON object")

            kind = payload.get("type")
            if kind == "url_verification":
                return {"challenge": payload.get("challenge", "")}
            if kind != "event_callback":
                return {"ok": True, "ignored": kind}
            message = incoming_message(payload)
            if message is None:
                return {"ok": True, "ignored": "not_for_the_bot"}
            event_id = payload.get("event_id")
            if not isinstance(event_id, str) or not event_id:
                return json_error(400, "invalid_event", "event_callback without an event_id")
            if not settings.slack_bot_token:
                return json_error(503, "not_configured", "the Slack bridge cannot answer (KEFU_SLACK_BOT_TOKEN)")
            # Claim the event, then the message itself: an @-mention in a DM can arrive as two events.
            # Retries (X-Slack-Retry-Num) come this way too: a retry of a delivery that reached us is a
            # duplicate here; one whose first delivery never did (a restart, a network cut) is answered.
            if not await run_in_threadpool(claim_event, db_url, CHANNEL, event_id):
                return {"ok": True, "ignored": "duplicate"}
            if not await run_in_threadpool(claim_event, db_url, CHANNEL, f"msg:{message['channel']}:{message['ts']}"):
                return {"ok": True, "ignored": "duplicate"}
            limited = self.answer_later(message["text"], session_id=f"slack:{message['channel']}:{message['thread_ts']}", user_id=message["user"],
                              send=lambda text: self.post(message["channel"], message["thread_ts"], text))  # fmt: skip
            return {"ok": True, "limited": True} if limited else {"ok": True}

        return router
