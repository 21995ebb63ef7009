"""The understanding step on labelled sets written by hand, against the τ² catalogue's names and
options (tests/data/nlu_catalogue.json):

- nlu_labelled.json: 240 buyer and merchant messages, half Chinese. The rules were tuned on its
  "tune" split only; its "heldout" split was measured, never looked at while tuning.
- nlu_heldout2.json: 100 more, written after the tuning by someone who never ran the code.

The goal is ≥ 0.95 everywhere; the held-out floors below are today's measured figures (a
regression guard, not the goal): see the issue notes for the numbers.
"""

import json

import pytest

from bot.nlu.evaluation import evaluate, load_catalogue
from tests.conftest import REPO

DATA = REPO / "tests" / "data"
CATALOGUE = load_catalogue(DATA / "nlu_catalogue.json")
EXAMPLES = json.loads((DATA / "nlu_labelled.json").read_text())["examples"]
FRESH = json.loads((DATA / "nlu_heldout2.json").read_text())["examples"]
FLOORS = {"tune": (0.95, 0.95), "heldout": (0.85, 0.8), "fresh": (0.65, 0.55)}  # intent accuracy, slot exact-match


@pytest.fixture(scope="module")
def reports():
    return {"labelled": evaluate(EXAMPLES, CATALOGUE), "fresh": evaluate(FRESH, CATALOGUE)}


def test_the_sets_are_large_and_half_chinese():
    assert len(EXAMPLES) >= 200 and len(FRESH) >= 100
    for examples in (EXAMPLES, FRESH):
        assert sum("zh-" in e["id"] for e in examples) * 2 == len(examples)
    assert {e["split"] for e in EXAMPLES} == {"tune", "heldout"}


@pytest.mark.parametrize("split", ["tune", "heldout", "fresh"])
def test_intents_and_slots_are_understood(reports, split):
    report = reports["fresh" if split == "fresh" else "labelled"]
    figures = report["groups"]["all" if split == "fresh" else split]
    intent_floor, slot_floor = FLOORS[split]
    shown = report["failures"][:5] if split == "tune" else []  # held-out failures are not printed: they are not to tune on
    assert figures["intent_accuracy"] >= intent_floor, shown
    assert figures["slot_exact_match"] >= slot_floor, shown
