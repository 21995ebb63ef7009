"""How well the understanding step reads a labelled set: intent accuracy and slot exact-match,
per split (tuned on / held out) and language. ``kefu eval nlu FILE`` prints it."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from bot.nlu.commands import Command
from bot.nlu.rules import Context, understand
from bot.nlu.vocabulary import Vocabulary

COMPARED = ("order_ids", "items", "all_items", "except_items", "other", "reason", "address", "payment", "email", "name_zip",
            "confirmation", "correction", "order_state", "small_talk")  # fmt: skip


def comparable(slots: dict) -> dict:
    """The slots as labelled: items by product and option constraints, empty values left out."""
    out = {}
    for key in COMPARED:
        value = slots.get(key)
        if key in ("items", "except_items") and value:
            value = [{k: v for k, v in item.items() if k in ("product", "want", "avoid", "described") and v} for item in value]
            if key == "except_items":
                value = [{"product": item.get("product")} for item in value]
        if key == "name_zip" and value:
            value = list(value)
        if value not in (None, False, [], {}, ""):
            out[key] = value
    return out


def load_catalogue(path: Path) -> Vocabulary:
    return Vocabulary(json.loads(Path(path).read_text())["products"])


def evaluate(examples: list[dict], vocabulary: Vocabulary) -> dict:
    tally: dict = defaultdict(lambda: {"n": 0, "intent": 0, "slots": 0})
    failures = []
    for example in examples:
        context = example.get("context") or {}
        command: Command = understand(example["text"], vocabulary, Context(principal_kind=context.get("principal") or "buyer",
                                                                           waiting_for=context.get("waiting_for")))  # fmt: skip
        expected = dict(example["expected"])
        intent = expected.pop("intent")
        got = comparable(command.model_dump())
        want = comparable(expected)
        language = "zh" if "zh-" in example["id"] else "en"
        intent_ok, slots_ok = command.intent == intent, got == want
        for group in ("all", example.get("split", "tune"), f"{example.get('split', 'tune')}/{language}", language):
            tally[group]["n"] += 1
            tally[group]["intent"] += intent_ok
            tally[group]["slots"] += intent_ok and slots_ok
        if not (intent_ok and slots_ok):
            failures.append({"id": example["id"], "text": example["text"], "expected": {"intent": intent, **want},
                             "got": {"intent": command.intent, **got}})  # fmt: skip
    report = {group: {"n": t["n"], "intent_accuracy": round(t["intent"] / t["n"], 4), "slot_exact_match": round(t["slots"] / t["n"], 4)}
              for group, t in sorted(tally.items())}  # fmt: skip
    return {"groups": report, "failures": failures}
