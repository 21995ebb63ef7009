"""Platform bridges (Slack, WeCom): each an input adapter (verify, parse) and an output adapter
(send), over the assistant's one entry point. `channel_routers` is what the API mounts."""

from __future__ import annotations

from fastapi import APIRouter


def channel_routers(runtime) -> list[APIRouter]:
    routers: list[APIRouter] = []
    try:
        from serving.channels.slack import slack_router
    except ImportError:  # the bridge module is optional until it exists
        slack_router = None
    try:
        from serving.channels.wecom import wecom_router
    except ImportError:
        wecom_router = None
    for factory in (slack_router, wecom_router):
        if factory is not None:
            routers.append(factory(runtime))
    return routers
