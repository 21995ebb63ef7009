"""The WeCom (企业微信) bridge end to end: callbacks encrypted and signed with wechatpy's own
WeCom crypto, the real assistant (provider none), and a local recording server in place of
qyapi.weixin.qq.com (gettoken, message/send)."""

from __future__ import annotations

import base64
import itertools
import os
import threading
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

import pytest
from sqlmodel import select
from wechatpy.enterprise.crypto import PrpCrypto, WeChatCrypto
from wechatpy.utils import WeChatSigner

from knowledge.orders.db import session as open_session
from knowledge.kefu_tables import CachedToken, ChannelEvent, Conversation
from serving.channels.common import BackgroundAnswers
from serving.channels.wecom import CALLBACK_PATH
from tests.conftest import make_settings
from tests.counted_app import CountedApp
from tests.recording_server import RecordingServer

TOKEN = "kefuCallbackToken"
AES_KEY = base64.b64encode(os.urandom(32)).decode().rstrip("=")  # a 43-character EncodingAESKey
CORP_ID = "wwkefu0000corp01"
SECRET = "app-secret"
AGENT_ID = "1000002"


@pytest.fixture(scope="module")
def wecom_api():
    issued = itertools.count(1)
    server = RecordingServer({
        "/gettoken": lambda call: {"errcode": 0, "errmsg": "ok", "access_token": f"ACCESS-{next(issued)}", "expires_in": 7200},
        "/message/send": {"errcode": 0, "errmsg": "ok", "msgid": "m1"},
    })  # fmt: skip
    with server:
        yield server


def signature(*parts: str) -> str:
    signer = WeChatSigner()
    signer.add_data(*parts)
    return signer.signature


class Bridge(CountedApp):
    """An app over its own database (or a shared one), with the assistant's calls counted."""

    def __init__(self, home, db_path, api_url: str, **overrides) -> None:
        values = {"database_url": f"sqlite:///{db_path}", "wecom_token": TOKEN, "wecom_aes_key": AES_KEY, "wecom_corp_id": CORP_ID,
                  "wecom_secret": SECRET, "wecom_agent_id": AGENT_ID, "wecom_api_url": api_url} | overrides  # fmt: skip
        super().__init__(make_settings(home, **values))

    def send(self, xml: str, *, token: str = TOKEN, corp_id: str = CORP_ID, tamper: bool = False):
        """POST ``xml`` the way WeCom does: encrypted into <Encrypt>, msg_signature in the query."""
        timestamp, nonce = str(int(time.time())), base64.b16encode(os.urandom(5)).decode()
        envelope = WeChatCrypto(token, AES_KEY, corp_id).encrypt_message(xml, nonce, timestamp)
        signed = envelope.split("<MsgSignature><![CDATA[")[1].split("]]>")[0]
        if tamper:
            signed = signature(token, timestamp, nonce, "something else")
        query = urlencode({"msg_signature": signed, "timestamp": timestamp, "nonce": nonce})
        return self.client.post(f"{CALLBACK_PATH}?{query}", content=envelope.encode(), headers={"content-type": "text/xml"})

    def rows(self, table) -> list:
        with open_session(self.settings.resolved_database_url) as db:
            return list(db.exec(select(table)))


@pytest.fixture
def bridge(knowledge_home, tmp_path, wecom_api):
    def make(db_name: str = "kefu.db", **overrides) -> Bridge:
        return Bridge(knowledge_home, tmp_path / db_name, wecom_api.url, **overrides)

    return make


def text_message(user: str, content: str, msg_id: int) -> str:
    return (f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><FromUserName><![CDATA[{user}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId><AgentID>{AGENT_ID}</AgentID></xml>")  # fmt: skip


def sends_to(api: RecordingServer, user: str) -> list:
    return api.matching("/message/send", lambda c: c.json.get("touser") == user)


def test_url_verification_returns_the_decrypted_echostr(bridge):
    timestamp, nonce = str(int(time.time())), "1372623149"
    echostr = PrpCrypto(base64.b64decode(AES_KEY + "=")).encrypt("6413286247958721380", CORP_ID).decode()
    query = {"msg_signature": signature(TOKEN, timestamp, nonce, echostr), "timestamp": timestamp, "nonce": nonce, "echostr": echostr}
    app = bridge()
    response = app.client.get(CALLBACK_PATH, params=query)
    assert response.status_code == 200
    assert response.text == "6413286247958721380" and response.headers["content-type"].startswith("text/plain")

    wrong = app.client.get(CALLBACK_PATH, params=query | {"msg_signature": signature("other-token", timestamp, nonce, echostr)})
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "bad_signature"
    missing = app.client.get(CALLBACK_PATH, params={"echostr": echostr})
    assert missing.status_code == 401 and missing.json()["error"]["code"] == "bad_signature"
    # Correctly signed, but encrypted for another corp: not our WeCom.
    foreign = PrpCrypto(base64.b64decode(AES_KEY + "=")).encrypt("42", "wwsomebodyelse").decode()
    other = app.client.get(CALLBACK_PATH, params=query | {"echostr": foreign, "msg_signature": signature(TOKEN, timestamp, nonce, foreign)})
    assert other.status_code == 403 and "error" in other.json()


def test_unconfigured_bridge_is_unavailable(bridge):
    response = bridge(wecom_token=None).client.get(CALLBACK_PATH, params={"echostr": "x"})
    assert response.status_code == 503 and response.json()["error"]["code"] == "not_configured"


@pytest.mark.parametrize("how", ["wrong_signature", "wrong_token", "unsigned", "other_corp", "not_xml"])
def test_unverified_callbacks_are_rejected_and_nothing_is_processed(bridge, wecom_api, how):
    app = bridge()
    user = f"intruder-{how}"
    xml = text_message(user, "How many days do I have to return an item?", 900000 + len(how))
    if how == "wrong_signature":
        response = app.send(xml, tamper=True)
    elif how == "wrong_token":
        response = app.send(xml, token="someone-elses-token")
    elif how == "other_corp":
        response = app.send(xml, corp_id="wwsomebodyelse")
    elif how == "unsigned":
        response = app.client.post(CALLBACK_PATH, content=xml.encode())
    else:
        response = app.client.post(f"{CALLBACK_PATH}?msg_signature=ab&timestamp=1&nonce=2", content=b"not xml at all")
    assert response.status_code in {400, 401, 403}
    assert response.json()["error"]["code"]
    if how != "not_xml":
        assert response.status_code in {401, 403}
    assert BackgroundAnswers.wait_all_idle(10)
    assert app.rows(ChannelEvent) == [] and app.rows(CachedToken) == [] and not app.calls
    assert sends_to(wecom_api, user) == []


def test_text_messages_are_answered_once_with_one_cached_token(bridge, wecom_api):
    app = bridge()
    user = "zhangsan"
    fetched = len(wecom_api.matching("/gettoken"))

    started = time.perf_counter()
    first = app.send(text_message(user, "How many days do I have to return an item?", 7300000000000000001))
    assert first.status_code == 200 and first.content == b""  # empty body: received, answered later
    assert time.perf_counter() - started < 5  # WeCom's deadline

    (sent,) = wecom_api.wait_for("/message/send", where=lambda c: c.json.get("touser") == user)
    body = sent.json
    assert body["msgtype"] == "text" and body["agentid"] == int(AGENT_ID)
    answer, _, sources = body["text"]["content"].rpartition("\n\n")
    assert "30" in answer and sources.startswith("Sources: ") and ".md" in sources
    (token_call,) = wecom_api.matching("/gettoken")[fetched:]
    assert token_call.query == {"corpid": CORP_ID, "corpsecret": SECRET}
    access = sent.query["access_token"]
    assert access.startswith("ACCESS-")

    # WeCom re-delivers the same MsgId (it retries when it did not get an answer in 5 s).
    duplicate = app.send(text_message(user, "How many days do I have to return an item?", 7300000000000000001))
    assert duplicate.status_code == 200 and duplicate.content == b""
    # A second message: answered with the token cached in the database, not fetched again.
    app.send(text_message(user, "How long does standard shipping take?", 7300000000000000002))
    second = wecom_api.wait_for("/message/send", count=2, where=lambda c: c.json.get("touser") == user)[1]
    assert second.query["access_token"] == access

    assert BackgroundAnswers.wait_all_idle(20)
    assert len(sends_to(wecom_api, user)) == 2
    assert len(wecom_api.matching("/gettoken")) == fetched + 1
    assert app.calls == {f"wecom:{AGENT_ID}:{user}": 2}
    assert sorted(e.event_id for e in app.rows(ChannelEvent)) == ["7300000000000000001", "7300000000000000002"]
    (cached,) = app.rows(CachedToken)
    assert cached.value == access and cached.expires_at > datetime.now(timezone.utc) + timedelta(minutes=100)

    # Another replica (another app over the same database) reuses the token too.
    replica = bridge()
    replica.send(text_message("lisi", "退货政策是什么？", 7300000000000000003))
    (reply,) = wecom_api.wait_for("/message/send", where=lambda c: c.json.get("touser") == "lisi")
    assert reply.query["access_token"] == access
    assert "来源：" in reply.json["text"]["content"]
    assert len(wecom_api.matching("/gettoken")) == fetched + 1


def test_an_expired_or_rejected_token_is_fetched_again(bridge, wecom_api):
    app = bridge()
    with open_session(app.settings.resolved_database_url) as db:
        db.add(CachedToken(name=f"wecom:{CORP_ID}:{AGENT_ID}", value="OLD", expires_at=datetime.now(timezone.utc) - timedelta(seconds=1)))
        db.commit()
    fetched = len(wecom_api.matching("/gettoken"))
    app.send(text_message("wangwu", "How many days do I have to return an item?", 7300000000000000010))
    (sent,) = wecom_api.wait_for("/message/send", where=lambda c: c.json.get("touser") == "wangwu")
    assert sent.query["access_token"] != "OLD"
    assert len(wecom_api.matching("/gettoken")) == fetched + 1

    # WeCom revoked the token early (errcode 42001): fetched again and the message re-sent once.
    with open_session(app.settings.resolved_database_url) as db:
        row = db.get(CachedToken, f"wecom:{CORP_ID}:{AGENT_ID}")
        row.value = "REVOKED"
        db.add(row)
        db.commit()
    original = wecom_api.responses["/message/send"]
    wecom_api.responses["/message/send"] = lambda call: (
        {"errcode": 42001, "errmsg": "access_token expired"} if call.query.get("access_token") == "REVOKED" else original
    )
    try:
        app.send(text_message("zhaoliu", "How many days do I have to return an item?", 7300000000000000011))
        attempts = wecom_api.wait_for("/message/send", count=2, where=lambda c: c.json.get("touser") == "zhaoliu")
        assert BackgroundAnswers.wait_all_idle(20)
    finally:
        wecom_api.responses["/message/send"] = original
    assert [a.query["access_token"] == "REVOKED" for a in attempts] == [True, False]
    assert len(sends_to(wecom_api, "zhaoliu")) == 2
    assert len(wecom_api.matching("/gettoken")) == fetched + 2


def test_the_callback_is_acknowledged_before_the_answer_and_events_are_not_answered(bridge, wecom_api):
    app = bridge(wecom_users={"boss": "merchant:shop_1"})
    app.gate = threading.Event()
    response = app.send(text_message("boss", "How many days do I have to return an item?", 7300000000000000020))
    assert response.status_code == 200 and sends_to(wecom_api, "boss") == []
    app.gate.set()
    wecom_api.wait_for("/message/send", where=lambda c: c.json.get("touser") == "boss")
    with open_session(app.settings.resolved_database_url) as db:
        conversation = db.get(Conversation, f"wecom:{AGENT_ID}:boss")
    assert conversation.principal == "merchant:shop_1" and conversation.channel == "wecom"

    enter = (f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><FromUserName><![CDATA[visitor]]></FromUserName>"
             f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
             f"<Event><![CDATA[enter_agent]]></Event><EventKey><![CDATA[]]></EventKey><AgentID>{AGENT_ID}</AgentID></xml>")  # fmt: skip
    acknowledged = app.send(enter)
    assert acknowledged.status_code == 200 and acknowledged.content == b""
    assert BackgroundAnswers.wait_all_idle(20)
    assert sends_to(wecom_api, "visitor") == [] and "wecom:1000002:visitor" not in app.calls


def test_an_operator_reply_to_a_handed_off_chat_is_sent_to_that_user(bridge, wecom_api):
    import hashlib

    key = "kefu_op_wecom-tests"
    app = bridge(operator_key_hashes=[hashlib.sha256(key.encode()).hexdigest()])
    app.send(text_message("sunqi", "转人工", 7300000000000000090))
    wecom_api.wait_for("/message/send", where=lambda c: c.json.get("touser") == "sunqi")
    session_id = f"wecom:{AGENT_ID}:sunqi"
    operator = {"Authorization": f"Bearer {key}"}
    taken = app.client.post(f"/v1/handoffs/{session_id}/reply", json={"message": "您好，我是客服小王，马上为您处理。"}, headers=operator)
    assert taken.status_code == 200 and taken.json()["delivered_to"] == "wecom"
    sent = wecom_api.wait_for("/message/send", count=2, where=lambda c: c.json.get("touser") == "sunqi")[-1].json
    assert sent["agentid"] == int(AGENT_ID) and sent["text"]["content"] == "人工客服 / Human agent: 您好，我是客服小王，马上为您处理。"

    # The API refuses a WeCom-shaped session id; and a chat that began elsewhere is never sent to
    # WeCom, whatever its id says (the stored channel decides).
    refused = app.client.post("/v1/chat", json={"message": "转人工", "session_id": f"wecom:{AGENT_ID}:victim"})
    assert refused.status_code == 422
    app.runtime.assistant.respond("转人工", session_id=f"wecom:{AGENT_ID}:victim", channel="console")
    outcome = app.client.post(f"/v1/handoffs/wecom:{AGENT_ID}:victim/reply", json={"message": "hello"}, headers=operator).json()
    assert outcome["delivered_to"] is None and sends_to(wecom_api, "victim") == []


def test_a_user_over_the_rate_limit_is_told_to_wait_without_a_model_call(bridge, wecom_api, one_rate_window):
    from serving.channels.common import TOO_FAST

    app = bridge(rate_limit_per_minute=1)
    app.send(text_message("zhouba", "退货政策是什么？", 7300000000000000201))
    app.send(text_message("zhouba", "换货呢？", 7300000000000000202))
    sent = wecom_api.wait_for("/message/send", count=2, where=lambda c: c.json.get("touser") == "zhouba")
    assert BackgroundAnswers.wait_all_idle(20)
    assert [s.json["text"]["content"] == TOO_FAST for s in sent].count(True) == 1
    assert app.calls == {f"wecom:{AGENT_ID}:zhouba": 1}
