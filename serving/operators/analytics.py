"""What the operators' analytics count, from the stored conversations (docs/operators.md defines
each figure). One home for the numbers: `kefu report` prints them, the console charts them.

- A conversation is **resolved** when its last answer (the last bot turn that is not small talk:
  a "thanks, bye" after an answer does not undo it) answered from knowledge or a tool (outcome
  ``answered``, ``info`` or ``done``: not a "could not find", a fallback, a refusal or a task left
  half-way), it was never handed to a human, and no thumbs-down rated that answer or a later one
  (or the whole conversation). Every other conversation is **unresolved**, for one reason
  (``UNRESOLVED_REASONS``, the first that applies).
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

from kefu.principal import Principal
from knowledge.orders.db import session as open_session
from knowledge.kefu_tables import Conversation, ConversationTurn, Feedback


# What the last answer did (bot.reply.OUTCOMES) → resolved, or why not. Replies stored before
# outcomes existed fall back on their fallback reason.
RESOLVING = frozenset({"answered", "info", "done"})
CLOSING = frozenset({"small_talk"})  # greetings, thanks, goodbyes: skipped when finding the last answer
UNRESOLVED_REASONS = {
    "handoff": "handed to a human",
    "rated_down": "its last answer (or the conversation) was rated down",
    "not_found": "could not find it: not in the knowledge base, no such order or product",
    "refused": "the change asked for was refused (not possible under the rules)",
    "fallback": "the bot did not understand, or answered with a fallback",
    "unfinished": "left half-way: the bot was asking, verifying or waiting for a yes",
    "no_answer": "no answer: no reply, or only small talk",
}
_REASON_OF_OUTCOME = {"not_found": "not_found", "refused": "refused", "clarify": "fallback", "declined": "unfinished",
                      "asked": "unfinished", "proposed": "unfinished", "verify": "unfinished", "verified": "unfinished",
                      "handoff": "handoff"}  # fmt: skip


def unresolved_reason(answers: list[ConversationTurn], down: list[Feedback], handed: bool) -> str | None:
    """None when the conversation is resolved, else why not (a key of ``UNRESOLVED_REASONS``).
    ``answers`` are its assistant turns in order, ``down`` its thumbs-down ratings."""
    if handed:
        return "handoff"
    last = next((t for t in reversed(answers) if (t.reply or {}).get("outcome") not in CLOSING), None)
    if last is None:
        return "no_answer"
    if any(f.turn_id is None or f.turn_id >= last.id for f in down):
        return "rated_down"
    outcome = last.reply.get("outcome")
    if outcome is None:  # stored before outcomes: a template for a knowledge gap is "not found"
        reason = last.reply.get("fallback_reason")
        return "not_found" if reason == "no_relevant_knowledge" else "fallback" if reason and reason.startswith(("agent_", "draft_")) else None
    return None if outcome in RESOLVING else _REASON_OF_OUTCOME.get(outcome, "fallback")


def _percentile(values: list[float], q: float) -> float | None:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1) if ordered else None


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _since(day: date | None) -> datetime | None:
    return datetime.combine(day, time.min, tzinfo=timezone.utc) if day else None


def report(db_url: str, since: date | None = None, until: date | None = None) -> dict:
    with open_session(db_url) as db:
        query = select(Conversation).order_by(Conversation.created_at, Conversation.session_id)
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
    down: dict[str, list[Feedback]] = defaultdict(list)
    for rating in ratings:
        if rating.rating == "down":
            down[rating.session_id].append(rating)
    groups: dict[str, dict[str, Counter]] = {"day": defaultdict(Counter), "channel": defaultdict(Counter), "shop": defaultdict(Counter)}
    reasons, deflected, unanswered, why_unresolved = Counter(), Counter(), Counter(), Counter()
    unresolved_list: list[dict] = []
    latencies: list[float] = []
    replies = degraded = resolved = handed = 0
    for conversation in conversations:
        own = by_session[conversation.session_id]
        answer_turns = [t for t in own if t.role == "assistant" and t.reply]
        answers = [t.reply for t in answer_turns]
        handoffs = [a["handoff"]["reason"] for a in answers if a.get("handoff")]
        was_handed = bool(handoffs) or conversation.handoff_status is not None
        reason = unresolved_reason(answer_turns, down[conversation.session_id], was_handed)
        is_resolved = reason is None
        resolved += is_resolved
        if reason:
            why_unresolved[reason] += 1
            last_question = next((t.text for t in reversed(own) if t.role == "user"), "")
            unresolved_list.append({"session_id": conversation.session_id, "reason": reason, "channel": conversation.channel,
                                    "day": conversation.created_at.date().isoformat(), "last_question": last_question})  # fmt: skip
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
        shop = Principal.stored(conversation.principal).shop_id or "-"
        for kind, key in (("day", conversation.created_at.date().isoformat()), ("channel", conversation.channel), ("shop", shop)):
            groups[kind][key].update(conversations=1, resolved=int(is_resolved), handoffs=int(was_handed),
                                     replies=len(answers), degraded=sum(bool(a.get("degraded")) for a in answers))  # fmt: skip
    up = sum(f.rating == "up" for f in ratings)
    return {
        "since": since.isoformat() if since else None, "until": until.isoformat() if until else None,
        "conversations": len(conversations), "resolved": resolved, "resolution_rate": _rate(resolved, len(conversations)),
        "unresolved_by_reason": dict(why_unresolved.most_common()),
        "unresolved_reasons": UNRESOLVED_REASONS,  # what each reason means, for whoever shows them
        # The latest 100 unresolved conversations, newest first, each with its reason and last question.
        "unresolved": unresolved_list[::-1][:100],
        "handoffs": handed, "handoff_rate": _rate(handed, len(conversations)), "handoff_reasons": dict(reasons.most_common()),
        "ratings": {"up": up, "down": len(ratings) - up}, "csat": _rate(up, len(ratings)),
        "deflected_by_intent": dict(deflected.most_common()),
        "unanswered": [{"question": q, "times": n} for q, n in unanswered.most_common(50)],
        "latency_ms": {"p50": _percentile(latencies, 0.5), "p95": _percentile(latencies, 0.95)},
        "replies": replies, "degraded_share": _rate(degraded, replies),
        **{f"by_{kind}": {key: {**dict(c), "resolution_rate": _rate(c["resolved"], c["conversations"])} for key, c in sorted(rows.items())}
           for kind, rows in groups.items()},
    }  # fmt: skip
