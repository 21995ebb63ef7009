"""τ²-retail simulated episodes: a language model plays the customer from each task's user
scenario against kefu's assistant (the same ``respond`` the channels call, as an anonymous web
visitor who must verify in chat), on a fresh copy of the shop. The episode passes when the
shop's final state equals the state the task's gold actions produce on another fresh copy (every
order and user compared, as τ²-bench compares database states). pass^k as τ²-bench defines it:
per task C(c, k) / C(n, k) for c successes in n trials, averaged over tasks.

Each finished episode is appended to a JSON Lines file as it ends, so an interrupted run resumes
where it stopped (``resume``) or restarts cleanly.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from math import comb
from pathlib import Path

from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from sqlmodel import select

from bot.tools.session import open_session_for
from knowledge.orders.db import session
from knowledge.orders.models import Order, User
from knowledge.orders.records import order_record, user_record
from serving.evaluation.tau2_replay import same

STOP = "###STOP###"
OPENING = "Hi! How can I help you today?"
USER_SYSTEM = """You are a customer chatting with an online shop's customer service agent. Play the customer described below.
Write only the customer's next message: short, natural, one message at a time. Do not invent information you were not given.
Share what you know when the agent asks for it. When your request is done, or cannot be done, write {stop} on its own.

{instructions}"""


def user_prompt(task: dict) -> str:
    instructions = (task.get("user_scenario") or {}).get("instructions") or {}
    if isinstance(instructions, str):
        return USER_SYSTEM.format(stop=STOP, instructions=instructions)
    parts = [f"{k.replace('_', ' ').capitalize()}: {v}" for k, v in instructions.items() if k != "domain" and v]
    return USER_SYSTEM.format(stop=STOP, instructions="\n".join(parts))


def shop_state(url: str) -> tuple[dict, dict]:
    with session(url) as db:
        orders = {o.order_id: order_record(db, o) for o in db.exec(select(Order))}
        users = {u.user_id: user_record(db, u) for u in db.exec(select(User))}
    return orders, users


def gold_state(url: str, task: dict, principal: str) -> tuple[dict, dict]:
    tools = open_session_for(url, principal, confirm_writes=False, tau2_parity=False)
    for action in task["evaluation_criteria"]["actions"]:
        tools.call(action["name"], action["arguments"])
    return shop_state(url)


def run_episode(assistant_for: Callable[[str], object], user_llm, task: dict, shops, principal: str, max_turns: int = 10) -> dict:
    """One episode; ``assistant_for(db_url)`` builds the assistant on that copy of the shop."""
    url, gold_url = shops.fresh(), shops.fresh()
    try:
        assistant = assistant_for(url)
        messages = [SystemMessage(user_prompt(task)), HumanMessage(OPENING)]
        transcript, session_id, stopped = [], None, False
        for _ in range(max_turns):
            said = str(user_llm.invoke(messages).content).strip()
            if not said or STOP in said:
                stopped = True
                break
            reply = assistant.respond(said, session_id=session_id)
            session_id = reply.session_id
            transcript.append({"user": said, "assistant": reply.answer, "tools": [c.name for c in reply.tool_calls if c.ok]})
            messages += [AIMessage(said), HumanMessage(reply.answer)]
        final = shop_state(url)
        gold = gold_state(gold_url, task, principal)
        passed = same(final[0], gold[0]) and same(final[1], gold[1])
        return {"task_id": task["id"], "passed": passed, "turns": len(transcript), "stopped": stopped, "transcript": transcript}
    finally:
        shops.release(url)
        shops.release(gold_url)


def pass_hat_k(results: list[dict], k: int) -> float | None:
    by_task: dict[str, list[bool]] = {}
    for r in results:
        by_task.setdefault(r["task_id"], []).append(r["passed"])
    scores = [comb(sum(v), k) / comb(len(v), k) for v in by_task.values() if len(v) >= k]
    return round(sum(scores) / len(scores), 4) if scores else None


def load_done(path: Path) -> list[dict]:
    if not path.exists():
        return []
    done = []
    for line in path.read_text("utf-8").splitlines():
        try:
            done.append(json.loads(line))
        except ValueError:
            break  # a line cut off by an interruption: everything after it is redone
    return done


def run_all(tasks: list[dict], trials: int, episode: Callable[[dict], dict], log: Path, resume: bool, on_episode=None) -> list[dict]:
    done = load_done(log) if resume else []
    if not resume:
        log.write_text("", "utf-8")
    else:  # rewrite what survived (drops a half-written last line)
        log.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in done), "utf-8")
    counts: dict[str, int] = {}
    for r in done:
        counts[r["task_id"]] = counts.get(r["task_id"], 0) + 1
    results = list(done)
    for task in tasks:
        for trial in range(counts.get(task["id"], 0), trials):
            result = {**episode(task), "trial": trial}
            results.append(result)
            with open(log, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(result, ensure_ascii=False) + "\n")
            if on_episode:
                on_episode(result)
    return results


def summary(results: list[dict], trials: int) -> dict:
    return {"tasks": len({r["task_id"] for r in results}), "episodes": len(results), "trials": trials,
            **{f"pass^{k}": pass_hat_k(results, k) for k in range(1, trials + 1)},
            "per_task": {t: [r["passed"] for r in results if r["task_id"] == t] for t in dict.fromkeys(r["task_id"] for r in results)}}  # fmt: skip
