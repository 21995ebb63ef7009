"""The evaluation and benchmark commands on small inputs, run as a user runs them (the CLI), and
their reports checked: conversation suites, τ² gold replay, simulated τ² episodes with a
scripted customer, `kefu bench turn` and `kefu bench load`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from serving.evaluation.tau2_sim import STOP, pass_hat_k
from tests.conftest import DEMO_GLOSSARY, REPO, TAU2
from tests.recording_server import RecordingServer

SUITES = REPO / "knowledge" / "suites"


def kefu(home: Path, *args: str, env: dict | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    environment = {**os.environ, "KEFU_HOME": str(home), "KEFU_LLM_PROVIDER": "none", "KEFU_GLOSSARY_FILE": str(DEMO_GLOSSARY), **(env or {})}
    return subprocess.run([sys.executable, "-m", "serving.cli", *args], capture_output=True, text=True, env=environment, timeout=timeout, cwd=REPO)


@pytest.mark.parametrize("suite", ["demo-en", "demo-zh"])
def test_the_shipped_suites_pass_and_write_their_report(knowledge_home, tmp_path, suite):
    done = kefu(knowledge_home, "eval", "suite", str(SUITES / f"{suite}.yaml"), "--report", str(tmp_path))
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    report = json.loads((tmp_path / f"suite-{suite}.json").read_text("utf-8"))
    assert report["passed"] == report["conversations"] == 7 and report["checks_passed"] == report["checks"] > 20
    assert "7/7 conversations passed" in done.stdout


def test_every_shipped_suite_is_valid():
    from serving.evaluation.suite import load_suite

    names = sorted(p.stem for p in SUITES.glob("*.yaml"))
    assert {"demo-en", "demo-zh", "freeform", "freeform-blind"} <= set(names)
    for name in names:
        assert load_suite(SUITES / f"{name}.yaml")["conversations"], name


def test_free_form_buyer_messages_score_at_least_90_percent(knowledge_home, tmp_path):
    # knowledge/suites/freeform.yaml (issue 23): 187 free-form turns, half Chinese, tuned on. Measured
    # 2026-12-06: 170/187 turns, 156/173 conversations, 718/738 checks; with issue 25's SmoothQuant E5 and
    # the synonym list's own words 170/187, 156/173, 719/738. A floor, not a snapshot.
    done = kefu(knowledge_home, "eval", "suite", str(SUITES / "freeform.yaml"), "--report", str(tmp_path))
    report = json.loads((tmp_path / "suite-freeform.json").read_text("utf-8"))
    turns = [t for c in report["results"] for t in c["turns"]]
    assert len(turns) >= 120 and sum(t["passed"] for t in turns) >= 0.9 * len(turns), done.stdout[-3000:]
    chinese = [t for t in turns if any("\u4e00" <= ch <= "\u9fff" for ch in t["say"])]
    assert len(chinese) >= len(turns) / 2 - 5


def test_a_failing_check_fails_the_suite_and_says_which(knowledge_home, tmp_path):
    suite = tmp_path / "bad.yaml"
    suite.write_text("name: bad\nshop: demo\nconversations:\n  - name: wrong intent\n    turns:\n      - say: What is the return policy?\n"
                     "        expect: {intent: cancel, contains: [\"this phrase is not there\"]}\n", "utf-8")  # fmt: skip
    done = kefu(knowledge_home, "eval", "suite", str(suite), "--report", str(tmp_path))
    assert done.returncode == 1 and "0/1 conversations passed" in done.stdout
    report = json.loads((tmp_path / "suite-bad.json").read_text("utf-8"))
    failed = {c["check"] for c in report["results"][0]["turns"][0]["checks"] if not c["ok"]}
    assert failed == {"intent", "contains"}
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text("conversations:\n  - turns:\n      - say: hi\n        expect: {mood: happy}\n", "utf-8")
    refused = kefu(knowledge_home, "eval", "suite", str(unknown))
    assert refused.returncode == 2 and "unknown checks ['mood']" in refused.stderr


@pytest.mark.skipif(not TAU2.exists(), reason="needs ../shared/datasets/tau2-retail")
def test_tau2_replay_command_reports_every_task(knowledge_home, tmp_path):
    done = kefu(knowledge_home, "eval", "tau2-replay", str(TAU2 / "tasks-train.json"), "--db", str(TAU2 / "db.json"),
                "--expected", str(TAU2 / "tasks-train-expected.json"), "--limit", "5", "--report", str(tmp_path))  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "5/5 tasks match"
    report = json.loads((tmp_path / "tau2-replay.json").read_text("utf-8"))
    assert report["tasks"] == 5 and report["matched"] == 5 and all(r["flags_match"] and not r["differences"] for r in report["results"])


@pytest.mark.skipif(not TAU2.exists(), reason="needs ../shared/datasets/tau2-retail")
def test_episodes_command_runs_scripted_buyers_and_reports_each(knowledge_home, tmp_path):
    described = json.loads((REPO / "tests" / "data" / "episodes_described.json").read_text())
    passing = next(e for e in described if e["task"] == "76" and e["language"] == "en")  # passes (tests/serving/evaluation/test_episodes.py)
    idle = {"task": "76", "language": "zh", "turns": ["你好"]}  # asks for nothing: the orders stay as they are, unlike the reference
    episodes = tmp_path / "episodes.json"
    episodes.write_text(json.dumps([passing, idle], ensure_ascii=False))
    args = ["eval", "episodes", str(episodes), "--db", str(TAU2 / "db.json"), "--expected", str(TAU2 / "tasks-train-expected.json"), "--report", str(tmp_path)]
    done = kefu(knowledge_home, *args)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "1/2 episodes pass"
    report = json.loads((tmp_path / "episodes-episodes.json").read_text("utf-8"))
    assert report["failed"] == ["76-zh-1"] and report["by_language"] == {"en": {"passed": 1, "episodes": 1}, "zh": {"passed": 0, "episodes": 1}}
    episodes.write_text(json.dumps([{"task": "no-such-task", "turns": ["hi"]}]))
    refused = kefu(knowledge_home, *args)
    assert refused.returncode != 0 and "Traceback" not in refused.stderr and "no-such-task" not in refused.stdout


def scripted_customer(lines: list[str]):
    """An OpenAI-compatible customer that says ``lines`` in order (by how many it has said)."""

    def answer(call):
        said = sum(1 for m in call.json["messages"] if m["role"] == "assistant")
        text = lines[said] if said < len(lines) else STOP
        return {"id": "x", "object": "chat.completion", "created": 0, "model": "scripted",
                "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}]}  # fmt: skip

    return RecordingServer({"chat/completions": answer})


def tau2_args(customer_url: str, report: Path, *extra: str) -> list[str]:
    return ["eval", "tau2", "--tasks", str(TAU2 / "tasks-train.json"), "--db", str(TAU2 / "db.json"), "--user-model", "scripted",
            "--user-base-url", customer_url + "v1", "--task", "69", "--report", str(report), "--json", *extra]  # fmt: skip


@pytest.mark.skipif(not TAU2.exists(), reason="needs ../shared/datasets/tau2-retail")
def test_simulated_tau2_episodes_score_against_the_gold_end_state_and_resume(knowledge_home, tmp_path):
    # Task 69: the customer wants their laptop order gone; the gold action cancels #W2417020 ("no longer needed").
    good = ["Hi, I am Emma Smith, zip 10192", "Please cancel order #W2417020, I no longer need it", "yes"]
    with scripted_customer(good) as customer:
        done = kefu(knowledge_home, *tau2_args(customer.url, tmp_path, "--trials", "2"))
        assert done.returncode == 0, done.stderr[-3000:]
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        assert figures["pass^1"] == 1.0 and figures["pass^2"] == 1.0 and figures["episodes"] == 2
        episodes = [json.loads(line) for line in (tmp_path / "tau2-episodes.jsonl").read_text("utf-8").splitlines()]
        assert [e["trial"] for e in episodes] == [0, 1] and episodes[0]["stopped"] and "cancel_pending_order" in episodes[0]["transcript"][-1]["tools"]
        asked = len(customer.calls)
        again = kefu(knowledge_home, *tau2_args(customer.url, tmp_path, "--trials", "2", "--resume"))
        assert again.returncode == 0 and len(customer.calls) == asked  # nothing left to run: the customer was not asked again
    # A customer who never asks for the cancellation: the shop does not end as the gold actions leave it.
    with scripted_customer(["I am Emma Smith, zip 10192", "no thanks, that is all"]) as customer:
        done = kefu(knowledge_home, *tau2_args(customer.url, tmp_path / "other"))
        assert done.returncode == 0, done.stderr[-3000:]
        assert json.loads(done.stdout.strip().splitlines()[-1])["pass^1"] == 0.0


def test_pass_hat_k_is_tau2s_definition():
    results = [{"task_id": "a", "passed": p} for p in (True, True, False)] + [{"task_id": "b", "passed": p} for p in (True, False, False)]
    assert pass_hat_k(results, 1) == round((2 / 3 + 1 / 3) / 2, 4)
    assert pass_hat_k(results, 2) == round((1 / 3 + 0) / 2, 4)  # a: C(2,2)/C(3,2); b: C(1,2)=0
    assert pass_hat_k(results, 3) == 0.0


def test_bench_turn_splits_a_turn_into_steps(knowledge_home, tmp_path):
    done = kefu(knowledge_home, "bench", "turn", "--repeats", "1", "--report", str(tmp_path), "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads((tmp_path / "bench-turn.json").read_text("utf-8"))
    assert (tmp_path / "bench-turn.png").stat().st_size > 1000
    assert set(result["mean_ms_by_step"]) == {"understand", "retrieve", "tools", "model", "check", "quote", "other"}
    assert result["policy_p95_ms"] >= result["policy_p50_ms"] > 0
    policy = result["median_by_message"]["What is the return policy?"]
    assert policy["retrieve"] > 0 and abs(sum(policy[s] for s in result["mean_ms_by_step"]) - policy["total"]) < 1.0
    assert result["median_by_message"]["Do you have the T-shirt in black?"]["tools"] > 0


def test_bench_load_command_writes_json_and_a_plot(knowledge_home, tmp_path):
    from knowledge.orders.db import session
    from knowledge.orders.demo import generate_demo_shop
    from knowledge.orders.importer import RetailDB, import_retail

    db_url = f"sqlite:///{tmp_path / 'shop.db'}"
    with session(db_url) as db:
        import_retail(db, RetailDB.model_validate(generate_demo_shop()))
    done = kefu(knowledge_home, "bench", "load", "--sessions", "2", "--seconds", "3", "--report", str(tmp_path), "--json", env={"KEFU_DATABASE_URL": db_url})
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["sessions"] == 2 and result["errors"] == 0 and result["lost_turns"] == 0 and result["ok"] == result["stored"] > 0
    assert Path(result["plot"]).stat().st_size > 1000 and (tmp_path / "load-sqlite-2x3s-off.json").exists()
