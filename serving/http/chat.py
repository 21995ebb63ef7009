"""The chat routes: ``POST /v1/chat`` (JSON, or server-sent events with ``stream``),
``POST /v1/chat/stream``, ``GET /v1/sessions/{id}`` and ``POST /v1/feedback``. Who may use which
conversation is ``SessionAccess``'s (``kefu.principal``'s rule); the turn is the assistant's."""

from __future__ import annotations

import json
import time
import uuid

from fastapi import APIRouter, Depends, Header, HTTPException, Response
from pydantic import BaseModel, Field
from sqlmodel import select
from sse_starlette import EventSourceResponse

from bot.reply import Reply
from kefu.principal import Principal
from knowledge.kefu_tables import Conversation, ConversationTurn, Feedback
from knowledge.orders.db import session as open_session
from serving.channels.base import ApiChannel
from serving.http.context import ApiContext
from serving.identity import SESSION_KEY_HEADER
from serving.session_access import InvalidSessionId, SessionRefused

# Comments on an idle stream, so proxies and browsers do not close it while a slow model thinks.
SSE_PING_S = 15
# Row ids are 64-bit in PostgreSQL and SQLite: a larger integer is refused as invalid (422), not
# passed to the database driver (which raised OverflowError: a 500, found by schemathesis).
MAX_ID = 2**63 - 1


class ChatRequest(BaseModel):
    message: str = Field(min_length=1, description="The user's message.")
    session_id: str | None = Field(
        default=None, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$",
        description="Continue this conversation (an id the server issued; without a token, send its X-Kefu-Session-Key too).",
    )
    stream: bool = Field(default=False, description="Answer as server-sent events (as /v1/chat/stream).")


class FeedbackRequest(BaseModel):
    session_id: str = Field(max_length=128)
    rating: str = Field(pattern="^(up|down)$")
    turn_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    comment: str = Field(default="", max_length=2000)


def sse(event: dict) -> dict:
    return {"event": event["type"], "data": json.dumps(event, ensure_ascii=False)}


def chat_router(ctx: ApiContext) -> APIRouter:
    router = APIRouter()
    runtime, settings, access = ctx.runtime, ctx.settings, ctx.access
    SessionKey = Header(default=None, alias=SESSION_KEY_HEADER, description="The key of a conversation begun without a token.")

    def session_key_header(session_id: str, principal: Principal) -> dict[str, str]:
        """A caller without an identity gets the key that continues its conversation and reads it back."""
        return {SESSION_KEY_HEADER: access.key_for(session_id)} if principal.kind == "anonymous" else {}

    @router.post("/v1/chat", response_model=Reply, tags=["chat"], responses={200: {"content": {"text/event-stream": {}}}})
    def chat(request: ChatRequest, response: Response, principal: Principal = Depends(ctx.rate_limited), key: str | None = SessionKey):
        # A plain def: FastAPI runs it in a worker thread, so a slow model never blocks the loop.
        if request.stream:
            return chat_stream(request, principal, key)
        access.check(request.session_id, principal, key)
        started = time.perf_counter()
        reply = runtime.assistant.respond(request.message, session_id=request.session_id, principal=principal.named())
        ctx.latency.labels(ApiChannel.name).observe(time.perf_counter() - started)
        ctx.requests_total.labels(ApiChannel.name, str(reply.degraded).lower(), reply.intent).inc()
        response.headers.update(session_key_header(reply.session_id, principal))
        return reply

    @router.post("/v1/chat/stream", tags=["chat"], response_class=EventSourceResponse)
    def chat_stream(request: ChatRequest, principal: Principal = Depends(ctx.rate_limited), key: str | None = SessionKey) -> EventSourceResponse:
        """Server-sent events: status, tool, token, citation, handoff, session (a caller without a
        token: the conversation's key, new after a verification), done (the whole Reply)."""
        access.check(request.session_id, principal, key)
        # The server issues the id before the first event.
        session_id = request.session_id or uuid.uuid4().hex
        events = runtime.assistant.stream(request.message, session_id=session_id, principal=principal.named())

        def body():
            # A client that goes away ends this generator; the turn itself runs to the end and is
            # stored (the assistant runs it in its own thread), so the next poll finds it.
            for event in events:
                if event["type"] == "done":
                    reply = event["reply"]
                    ctx.requests_total.labels("stream", str(reply["degraded"]).lower(), reply["intent"]).inc()
                    if principal.kind == "anonymous":
                        yield sse({"type": "session", "session_id": session_id, "session_key": access.key_for(session_id)})
                yield sse(event)

        headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no", **session_key_header(session_id, principal)}
        # LF line ends, as before sse-starlette (its default is CRLF): clients split on "\n\n".
        return EventSourceResponse(body(), headers=headers, ping=SSE_PING_S, sep="\n")

    @router.get("/v1/sessions/{session_id}", tags=["chat"])
    def get_session(session_id: str, principal: Principal = Depends(ctx.caller), key: str | None = SessionKey) -> dict:
        """A conversation's turns: for its own (non-anonymous) principal, an operator, or a caller
        with the session's key (``X-Kefu-Session-Key``, from the chat responses of an anonymous caller)."""
        try:
            access.check(session_id, principal, key)
        except (SessionRefused, InvalidSessionId):
            raise HTTPException(status_code=404, detail="no such session") from None
        with open_session(settings.resolved_database_url) as db:
            conversation = db.get(Conversation, session_id)
            turns = db.exec(select(ConversationTurn).where(ConversationTurn.session_id == session_id).order_by(ConversationTurn.id)).all()
        return {
            "session_id": session_id,
            "principal": conversation.principal,
            "handoff": {"status": conversation.handoff_status, "reason": conversation.handoff_reason, "summary": conversation.handoff_summary},
            "turns": [{"id": t.id, "role": t.role, "text": t.text, "at": t.at.isoformat(), "reply": t.reply} for t in turns],
        }

    @router.post("/v1/feedback", tags=["chat"], status_code=201)
    def feedback(request: FeedbackRequest, principal: Principal = Depends(ctx.rate_limited), key: str | None = SessionKey) -> dict:
        """Rate a reply: for whoever may continue the conversation (its identity, or, for one begun
        without a token, the holder of its key), within the same rate limit as chat."""
        access.check(request.session_id, principal, key)
        runtime.assistant.check_session(request.session_id, ApiChannel.name, principal.named())
        with open_session(settings.resolved_database_url) as db:
            turn = db.get(ConversationTurn, request.turn_id) if request.turn_id is not None else None
            if request.turn_id is not None and (turn is None or turn.session_id != request.session_id or turn.role != "assistant"):
                raise HTTPException(status_code=404, detail="no such reply in this session")
            row = Feedback(session_id=request.session_id, turn_id=request.turn_id, rating=request.rating, comment=request.comment)
            db.add(row)
            db.commit()
            return {"id": row.id, "session_id": row.session_id, "rating": row.rating}

    return router
