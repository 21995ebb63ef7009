"""The understanding step on labelled sets written by hand, against the τ² catalogue's names and
options (tests/data/nlu_catalogue.json):

- nlu_labelled.json: 240 buyer and merchant messages, half Chinese ("tune" and "heldout" splits).
- nlu_heldout2.json: 100 more, written by someone who never ran the code.
- nlu_heldout3.json: 60 more, written blind to the code.
  These were each held out once (measured, then tuned on in a later session: see the issue notes),
  and their messages are the examples of the similarity fallback (bot/nlu/data/intent_examples.json).
- nlu_heldout4.json: 60 more, written blind to the code and never tuned on: the honest figure of
  how the step generalises. Its floor is the measured figure (a regression guard); do not tune on
  its failures (write a fifth set first, then tune on this one).
"""

import json

import pytest

from serving.evaluation.nlu import evaluate, load_catalogue
from tests.conftest import REPO

DATA = REPO / "tests" / "data"
CATALOGUE = load_catalogue(DATA / "nlu_catalogue.json")
EXAMPLES = json.loads((DATA / "nlu_labelled.json").read_text())["examples"]
FRESH = json.loads((DATA / "nlu_heldout2.json").read_text())["examples"]
THIRD = json.loads((DATA / "nlu_heldout3.json").read_text())["examples"]
BLIND = json.loads((DATA / "nlu_heldout4.json").read_text())["examples"]
# intent accuracy, slot exact-match; "blind" at its measured figures (2026-12-03: 0.90, 0.80)
FLOORS = {"tune": (0.95, 0.95), "heldout": (0.95, 0.95), "fresh": (0.95, 0.95), "third": (0.95, 0.95), "blind": (0.9, 0.8), "everything": (0.95, 0.95)}
SETS = {"fresh": FRESH, "third": THIRD, "blind": BLIND, "everything": EXAMPLES + FRESH + THIRD + BLIND}


@pytest.fixture(scope="module")
def reports():
    return {"labelled": evaluate(EXAMPLES, CATALOGUE)} | {name: evaluate(examples, CATALOGUE) for name, examples in SETS.items()}


def test_the_sets_are_large_and_half_chinese():
    assert len(EXAMPLES) >= 200 and len(FRESH) >= 100 and len(BLIND) >= 60
    for examples in (EXAMPLES, FRESH, THIRD, BLIND):
        assert sum("zh-" in e["id"] for e in examples) * 2 == len(examples)
    assert {e["split"] for e in EXAMPLES} == {"tune", "heldout"}


@pytest.mark.parametrize("split", ["tune", "heldout", "fresh", "third", "blind", "everything"])
def test_intents_and_slots_are_understood(reports, split):
    report = reports[split if split in SETS else "labelled"]
    figures = report["groups"]["all" if split in SETS else split]
    intent_floor, slot_floor = FLOORS[split]
    shown = [] if split in ("blind", "everything") else report["failures"][:5]  # the blind set's failures are not to tune on
    assert figures["intent_accuracy"] >= intent_floor, shown
    assert figures["slot_exact_match"] >= slot_floor, shown


# ---- intent by similarity (bot.nlu.similarity): the fallback for messages no cue pattern reads

from bot.nlu.rules import Context, understand  # noqa: E402
from bot.nlu.similarity import load_examples, stored_vectors  # noqa: E402


def test_the_shipped_example_vectors_match_the_examples():
    from retrieval.embeddings import E5Embeddings

    assert stored_vectors(load_examples(), E5Embeddings().identity) is not None, "run `python -m bot.nlu.similarity`"


@pytest.mark.parametrize(
    "text, waiting_for, intent",
    [
        ("I need to speak with somebody from your staff", None, "human"),
        ("我想跟你们的工作人员说话", None, "human"),
        ("much appreciated, that helps a lot", None, "small_talk"),
        ("嗯嗯，就按这个来", "confirmation", "confirm"),
        ("先这样吧，不改了", "confirmation", "decline"),
        ("what's your policy on damaged items?", None, "question"),
    ],
)
def test_a_message_no_cue_reads_gets_the_intent_of_similar_examples(text, waiting_for, intent):
    command = understand(text, CATALOGUE, Context(principal_kind="buyer", waiting_for=waiting_for))
    assert command.intent == intent
    if intent != "question":  # no cue pattern reads it: without the examples it would be searched as a question
        assert understand(text, CATALOGUE, Context(principal_kind="buyer", waiting_for=waiting_for), examples=None).intent == "question"


def test_a_guess_respects_the_context():
    # A yes is only a confirmation when something waits for one; a merchant takes no order actions.
    assert understand("嗯嗯，就按这个来", CATALOGUE, Context(principal_kind="buyer")).intent != "confirm"
    assert understand("I'd like to send these back", CATALOGUE, Context(principal_kind="merchant")).intent not in ("return",)
