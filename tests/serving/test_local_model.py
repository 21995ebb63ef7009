"""One chat turn through the in-process demo model (the `local` provider), for real."""

import pytest
from fastapi.testclient import TestClient
from langchain_core.messages import HumanMessage

from serving.api import create_app
from serving.runtime import build_runtime
from tests.conftest import make_settings

pytestmark = pytest.mark.slow


def test_converted_model_generates_text(demo_model_dir):
    from serving.llm.local_model import LocalTransformersChat

    chat = LocalTransformersChat(model_dir=str(demo_model_dir), max_new_tokens=24)
    message = chat.invoke([HumanMessage("Say hello to a customer.")])
    assert message.content.strip()
    assert message.usage_metadata["output_tokens"] > 0


def test_chat_turn_through_the_local_model(knowledge_home, demo_model_dir):
    # The capability check off: this test is of the local model's path (the check: tests/bot/test_capability.py, test_vllm.py).
    settings = make_settings(knowledge_home, llm_provider="local", llm_max_tokens=48, llm_capability_check=False)
    runtime = build_runtime(settings)
    with TestClient(create_app(runtime, mount_ui=False)) as client:
        assert client.get("/readyz").json()["answers"] == "model"
        body = client.post("/v1/chat", json={"message": "What is the return policy?"}).json()
    # The model ran; its draft is either used (with its name) or rejected by a named check.
    assert body["timings_ms"]["generate"] > 0
    if body["degraded"]:
        assert body["fallback_reason"].startswith("draft_")
    else:
        assert body["model"] == demo_model_dir.name and body["answer"]
    assert body["citations"]
