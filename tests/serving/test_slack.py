"""The Slack bridge end to end: requests signed with slack_sdk's own signer, the real assistant
(provider none: cited policy text), and a local recording server in place of slack.com/api."""

from __future__ import annotations

import json
import threading
import time

import pytest
from slack_sdk.signature import SignatureVerifier
from sqlmodel import select

from knowledge.orders.db import session as open_session
from knowledge.kefu_tables import ChannelEvent, Conversation
from serving.channels.common import BackgroundAnswers
from serving.channels.slack import EVENTS_PATH, clean_text
from tests.conftest import make_settings
from tests.counted_app import CountedApp
from tests.recording_server import RecordingServer

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_TOKEN = "xoxb-test-token"
BOT_USER = "U0KEFUBOT"


@pytest.fixture(scope="module")
def slack_api():
    server = RecordingServer({"chat.postMessage": lambda call: {"ok": True, "channel": call.json["channel"], "ts": "1700000000.000900"}})
    with server:
        yield server


class Bridge(CountedApp):
    """An app over a fresh database, with the assistant's calls counted."""

    def __init__(self, home, db_path, api_url: str, **overrides) -> None:
        values = {"database_url": f"sqlite:///{db_path}", "slack_signing_secret": SECRET, "slack_bot_token": BOT_TOKEN,
                  "slack_api_url": api_url} | overrides  # fmt: skip
        super().__init__(make_settings(home, **values))

    def post(self, payload: dict | bytes, *, timestamp: int | None = None, secret: str = SECRET, signed: bool = True, headers=None):
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        sent = {"content-type": "application/json"}
        if signed:
            sent |= {"X-Slack-Request-Timestamp": stamp,
                     "X-Slack-Signature": SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)}  # fmt: skip
        return self.client.post(EVENTS_PATH, content=body, headers=sent | (headers or {}))

    def channel_events(self) -> list[str]:
        with open_session(self.settings.resolved_database_url) as db:
            return [row.event_id for row in db.exec(select(ChannelEvent))]


@pytest.fixture
def bridge(knowledge_home, tmp_path, slack_api):
    def make(**overrides) -> Bridge:
        return Bridge(knowledge_home, tmp_path / "kefu.db", slack_api.url, **overrides)

    return make


def mention(channel: str, text: str, *, event_id: str, ts: str = "1700000000.000100", user: str = "U123BUYER", thread_ts=None, **extra) -> dict:
    event = {"type": "app_mention", "user": user, "text": f"<@{BOT_USER}> {text}", "ts": ts, "channel": channel, "event_ts": ts}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return {"token": "legacy", "team_id": "T1", "api_app_id": "A1", "type": "event_callback", "event_id": event_id,
            "event_time": int(time.time()), "event": event | extra,
            "authorizations": [{"team_id": "T1", "user_id": BOT_USER, "is_bot": True}]}  # fmt: skip


def posts_to(api: RecordingServer, channel: str) -> list:
    return api.matching("/chat.postMessage", lambda c: c.json.get("channel") == channel)


def test_url_verification_returns_the_challenge(bridge):
    response = bridge().post({"token": "legacy", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", "type": "url_verification"})
    assert response.status_code == 200
    assert response.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


@pytest.mark.parametrize(
    "how",
    ["unsigned", "wrong_secret", "stale", "future", "tampered", "garbage_timestamp"],
)
def test_unverified_requests_are_rejected_and_nothing_is_processed(bridge, slack_api, how):
    app = bridge()
    channel = f"CBAD{how.upper()}"
    payload = mention(channel, "How many days do I have to return an item?", event_id=f"Ev-{how}")
    now = int(time.time())
    if how == "unsigned":
        response = app.post(payload, signed=False)
    elif how == "wrong_secret":
        response = app.post(payload, secret="not-the-signing-secret")
    elif how == "stale":
        response = app.post(payload, timestamp=now - 5 * 60 - 30)  # correctly signed, 5.5 minutes old
    elif how == "future":
        response = app.post(payload, timestamp=now + 5 * 60 + 30)
    elif how == "tampered":
        body = json.dumps(payload).encode()
        stamp = str(now)
        signature = SignatureVerifier(SECRET).generate_signature(timestamp=stamp, body=body)
        response = app.client.post(EVENTS_PATH, content=body.replace(b"return", b"refund"),
                                   headers={"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature})  # fmt: skip
    else:
        response = app.client.post(EVENTS_PATH, content=json.dumps(payload).encode(),
                                   headers={"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=00"})  # fmt: skip
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "bad_signature" and error["message"]
    assert BackgroundAnswers.wait_all_idle(10)
    assert app.channel_events() == [] and not app.calls and posts_to(slack_api, channel) == []


def test_without_a_signing_secret_the_bridge_is_unavailable(bridge):
    response = bridge(slack_signing_secret=None).post(mention("CNOSECRET", "hi", event_id="Ev-nosecret"), signed=False)
    assert response.status_code == 503 and response.json()["error"]["code"] == "not_configured"


def test_malformed_json_that_is_signed_is_a_400(bridge):
    response = bridge().post(b'{"type": "event_callback", ')
    assert response.status_code == 400 and response.json()["error"]["code"] == "malformed_json"


def test_a_mention_is_answered_once_in_its_thread_and_replays_are_dropped(bridge, slack_api):
    app = bridge()
    channel, ts = "CRETURNS", "1700000001.000200"
    payload = mention(channel, "How many days do I have to return an item?", event_id="Ev-answer-once", ts=ts)

    started = time.perf_counter()
    first = app.post(payload)
    assert first.status_code == 200 and first.json() == {"ok": True}
    assert time.perf_counter() - started < 3  # Slack's ack deadline

    (post,) = slack_api.wait_for("/chat.postMessage", where=lambda c: c.json.get("channel") == channel)
    assert post.headers["authorization"] == f"Bearer {BOT_TOKEN}"
    body = post.json
    assert body["thread_ts"] == ts  # a top-level mention is answered in a thread under it
    answer, _, sources = body["text"].rpartition("\n\n")
    assert "30" in answer  # the demo policy's 30-day window, quoted
    assert sources.startswith("Sources: ") and ".md" in sources

    # Slack's retry of the same delivery, and a replay of the same event id with a fresh signature.
    retry = app.post(payload, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    assert retry.status_code == 200 and retry.json()["ignored"] == "duplicate"
    replay = app.post(payload)
    assert replay.status_code == 200 and replay.json()["ignored"] == "duplicate"
    # The same message delivered again under another event id (e.g. as `message` and `app_mention`).
    again = app.post(mention(channel, "How many days do I have to return an item?", event_id="Ev-answer-once-2", ts=ts))
    assert again.status_code == 200 and again.json()["ignored"] == "duplicate"

    assert BackgroundAnswers.wait_all_idle(20)
    assert len(posts_to(slack_api, channel)) == 1
    assert app.calls == {f"slack:{channel}:{ts}": 1}
    assert sorted(app.channel_events()) == sorted(["Ev-answer-once", "Ev-answer-once-2", f"msg:{channel}:{ts}"])


def test_a_retry_whose_first_delivery_never_arrived_is_answered_once(bridge, slack_api):
    app = bridge()
    channel, ts = "CLOST", "1700000004.000100"
    payload = mention(channel, "How long does standard shipping take?", event_id="Ev-lost-first-try", ts=ts)
    retry = app.post(payload, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"})
    assert retry.status_code == 200 and retry.json() == {"ok": True}
    slack_api.wait_for("/chat.postMessage", where=lambda c: c.json.get("channel") == channel)
    again = app.post(payload, headers={"X-Slack-Retry-Num": "2", "X-Slack-Retry-Reason": "http_error"})
    assert again.json()["ignored"] == "duplicate"
    assert BackgroundAnswers.wait_all_idle(20)
    assert len(posts_to(slack_api, channel)) == 1 and app.calls == {f"slack:{channel}:{ts}": 1}


def test_the_request_is_acknowledged_before_the_answer_is_ready(bridge, slack_api):
    app = bridge()
    app.gate = threading.Event()  # the assistant blocks until the test lets it go
    channel = "CSLOW"
    response = app.post(mention(channel, "How long does standard shipping take?", event_id="Ev-slow"))
    assert response.status_code == 200
    assert posts_to(slack_api, channel) == []  # acknowledged while the answer is still being made
    app.gate.set()
    slack_api.wait_for("/chat.postMessage", where=lambda c: c.json.get("channel") == channel)


def test_a_thread_is_one_session_and_mapped_users_get_their_principal(bridge, slack_api):
    app = bridge(slack_users={"U777MAPPED": "buyer:mia_garcia_4516", "U888BROKEN": "root"})
    channel, root = "CTHREAD", "1700000002.000100"
    app.post(mention(channel, "How many days do I have to return an item?", event_id="Ev-t1", ts=root, user="U777MAPPED"))
    slack_api.wait_for("/chat.postMessage", where=lambda c: c.json.get("channel") == channel)
    app.post(mention(channel, "And exchanges?", event_id="Ev-t2", ts="1700000002.000300", thread_ts=root, user="U777MAPPED"))
    posts = slack_api.wait_for("/chat.postMessage", count=2, where=lambda c: c.json.get("channel") == channel)
    assert {p.json["thread_ts"] for p in posts} == {root}
    assert app.calls == {f"slack:{channel}:{root}": 2}

    # A misconfigured mapping is not trusted: that user is anonymous.
    app.post(mention(channel, "How many days do I have to return an item?", event_id="Ev-t3", ts="1700000003.000100", user="U888BROKEN"))
    slack_api.wait_for("/chat.postMessage", count=3, where=lambda c: c.json.get("channel") == channel)
    with open_session(app.settings.resolved_database_url) as db:
        conversations = {c.session_id: c for c in db.exec(select(Conversation))}
    mapped = conversations[f"slack:{channel}:{root}"]
    assert mapped.principal == "buyer:mia_garcia_4516" and mapped.channel == "slack"
    assert conversations[f"slack:{channel}:1700000003.000100"].principal == "anonymous"


def test_direct_messages_are_answered_but_bots_edits_and_channel_chatter_are_not(bridge, slack_api):
    app = bridge()

    def message(channel: str, event_id: str, **event) -> dict:
        payload = mention(channel, "", event_id=event_id)
        payload["event"] = {"type": "message", "channel": channel, "user": "U123BUYER", "text": "How many days do I have to return an item?",
                            "ts": "1700000004.000100", "channel_type": "im"} | event  # fmt: skip
        return payload

    ignored = [
        message("DBOT", "Ev-i1", bot_id="B01", user="U999OTHERBOT"),
        message("DBOT2", "Ev-i2", subtype="bot_message"),
        message("DOWN", "Ev-i3", user=BOT_USER),  # our own message: would loop
        message("DEDIT", "Ev-i4", subtype="message_changed"),
        message("CCHAT", "Ev-i5", channel_type="channel"),  # channel chatter without a mention
        message("DEMPTY", "Ev-i6", text="   "),
        {"type": "event_callback", "event_id": "Ev-i7", "event": {"type": "reaction_added", "user": "U1"}},
    ]
    for payload in ignored:
        response = app.post(payload)
        assert response.status_code == 200 and response.json()["ignored"]
    app.post(message("DDIRECT", "Ev-dm"))
    (post,) = slack_api.wait_for("/chat.postMessage", where=lambda c: c.json.get("channel") == "DDIRECT")
    assert post.json["thread_ts"] == "1700000004.000100"
    assert BackgroundAnswers.wait_all_idle(20)
    assert app.channel_events() == ["Ev-dm", "msg:DDIRECT:1700000004.000100"]
    assert set(app.calls) == {"slack:DDIRECT:1700000004.000100"}


def test_slack_markup_becomes_what_the_user_typed():
    assert clean_text(f"<@{BOT_USER}> my email is <mailto:mia@example.com|mia@example.com> &amp; order &lt;#W123&gt;") == (
        "my email is mia@example.com & order <#W123>"
    )
    assert clean_text("see <https://shop.example/returns> or ask <@U0OTHER>") == "see https://shop.example/returns or ask @U0OTHER"


def test_an_operator_reply_to_a_handed_off_thread_is_posted_in_that_thread(bridge, slack_api):
    import hashlib

    key = "kefu_op_slack-tests"
    app = bridge(operator_key_hashes=[hashlib.sha256(key.encode()).hexdigest()])
    channel, ts = "CHUMAN", "1700000005.000100"
    app.post(mention(channel, "I want to talk to a human", event_id="Ev-human", ts=ts))
    slack_api.wait_for("/chat.postMessage", where=lambda c: c.json.get("channel") == channel)
    session_id = f"slack:{channel}:{ts}"
    operator = {"Authorization": f"Bearer {key}"}
    assert session_id in [q["session_id"] for q in app.client.get("/v1/handoffs", headers=operator).json()]

    taken = app.client.post(f"/v1/handoffs/{session_id}/reply", json={"message": "Hi, I'm Sam <from support> & I can help."}, headers=operator)
    assert taken.status_code == 200
    assert taken.json() == {"session_id": session_id, "status": "taken", "delivered_to": "slack"}
    posted = slack_api.wait_for("/chat.postMessage", count=2, where=lambda c: c.json.get("channel") == channel)[-1].json
    assert posted["thread_ts"] == ts
    assert posted["text"] == "人工客服 / Human agent: Hi, I'm Sam &lt;from support&gt; &amp; I can help."

    # Slack refusing the message: the reply is stored (the operator sees why), nothing crashes.
    original = slack_api.responses["chat.postMessage"]
    slack_api.responses["chat.postMessage"] = lambda call: {"ok": False, "error": "channel_not_found"}
    try:
        refused = app.client.post(f"/v1/handoffs/{session_id}/reply", json={"message": "Still there?"}, headers=operator)
    finally:
        slack_api.responses["chat.postMessage"] = original
    assert refused.status_code == 200 and refused.json()["delivered_to"] is None
    assert "channel_not_found" in refused.json()["delivery_error"]
    turns = app.client.get(f"/v1/sessions/{session_id}", headers=operator).json()["turns"]
    assert [t["text"] for t in turns if t["role"] == "operator"][-1] == "Still there?"


def test_a_user_over_the_rate_limit_is_told_to_wait_without_a_model_call(bridge, slack_api, one_rate_window):
    from serving.channels.common import TOO_FAST

    app = bridge(rate_limit_per_minute=2)
    channel = "CFAST"
    for n in range(3):
        response = app.post(mention(channel, "How many days do I have to return an item?", event_id=f"Ev-fast-{n}", ts=f"1700000006.00010{n}"))
        assert response.status_code == 200
    assert response.json() == {"ok": True, "limited": True}
    other = app.post(mention(channel, "How many days do I have to return an item?", event_id="Ev-fast-other", ts="1700000006.000200", user="U456OTHER"))
    assert other.json() == {"ok": True}
    posts = slack_api.wait_for("/chat.postMessage", count=4, where=lambda c: c.json.get("channel") == channel)
    assert BackgroundAnswers.wait_all_idle(20)
    told = [p.json for p in posts if p.json["text"] == TOO_FAST]
    assert [p["thread_ts"] for p in told] == ["1700000006.000102"]
    assert sum(app.calls.values()) == 3  # two answers for the first user, one for the other
