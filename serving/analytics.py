"""What the operators' analytics count, from the stored conversations (docs/operators.md defines
each figure). One home for the numbers: `kefu report` prints them, the console charts them.

- A conversation is **resolved** when the bot replied at least once, it was never handed to a
  human, and no reply in it was rated down.
- **Handoff rate**: conversations handed to a human; reasons as the handoff gave them.
- **CSAT**: ratings up / all ratings (None without ratings).
- **Deflected by intent**: replies in resolved conversations, by the intent they answered.
- **Unanswered**: questions no knowledge chunk answered (``no_relevant_knowledge``), counted:
  what to write knowledge for.
- **Latency**: p50 / p95 of the replies' total time; **degraded share**: replies without the model
  (quoted policy, templates) over all replies.
- Per day (the conversation's start), channel and shop (a merchant conversation's shop; every
  other conversation is the marketplace's, "-").
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, time, timezone

from sqlmodel import select

from knowledge.orders.db import session as open_session
from knowledge.orders.models import Conversation, ConversationTurn, Feedback


def _percentile(values: list[float], q: float) -> float | None:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1) if ordered else None


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _since(day: date | None) -> datetime | None:
    return datetime.combine(day, time.min, tzinfo=timezone.utc) if day else None


def report(db_url: str, since: date | None = None, until: date | None = None) -> dict:
    with open_session(db_url) as db:
        query = select(Conversation)
        if since:
            query = query.where(Conversation.created_at >= _since(since))
        if until:
            query = query.where(Conversation.created_at < _since(date.fromordinal(until.toordinal() + 1)))
        conversations = list(db.exec(query))
        ids = [c.session_id for c in conversations]
        turns = list(db.exec(select(ConversationTurn).where(ConversationTurn.session_id.in_(ids)).order_by(ConversationTurn.id))) if ids else []
        ratings = list(db.exec(select(Feedback).where(Feedback.session_id.in_(ids)))) if ids else []
    by_session: dict[str, list[ConversationTurn]] = defaultdict(list)
    for turn in turns:
        by_session[turn.session_id].append(turn)
    down = {f.session_id for f in ratings if f.rating == "down"}
    groups: dict[str, dict[str, Counter]] = {"day": defaultdict(Counter), "channel": defaultdict(Counter), "shop": defaultdict(Counter)}
    reasons, deflected, unanswered = Counter(), Counter(), Counter()
    latencies: list[float] = []
    replies = degraded = resolved = handed = 0
    for conversation in conversations:
        own = by_session[conversation.session_id]
        answers = [t.reply for t in own if t.role == "assistant" and t.reply]
        handoffs = [a["handoff"]["reason"] for a in answers if a.get("handoff")]
        was_handed = bool(handoffs) or conversation.handoff_status is not None
        is_resolved = bool(answers) and not was_handed and conversation.session_id not in down
        resolved += is_resolved
        handed += was_handed
        if was_handed:
            reasons[handoffs[0] if handoffs else conversation.handoff_reason or "unknown"] += 1
        previous_user = None
        for t in own:
            if t.role == "user":
                previous_user = t.text
            elif t.role == "assistant" and t.reply:
                replies += 1
                degraded += bool(t.reply.get("degraded"))
                if (total := (t.reply.get("timings_ms") or {}).get("total")) is not None:
                    latencies.append(float(total))
                if is_resolved:
                    deflected[t.reply.get("intent") or "question"] += 1
                if t.reply.get("fallback_reason") == "no_relevant_knowledge" and previous_user:
                    unanswered[previous_user.strip()] += 1
        shop = conversation.principal.split(":", 1)[1] if conversation.principal.startswith("merchant:") else "-"
        for kind, key in (("day", conversation.created_at.date().isoformat()), ("channel", conversation.channel), ("shop", shop)):
            groups[kind][key].update(conversations=1, resolved=int(is_resolved), handoffs=int(was_handed),
                                     replies=len(answers), degraded=sum(bool(a.get("degraded")) for a in answers))  # fmt: skip
    up = sum(f.rating == "up" for f in ratings)
    return {
        "since": since.isoformat() if since else None, "until": until.isoformat() if until else None,
        "conversations": len(conversations), "resolved": resolved, "resolution_rate": _rate(resolved, len(conversations)),
        "handoffs": handed, "handoff_rate": _rate(handed, len(conversations)), "handoff_reasons": dict(reasons.most_common()),
        "ratings": {"up": up, "down": len(ratings) - up}, "csat": _rate(up, len(ratings)),
        "deflected_by_intent": dict(deflected.most_common()),
        "unanswered": [{"question": q, "times": n} for q, n in unanswered.most_common(50)],
        "latency_ms": {"p50": _percentile(latencies, 0.5), "p95": _percentile(latencies, 0.95)},
        "replies": replies, "degraded_share": _rate(degraded, replies),
        **{f"by_{kind}": {key: {**dict(c), "resolution_rate": _rate(c["resolved"], c["conversations"])} for key, c in sorted(rows.items())}
           for kind, rows in groups.items()},
    }  # fmt: skip
