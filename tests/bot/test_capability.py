"""The model's capability check (issue 23): a few grounded questions per language when the model
comes up. A model that answers from the given facts drafts policy answers; one that loops or
invents is not waited for: the quoted answer goes out at once, labelled as quoted, and /readyz and
the console say so. Both with scripted OpenAI-compatible stand-ins (the demo's 135M model fails it
for real in tests/serving/test_vllm.py)."""

from __future__ import annotations

import re
import time

from fastapi.testclient import TestClient

from bot.capability import EXAM, run_exam
from serving.api import create_app
from serving.runtime import build_runtime
from tests.conftest import make_settings
from tests.recording_server import RecordingServer
from ui.console import model_summary


def _completion(text: str) -> dict:
    return {"id": "x", "object": "chat.completion", "created": 0, "model": "scripted",
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}]}  # fmt: skip


def grounded(call) -> dict:
    """A capable model: it answers with the excerpt it was given (the facts, cited)."""
    system = call.json["messages"][0]["content"]
    fact = re.search(r"^\[1\] (.*)$", system, re.MULTILINE).group(1)
    return _completion(f"{fact} [1]")


def looping(call) -> dict:
    """The demo model's failure: the same words again and again."""
    return _completion(" ".join(["the policy says the policy"] * 6))


class Message:
    def __init__(self, content: str) -> None:
        self.content = content


def test_the_exam_passes_a_grounded_model_and_fails_a_looping_or_unreachable_one():
    facts = lambda messages: Message(re.search(r"^\[1\] (.*)$", messages[0].content, re.MULTILINE).group(1))  # noqa: E731
    passed = run_exam(facts)
    assert passed.state == "passed" and passed.drafts("en") and passed.drafts("zh")
    assert len(passed.cases) == sum(len(v) for v in EXAM.values()) and not any(c["problem"] for c in passed.cases)

    failed = run_exam(lambda messages: Message("the the the the the the the the the the the the"))
    assert failed.state == "failed" and failed.drafts("en") is False and failed.drafts("zh") is False
    assert len(failed.cases) == 2 and {c["problem"] for c in failed.cases} == {"loop"}  # a language stops at its first failure
    assert "quoted" in failed.meaning() and "without waiting" in failed.meaning()

    def wrong_number(messages):
        return Message("Standard shipping takes 10 business days. [1]" if "shipping" in messages[-1].content else "标准配送需要 10 个工作日。[1]")

    assert run_exam(wrong_number).cases[0]["problem"] == "unsupported_number"

    def down(messages):
        raise ConnectionError("refused")

    unreachable = run_exam(down)
    assert unreachable.state == "error" and unreachable.drafts("en") is None  # unknown: the model is tried per answer, as before


def _wait_checked(app: TestClient) -> dict:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        ready = app.get("/readyz").json()
        if ready["model"]["capability"]["state"] in ("passed", "failed", "error"):
            return ready
        time.sleep(0.2)
    raise AssertionError("the capability check did not finish")


def _ask_once(knowledge_home, responder) -> tuple[dict, dict, int, int]:
    """An app on a scripted model: /readyz once its check is done, the reply to a policy question,
    and the model calls before and after that question."""
    with RecordingServer({"chat/completions": responder}) as model:
        settings = make_settings(knowledge_home, llm_provider="openai", llm_base_url=model.url + "v1", llm_model="scripted", bot_mode="guided")
        runtime = build_runtime(settings)
        with TestClient(create_app(runtime, mount_ui=False)) as app:
            ready = _wait_checked(app)
            asked = len(model.calls)
            reply = app.post("/v1/chat", json={"message": "How long does standard shipping take?"}).json()
        runtime.close()
    return ready, reply, asked, len(model.calls)


def test_a_model_that_fails_its_check_is_not_waited_for(knowledge_home):
    ready, reply, before, after = _ask_once(knowledge_home, looping)
    assert ready["answers"] == "quoted" and ready["model"]["capability"]["state"] == "failed"
    assert "failed its grounding check" in ready["model"]["capability"]["meaning"]
    assert after == before  # the model was not asked: no wait for a draft that would be thrown away
    assert reply["degraded"] is False and reply["fallback_reason"] is None and reply["model"] is None
    assert "3-5 business days" in reply["answer"] and reply["answer"].rstrip().endswith("(Quoted from our policies.)")
    assert reply["outcome"] == "answered" and reply["citations"][0]["quote"] and "3-5 business days" in reply["citations"][0]["quote"]
    assert "model unavailable" not in reply["answer"].lower()
    summary = model_summary({"answers": ready["answers"], **ready["model"]})
    assert "Answers: quoted" in summary and "loop" in summary  # the console shows the check and its meaning


def test_a_model_that_passes_its_check_drafts(knowledge_home):
    ready, reply, before, after = _ask_once(knowledge_home, grounded)
    assert ready["answers"] == "model" and ready["model"]["capability"]["state"] == "passed"
    assert after == before + 1  # this answer was drafted by the model…
    assert reply["model"] == "scripted" and reply["degraded"] is False  # …and passed the grounding check
