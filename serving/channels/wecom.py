"""The WeCom (企业微信) bridge: a self-built app's encrypted callback in, ``message/send`` out.

Input adapter: the enterprise callback scheme. ``GET`` verifies the URL (msg_signature over
token, timestamp, nonce and echostr; the decrypted echostr is the answer). ``POST`` bodies are
AES-encrypted XML, signed the same way; a text message becomes the user's message with the
sender's WeCom user id. Each MsgId is answered once (ChannelEvent), whatever WeCom retries.
Output adapter: the Reply's answer as plain text with a short sources line, sent with
``message/send`` to the sender; an operator's reply to a handed-off conversation goes the same
way (``deliver``, used by ``serving.operators.handoffs``). The callback is answered at once with an empty body (WeCom wants
a response within 5 seconds); the answer follows from a worker thread.

The access token comes from ``gettoken`` and is cached in the database (CachedToken), so every
replica shares one token until it expires; it is fetched again when expired or rejected.

A conversation is the user's chat with the app: session ``wecom:{agent_id}:{user_id}``.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta, timezone
from xml.parsers.expat import ExpatError

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool
from wechatpy.enterprise import parse_message
from wechatpy.enterprise.crypto import WeChatCrypto
from wechatpy.enterprise.exceptions import InvalidCorpIdException
from wechatpy.exceptions import InvalidSignatureException

from knowledge.orders.db import session as open_session
from knowledge.kefu_tables import CachedToken
from serving.channels.base import Bridge
from serving.channels.common import claim_event, json_error, render_text, truncate_utf8

log = logging.getLogger(__name__)

CALLBACK_PATH = "/integrations/wecom/callback"
CHANNEL = "wecom"
MAX_TEXT_BYTES = 2048  # message/send: text content is at most 2048 bytes
TOKEN_MARGIN = timedelta(minutes=5)  # refresh a little before WeCom's expiry
TOKEN_REJECTED = {40001, 40014, 42001}  # invalid credential, invalid token, expired token
SORRY = "抱歉，回答时出错了，请稍后再试。Sorry, something went wrong; please try again."


class WeComError(RuntimeError):
    """WeCom's API answered with a non-zero errcode."""

    def __init__(self, call: str, data: dict) -> None:
        self.errcode = data.get("errcode")
        super().__init__(f"WeCom {call}: errcode {data.get('errcode')}: {data.get('errmsg', '')}")


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class WeComClient:
    """``gettoken`` with the token cached in the database, and ``message/send``."""

    def __init__(self, settings, http: httpx.Client | None = None) -> None:
        self.settings = settings
        self.db_url = settings.resolved_database_url
        self.base = settings.wecom_api_url if settings.wecom_api_url.endswith("/") else settings.wecom_api_url + "/"
        self.http = http or httpx.Client(timeout=10.0)
        self.token_name = f"wecom:{settings.wecom_corp_id}:{settings.wecom_agent_id}"
        self._lock = threading.Lock()  # one fetch at a time in this process

    def access_token(self, refresh: bool = False) -> str:
        with self._lock:
            if not refresh:
                with open_session(self.db_url) as db:
                    row = db.get(CachedToken, self.token_name)
                if row is not None and _aware(row.expires_at) > _utcnow():
                    return row.value
            response = self.http.get(
                f"{self.base}gettoken", params={"corpid": self.settings.wecom_corp_id, "corpsecret": self.settings.wecom_secret}
            )
            response.raise_for_status()
            data = response.json()
            if data.get("errcode", 0) != 0 or not data.get("access_token"):
                raise WeComError("gettoken", data)
            lifetime = timedelta(seconds=int(data.get("expires_in", 7200)))
            expires = _utcnow() + max(lifetime - TOKEN_MARGIN, lifetime / 2)
            with open_session(self.db_url) as db:
                db.merge(CachedToken(name=self.token_name, value=data["access_token"], expires_at=expires))
                db.commit()
            return data["access_token"]

    def send_text(self, user_id: str, text: str) -> dict:
        body = {"touser": user_id, "msgtype": "text", "agentid": int(self.settings.wecom_agent_id), "text": {"content": text}}
        for attempt in range(2):
            response = self.http.post(f"{self.base}message/send", params={"access_token": self.access_token(refresh=attempt > 0)}, json=body)
            response.raise_for_status()
            data = response.json()
            if data.get("errcode", 0) == 0:
                return data
            if data.get("errcode") not in TOKEN_REJECTED:
                break
            log.info("wecom: the cached access token was rejected (errcode %s); fetching a new one", data.get("errcode"))
        raise WeComError("message/send", data)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


class WeComBridge(Bridge):
    name = CHANNEL
    sorry = SORRY

    def __init__(self, runtime, limiter=None) -> None:
        super().__init__(runtime, limiter)
        self.client = WeComClient(self.settings)

    def users(self) -> dict[str, str]:
        return self.settings.wecom_users

    def render(self, reply) -> str:
        return render_text(reply, max_bytes=MAX_TEXT_BYTES)

    def deliver(self, session_id: str, text: str) -> None:
        """An operator's message, to the WeCom user the conversation is with (serving.operators.handoffs)."""
        _, agent_id, user_id = session_id.split(":", 2)
        if agent_id != str(self.settings.wecom_agent_id):
            raise RuntimeError(f"the conversation is with WeCom app {agent_id}, this server sends as {self.settings.wecom_agent_id}")
        self.client.send_text(user_id, truncate_utf8(text, MAX_TEXT_BYTES))

    def crypto(self) -> WeChatCrypto | None:
        settings = self.settings
        if not (settings.wecom_token and settings.wecom_aes_key and settings.wecom_corp_id):
            return None
        try:
            return WeChatCrypto(settings.wecom_token, settings.wecom_aes_key, settings.wecom_corp_id)
        except (AssertionError, ValueError):  # an EncodingAESKey that is not 43 base64 characters
            log.error("wecom: KEFU_WECOM_AES_KEY is not a valid EncodingAESKey")
            return None

    def router(self) -> APIRouter:
        settings = self.settings
        db_url = settings.resolved_database_url
        router = APIRouter(tags=["channels"])
        crypto, client = self.crypto, self.client

        def not_configured():
            return json_error(503, "not_configured", "the WeCom bridge is not configured (KEFU_WECOM_TOKEN, KEFU_WECOM_AES_KEY, KEFU_WECOM_CORP_ID)")

        @router.get(CALLBACK_PATH, summary="WeCom callback URL verification", response_class=PlainTextResponse)
        def verify_url(msg_signature: str | None = None, timestamp: str | None = None, nonce: str | None = None, echostr: str | None = None):
            wechat = crypto()
            if wechat is None:
                return not_configured()
            if not (msg_signature and timestamp and nonce and echostr):
                return json_error(401, "bad_signature", "msg_signature, timestamp, nonce and echostr are required")
            try:
                echo = wechat.check_signature(msg_signature, timestamp, nonce, echostr)
            except InvalidSignatureException:
                return json_error(401, "bad_signature", "wrong msg_signature")
            except InvalidCorpIdException:
                return json_error(403, "wrong_corp", "echostr was encrypted for another corp id")
            except Exception:  # signed but undecryptable: not from WeCom with our key
                return json_error(403, "undecryptable", "echostr could not be decrypted")
            return PlainTextResponse(echo)

        @router.post(CALLBACK_PATH, summary="WeCom callback (encrypted messages)")
        async def receive(request: Request):
            wechat = crypto()
            if wechat is None:
                return not_configured()
            query = request.query_params
            signature, timestamp, nonce = query.get("msg_signature"), query.get("timestamp"), query.get("nonce")
            if not (signature and timestamp and nonce):
                return json_error(401, "bad_signature", "msg_signature, timestamp and nonce are required")
            body = await request.body()
            try:
                xml = wechat.decrypt_message(body, signature, timestamp, nonce)
            except InvalidSignatureException:
                return json_error(401, "bad_signature", "wrong msg_signature")
            except InvalidCorpIdException:
                return json_error(403, "wrong_corp", "message was encrypted for another corp id")
            except (ExpatError, KeyError, TypeError):
                return json_error(400, "malformed", "body is not WeCom's encrypted XML")
            except Exception:
                return json_error(403, "undecryptable", "message could not be decrypted")
            try:
                message = parse_message(xml)
            except Exception:
                log.warning("wecom: undecodable message XML")
                return json_error(400, "malformed", "decrypted message is not valid XML")
            if message is None or message.type != "text" or not message.source:
                return Response(content=b"", media_type="text/plain")  # events, images, ...: acknowledged, not answered
            if not (settings.wecom_secret and settings.wecom_agent_id):
                return json_error(503, "not_configured", "the WeCom bridge cannot answer (KEFU_WECOM_SECRET, KEFU_WECOM_AGENT_ID)")
            text = (message.content or "").strip()
            event_id = str(message.id) if message.id else f"{message.source}:{message.time}"
            if text and await run_in_threadpool(claim_event, db_url, CHANNEL, event_id):
                self.answer_later(text, session_id=f"wecom:{settings.wecom_agent_id}:{message.source}", user_id=message.source,
                                  send=lambda out: client.send_text(message.source, out))  # fmt: skip
            # WeCom: an empty body means "received, no passive reply"; the answer is sent with message/send.
            return Response(content=b"", media_type="text/plain")

        return router
