"""Scripted multi-turn episodes from τ²-retail's train tasks (tests/data/episodes.json), written
as a buyer would speak (from each task's scenario, not its gold actions), in English and
Chinese, run through the real engine in the embedded default with no model. Each must end in
the database state τ²-bench expects for the task."""

import json

import pytest

from bot.assistant import Assistant, ModelBinding
from knowledge.orders.db import session
from knowledge.orders.models import Order, User
from knowledge.orders.records import order_record, user_record
from serving.runtime import build_retriever
from tests.conftest import REPO, TAU2, make_settings
from serving.evaluation.tau2_replay import same

EPISODES = json.loads((REPO / "tests" / "data" / "episodes.json").read_text())
# Buyers who describe instead of cite (issue 24): written by a helper from each task's user
# scenario only; tuned on. The blind sets (episodes_described_blind*.json) are run by `kefu eval
# episodes` (serving/evaluation/scripted.py), never here.
DESCRIBED = json.loads((REPO / "tests" / "data" / "episodes_described.json").read_text())
EXPECTED = json.loads((TAU2 / "tasks-train-expected.json").read_text()) if TAU2.exists() else {}

pytestmark = [
    pytest.mark.skipif(not TAU2.exists(), reason="needs ../shared/datasets/tau2-retail"),
    pytest.mark.parametrize("order_dbs", ["sqlite"], indirect=True),
]


def run_episode(bot, episode):
    session_id, replies = None, []
    for text in episode["turns"]:
        reply = bot.respond(text, session_id=session_id)
        session_id = reply.session_id
        replies.append(reply)
    return replies


def mismatches(url, task_id):
    wrong = []
    with session(url) as db:
        for order_id, expected in EXPECTED[task_id]["orders"].items():
            if not same(order_record(db, db.get(Order, order_id)), expected):
                wrong.append(order_id)
        for user_id, expected in EXPECTED[task_id].get("users", {}).items():
            if not same(user_record(db, db.get(User, user_id)), expected):
                wrong.append(user_id)
    return wrong


def test_at_least_thirty_episodes_in_both_languages_are_expected_to_pass(order_dbs):
    passing = [e for e in EPISODES if e["task"] not in KNOWN_FAILURES]
    assert len(passing) >= 30 and {e["language"] for e in passing} == {"en", "zh"}


# Episodes the engine does not finish yet (strict: one that starts passing must be moved out):
KNOWN_FAILURES: dict[str, str] = {}


@pytest.mark.parametrize("episode", [pytest.param(e, marks=pytest.mark.xfail(reason=KNOWN_FAILURES[e["task"]], strict=True))
                                     if e["task"] in KNOWN_FAILURES else e for e in EPISODES],
                         ids=[f"task{e['task']}-{e['language']}" for e in EPISODES])  # fmt: skip
def test_episode_ends_in_the_expected_state(knowledge_home, order_db, episode):
    retriever = build_retriever(make_settings(knowledge_home), k=4)
    bot = Assistant(retriever, ModelBinding(None), db_url=order_db)
    replies = run_episode(bot, episode)
    transcript = "\n".join(f">> {t}\n<< {r.answer[:300]}" for t, r in zip(episode["turns"], replies))
    assert not mismatches(order_db, episode["task"]), transcript
    assert all(r.language == episode["language"] for r in replies[1:]), transcript


# Described episodes the engine does not finish yet (strict, as above); 45 of 52 pass.
_ONE_YES_EACH = "each write waits for its own yes (issue 24): the script confirms once for two orders, so the second waits"
DESCRIBED_FAILURES: dict[str, str] = {
    "task19-en-3": "a return and an exchange on the same delivered order (one of them allowed): the bot proposes the return first instead of laying out both and what each saves",
    "task19-zh-50": "a return and an exchange on the same delivered order (one of them allowed): the bot proposes the return first instead of laying out both and what each saves",
    "task81-en-16": _ONE_YES_EACH,
    "task81-zh-47": _ONE_YES_EACH,
    "task92-en-23": "the smart watch and the e-reader added at the confirmation: the e-reader is in another order, whose return waits for its own yes (issue 24)",
    "task106-en-21": "the episode's email (sofia.thomas3019@…) is not in the data: the buyer cannot be verified",
    "task106-zh-45": "the episode's email (sofia.thomas3019@…) is not in the data: the buyer cannot be verified",
}


def _described_id(e: dict) -> str:
    return f"task{e['task']}-{e['language']}-{DESCRIBED.index(e)}"


@pytest.mark.parametrize("episode", [pytest.param(e, marks=pytest.mark.xfail(reason=DESCRIBED_FAILURES[_described_id(e)], strict=True))
                                     if _described_id(e) in DESCRIBED_FAILURES else e for e in DESCRIBED],
                         ids=[_described_id(e) for e in DESCRIBED])  # fmt: skip
def test_described_episode_ends_in_the_expected_state(knowledge_home, order_db, episode):
    test_episode_ends_in_the_expected_state(knowledge_home, order_db, episode)


def test_described_episodes_in_both_languages_are_expected_to_pass(order_dbs):
    # The target: 85 % of the described episodes end in the expected state (45 of 52 do).
    passing = [e for e in DESCRIBED if _described_id(e) not in DESCRIBED_FAILURES]
    assert len(DESCRIBED) >= 40 and len(passing) >= 0.85 * len(DESCRIBED) and {e["language"] for e in passing} == {"en", "zh"}
