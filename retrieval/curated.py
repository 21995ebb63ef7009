"""Curated answers: an operator's improved answer to a buyer's question, preferred over the
policy text for the same question asked another way, until it is withdrawn.

Each curated answer is a chunk in its own collection (``kefu_curated``), embedded by its
question; a new question matches it when the two questions are close enough (question to
question, not question to answer), and the answer cites the operator and the date.
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.documents import Chunk, detect_language
from retrieval.index import KnowledgeIndex

CURATED_COLLECTION = "kefu_curated"
# How close a new question must be to the annotated one (the default multilingual embedding,
# stored question against asked question), measured on 4 questions: paraphrases, also across
# languages, 0.817–0.891; other questions 0.71–0.806, except those differing in one entity or
# word ("ship to Japan?" against "ship to Canada?" 0.857, 退货要多少天 against 退款多久到账 0.839),
# which match: docs/operators.md.
MATCH = 0.81


@dataclass(frozen=True)
class CuratedAnswer:
    annotation_id: int
    question: str
    answer: str
    operator: str
    date: str
    score: float

    @property
    def citation_source(self) -> str:
        return f"curated:{self.annotation_id}"


class CuratedAnswers:
    def __init__(self, index: KnowledgeIndex) -> None:
        self.index = index

    def add(self, annotation_id: int, question: str, answer: str, operator: str, date: str) -> None:
        # The text is the question (what a new question is compared with); the answer rides along.
        chunk = Chunk(source=f"curated:{annotation_id}", section="", text=question,
                      metadata={"doc_type": "curated", "answer": answer, "operator": operator, "date": date,
                                "annotation_id": annotation_id, "language": detect_language(question)})  # fmt: skip
        self.index.sync_source(f"curated:{annotation_id}", [chunk])

    def withdraw(self, annotation_id: int) -> bool:
        return self.index.remove_source(f"curated:{annotation_id}") > 0

    def match(self, question: str) -> CuratedAnswer | None:
        """The curated answer whose question this one asks again, if any."""
        if self.index.count() == 0:
            return None
        hits = self.index.query(question, k=1)
        if not hits or hits[0].score < MATCH:
            return None
        hit = hits[0]
        meta = self.index.metadata(hit.chunk_id)
        return CuratedAnswer(int(meta["annotation_id"]), hit.text, str(meta["answer"]), str(meta["operator"]), str(meta["date"]), hit.score)
