"""The chat API's identity, streaming, sessions, feedback, handoff queue, limits and metrics."""

import hashlib
import json
import re
import time

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from knowledge.orders.demo import generate_demo_shop
from knowledge.orders.db import session
from knowledge.orders.importer import RetailDB, import_retail
from knowledge.kefu_tables import Feedback
from knowledge.orders.models import Order
from serving.api import create_app
from serving.identity import InvalidToken, create_token, verify_token
from serving.runtime import build_runtime
from tests.conftest import make_settings

SECRET = "test-secret-of-at-least-32-bytes-for-hs256"
OPERATOR_KEY = "kefu_op_for-tests"
SHOP = generate_demo_shop()
BUYER, ORDER = next((u["user_id"], u["orders"][0]) for u in SHOP["users"].values() if u["orders"])


@pytest.fixture(scope="module")
def api(knowledge_home, tmp_path_factory):
    settings = make_settings(
        knowledge_home,
        database_url=f"sqlite:///{tmp_path_factory.mktemp('api-db') / 'kefu.db'}",
        secret_key=SECRET,
        operator_key_hashes=[hashlib.sha256(OPERATOR_KEY.encode()).hexdigest()],
        rate_limit_per_minute=1000,
    )
    with session(settings.resolved_database_url) as db:
        import_retail(db, RetailDB.model_validate(SHOP))
    with TestClient(create_app(build_runtime(settings), mount_ui=False)) as client:
        yield client


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


class Visitor:
    """A browser without a token, as the widget is: it keeps the session id and the session key
    the server hands out, and sends both back."""

    def __init__(self, api, session_id=None, key=None):
        self.api, self.session_id, self.key = api, session_id, key

    def headers(self, extra=None):
        return {**({"X-Kefu-Session-Key": self.key} if self.key else {}), **(extra or {})}

    def say(self, message, headers=None):
        body = {"message": message, **({"session_id": self.session_id} if self.session_id else {})}
        response = self.api.post("/v1/chat", json=body, headers=self.headers(headers))
        if response.status_code == 200:
            self.session_id = response.json()["session_id"]
            self.key = response.headers.get("x-kefu-session-key", self.key)
        return response

    def read(self):
        return self.api.get(f"/v1/sessions/{self.session_id}", headers=self.headers())


def test_tokens_round_trip_and_reject_tampering():
    token = create_token(SECRET, "buyer", BUYER, ttl_s=60)
    assert str(verify_token(SECRET, token)) == f"buyer:{BUYER}"
    with pytest.raises(InvalidToken, match="signature"):
        verify_token("another-secret-of-at-least-32-bytes", token)
    version, payload, signature = token.split(".")
    with pytest.raises(InvalidToken):
        verify_token(SECRET, f"{version}.{payload[:-2]}xx.{signature}")
    with pytest.raises(InvalidToken, match="expired"):
        verify_token(SECRET, create_token(SECRET, "buyer", BUYER, ttl_s=1, now=time.time() - 100))


def test_tokens_are_standard_jwts_a_shop_backend_can_mint():
    import jwt

    claims = jwt.decode(create_token(SECRET, "merchant", "shop_1", ttl_s=60), SECRET, algorithms=["HS256"], audience="kefu")
    assert claims["role"] == "merchant" and claims["sub"] == "shop_1" and claims["exp"] - claims["iat"] == 60
    # Minted by any JWT library with the shared secret, as a shop's own backend would.
    now = int(time.time())
    minted = jwt.encode({"role": "buyer", "sub": BUYER, "iat": now, "exp": now + 60, "aud": "kefu"}, SECRET, algorithm="HS256")
    assert str(verify_token(SECRET, minted)) == f"buyer:{BUYER}"
    for bad, problem in [
        ({"role": "buyer", "sub": BUYER, "iat": now, "exp": now + 60, "aud": "another-app"}, "not for this service"),
        ({"role": "buyer", "sub": BUYER, "iat": now, "exp": now + 60}, "lacks the 'aud' claim"),
        ({"role": "buyer", "sub": BUYER, "iat": now, "aud": "kefu"}, "lacks the 'exp' claim"),
        ({"role": "root", "sub": BUYER, "iat": now, "exp": now + 60, "aud": "kefu"}, "no valid principal"),
    ]:
        with pytest.raises(InvalidToken, match=problem):
            verify_token(SECRET, jwt.encode(bad, SECRET, algorithm="HS256"))
    # Only HS256 with our key: an unsigned token ("alg": "none") is refused.
    with pytest.raises(InvalidToken):
        verify_token(SECRET, jwt.encode({"role": "operator", "sub": "x", "iat": now, "exp": now + 60, "aud": "kefu"}, None, algorithm="none"))


def test_a_buyer_token_is_the_principal_of_the_conversation(api):
    reply = api.post("/v1/chat", json={"message": f"where is {ORDER}?"}, headers=bearer(create_token(SECRET, "buyer", BUYER)))
    assert reply.status_code == 200
    body = reply.json()
    assert body["intent"] == "status" and f"{ORDER}" in body["answer"] and body["tool_calls"][0]["ok"]
    anonymous = api.post("/v1/chat", json={"message": f"where is {ORDER}?"}).json()
    assert "verified who you are" in anonymous["answer"]
    assert api.post("/v1/chat", json={"message": "hi"}, headers=bearer("forged.token.x")).status_code == 401


def test_streaming_sends_events_before_done(api):
    with api.stream("POST", "/v1/chat/stream", json={"message": "How long does a refund take?"}) as response:
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
        events = []
        for line in response.iter_lines():
            if line.startswith("data: "):
                events.append(json.loads(line[6:]))
    kinds = [e["type"] for e in events]
    assert kinds[0] == "status" and kinds[-1] == "done"
    assert kinds.index("token") < kinds.index("done") and "citation" in kinds
    streamed = "".join(e["text"] for e in events if e["type"] == "token")
    assert streamed == events[-1]["reply"]["answer"]
    same_via_flag = api.post("/v1/chat", json={"message": "How long does a refund take?", "stream": True})
    assert same_via_flag.headers["content-type"].startswith("text/event-stream") and "event: done" in same_via_flag.text
    assert api.post("/v1/chat/stream", json={"message": "  "}).status_code == 422


def test_sessions_are_visible_to_their_principal_and_operators_only(api):
    token = create_token(SECRET, "buyer", BUYER)
    session_id = api.post("/v1/chat", json={"message": f"where is {ORDER}?"}, headers=bearer(token)).json()["session_id"]
    mine = api.get(f"/v1/sessions/{session_id}", headers=bearer(token))
    assert mine.status_code == 200 and [t["role"] for t in mine.json()["turns"]] == ["user", "assistant"]
    other = create_token(SECRET, "buyer", "someone_else_1")
    assert api.get(f"/v1/sessions/{session_id}", headers=bearer(other)).status_code == 404
    assert api.get(f"/v1/sessions/{session_id}").status_code == 404
    assert api.get(f"/v1/sessions/{session_id}", headers=bearer(OPERATOR_KEY)).status_code == 200
    assert "x-kefu-session-key" not in api.post("/v1/chat", json={"message": "hi", "session_id": session_id}, headers=bearer(token)).headers


def test_another_channels_conversation_cannot_be_continued_or_pre_created_from_the_api(api):
    assistant = api.app.state.runtime.assistant
    slack = assistant.respond("What is the return policy?", session_id="console-made-1", channel="slack")
    for route in ("/v1/chat", "/v1/chat/stream"):
        taken = api.post(route, json={"message": "what did they ask?", "session_id": slack.session_id})
        assert taken.status_code == 404 and taken.json()["error"]["code"] == "not_found", taken.text
        # A bridge's own id space is reserved: a web caller could otherwise open a WeCom user's chat first.
        squat = api.post(route, json={"message": "hi", "session_id": "wecom:1000002:lisi"})
        assert squat.status_code == 422 and "belong to that bridge" in squat.json()["error"]["message"]
    turns = api.get(f"/v1/sessions/{slack.session_id}", headers=bearer(OPERATOR_KEY)).json()["turns"]
    assert [t["role"] for t in turns] == ["user", "assistant"]  # nothing was added by the refused calls


def test_a_conversation_stays_with_the_identity_it_is_bound_to(api):
    """A session id is not a capability to act as someone: a token's conversation can be
    continued only with that token, and a chat verified as one buyer cannot be claimed by another."""
    owner, intruder = create_token(SECRET, "buyer", BUYER), create_token(SECRET, "buyer", "someone_else_1")
    operator = bearer(OPERATOR_KEY)

    def roles(session_id):
        return [t["role"] for t in api.get(f"/v1/sessions/{session_id}", headers=operator).json()["turns"]]

    session_id = api.post("/v1/chat", json={"message": f"where is {ORDER}?"}, headers=bearer(owner)).json()["session_id"]
    for route in ("/v1/chat", "/v1/chat/stream"):
        for who in (bearer(intruder), {}):
            taken = api.post(route, json={"message": "what did I order?", "session_id": session_id}, headers=who)
            assert taken.status_code == 404 and taken.json()["error"]["code"] == "not_found", (route, who, taken.text)
            assert "x-kefu-session-key" not in taken.headers  # no key to read it back, either
    assert roles(session_id) == ["user", "assistant"]  # the refused calls added nothing
    assert api.get(f"/v1/sessions/{session_id}", headers=bearer(intruder)).status_code == 404
    again = api.post("/v1/chat", json={"message": f"where is {ORDER}?", "session_id": session_id}, headers=bearer(owner))
    assert again.status_code == 200 and ORDER in again.json()["answer"]

    # Verified in chat, the anonymous caller's way (as in τ²): the id goes on working without a
    # token, and another buyer's token cannot take it over; the same buyer's token claims it.
    email = SHOP["users"][BUYER]["email"]
    chat = Visitor(api)
    verified = chat.say(f"my email is {email}").json()
    assert any(c["name"] == "find_user_id_by_email" and c["ok"] for c in verified["tool_calls"])
    assert ORDER in chat.say(f"where is {ORDER}?").json()["answer"]
    assert chat.say("hi", headers=bearer(intruder)).status_code == 404
    assert chat.say(f"where is {ORDER}?", headers=bearer(owner)).status_code == 200
    assert chat.say("hi").status_code == 404  # claimed: the token is needed now, the key is not enough

    # A visitor who signs in keeps an anonymous chat (with its key); from then on it is the token's.
    visitor = Visitor(api)
    visitor.say("How long does a refund take?")
    signed_in = visitor.say(f"where is {ORDER}?", headers=bearer(owner))
    assert signed_in.status_code == 200 and ORDER in signed_in.json()["answer"]
    assert visitor.say("hi").status_code == 404
    assert visitor.say("hi", headers=bearer(intruder)).status_code == 404
    assert roles(visitor.session_id) == ["user", "assistant", "user", "assistant"]


def test_an_anonymous_caller_reads_its_own_conversation_with_the_session_key(api):
    handed = api.post("/v1/chat", json={"message": "转人工"})
    session_id, key = handed.json()["session_id"], handed.headers["x-kefu-session-key"]
    assert api.get(f"/v1/sessions/{session_id}").status_code == 404  # the id alone reads nothing
    api.post(f"/v1/handoffs/{session_id}/reply", json={"message": "您好，我是客服小王。"}, headers=bearer(OPERATOR_KEY))
    mine = api.get(f"/v1/sessions/{session_id}", headers={"X-Kefu-Session-Key": key})
    assert mine.status_code == 200 and mine.json()["turns"][-1] == {**mine.json()["turns"][-1], "role": "operator", "text": "您好，我是客服小王。"}
    assert mine.json()["handoff"]["status"] == "taken"

    # The key opens only its own session; the streaming route issues one too, before the first
    # event, and says it again (it may have changed in the turn) in a "session" event.
    other = api.post("/v1/chat", json={"message": "What is the return policy?"})
    assert api.get(f"/v1/sessions/{other.json()['session_id']}", headers={"X-Kefu-Session-Key": key}).status_code == 404
    with api.stream("POST", "/v1/chat/stream", json={"message": "What is the return policy?"}) as streamed:
        stream_key = streamed.headers["x-kefu-session-key"]
        events = [json.loads(line.removeprefix("data:")) for line in streamed.iter_lines() if line.startswith("data:")]
    stream_session = events[-1]["reply"]["session_id"]
    assert [e["type"] for e in events][-2:] == ["session", "done"] and events[-2]["session_key"] == stream_key
    assert api.get(f"/v1/sessions/{stream_session}", headers={"X-Kefu-Session-Key": stream_key}).status_code == 200


def test_feedback_on_a_reply(api):
    visitor = Visitor(api)
    reply = visitor.say("What is the return policy?").json()
    turns = api.get(f"/v1/sessions/{reply['session_id']}", headers=bearer(OPERATOR_KEY)).json()["turns"]
    answer_turn = next(t["id"] for t in turns if t["role"] == "assistant")

    def rate(body, headers=None):
        return api.post("/v1/feedback", json=body, headers=visitor.headers(headers))

    assert rate({"session_id": reply["session_id"], "turn_id": answer_turn, "rating": "up"}, headers={"X-Kefu-Session-Key": "x" * 32}).status_code == 404
    ok = rate({"session_id": reply["session_id"], "turn_id": answer_turn, "rating": "up", "comment": "clear"})
    assert ok.status_code == 201 and ok.json()["rating"] == "up"
    assert rate({"session_id": reply["session_id"], "rating": "meh"}).status_code == 422
    assert rate({"session_id": "nope", "rating": "down"}).status_code == 404
    user_turn = next(t["id"] for t in turns if t["role"] == "user")
    assert rate({"session_id": reply["session_id"], "turn_id": user_turn, "rating": "up"}).status_code == 404

    # Only who may continue a conversation rates it: not another buyer, nor a caller without its token.
    token = create_token(SECRET, "buyer", BUYER)
    owned = api.post("/v1/chat", json={"message": "How long does a refund take?"}, headers=bearer(token)).json()["session_id"]
    for who in ({}, bearer(create_token(SECRET, "buyer", "someone_else_1"))):
        refused = api.post("/v1/feedback", json={"session_id": owned, "rating": "down"}, headers=who)
        assert refused.status_code == 404 and refused.json()["error"]["code"] == "not_found"
    assert api.post("/v1/feedback", json={"session_id": owned, "rating": "up"}, headers=bearer(token)).status_code == 201
    with session(api.app.state.runtime.settings.resolved_database_url) as db:
        assert [f.rating for f in db.exec(select(Feedback).where(Feedback.session_id == owned))] == ["up"]


def test_handoff_queue_take_over_and_release(api):
    visitor = Visitor(api)
    handed = visitor.say("转人工").json()
    session_id = handed["session_id"]
    assert handed["handoff"]["reason"] == "user_request"
    assert api.get("/v1/handoffs").status_code == 401
    queue = api.get("/v1/handoffs", headers=bearer(OPERATOR_KEY)).json()
    assert session_id in [q["session_id"] for q in queue]
    taken = api.post(f"/v1/handoffs/{session_id}/reply", json={"message": "您好，我是客服小王。"}, headers=bearer(OPERATOR_KEY)).json()
    # A chat on the API has no platform to push to: its client reads the operator's turn from the session.
    assert taken == {"session_id": session_id, "status": "taken", "delivered_to": None}
    quiet = visitor.say("好的").json()
    assert quiet["answer"] == "人工客服正在处理您的会话，请稍候。"
    assert api.post(f"/v1/handoffs/{session_id}/release", headers=bearer(OPERATOR_KEY)).status_code == 200
    assert session_id not in [q["session_id"] for q in api.get("/v1/handoffs", headers=bearer(OPERATOR_KEY)).json()]
    back = visitor.say("退货政策是什么？").json()
    assert back["handoff"] is None and back["citations"]
    roles = [t["role"] for t in api.get(f"/v1/sessions/{session_id}", headers=bearer(OPERATOR_KEY)).json()["turns"]]
    assert "operator" in roles


def test_metrics_and_limits(knowledge_home, tmp_path, one_rate_window):
    settings = make_settings(knowledge_home, database_url=f"sqlite:///{tmp_path / 'kefu.db'}", rate_limit_per_minute=2, max_request_bytes=500)
    client = TestClient(create_app(build_runtime(settings), mount_ui=False))
    assert client.post("/v1/chat", json={"message": "x" * 600}).status_code == 413
    codes = [client.post("/v1/chat", json={"message": "What is the return policy?"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    limited = client.post("/v1/chat", json={"message": "hi"})
    assert limited.json()["error"]["code"] == "rate_limited" and limited.headers["retry-after"] == "60"
    metrics = client.get("/metrics").text
    assert 'kefu_chat_requests_total{channel="api",degraded="true",intent="question"} 2.0' in metrics


def test_rate_limits_are_shared_through_redis(knowledge_home, tmp_path, one_rate_window):
    import redis

    try:
        redis.Redis(socket_timeout=0.5).ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    from serving.limits import RateLimiter

    key = f"test-{time.time_ns()}"
    first, second = RateLimiter(2, "redis://127.0.0.1:6379/0"), RateLimiter(2, "redis://127.0.0.1:6379/0")
    assert [first.allow(key), second.allow(key), first.allow(key)] == [True, True, False]  # two replicas, one budget


def test_console_needs_an_operator_key_when_keys_are_configured(knowledge_home, tmp_path):
    settings = make_settings(knowledge_home, database_url=f"sqlite:///{tmp_path / 'kefu.db'}",
                             operator_key_hashes=[hashlib.sha256(OPERATOR_KEY.encode()).hexdigest()])  # fmt: skip
    client = TestClient(create_app(build_runtime(settings)))
    assert client.get("/ui/").status_code == 200
    assert client.get("/console/config").status_code == 401  # the console's app config needs a login
    assert client.post("/console/login/", data={"username": "op", "password": "wrong"}).status_code in (400, 401)
    assert client.post("/console/login/", data={"username": "op", "password": OPERATOR_KEY}).status_code == 200
    assert client.get("/console/config").status_code == 200


def test_console_backend_drives_the_real_engine(knowledge_home, tmp_path):
    from serving.console import RuntimeConsoleBackend
    from ui.console import build_console, reply_status, trace_of

    settings = make_settings(knowledge_home, database_url=f"sqlite:///{tmp_path / 'kefu.db'}")
    with session(settings.resolved_database_url) as db:
        import_retail(db, RetailDB.model_validate(SHOP))
    backend = RuntimeConsoleBackend(build_runtime(settings))
    assert f"buyer:{sorted(SHOP['users'])[0]}" in backend.principals() and "merchant:shop_home" in backend.principals()
    reply = backend.respond(f"where is {ORDER}?", None, f"buyer:{BUYER}")
    trace = trace_of(reply)
    assert trace["intent"] == "status" and trace["tool_calls"][0]["name"] == "get_order_status"
    assert backend.call_tool("get_order_details", {"order_id": ORDER}, f"buyer:{BUYER}")["ok"]
    assert not backend.call_tool("get_order_details", {"order_id": ORDER}, "merchant:nobody")["ok"]
    handed = backend.respond("talk to a person please", None, "anonymous")
    assert handed.session_id in [h["session_id"] for h in backend.handoffs()]
    assert backend.operator_reply("no-such-session", "Hi") is None
    assert reply_status(backend.operator_reply(handed.session_id, "Hi, I'm Sam.")).startswith("saved: the chat shows it")
    assert backend.release(handed.session_id)
    assert backend.knowledge_status()["chunks"] > 100

    # Retrieval tab: the assistant's own retriever, with evidence; the gate's drops on request.
    found = backend.search("How long does a refund take?")
    assert found and "returns-refunds" in found[0]["source"] and {"chunk_id", "section", "score"} <= found[0].keys()
    assert backend.search("What is the weather in Paris tomorrow?") == []
    assert backend.search("What is the weather in Paris tomorrow?", ungated=True, k=3)
    qa = tmp_path / "qa.json"
    qa.write_text(json.dumps([{"q": "How long does a refund take?", "source": "en/returns-refunds.md", "phrase": "refund"},
                              {"q": "退款多久到账？", "source": "zh/returns-refunds.md", "phrase": "退款"}]), "utf-8")  # fmt: skip
    progress: list[tuple[int, int]] = []
    report = backend.evaluate(str(qa), k=5, on_item=lambda done, total: progress.append((done, total)))
    assert report["questions"] == 2 and report["recall@5"] == 1.0 and progress == [(1, 2), (2, 2)]
    (tmp_path / "bad.json").write_text("[{}]")
    assert "needs non-empty string fields" in backend.evaluate(str(tmp_path / "bad.json"))["error"]
    assert "choose a QA file" in backend.evaluate(None)["error"]
    assert build_console(backend) is not None


def test_widget_origins_get_cors_and_others_do_not(knowledge_home, tmp_path):
    settings = make_settings(knowledge_home, database_url=f"sqlite:///{tmp_path / 'kefu.db'}", widget_origins=["https://shop.example"])
    client = TestClient(create_app(build_runtime(settings), mount_ui=False))
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type"}
    allowed = client.options("/v1/chat/stream", headers={"Origin": "https://shop.example", **preflight})
    assert allowed.status_code == 200 and allowed.headers["access-control-allow-origin"] == "https://shop.example"
    denied = client.options("/v1/chat/stream", headers={"Origin": "https://evil.example", **preflight})
    assert "access-control-allow-origin" not in denied.headers


def test_wanting_an_action_on_an_unnamed_order_asks_which_with_a_reply_that_works(api):
    buyer = next(u for u, data in SHOP["users"].items() if any(SHOP["orders"][o]["status"] == "pending" for o in data["orders"]))
    pending = [o for o in SHOP["users"][buyer]["orders"] if SHOP["orders"][o]["status"] == "pending"]
    token = bearer(create_token(SECRET, "buyer", buyer))
    asked = api.post("/v1/chat", json={"message": "I want to cancel my order"}, headers=token).json()
    assert asked["intent"] == "cancel" and asked["pending_confirmation"] is None
    assert asked["dialogue"]["waiting_for"] == "order_id"
    example = re.search(r"“cancel (#W\d{7})”", asked["answer"])
    assert example and example.group(1) in pending, asked["answer"]
    follow_up = api.post("/v1/chat", json={"message": f"cancel {example.group(1)}", "session_id": asked["session_id"]}, headers=token).json()
    assert follow_up["intent"] == "cancel" and example.group(1) in follow_up["answer"]

    # In Chinese too; and a question about the rule is still answered from the policy.
    asked_zh = api.post("/v1/chat", json={"message": "我想取消订单"}, headers=token).json()
    assert re.search(r"“取消 #W\d{7}”", asked_zh["answer"]), asked_zh["answer"]
    rule = api.post("/v1/chat", json={"message": "Can I cancel an order after it has shipped?"}, headers=token).json()
    assert rule["intent"] == "question" and rule["citations"]


def test_the_question_asked_before_verification_is_answered_once_verified(api):
    email = SHOP["users"][BUYER]["email"]
    visitor = Visitor(api)
    asked = visitor.say("where is my order?").json()
    assert "verified who you are" in asked["answer"]
    wrong = visitor.say("my email is nobody@nowhere.example").json()
    assert "could not find an account" in wrong["answer"]
    verified = visitor.say(f"my email is {email}").json()
    assert verified["intent"] == "my_orders" and verified["answer"].startswith("Thank you")
    assert ORDER in verified["answer"] and "How can I help" not in verified["answer"]
    # Nothing was waiting: verifying just says so.
    plain = api.post("/v1/chat", json={"message": f"my email is {email}"}).json()
    assert plain["intent"] == "identify" and plain["answer"].endswith("How can I help with your orders?")


def test_an_exchange_names_the_new_variant_and_happens_only_after_yes(api):
    from bot.nlu.variants import choose_variant

    def candidates(status):
        for order in SHOP["orders"].values():
            if order["status"] != status or len(order["items"]) != 1 or "color" not in order["items"][0]["options"]:
                continue
            item = order["items"][0]
            variants = SHOP["products"][item["product_id"]]["variants"]
            colours = {v["options"]["color"] for v in variants.values() if v["available"]} - {item["options"]["color"]}
            if colours:
                yield order, item, variants, sorted(colours)[0]

    for status, tool, end_status in [("delivered", "exchange_delivered_order_items", "exchange requested"),
                                     ("pending", "modify_pending_order_items", "pending (item modified)")]:  # fmt: skip
        order, item, variants, colour = next(candidates(status))
        expected = choose_variant(variants, item["item_id"], {"color": colour}).item_id
        token = bearer(create_token(SECRET, "buyer", order["user_id"]))
        asked = api.post("/v1/chat", json={"message": f"Can I get the {item['name'].lower()} in {order['order_id']} in {colour} instead? exchange please"},
                         headers=token).json()  # fmt: skip
        pending = asked["pending_confirmation"]
        assert asked["intent"] == "exchange" and pending["name"] == tool, asked["answer"]
        assert pending["arguments"]["item_ids"] == [item["item_id"]] and pending["arguments"]["new_item_ids"] == [expected]
        assert f"{item['name']} (" in pending["prompt"] and colour in pending["prompt"]  # named, not numbered
        with session(api.app.state.runtime.settings.resolved_database_url) as db:
            assert db.get(Order, order["order_id"]).status == status  # nothing happened yet
        done = api.post("/v1/chat", json={"message": "yes", "session_id": asked["session_id"]}, headers=token).json()
        assert done["intent"] == "confirm" and done["tool_calls"][-1] == {**done["tool_calls"][-1], "name": tool, "ok": True}
        assert colour in done["answer"]  # the confirmation repeats the words it was asked with
        with session(api.app.state.runtime.settings.resolved_database_url) as db:
            assert db.get(Order, order["order_id"]).status == end_status


def test_an_address_given_after_being_asked_for_completes_the_change(api):
    from knowledge.orders.models import User

    buyer, pending = next((u, o) for u, data in SHOP["users"].items() for o in data["orders"] if SHOP["orders"][o]["status"] == "pending")
    token = bearer(create_token(SECRET, "buyer", buyer))

    def say(message, session_id=None):
        return api.post("/v1/chat", json={"message": message, "session_id": session_id}, headers=token).json()

    asked = say("Please update my default address")
    assert asked["intent"] == "modify_user_address" and "full" in asked["answer"] and asked["pending_confirmation"] is None
    given = say("500 Pine Ave, Apt 2, Denver, CO 80203", asked["session_id"])
    assert given["pending_confirmation"]["name"] == "modify_user_address"
    assert given["pending_confirmation"]["arguments"] == {"user_id": buyer, "address1": "500 Pine Ave", "address2": "Apt 2", "city": "Denver",
                                                          "state": "CO", "country": "USA", "zip": "80203"}  # fmt: skip
    say("yes", asked["session_id"])
    with session(api.app.state.runtime.settings.resolved_database_url) as db:
        assert (db.get(User, buyer).city, db.get(User, buyer).zip) == ("Denver", "80203")

    # An order's address, in Chinese: the reply stays Chinese though the address is written in English.
    asked_zh = say(f"帮我改一下订单 {pending} 的地址")
    assert asked_zh["intent"] == "modify_address" and "完整的新地址" in asked_zh["answer"]
    given_zh = say("改成 12 Oak St, Austin, TX 78701", asked_zh["session_id"])
    assert given_zh["pending_confirmation"]["name"] == "modify_pending_order_address"
    assert given_zh["pending_confirmation"]["arguments"]["order_id"] == pending and given_zh["answer"].startswith("请确认")


def test_session_ids_are_issued_by_the_server_only(api):
    store = api.app.state.runtime.assistant.store
    for route in ("/v1/chat", "/v1/chat/stream"):
        invented = api.post(route, json={"message": "What is the return policy?", "session_id": "my-own-session-1"})
        assert invented.status_code == 404 and "issued by the server" in invented.json()["error"]["message"], invented.text
    signed_in = api.post("/v1/chat", json={"message": "hi", "session_id": "my-own-session-1"}, headers=bearer(create_token(SECRET, "buyer", BUYER)))
    assert signed_in.status_code == 404
    assert store.find("my-own-session-1") is None  # nothing was created under the invented id
    fresh = api.post("/v1/chat", json={"message": "What is the return policy?"})
    assert fresh.status_code == 200 and re.fullmatch(r"[0-9a-f]{32}", fresh.json()["session_id"])


def test_an_anonymous_conversation_continues_only_with_its_key(api):
    visitor = Visitor(api)
    first = visitor.say("How long does a refund take?")
    assert first.status_code == 200 and visitor.key
    bare = api.post("/v1/chat", json={"message": "And shipping?", "session_id": visitor.session_id})
    assert bare.status_code == 404 and "X-Kefu-Session-Key" in bare.json()["error"]["message"]
    forged = Visitor(api, visitor.session_id, key="A" * 32)
    assert forged.say("And shipping?").status_code == 404 and forged.read().status_code == 404
    for route in ("/v1/chat/stream",):
        assert api.post(route, json={"message": "hi", "session_id": visitor.session_id}).status_code == 404
    assert visitor.say("And shipping?").status_code == 200
    assert [t["role"] for t in visitor.read().json()["turns"]] == ["user", "assistant", "user", "assistant"]


def test_a_planted_session_cannot_read_what_the_buyer_verified_later_sees(api):
    """Session fixation: an attacker starts a chat and plants its id and key in the victim's
    browser; the victim verifies in chat. The key rotates with the verification, so the
    attacker's copy reads and continues nothing from then on."""
    attacker = Visitor(api)
    attacker.say("hi")
    victim = Visitor(api, attacker.session_id, attacker.key)
    email = SHOP["users"][BUYER]["email"]
    verified = victim.say(f"my email is {email}")
    assert verified.status_code == 200 and any(c["name"] == "find_user_id_by_email" and c["ok"] for c in verified.json()["tool_calls"])
    assert victim.key != attacker.key
    orders = victim.say(f"where is {ORDER}?")
    assert orders.status_code == 200 and ORDER in orders.json()["answer"]

    assert attacker.say(f"where is {ORDER}?").status_code == 404
    assert attacker.read().status_code == 404
    assert api.post("/v1/feedback", json={"session_id": attacker.session_id, "rating": "down"}, headers=attacker.headers()).status_code == 404
    with api.stream("POST", "/v1/chat/stream", json={"message": "my orders", "session_id": attacker.session_id}, headers=attacker.headers()) as streamed:
        assert streamed.status_code == 404
    # The victim's conversation has no turn of the attacker's after the verification.
    texts = [t["text"] for t in victim.read().json()["turns"] if t["role"] == "user"]
    assert texts == ["hi", f"my email is {email}", f"where is {ORDER}?"]

    # The same over the stream: the new key arrives in the "session" event, before "done".
    attacker = Visitor(api)
    attacker.say("hi")
    with api.stream("POST", "/v1/chat/stream", json={"message": f"my email is {email}", "session_id": attacker.session_id},
                    headers=attacker.headers()) as streamed:  # fmt: skip
        events = [json.loads(line.removeprefix("data:")) for line in streamed.iter_lines() if line.startswith("data:")]
    rotated = next(e["session_key"] for e in events if e["type"] == "session")
    assert rotated != attacker.key
    assert attacker.read().status_code == 404 and Visitor(api, attacker.session_id, rotated).read().status_code == 200


def test_a_database_error_is_a_503_with_a_retry_hint_and_stores_nothing(api, monkeypatch):
    import sqlite3

    from sqlalchemy.exc import OperationalError

    from bot.memory import ConversationStore

    store = api.app.state.runtime.assistant.store
    before = len(store.handoff_queue())

    def unavailable(*args, **kwargs):
        raise OperationalError("UPDATE conversation", {}, sqlite3.OperationalError("disk I/O error"))

    monkeypatch.setattr(ConversationStore, "save", unavailable)
    answered = api.post("/v1/chat", json={"message": "转人工"})
    assert answered.status_code == 503 and answered.headers["retry-after"] == "2"
    assert answered.json()["error"]["code"] == "database_unavailable" and answered.json()["error"]["retry_after_s"] == 2
    assert "Traceback" not in answered.text
    with api.stream("POST", "/v1/chat/stream", json={"message": "What is the return policy?"}) as streamed:
        events = [json.loads(line.removeprefix("data:")) for line in streamed.iter_lines() if line.startswith("data:")]
    assert events[-1]["type"] == "error" and events[-1]["code"] == "database_unavailable"
    monkeypatch.undo()
    assert len(store.handoff_queue()) == before  # the handoff was not half-stored
