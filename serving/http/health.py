"""Operations routes: ``/healthz``, ``/readyz`` (503 "warming" until the sentences are embedded),
``/metrics`` (Prometheus) and the widget script ``/widget.js``."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException, Response
from fastapi.responses import FileResponse, JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from serving.http.context import ApiContext

WIDGET_JS = Path(__file__).resolve().parents[2] / "ui" / "widget" / "widget.js"


def health_router(ctx: ApiContext) -> APIRouter:
    router = APIRouter()
    runtime = ctx.runtime

    @router.get("/healthz", tags=["ops"])
    def healthz() -> dict:
        return {"status": "ok"}

    @router.get("/readyz", tags=["ops"])
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

    @router.get("/metrics", tags=["ops"], include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(ctx.registry), media_type=CONTENT_TYPE_LATEST)

    @router.get("/widget.js", tags=["widget"], include_in_schema=False)
    def widget_js() -> FileResponse:
        if not WIDGET_JS.exists():
            raise HTTPException(status_code=404, detail="widget not built")
        return FileResponse(WIDGET_JS, media_type="application/javascript")

    return router
