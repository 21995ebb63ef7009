"""The HTTP API: chat (JSON and server-sent events), sessions, feedback, the operator's handoff
queue and tools, health, readiness, metrics, the widget script, the Gradio UI, platform bridges.

Every error is a JSON body ``{"error": {"code", "message"}}`` with a 4xx status for bad input;
nothing sends a traceback to a client.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Annotated

from fastapi import Body, Depends, FastAPI, Header, HTTPException, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from pydantic import BaseModel, Field
from sqlmodel import select
from sse_starlette import EventSourceResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.annotations import AnnotationError
from bot.assistant import ForeignSession, InvalidMessage
from bot.reply import Reply
from kefu.principal import ANONYMOUS, OPERATOR, Principal
from knowledge.orders.db import UNAVAILABLE_ERRORS
from knowledge.orders.db import session as open_session
from knowledge.kefu_tables import Conversation, ConversationTurn, Feedback
from serving.channels import bridges as platform_bridges
from serving.channels import deliverers
from serving.channels.base import ApiChannel
from serving.errors import error_body
from serving.identity import SESSION_KEY_HEADER, InvalidToken, operator_key_matches, signing_key, verify_token
from serving.limits import RateLimiter
from serving.operators.analytics import report
from serving.operators.exports import KINDS as EXPORT_KINDS
from serving.operators.exports import export
from serving.operators.handoffs import OperatorDesk
from serving.runtime import Runtime
from serving.session_access import InvalidSessionId, SessionAccess, SessionRefused

log = logging.getLogger(__name__)

UI_PATH = "/ui"
CONSOLE_PATH = "/console"
WIDGET_JS = Path(__file__).resolve().parent.parent / "ui" / "widget" / "widget.js"
# Comments on an idle stream, so proxies and browsers do not close it while a slow model thinks.
SSE_PING_S = 15
# How long a client should wait before retrying when the database is busy or unreachable.
DATABASE_RETRY_AFTER_S = 2


class ChatRequest(BaseModel):
    message: str = Field(min_length=1, description="The user's message.")
    session_id: str | None = Field(
        default=None, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$",
        description="Continue this conversation (an id the server issued; without a token, send its X-Kefu-Session-Key too).",
    )
    stream: bool = Field(default=False, description="Answer as server-sent events (as /v1/chat/stream).")


# Row ids are 64-bit in PostgreSQL and SQLite: a larger integer is refused as invalid (422), not
# passed to the database driver (which raised OverflowError: a 500, found by schemathesis).
MAX_ID = 2**63 - 1


class FeedbackRequest(BaseModel):
    session_id: str = Field(max_length=128)
    rating: str = Field(pattern="^(up|down)$")
    turn_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    comment: str = Field(default="", max_length=2000)


class AnnotationRequest(BaseModel):
    turn_id: int = Field(ge=1, le=MAX_ID)
    rating: str = Field(pattern="^(good|bad)$")
    improved_answer: str = Field(default="", max_length=4000)


class OperatorReply(BaseModel):
    message: str = Field(min_length=1, max_length=4000)


def sse(event: dict) -> dict:
    return {"event": event["type"], "data": json.dumps(event, ensure_ascii=False)}


def create_app(runtime: Runtime, mount_ui: bool = True) -> FastAPI:
    settings = runtime.settings
    app = FastAPI(
        title="kefu",
        version="0.1.0",
        description="Self-hosted customer-service assistant: cited policy answers, safe order tools.",
    )
    app.state.runtime = runtime
    registry = CollectorRegistry()
    requests_total = Counter("kefu_chat_requests_total", "Chat turns", ["channel", "degraded", "intent"], registry=registry)
    latency = Histogram("kefu_chat_seconds", "Chat turn latency", ["channel"], registry=registry)
    limiter = RateLimiter(settings.rate_limit_per_minute, redis_url=settings.redis_url)
    # Session keys are signed with KEFU_SECRET_KEY, shared by every replica; without it, with a key
    # of this process's own (fine for one process: the demo).
    session_secret = signing_key(settings)  # KEFU_SECRET_KEY, else the demo key in KEFU_HOME (serving.identity)
    bridges = platform_bridges(runtime, limiter)
    desk = OperatorDesk(runtime.assistant.store, deliverers(bridges))
    access = SessionAccess(runtime.assistant.store, session_secret, reserved_prefixes=tuple(f"{bridge.name}:" for bridge in bridges))
    if settings.widget_origins:
        from fastapi.middleware.cors import CORSMiddleware

        # The widget runs on the shop's own domain; it sends no cookies, only a bearer token.
        app.add_middleware(CORSMiddleware, allow_origins=settings.widget_origins, allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "Content-Type", SESSION_KEY_HEADER],
                           expose_headers=[SESSION_KEY_HEADER], allow_credentials=False)  # fmt: skip

    # ---- errors: JSON bodies, never tracebacks

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        sent = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if sent and sent != "application/json" and not sent.endswith("+json") and any(e.get("loc", ("",))[0] == "body" for e in errors):
            return JSONResponse(status_code=415, content=error_body("unsupported_media_type", f"send the body as application/json (got {sent})"))
        if any(e.get("type") == "json_invalid" for e in errors):
            return JSONResponse(status_code=400, content=error_body("malformed_json", "request body is not valid JSON"))
        problems = [
            {"field": ".".join(str(p) for p in e.get("loc", ()) if p != "body"), "problem": e.get("msg", "")}
            for e in errors
        ]
        message = "; ".join(f"{p['field'] or 'body'}: {p['problem']}" for p in problems)
        return JSONResponse(status_code=422, content=error_body("invalid_request", message, details=problems))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed", 413: "too_large", 422: "invalid_request",
                 429: "rate_limited"}
        return JSONResponse(status_code=exc.status_code, content=error_body(codes.get(exc.status_code, "http_error"), str(exc.detail)),
                            headers=getattr(exc, "headers", None))  # fmt: skip

    @app.exception_handler(InvalidMessage)
    async def _invalid_message(request: Request, exc: InvalidMessage) -> JSONResponse:
        return JSONResponse(status_code=422, content=error_body("invalid_message", str(exc)))

    @app.exception_handler(ForeignSession)
    async def _foreign_session(request: Request, exc: ForeignSession) -> JSONResponse:
        return JSONResponse(status_code=404, content=error_body("not_found", "no such session"))

    @app.exception_handler(SessionRefused)
    async def _session_refused(request: Request, exc: SessionRefused) -> JSONResponse:
        return JSONResponse(status_code=404, content=error_body("not_found", str(exc)))

    @app.exception_handler(InvalidSessionId)
    async def _invalid_session_id(request: Request, exc: InvalidSessionId) -> JSONResponse:
        return JSONResponse(status_code=422, content=error_body("invalid_request", str(exc)))

    for database_error in UNAVAILABLE_ERRORS:

        @app.exception_handler(database_error)
        async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
            # Busy (SQLite's lock after its retries) or unreachable (PostgreSQL down): nothing was
            # half-written (each unit of work is one transaction), so the client may simply retry.
            log.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc.__class__.__name__)
            return JSONResponse(status_code=503, headers={"Retry-After": str(DATABASE_RETRY_AFTER_S)},
                                content=error_body("database_unavailable", "the database is busy or unreachable; retry in a few seconds",
                                                   retry_after_s=DATABASE_RETRY_AFTER_S))  # fmt: skip

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse(status_code=500, content=error_body("internal_error", "internal error; see the server log"))

    @app.middleware("http")
    async def _limit_body(request: Request, call_next):
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > settings.max_request_bytes:
            return JSONResponse(status_code=413, content=error_body("too_large", f"request body over {settings.max_request_bytes} bytes"))
        return await call_next(request)

    # ---- identity

    def caller(authorization: str | None = Header(default=None)) -> Principal:
        """Anonymous without a header; a verified token's principal; an operator for an operator key."""
        if not authorization:
            return ANONYMOUS
        scheme, _, credential = authorization.partition(" ")
        credential = credential.strip()
        if scheme.lower() != "bearer" or not credential:
            raise HTTPException(status_code=401, detail="use Authorization: Bearer TOKEN")
        if operator_key_matches(credential, settings.operator_key_hashes):
            return OPERATOR
        try:
            return verify_token(session_secret, credential)
        except InvalidToken as exc:
            raise HTTPException(status_code=401, detail=str(exc)) from None

    def operator(principal: Principal = Depends(caller)) -> Principal:
        if principal.kind != "operator":
            raise HTTPException(status_code=401 if principal.kind == "anonymous" else 403, detail="operator credentials required")
        return principal

    def rate_limited(request: Request, principal: Principal = Depends(caller)) -> Principal:
        client = request.client.host if request.client else "unknown"
        for key in {f"ip:{client}", f"principal:{principal}"} - {"principal:anonymous"}:
            if not limiter.allow(key):
                raise HTTPException(status_code=429, detail="too many requests; try again in a minute", headers={"Retry-After": "60"})
        return principal

    # ---- chat

    SessionKey = Header(default=None, alias=SESSION_KEY_HEADER, description="The key of a conversation begun without a token.")

    @app.post("/v1/chat", response_model=Reply, tags=["chat"], responses={200: {"content": {"text/event-stream": {}}}})
    def chat(request: ChatRequest, response: Response, principal: Principal = Depends(rate_limited), key: str | None = SessionKey):
        # A plain def: FastAPI runs it in a worker thread, so a slow model never blocks the loop.
        if request.stream:
            return chat_stream(request, principal, key)
        access.check(request.session_id, principal, key)
        started = time.perf_counter()
        reply = runtime.assistant.respond(request.message, session_id=request.session_id, principal=principal.named())
        latency.labels(ApiChannel.name).observe(time.perf_counter() - started)
        requests_total.labels(ApiChannel.name, str(reply.degraded).lower(), reply.intent).inc()
        response.headers.update(_session_key_header(reply.session_id, principal))
        return reply

    def _session_key_header(session_id: str, principal: Principal) -> dict[str, str]:
        """A caller without an identity gets the key that continues its conversation and reads it back."""
        return {SESSION_KEY_HEADER: access.key_for(session_id)} if principal.kind == "anonymous" else {}

    @app.post("/v1/chat/stream", tags=["chat"], response_class=EventSourceResponse)
    def chat_stream(request: ChatRequest, principal: Principal = Depends(rate_limited), key: str | None = SessionKey) -> EventSourceResponse:
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
                    requests_total.labels("stream", str(reply["degraded"]).lower(), reply["intent"]).inc()
                    if principal.kind == "anonymous":
                        yield sse({"type": "session", "session_id": session_id, "session_key": access.key_for(session_id)})
                yield sse(event)

        headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no", **_session_key_header(session_id, principal)}
        # LF line ends, as before sse-starlette (its default is CRLF): clients split on "\n\n".
        return EventSourceResponse(body(), headers=headers, ping=SSE_PING_S, sep="\n")

    @app.get("/v1/sessions/{session_id}", tags=["chat"])
    def get_session(session_id: str, principal: Principal = Depends(caller), key: str | None = SessionKey) -> dict:
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

    @app.post("/v1/feedback", tags=["chat"], status_code=201)
    def feedback(request: FeedbackRequest, principal: Principal = Depends(rate_limited), key: str | None = SessionKey) -> dict:
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

    # ---- operators

    @app.get("/v1/handoffs", tags=["operators"], dependencies=[Depends(operator)])
    def handoff_queue() -> list[dict]:
        return runtime.assistant.store.handoff_queue()

    @app.post("/v1/handoffs/{session_id}/reply", tags=["operators"], dependencies=[Depends(operator)])
    def operator_reply(session_id: str, request: OperatorReply) -> dict:
        """Take over the conversation; the message also goes to its Slack thread or WeCom chat
        (``delivered_to``; ``delivery_error`` when the platform refused it: it is stored anyway)."""
        outcome = desk.reply(session_id, request.message)
        if outcome is None:
            raise HTTPException(status_code=404, detail="no such session in the handoff queue")
        return outcome

    @app.post("/v1/handoffs/{session_id}/release", tags=["operators"], dependencies=[Depends(operator)])
    def release(session_id: str) -> dict:
        if not desk.release(session_id):
            raise HTTPException(status_code=404, detail="no such session in the handoff queue")
        return {"session_id": session_id, "status": "released"}

    @app.post("/v1/tools/{name}", tags=["operators"], dependencies=[Depends(operator)])
    def call_tool(name: str, arguments: dict = Body(default_factory=dict)) -> dict:
        """Run an order tool as the operator (no confirmation step; audited as "direct")."""
        from bot.tools.session import TOOLS, open_session_for

        if name not in TOOLS:
            raise HTTPException(status_code=404, detail=f"unknown tool {name!r}")
        tools = open_session_for(settings.resolved_database_url, OPERATOR, confirm_writes=False, tau2_parity=settings.tau2_parity,
                                 excluded_countries=settings.shipping_excluded_countries)
        return tools.call(name, arguments).as_dict()

    # ---- the operator loop: annotations, analytics, exports

    def operator_name(name: str | None = Header(default=None, alias="X-Kefu-Operator")) -> str:
        return f"operator:{(name or 'operator').strip()[:64]}"

    @app.post("/v1/annotations", tags=["operators"], status_code=201, dependencies=[Depends(operator)])
    def annotate(request: AnnotationRequest, who: str = Depends(operator_name)) -> dict:
        """Mark a reply good or bad; an improved answer is given from now on to the same question asked another way."""
        try:
            return runtime.annotations.annotate(request.turn_id, who, request.rating, request.improved_answer)
        except AnnotationError as exc:
            raise HTTPException(status_code=404, detail=str(exc)) from None

    @app.post("/v1/annotations/{annotation_id}/withdraw", tags=["operators"], dependencies=[Depends(operator)])
    def withdraw_annotation(annotation_id: Annotated[int, PathParam(ge=1, le=MAX_ID)], who: str = Depends(operator_name)) -> dict:
        try:
            return runtime.annotations.withdraw(annotation_id, who)
        except AnnotationError as exc:
            raise HTTPException(status_code=404, detail=str(exc)) from None

    @app.get("/v1/annotations", tags=["operators"], dependencies=[Depends(operator)])
    def annotations() -> list[dict]:
        return runtime.annotations.list()

    @app.get("/v1/report", tags=["operators"], dependencies=[Depends(operator)])
    def analytics_report(since: date | None = None, until: date | None = None) -> dict:
        """The figures of `kefu report` (docs/operators.md)."""
        return report(settings.resolved_database_url, since, until)

    @app.get("/v1/export/{kind}", tags=["operators"], dependencies=[Depends(operator)])
    def export_rows(kind: str, since: date | None = None, unmasked: bool = False, authorization: str | None = Header(default=None)) -> Response:
        """JSON Lines, personal data masked unless the operator key has the export right (KEFU_EXPORT_KEY_HASHES)."""
        if kind not in EXPORT_KINDS:
            raise HTTPException(status_code=404, detail=f"export kinds: {', '.join(EXPORT_KINDS)}")
        key = (authorization or "").partition(" ")[2].strip()
        if unmasked and not operator_key_matches(key, settings.export_key_hashes):
            raise HTTPException(status_code=403, detail="unmasked exports need an operator key with the export right")
        lines = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in export(settings.resolved_database_url, kind, since, masked=not unmasked))
        return Response(lines, media_type="application/x-ndjson")

    # ---- operations

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict:
        return {"status": "ok"}

    @app.get("/readyz", tags=["ops"])
    def readyz() -> JSONResponse:
        """Ready means the app answers at speed. ``answers``: model (it drafts), quoted (it is up
        but failed, or has not yet passed, its capability check: policy answers are quoted at once),
        degraded (down or absent); ``model.capability`` is the check's result and what it means.
        While the knowledge base's sentences are embedded at start (KEFU_WARM_SENTENCES, seconds):
        503 with ``status`` "warming", so a load balancer sends a replica no traffic until then
        (`kefu bench load`: p95 1.5 s → 2.4 s with traffic during the warm-up)."""
        warming = runtime.warmup is not None and runtime.warmup.started and not runtime.warmup.done.is_set()
        body = {
            "status": "warming" if warming else "ready",
            "answers": runtime.model.answers(),
            "model": runtime.model.status(),
            "knowledge": {"chunks": runtime.index.count(),
                          **({"sentences_warmed": runtime.warmup.status()} if runtime.warmup is not None else {})},  # fmt: skip
        }
        return JSONResponse(status_code=503 if warming else 200, content=body)

    @app.get("/metrics", tags=["ops"], include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    @app.get("/widget.js", tags=["widget"], include_in_schema=False)
    def widget_js() -> FileResponse:
        if not WIDGET_JS.exists():
            raise HTTPException(status_code=404, detail="widget not built")
        return FileResponse(WIDGET_JS, media_type="application/javascript")

    for bridge in bridges:
        app.include_router(bridge.router())

    if mount_ui:
        import gradio as gr

        from ui.chat import build_chat_ui

        from serving.console import RuntimeConsoleBackend
        from ui.console import build_console

        app = gr.mount_gradio_app(app, build_chat_ui(runtime.assistant.respond), path=UI_PATH)
        if settings.operator_key_hashes:
            # Any user name; the password is an operator API key.
            auth = lambda _user, key: operator_key_matches(key, settings.operator_key_hashes)  # noqa: E731
            app = gr.mount_gradio_app(app, build_console(RuntimeConsoleBackend(runtime, desk)), path=CONSOLE_PATH, auth=auth)
        elif settings.host in ("127.0.0.1", "localhost", "::1"):
            log.warning("operator console at %s without a login: no KEFU_OPERATOR_KEY_HASHES, loopback only", CONSOLE_PATH)
            app = gr.mount_gradio_app(app, build_console(RuntimeConsoleBackend(runtime, desk)), path=CONSOLE_PATH)
    return app
