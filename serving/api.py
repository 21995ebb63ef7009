"""The HTTP API: `POST /v1/chat`, health and readiness, JSON errors, the Gradio UI mounted at /ui.

Every error is a JSON body ``{"error": {"code", "message"}}`` with a 4xx status for bad input;
nothing sends a traceback to a client.
"""

from __future__ import annotations

import logging

import hashlib
import hmac

from fastapi import Body, Depends, FastAPI, Header, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.assistant import InvalidMessage
from bot.reply import Reply
from serving.runtime import Runtime

log = logging.getLogger(__name__)

UI_PATH = "/ui"


class ChatRequest(BaseModel):
    message: str = Field(min_length=1, description="The user's message.")
    session_id: str | None = Field(
        default=None, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$", description="Continue this conversation."
    )


def error_body(code: str, message: str, **extra) -> dict:
    return {"error": {"code": code, "message": message, **extra}}


def operator_key_matches(key: str, hashes: list[str]) -> bool:
    digest = hashlib.sha256(key.encode()).hexdigest()
    # Compare against every stored hash in constant time; keys are never stored in clear.
    return any(hmac.compare_digest(digest, stored.strip().lower()) for stored in hashes)


def create_app(runtime: Runtime, mount_ui: bool = True) -> FastAPI:
    app = FastAPI(
        title="kefu",
        version="0.1.0",
        description="Self-hosted customer-service assistant: cited policy answers, safe order tools.",
    )
    app.state.runtime = runtime

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
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
        code = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return JSONResponse(status_code=exc.status_code, content=error_body(code, str(exc.detail)))

    @app.exception_handler(InvalidMessage)
    async def _invalid_message(request: Request, exc: InvalidMessage) -> JSONResponse:
        return JSONResponse(status_code=422, content=error_body("invalid_message", str(exc)))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse(status_code=500, content=error_body("internal_error", "internal error; see the server log"))

    @app.post("/v1/chat", response_model=Reply, tags=["chat"])
    def chat(request: ChatRequest) -> Reply:
        # A plain def: FastAPI runs it in a worker thread, so a slow model never blocks the loop.
        return runtime.assistant.respond(request.message, session_id=request.session_id)

    def require_operator(authorization: str | None = Header(default=None)) -> None:
        scheme, _, key = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not key:
            raise HTTPException(status_code=401, detail="operator API key required: Authorization: Bearer KEY")
        if not operator_key_matches(key.strip(), runtime.settings.operator_key_hashes):
            raise HTTPException(status_code=403, detail="invalid operator API key")

    @app.post("/v1/tools/{name}", tags=["operators"], dependencies=[Depends(require_operator)])
    def call_tool(name: str, arguments: dict = Body(default_factory=dict)) -> dict:
        """Run an order tool as the operator (no confirmation step; audited as "direct")."""
        from bot.tools.principal import OPERATOR
        from bot.tools.session import TOOLS, open_session_for

        if name not in TOOLS:
            raise HTTPException(status_code=404, detail=f"unknown tool {name!r}")
        tools = open_session_for(runtime.settings.resolved_database_url, OPERATOR, confirm_writes=False,
                                 tau2_parity=runtime.settings.tau2_parity)  # fmt: skip
        return tools.call(name, arguments).as_dict()

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict:
        return {"status": "ok"}

    @app.get("/readyz", tags=["ops"])
    def readyz() -> dict:
        """Ready means the app answers; the model's own state says whether answers are degraded."""
        model = runtime.model.status()
        return {
            "status": "ready",
            "answers": "model" if runtime.model.ready() else "degraded",
            "model": model,
            "knowledge": {"chunks": runtime.index.count()},
        }

    if mount_ui:
        import gradio as gr

        from ui.chat import build_chat_ui

        app = gr.mount_gradio_app(app, build_chat_ui(runtime.assistant.respond), path=UI_PATH)
    return app
