"""Conversation suites: scripted conversations, each as a given principal, every turn checked by
assertions about what the assistant did and said. The same entry point as the channels.

A suite (YAML)::

    name: demo-en
    conversations:
      - name: a buyer verifies and asks where an order is
        principal: anonymous            # or buyer:USER_ID, merchant:SHOP_ID
        turns:
          - say: "I am Ava Brown, zip 80280"
            expect: {intent: identify, tool: {name: find_user_id_by_name_zip}}
          - say: "Where is my order #W6671483?"
            expect:
              intent: status
              tool: {name: get_order_status, arguments: {order_id: "#W6671483"}}
              contains: ["#W6671483"]
              not_contains: ["error"]
              cites: "returns-refunds"   # a citation whose source contains this
              handoff: false
              own_data_only: true        # every user id in tool results is the verified buyer's

Checks: intent, tool (name and a subset of its arguments, called successfully unless ``ok:
false``), contains / not_contains (case-insensitive), cites, handoff (true/false, or the reason:
``complaint``, ``user_request``), degraded, own_data_only, outcome (one of ``bot.reply.OUTCOMES``,
or a list of acceptable ones), writes (whether a change was carried out in the turn), language,
options_in_language (a Chinese reply — answer, buttons, the change waiting for a yes — names no
option of the shop's catalogue by its English name or value: 颜色：黑色, not "color: black").
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

from bot.reply import OUTCOMES
from bot.tools.session import WRITE_TOOL_NAMES
from kefu.principal import Principal

CHECKS = ("intent", "tool", "contains", "not_contains", "cites", "handoff", "degraded", "own_data_only", "outcome", "writes", "language",
          "options_in_language")
# A Latin word with two lowercase letters in a row: English, not a code (IPX7, 16GB, A4, mAh),
# except metric units and trademarks a Chinese shop writes as they are (500ml, 6mm, Alexa).
ENGLISH_WORD = re.compile(r"(?<![A-Za-z])[A-Za-z]*[a-z]{2}[A-Za-z]*(?![A-Za-z])")
KEPT_AS_IS = frozenset({"ml", "mm", "Alexa", "HomeKit", "Sunbrella"})


class SuiteError(ValueError):
    """A suite file that cannot be run; the message names the file and the place."""


@dataclass
class Check:
    check: str
    ok: bool
    detail: str = ""


@dataclass
class TurnResult:
    say: str
    answer: str
    intent: str
    checks: list[Check] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(c.ok for c in self.checks)


def load_suite(path: Path) -> dict:
    try:
        suite = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SuiteError(f"{path}: {exc}") from None
    if not isinstance(suite, dict) or not isinstance(suite.get("conversations"), list):
        raise SuiteError(f"{path}: expected a mapping with a list of conversations")
    for n, conversation in enumerate(suite["conversations"], 1):
        if not isinstance(conversation, dict) or not isinstance(conversation.get("turns"), list) or not conversation["turns"]:
            raise SuiteError(f"{path}: conversation {n} has no turns")
        for m, turn in enumerate(conversation["turns"], 1):
            if not isinstance(turn, dict) or not isinstance(turn.get("say"), str):
                raise SuiteError(f"{path}: conversation {n}, turn {m}: needs 'say'")
            expect = turn.get("expect") or {}
            unknown = set(expect) - set(CHECKS)
            if unknown:
                raise SuiteError(f"{path}: conversation {n}, turn {m}: unknown checks {sorted(unknown)} (known: {', '.join(CHECKS)})")
            outcomes = expect.get("outcome", [])
            strange = sorted(set(outcomes if isinstance(outcomes, list) else [outcomes]) - set(OUTCOMES))
            if strange:
                raise SuiteError(f"{path}: conversation {n}, turn {m}: unknown outcome {strange} (known: {', '.join(OUTCOMES)})")
    return suite


def _user_ids(value) -> set[str]:
    if isinstance(value, dict):
        return {str(v) for k, v in value.items() if k == "user_id"} | {u for v in value.values() for u in _user_ids(v)}
    if isinstance(value, list):
        return {u for v in value for u in _user_ids(v)}
    return set()


def shop_options(db_url: str) -> dict[str, set[str]]:
    """Every option name of the shop's catalogue with its values."""
    from sqlmodel import select

    from knowledge.orders.db import session
    from knowledge.orders.models import Variant

    options: dict[str, set[str]] = {}
    with session(db_url) as db:
        for variant_options in db.exec(select(Variant.options)):
            for name, value in variant_options.items():
                options.setdefault(name, set()).add(str(value))
    return options


def english_words(text: str) -> list[str]:
    """The English words in ``text`` (codes, metric units and trademarks aside)."""
    return [w for w in ENGLISH_WORD.findall(text) if w not in KEPT_AS_IS]


def english_options(text: str, options: dict[str, set[str]]) -> list[str]:
    """The option names and values (those with an English word) that ``text`` names in English."""
    words = {w for name, values in options.items() for w in (name, *values) if english_words(w)}
    return sorted(w for w in words if re.search(rf"(?<![A-Za-z]){re.escape(w)}(?![A-Za-z])", text, re.IGNORECASE))


def check_turn(reply, expect: dict, principal: str, options: dict[str, set[str]] | None = None) -> list[Check]:
    checks = []
    text = reply.answer.casefold()
    if "intent" in expect:
        checks.append(Check("intent", reply.intent == expect["intent"], f"got {reply.intent}"))
    if "tool" in expect:
        wanted = expect["tool"]
        ok_wanted = wanted.get("ok", True)
        found = [c for c in reply.tool_calls if c.name == wanted["name"] and c.ok == ok_wanted
                 and all(c.arguments.get(k) == v for k, v in (wanted.get("arguments") or {}).items())]  # fmt: skip
        checks.append(Check("tool", bool(found), "called: " + ", ".join(f"{c.name}{json.dumps(c.arguments, ensure_ascii=False)}" for c in reply.tool_calls)))
    for phrase in ([expect["contains"]] if isinstance(expect.get("contains"), str) else expect.get("contains") or []):
        checks.append(Check("contains", phrase.casefold() in text, phrase))
    for phrase in ([expect["not_contains"]] if isinstance(expect.get("not_contains"), str) else expect.get("not_contains") or []):
        checks.append(Check("not_contains", phrase.casefold() not in text, phrase))
    if "cites" in expect:
        sources = [c.source for c in reply.citations]
        checks.append(Check("cites", any(expect["cites"] in s for s in sources), f"cited: {', '.join(sources) or 'nothing'}"))
    if "handoff" in expect:
        wanted = expect["handoff"]
        ok = reply.handoff is not None and reply.handoff.reason == wanted if isinstance(wanted, str) else (reply.handoff is not None) == bool(wanted)
        checks.append(Check("handoff", ok, f"handoff: {reply.handoff.reason if reply.handoff else None}"))
    if "outcome" in expect:
        wanted = expect["outcome"] if isinstance(expect["outcome"], list) else [expect["outcome"]]
        checks.append(Check("outcome", reply.outcome in wanted, f"got {reply.outcome}"))
    if "writes" in expect:
        wrote = [c.name for c in reply.tool_calls if c.ok and c.name in WRITE_TOOL_NAMES]
        checks.append(Check("writes", bool(wrote) == bool(expect["writes"]), f"wrote: {', '.join(wrote) or 'nothing'}"))
    if "language" in expect:
        checks.append(Check("language", reply.language == expect["language"], f"got {reply.language}"))
    if expect.get("options_in_language") and reply.language == "zh":
        shown = " ".join([reply.answer, *reply.choices, (reply.pending_confirmation or {}).get("prompt", "")])
        found = english_options(shown, options or {})
        checks.append(Check("options_in_language", not found, f"in English: {', '.join(found) or 'none'}"))
    if "degraded" in expect:
        checks.append(Check("degraded", reply.degraded == bool(expect["degraded"]), f"degraded: {reply.degraded}"))
    if expect.get("own_data_only"):
        verified = {c.result for c in reply.tool_calls if c.ok and c.name.startswith("find_user_id") and isinstance(c.result, str)}
        own = verified | ({buyer} if (buyer := Principal.parse(principal).user_id) else set())
        seen = _user_ids([c.result for c in reply.tool_calls if c.ok])
        checks.append(Check("own_data_only", seen <= own, f"user ids in results: {sorted(seen) or 'none'}"))
    return checks


def run_suite(assistant, suite: dict, on_turn=None) -> dict:
    conversations = []
    wants_options = any((t.get("expect") or {}).get("options_in_language") for c in suite["conversations"] for t in c["turns"])
    options = shop_options(assistant.db_url) if wants_options else None
    for conversation in suite["conversations"]:
        principal = conversation.get("principal") or "anonymous"
        session_id, turns = None, []
        for turn in conversation["turns"]:
            reply = assistant.respond(turn["say"], session_id=session_id, principal=Principal.parse(principal).named())
            session_id = reply.session_id
            turns.append(TurnResult(turn["say"], reply.answer, reply.intent, check_turn(reply, turn.get("expect") or {}, principal, options)))
            if on_turn:
                on_turn()
        conversations.append({"name": conversation.get("name", ""), "principal": principal, "passed": all(t.passed for t in turns),
                              "turns": [asdict(t) | {"passed": t.passed} for t in turns]})  # fmt: skip
    checks = [c for conv in conversations for t in conv["turns"] for c in t["checks"]]
    return {"suite": suite.get("name", ""), "conversations": len(conversations), "passed": sum(c["passed"] for c in conversations),
            "checks": len(checks), "checks_passed": sum(c["ok"] for c in checks), "results": conversations}  # fmt: skip


def turns_in(suite: dict) -> int:
    return sum(len(c["turns"]) for c in suite["conversations"])


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "suite"
