"""The HTTP API: chat (JSON and server-sent events), sessions, feedback, the operator's handoff
queue and tools, health, readiness, metrics, the widget script, the Gradio UI, platform bridges.

``create_app`` puts together the routers of ``serving/http/`` (chat, operators, health), their
shared context (identity, session access, the operator desk, metrics), the error handlers, the
platform bridges' webhooks and the Gradio pages. Every error is a JSON body
``{"error": {"code", "message"}}`` with a 4xx status for bad input; nothing sends a traceback to a
client.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI

from serving.http import handlers
from serving.http.chat import chat_router
from serving.http.context import ApiContext
from serving.http.health import health_router
from serving.http.operators import operators_router
from serving.identity import SESSION_KEY_HEADER, operator_key_matches
from serving.runtime import Runtime

log = logging.getLogger(__name__)

UI_PATH = "/ui"
CONSOLE_PATH = "/console"


def create_app(runtime: Runtime, mount_ui: bool = True) -> FastAPI:
    settings = runtime.settings
    app = FastAPI(
        title="kefu",
        version="0.1.0",
        description="Self-hosted customer-service assistant: cited policy answers, safe order tools.",
    )
    app.state.runtime = runtime
    ctx = ApiContext.build(runtime)
    if settings.widget_origins:
        from fastapi.middleware.cors import CORSMiddleware

        # The widget runs on the shop's own domain; it sends no cookies, only a bearer token.
        app.add_middleware(CORSMiddleware, allow_origins=settings.widget_origins, allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "Content-Type", SESSION_KEY_HEADER],
                           expose_headers=[SESSION_KEY_HEADER], allow_credentials=False)  # fmt: skip
    handlers.install(app, settings)

    for router in (chat_router(ctx), operators_router(ctx), health_router(ctx), *(bridge.router() for bridge in ctx.bridges)):
        app.include_router(router)

    if mount_ui:
        import gradio as gr

        from serving.console import RuntimeConsoleBackend
        from ui.chat import build_chat_ui
        from ui.console import build_console

        app = gr.mount_gradio_app(app, build_chat_ui(runtime.assistant.respond), path=UI_PATH)
        if settings.operator_key_hashes:
            # Any user name; the password is an operator API key.
            auth = lambda _user, key: operator_key_matches(key, settings.operator_key_hashes)  # noqa: E731
            app = gr.mount_gradio_app(app, build_console(RuntimeConsoleBackend(runtime, ctx.desk)), path=CONSOLE_PATH, auth=auth)
        elif settings.host in ("127.0.0.1", "localhost", "::1"):
            log.warning("operator console at %s without a login: no KEFU_OPERATOR_KEY_HASHES, loopback only", CONSOLE_PATH)
            app = gr.mount_gradio_app(app, build_console(RuntimeConsoleBackend(runtime, ctx.desk)), path=CONSOLE_PATH)
    return app
