"""The understanding step on a labelled set written by hand (tests/data/nlu_labelled.json: 240
buyer and merchant messages, half Chinese), against the τ² catalogue's names and options
(tests/data/nlu_catalogue.json). The rules were tuned on the "tune" split only; "heldout" was
not looked at while tuning."""

import json

import pytest

from bot.nlu.evaluation import evaluate, load_catalogue
from tests.conftest import REPO

DATA = REPO / "tests" / "data"
CATALOGUE = load_catalogue(DATA / "nlu_catalogue.json")
EXAMPLES = json.loads((DATA / "nlu_labelled.json").read_text())["examples"]


@pytest.fixture(scope="module")
def report():
    return evaluate(EXAMPLES, CATALOGUE)


def test_the_set_is_large_and_half_chinese():
    assert len(EXAMPLES) >= 200
    assert sum(e["id"].startswith("zh") for e in EXAMPLES) * 2 == len(EXAMPLES)
    assert {e["split"] for e in EXAMPLES} == {"tune", "heldout"}


@pytest.mark.parametrize("split", ["tune", "heldout"])
def test_intents_and_slots_are_understood(report, split):
    figures = report["groups"][split]
    misses = [f for f in report["failures"] if any(e["id"] == f["id"] and e["split"] == split for e in EXAMPLES)]
    assert figures["intent_accuracy"] >= 0.95, misses
    assert figures["slot_exact_match"] >= 0.95 if split == "tune" else figures["slot_exact_match"] >= 0.9, misses
