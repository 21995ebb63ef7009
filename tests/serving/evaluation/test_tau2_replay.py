"""Acceptance of the order tools: τ²-retail's 74 training tasks, replayed on fresh imports."""

import json

import pytest

from bot.tools.session import open_session_for
from serving.evaluation.tau2_replay import end_state, replay_task
from tests.conftest import TAU2

TASKS = json.loads((TAU2 / "tasks-train.json").read_text()) if TAU2.exists() else []
EXPECTED = json.loads((TAU2 / "tasks-train-expected.json").read_text()) if TAU2.exists() else {}
# Tasks whose items are modified several at once: τ²'s reference tools give every modified line
# the last new variant's price and options. kefu reproduces that only in parity mode.
REFERENCE_QUIRK_TASKS = {"20", "21", "37"}


def replay(url: str, task: dict, parity: bool):
    expected = EXPECTED[task["id"]]
    tools = open_session_for(url, expected["principal"], confirm_writes=False, tau2_parity=parity)
    results = [tools.call(a["name"], a["arguments"]) for a in task["evaluation_criteria"]["actions"]]
    orders, users = end_state(url, expected)
    return results, orders, users


@pytest.mark.skipif(not TASKS, reason="needs ../shared/datasets/tau2-retail")
def test_all_train_tasks_end_in_the_expected_state(order_dbs):
    mismatched = []
    for task in TASKS:
        url = order_dbs.fresh()
        try:
            result = replay_task(url, task, EXPECTED[task["id"]], parity=True)
        finally:
            order_dbs.release(url)
        if not result.matched:
            mismatched.append((task["id"], result.flags_match, result.differences))
    print(f"\n{order_dbs.backend}: {len(TASKS) - len(mismatched)}/{len(TASKS)} tasks matched; import {order_dbs.import_seconds:.2f} s")
    assert mismatched == []


@pytest.mark.skipif(not TASKS, reason="needs ../shared/datasets/tau2-retail")
@pytest.mark.parametrize("task_id", sorted(REFERENCE_QUIRK_TASKS))
def test_default_mode_gives_each_modified_item_its_own_variant(order_db, task_id):
    task = next(t for t in TASKS if t["id"] == task_id)
    results, orders, _ = replay(order_db, task, parity=False)
    assert all(r.ok for r in results if r.name == "modify_pending_order_items")
    products = json.loads((TAU2 / "db.json").read_text())["products"]
    modified = [a["arguments"] for a in task["evaluation_criteria"]["actions"] if a["name"] == "modify_pending_order_items"]
    for change in modified:
        for item in orders[change["order_id"]]["items"]:
            if item["item_id"] in change["new_item_ids"]:
                variant = products[item["product_id"]]["variants"][item["item_id"]]
                assert item["price"] == variant["price"] and item["options"] == variant["options"]
