"""Intent by similarity: the nearest labelled example messages, for what no cue pattern reads.

The cue patterns (``bot.nlu.rules``) are precise but know only the words someone wrote down;
"is there an actual person I can chat with?" or "先不弄了，保持原样吧" match none of them and would
fall through to a policy search. Here such a message is compared with labelled examples
(``data/intent_examples.json``) by the multilingual embedding model (E5, query to query), and the
examples' intent wins when the nearest ones agree. Only a fallback: the rules' answer stands
whenever they found one, and the context limits what may be guessed (no "confirm" when nothing
waits for a confirmation, no order action for a question phrased as a rule question).

The examples' vectors ship beside them (``data/intent_examples.npz``) with a digest of the texts
and the model; ``python -m bot.nlu.similarity`` rebuilds them after the examples change (a test
checks they match), and a mismatch is embedded in memory instead.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

DATA = Path(__file__).parent / "data"
EXAMPLES_FILE = DATA / "intent_examples.json"
VECTORS_FILE = DATA / "intent_examples.npz"

# Intents a guess may give, by context. Slot-driven intents (status, identify) and the answers to
# a question (inform, confirm, decline) need the rules' slots or the bot's question.
ANYWHERE = frozenset({"question", "human", "small_talk", "my_orders", "cancel", "return", "exchange", "modify_address",
                      "modify_user_address", "modify_payment"})  # fmt: skip
FOR_A_RULE_QUESTION = frozenset({"question", "human", "small_talk"})
FOR_A_MERCHANT = frozenset({"question", "human", "small_talk", "shop_orders"})


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    small_talk: str | None = None  # greeting | thanks | goodbye | about_bot | contact


@dataclass(frozen=True)
class Guess:
    intent: str
    small_talk: str | None


class IntentExamples:
    """k nearest labelled examples by cosine similarity; a guess when they agree."""

    def __init__(self, examples: list[Example], vectors: np.ndarray, embed, k: int = 5, min_share: float = 0.6, min_similarity: float = 0.84):
        self.examples, self.vectors, self._embed = examples, vectors.astype(np.float32), embed
        self.k, self.min_share, self.min_similarity = k, min_share, min_similarity
        self._intents = np.array([e.intent for e in examples])

    def allowed(self, principal_kind: str, waiting_for: str | None, rule_question: bool) -> frozenset[str]:
        if principal_kind == "merchant":
            intents = FOR_A_MERCHANT
        elif rule_question:
            intents = FOR_A_RULE_QUESTION
        else:
            intents = ANYWHERE
        if waiting_for == "confirmation":
            intents |= {"confirm", "decline"}
        elif waiting_for:
            intents |= {"inform"}
        return intents

    def guess(self, text: str, allowed: frozenset[str]) -> Guess | None:
        # Only examples of intents the context allows vote: "不用了" declines a confirmation, but
        # answers "why?" with a reason (inform). Questions always vote, so a question stays one.
        candidates = np.isin(self._intents, list(allowed))
        query = np.asarray(self._embed([text])[0], dtype=np.float32)
        similarities = np.where(candidates, self.vectors @ query, -1.0)
        order = np.argsort(-similarities)[: self.k]
        if similarities[order[0]] < self.min_similarity:
            return None
        votes: dict[tuple[str, str | None], float] = defaultdict(float)
        for i in order:
            example = self.examples[i]
            votes[(example.intent, example.small_talk)] += float(similarities[i])
        (intent, small_talk), weight = max(votes.items(), key=lambda item: item[1])
        share = weight / sum(votes.values())
        if share < self.min_share or intent == "question":
            return None
        return Guess(intent, small_talk)


def load_examples(path: Path = EXAMPLES_FILE) -> list[Example]:
    rows = json.loads(path.read_text())["examples"]
    return [Example(r["text"], r["intent"], r.get("small_talk")) for r in rows]


def digest(examples: list[Example], model_identity: str) -> str:
    h = hashlib.sha256(model_identity.encode())
    for example in examples:
        h.update(f"\x00{example.text}\x01{example.intent}\x01{example.small_talk}".encode())
    return h.hexdigest()[:16]


def stored_vectors(examples: list[Example], model_identity: str) -> np.ndarray | None:
    """The shipped vectors, or None when they were made for other examples or another model."""
    if not VECTORS_FILE.is_file():
        return None
    stored = np.load(VECTORS_FILE)
    if str(stored["digest"]) != digest(examples, model_identity) or len(stored["vectors"]) != len(examples):
        return None
    return stored["vectors"]


@lru_cache(maxsize=1)
def default_examples() -> IntentExamples | None:
    """The packaged examples with the packaged multilingual model; None where it is not installed."""
    try:
        from retrieval.embeddings import E5Embeddings, ModelNotInstalled

        embeddings = E5Embeddings()
    except (ImportError, ModelNotInstalled, OSError) as exc:
        log.warning("intent similarity off: %s", exc)
        return None
    examples = load_examples()
    vectors = stored_vectors(examples, embeddings.identity)
    if vectors is None:
        log.warning("%s is stale (run `python -m bot.nlu.similarity`): embedding %d examples now", VECTORS_FILE.name, len(examples))
        vectors = embeddings.embed_queries([e.text for e in examples])
    return IntentExamples(examples, vectors, embeddings.embed_queries)


def rebuild() -> Path:
    from retrieval.embeddings import E5Embeddings

    embeddings = E5Embeddings()
    examples = load_examples()
    vectors = embeddings.embed_queries([e.text for e in examples]).astype(np.float16)
    np.savez_compressed(VECTORS_FILE, vectors=vectors, digest=np.array(digest(examples, embeddings.identity)))
    return VECTORS_FILE


if __name__ == "__main__":
    print(f"wrote {rebuild()}")
