"""The operators' routes (an operator key required): the human handoff queue, running an order
tool directly, annotations, analytics (``GET /v1/report``) and exports."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Header, HTTPException, Response
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from bot.annotations import AnnotationError
from kefu.principal import OPERATOR
from serving.http.chat import MAX_ID
from serving.http.context import ApiContext, operator_name
from serving.identity import operator_key_matches
from serving.operators.analytics import report
from serving.operators.exports import KINDS as EXPORT_KINDS
from serving.operators.exports import export


class AnnotationRequest(BaseModel):
    turn_id: int = Field(ge=1, le=MAX_ID)
    rating: str = Field(pattern="^(good|bad)$")
    improved_answer: str = Field(default="", max_length=4000)


class OperatorReply(BaseModel):
    message: str = Field(min_length=1, max_length=4000)


def operators_router(ctx: ApiContext) -> APIRouter:
    router = APIRouter(tags=["operators"], dependencies=[Depends(ctx.operator)])
    runtime, settings, desk = ctx.runtime, ctx.settings, ctx.desk

    @router.get("/v1/handoffs")
    def handoff_queue() -> list[dict]:
        return runtime.assistant.store.handoff_queue()

    @router.post("/v1/handoffs/{session_id}/reply")
    def operator_reply(session_id: str, request: OperatorReply) -> dict:
        """Take over the conversation; the message also goes to its Slack thread or WeCom chat
        (``delivered_to``; ``delivery_error`` when the platform refused it: it is stored anyway)."""
        outcome = desk.reply(session_id, request.message)
        if outcome is None:
            raise HTTPException(status_code=404, detail="no such session in the handoff queue")
        return outcome

    @router.post("/v1/handoffs/{session_id}/release")
    def release(session_id: str) -> dict:
        if not desk.release(session_id):
            raise HTTPException(status_code=404, detail="no such session in the handoff queue")
        return {"session_id": session_id, "status": "released"}

    @router.post("/v1/tools/{name}")
    def call_tool(name: str, arguments: dict = Body(default_factory=dict)) -> dict:
        """Run an order tool as the operator (no confirmation step; audited as "direct")."""
        from bot.tools.session import TOOLS, open_session_for

        if name not in TOOLS:
            raise HTTPException(status_code=404, detail=f"unknown tool {name!r}")
        tools = open_session_for(settings.resolved_database_url, OPERATOR, confirm_writes=False, tau2_parity=settings.tau2_parity,
                                 excluded_countries=settings.shipping_excluded_countries)
        return tools.call(name, arguments).as_dict()

    # ---- the operator loop: annotations, analytics, exports

    @router.post("/v1/annotations", status_code=201)
    def annotate(request: AnnotationRequest, who: str = Depends(operator_name)) -> dict:
        """Mark a reply good or bad; an improved answer is given from now on to the same question asked another way."""
        try:
            return runtime.annotations.annotate(request.turn_id, who, request.rating, request.improved_answer)
        except AnnotationError as exc:
            raise HTTPException(status_code=404, detail=str(exc)) from None

    @router.post("/v1/annotations/{annotation_id}/withdraw")
    def withdraw_annotation(annotation_id: Annotated[int, PathParam(ge=1, le=MAX_ID)], who: str = Depends(operator_name)) -> dict:
        try:
            return runtime.annotations.withdraw(annotation_id, who)
        except AnnotationError as exc:
            raise HTTPException(status_code=404, detail=str(exc)) from None

    @router.get("/v1/annotations")
    def annotations() -> list[dict]:
        return runtime.annotations.list()

    @router.get("/v1/report")
    def analytics_report(since: date | None = None, until: date | None = None) -> dict:
        """The figures of `kefu report` (docs/operators.md)."""
        return report(settings.resolved_database_url, since, until)

    @router.get("/v1/export/{kind}")
    def export_rows(kind: str, since: date | None = None, unmasked: bool = False, authorization: str | None = Header(default=None)) -> Response:
        """JSON Lines, personal data masked unless the operator key has the export right (KEFU_EXPORT_KEY_HASHES)."""
        if kind not in EXPORT_KINDS:
            raise HTTPException(status_code=404, detail=f"export kinds: {', '.join(EXPORT_KINDS)}")
        key = (authorization or "").partition(" ")[2].strip()
        if unmasked and not operator_key_matches(key, settings.export_key_hashes):
            raise HTTPException(status_code=403, detail="unmasked exports need an operator key with the export right")
        lines = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in export(settings.resolved_database_url, kind, since, masked=not unmasked))
        return Response(lines, media_type="application/x-ndjson")

    return router
