"""Errors as JSON bodies, never tracebacks: the exception handlers and the request-size limit of
the HTTP API. Bad input is a 4xx naming the problem; a busy or unreachable database a 503 with
``Retry-After``; anything unexpected a 500 whose details stay in the server log."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.assistant import ForeignSession, InvalidMessage
from kefu.settings import Settings
from knowledge.orders.db import UNAVAILABLE_ERRORS
from serving.errors import error_body
from serving.session_access import InvalidSessionId, SessionRefused

log = logging.getLogger("serving.api")

# How long a client should wait before retrying when the database is busy or unreachable.
DATABASE_RETRY_AFTER_S = 2
HTTP_CODES = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed", 413: "too_large", 422: "invalid_request",
              429: "rate_limited"}  # fmt: skip


def install(app: FastAPI, settings: Settings) -> None:
    """Every handler and the body-size middleware, on ``app``."""

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
        return JSONResponse(status_code=exc.status_code, content=error_body(HTTP_CODES.get(exc.status_code, "http_error"), str(exc.detail)),
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
