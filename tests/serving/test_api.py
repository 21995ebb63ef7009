"""The HTTP contract of the skeleton: /v1/chat, errors, health, readiness, the Gradio page."""

import pytest
from fastapi.testclient import TestClient

from serving.api import create_app
from serving.runtime import build_runtime
from tests.conftest import TAU2_POLICY, free_port, make_settings


@pytest.fixture(scope="module")
def client(knowledge_home):
    runtime = build_runtime(make_settings(knowledge_home))
    with TestClient(create_app(runtime)) as client:
        yield client


@pytest.mark.skipif(not TAU2_POLICY.exists(), reason="needs ../shared/datasets/tau2-retail/policy.md")
def test_return_policy_question_cites_policy_md(knowledge_home):
    # Only τ²'s policy in this index, as in the issue's curl example.
    from retrieval.ingest import ingest

    home = knowledge_home.parent / "policy-only"
    runtime = build_runtime(make_settings(home))
    ingest(runtime.index, [TAU2_POLICY])
    response = TestClient(create_app(runtime, mount_ui=False)).post("/v1/chat", json={"message": "What is the return policy?"})
    assert response.status_code == 200
    body = response.json()
    assert {"session_id", "answer", "citations", "tool_calls", "handoff", "degraded"} <= body.keys()
    assert body["citations"] and all(c["source"] == "policy.md" for c in body["citations"])
    assert "Return delivered order" in body["citations"][0]["section"]
    assert body["tool_calls"] == [] and body["handoff"] is None


def test_chat_answers_with_citations_and_keeps_the_session(client):
    answered = client.post("/v1/chat", json={"message": "How long does standard shipping take?"})
    first, key = answered.json(), answered.headers["x-kefu-session-key"]
    assert first["citations"] and all(c["source"].endswith(".md") and c["chunk_id"] for c in first["citations"])
    # The sentence that answers, quoted from the first citation and marked with its number.
    assert first["citations"][0]["quote"].split(". ")[0] in first["answer"] and "3-5 business days" in first["answer"] and "[1]" in first["answer"]
    assert first["degraded"] is True and first["outcome"] == "answered"  # provider none: quoted policy text, no model
    again = client.post("/v1/chat", json={"message": "And express?", "session_id": first["session_id"]}, headers={"X-Kefu-Session-Key": key}).json()
    assert again["session_id"] == first["session_id"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b'{"message": ', 400, "malformed_json"),
        (b'{"message": ""}', 422, "invalid_request"),
        (b'{"message": "   "}', 422, "invalid_message"),
        (b'{"text": "hi"}', 422, "invalid_request"),
        (b'{"message": "hi", "session_id": "../etc/passwd"}', 422, "invalid_request"),
        (b'["message"]', 422, "invalid_request"),
    ],
)
def test_bad_requests_get_a_json_error(client, body, status, code):
    response = client.post("/v1/chat", content=body, headers={"content-type": "application/json"})
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code and error["message"]
    assert "Traceback" not in response.text


def test_unknown_route_is_a_json_404(client):
    response = client.get("/v1/nothing")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_model_endpoint_down_gives_a_degraded_answer_not_a_5xx(knowledge_home):
    settings = make_settings(
        knowledge_home, llm_provider="openai", llm_base_url=f"http://127.0.0.1:{free_port()}/v1", llm_model="down"
    )
    with TestClient(create_app(build_runtime(settings), mount_ui=False)) as down:
        response = down.post("/v1/chat", json={"message": "What is the return policy?"})
    assert response.status_code == 200
    body = response.json()
    assert body["degraded"] is True and body["fallback_reason"] == "model_error"
    assert body["citations"]


def test_health_readiness_docs_and_ui(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["answers"] == "degraded" and ready["model"]["state"] == "not_configured"
    assert ready["knowledge"]["chunks"] > 100
    assert "/v1/chat" in client.get("/openapi.json").json()["paths"]
    page = client.get("/ui/")
    assert page.status_code == 200 and "gradio" in page.text.lower()


def test_vllm_provider_without_a_server_reports_its_state(knowledge_home, tmp_path):
    # A free port: nothing listens there even when a `make run` is up on this machine (its vLLM on 8001).
    settings = make_settings(knowledge_home, llm_provider="vllm", vllm_venv=tmp_path / "no-venv", vllm_port=free_port())
    runtime = build_runtime(settings)
    with TestClient(create_app(runtime, mount_ui=False)) as app:
        ready = app.get("/readyz").json()
        assert ready["model"]["state"] == "not_installed" and "make vllm" in ready["model"]["detail"]
        reply = app.post("/v1/chat", json={"message": "What is the return policy?"}).json()
    assert reply["degraded"] is True and reply["fallback_reason"] == "model_not_ready"


def test_the_sentence_warm_up_runs_in_the_background_and_readyz_shows_it(knowledge_home):
    runtime = build_runtime(make_settings(knowledge_home, warm_sentences=True))
    try:
        app = TestClient(create_app(runtime, mount_ui=False))
        assert app.get("/readyz").status_code == 200 and runtime.warmup.status()["started"] is False  # started by `kefu serve`, not by building
        runtime.warmup.start()
        warming = app.get("/readyz")  # the demo base takes seconds: still at it
        assert warming.status_code == 503 and warming.json()["status"] == "warming" and warming.json()["knowledge"]["sentences_warmed"]["done"] is False
        assert app.post("/v1/chat", json={"message": "How long does standard shipping take?"}).json()["citations"]  # answered meanwhile
        assert runtime.warmup is not None and runtime.warmup.done.wait(120)
        ready = app.get("/readyz").json()
        warmed = ready["knowledge"]["sentences_warmed"]
        assert warmed["done"] is True and warmed["sentences"] > 300 and warmed["seconds"] > 0 and "error" not in warmed
        # a policy turn now finds its sentences' vectors ready: the sentence encoder is not called
        encoder = runtime.assistant.sentences.vectors.encoder
        calls = []
        original = encoder.embed_documents
        encoder.embed_documents = lambda texts: calls.append(list(texts)) or original(texts)
        reply = runtime.assistant.respond("退货运费谁承担？")  # not asked before: only the warm-up embedded its sentences
        assert reply.citations and calls == []
    finally:
        runtime.close()
    assert build_runtime(make_settings(knowledge_home)).warmup is None  # KEFU_WARM_SENTENCES=false: none


def test_a_command_that_exits_during_the_warm_up_exits_cleanly(knowledge_home):
    # onnxruntime aborts a process that exits while it runs in another thread ("terminate called
    # without an active exception", exit -6): the warm-up is stopped and joined at exit.
    import subprocess
    import sys

    script = ("from tests.conftest import make_settings; from serving.runtime import build_runtime; from pathlib import Path; "
              f"r = build_runtime(make_settings(Path({str(knowledge_home)!r}), warm_sentences=True)); r.warmup.start(); print('started')")  # fmt: skip
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "started" in done.stdout, done.stderr[-2000:]


@pytest.mark.parametrize(
    ("content_type", "body"),
    [("text/plain", b"What is the return policy?"), ("application/x-www-form-urlencoded", b"message=hi"), ("text/plain; charset=utf-8", b'{"message": "hi"}')],
)
def test_a_body_that_is_not_json_gets_415_naming_its_type(client, content_type, body):
    response = client.post("/v1/chat", content=body, headers={"content-type": content_type})
    assert response.status_code == 415, response.text
    error = response.json()["error"]
    assert error["code"] == "unsupported_media_type" and content_type.split(";")[0] in error["message"] and "application/json" in error["message"]


def test_integers_beyond_64_bits_are_invalid_input_not_a_server_error(client):
    huge = 2**64
    feedback = client.post("/v1/feedback", json={"session_id": "s-1", "rating": "up", "turn_id": huge})
    assert feedback.status_code == 422 and feedback.json()["error"]["code"] == "invalid_request" and "turn_id" in feedback.text
    assert client.post("/v1/feedback", json={"session_id": "s-1", "rating": "up", "turn_id": 0}).status_code == 422


def test_the_ui_wires_every_event_handler_with_its_arguments(knowledge_home):
    # Gradio warns "Expected 1 arguments … received 0" when a handler's event parameter is not
    # annotated (gr.SelectData): that handler then fails when the event fires (issue 26).
    import warnings

    runtime = build_runtime(make_settings(knowledge_home))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        create_app(runtime, mount_ui=True)
    wiring = [str(w.message) for w in caught if "arguments for function" in str(w.message)]
    assert wiring == []
