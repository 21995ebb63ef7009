"""τ²-retail gold-action replay: each task's reference tool calls, run as the task's buyer on a
fresh copy of the shop, then every order and user they touch compared field by field with the
benchmark's end state (amounts to the cent). A call the rules must reject has to be rejected."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

from bot.tools.session import open_session_for
from knowledge.orders.db import session
from knowledge.orders.models import Order, User
from knowledge.orders.records import order_record, user_record


def same(a, b) -> bool:
    """Field-by-field equality; amounts to the cent (the reference keeps unrounded floats)."""
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and abs(a - b) < 0.006
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def end_state(url: str, expected: dict) -> tuple[dict, dict]:
    """The records of the orders and users the task's expected state names."""
    with session(url) as db:
        orders = {oid: order_record(db, o) if (o := db.get(Order, oid)) else None for oid in expected["orders"]}
        users = {uid: user_record(db, u) if (u := db.get(User, uid)) else None for uid in expected["users"]}
    return orders, users


def differences(url: str, expected: dict) -> list[str]:
    orders, users = end_state(url, expected)
    return [f"order {k}" for k in expected["orders"] if not same(orders[k], expected["orders"][k])] + [
        f"user {k}" for k in expected["users"] if not same(users[k], expected["users"][k])
    ]


@dataclass
class ReplayResult:
    task_id: str
    actions: int
    flags_match: bool  # each call accepted or rejected as the reference was
    differences: list[str]

    @property
    def matched(self) -> bool:
        return self.flags_match and not self.differences


def replay_task(url: str, task: dict, expected: dict, parity: bool = True) -> ReplayResult:
    tools = open_session_for(url, expected["principal"], confirm_writes=False, tau2_parity=parity)
    results = [tools.call(a["name"], a["arguments"]) for a in task["evaluation_criteria"]["actions"]]
    flags = [r.ok for r in results] == [a["ok"] for a in expected["actions"]]
    return ReplayResult(task["id"], len(results), flags, differences(url, expected))


def replay_all(tasks: list[dict], expected: dict, shops, parity: bool = True, on_task: Callable[[ReplayResult], None] | None = None) -> list[ReplayResult]:
    results = []
    for task in tasks:
        url = shops.fresh()
        try:
            result = replay_task(url, task, expected[task["id"]], parity)
        finally:
            shops.release(url)
        results.append(result)
        if on_task:
            on_task(result)
    return results


def summary(results: list[ReplayResult]) -> dict:
    return {"tasks": len(results), "matched": sum(r.matched for r in results), "results": [asdict(r) | {"matched": r.matched} for r in results]}
