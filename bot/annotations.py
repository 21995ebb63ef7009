"""Operators annotate replies: good or bad, and the answer it should have been. An improved
answer becomes a curated answer (retrieval.curated) that the assistant gives, citing the
operator and the date, to the same question asked another way; withdrawing it restores what the
assistant said before. Every change is in the audit log (who, what, when)."""

from __future__ import annotations

from sqlmodel import select

from knowledge.documents import detect_language
from knowledge.orders.db import session as open_session
from knowledge.kefu_tables import Annotation, AuditEntry, ConversationTurn
from knowledge.orders.models import utcnow
from retrieval.curated import CuratedAnswers


class AnnotationError(ValueError):
    """An annotation that cannot be made; the message says why."""


class Annotations:
    def __init__(self, db_url: str, curated: CuratedAnswers) -> None:
        self.db_url = db_url
        self.curated = curated

    def annotate(self, turn_id: int, operator: str, rating: str, improved_answer: str = "") -> dict:
        if rating not in ("good", "bad"):
            raise AnnotationError("rating must be good or bad")
        with open_session(self.db_url) as db:
            turn = db.get(ConversationTurn, turn_id)
            if turn is None or turn.role != "assistant":
                raise AnnotationError(f"no assistant reply {turn_id}")
            question = db.exec(select(ConversationTurn.text).where(ConversationTurn.session_id == turn.session_id, ConversationTurn.id < turn_id,
                                                                   ConversationTurn.role == "user").order_by(ConversationTurn.id.desc())).first()  # fmt: skip
            if question is None:
                raise AnnotationError(f"reply {turn_id} answers no message")
            row = Annotation(session_id=turn.session_id, turn_id=turn_id, operator=operator, rating=rating, question=question,
                             improved_answer=improved_answer.strip(), language=detect_language(question))  # fmt: skip
            db.add(row)
            db.flush()
            db.add(AuditEntry(principal=operator, tool="annotate", ok=True, confirmed_by="direct",
                              arguments={"annotation_id": row.id, "turn_id": turn_id, "rating": rating, "improved": bool(row.improved_answer)}))  # fmt: skip
            db.commit()
            record = _record(row)
        if row.improved_answer:
            self.curated.add(row.id, question, row.improved_answer, operator, row.created_at.date().isoformat())
        return record

    def withdraw(self, annotation_id: int, operator: str) -> dict:
        with open_session(self.db_url) as db:
            row = db.get(Annotation, annotation_id)
            if row is None or row.withdrawn_at is not None:
                raise AnnotationError(f"no active annotation {annotation_id}")
            row.withdrawn_at, row.withdrawn_by = utcnow(), operator
            db.add(row)
            db.add(AuditEntry(principal=operator, tool="withdraw_annotation", arguments={"annotation_id": annotation_id}, ok=True, confirmed_by="direct"))
            db.commit()
            record = _record(row)
        self.curated.withdraw(annotation_id)
        return record

    def list(self, include_withdrawn: bool = True) -> list[dict]:
        with open_session(self.db_url) as db:
            query = select(Annotation).order_by(Annotation.id)
            if not include_withdrawn:
                query = query.where(Annotation.withdrawn_at.is_(None))
            return [_record(a) for a in db.exec(query)]


def _record(row: Annotation) -> dict:
    return {"id": row.id, "session_id": row.session_id, "turn_id": row.turn_id, "operator": row.operator, "rating": row.rating,
            "question": row.question, "improved_answer": row.improved_answer, "language": row.language,
            "created_at": row.created_at.isoformat(), "withdrawn_at": row.withdrawn_at.isoformat() if row.withdrawn_at else None,
            "withdrawn_by": row.withdrawn_by}  # fmt: skip
