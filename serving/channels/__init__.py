"""Platform bridges (Slack, WeCom): each an input adapter (verify, parse) and an output adapter
(send), over the assistant's one entry point. `channel_routers` is what the API mounts."""

from __future__ import annotations

from fastapi import APIRouter

from serving.channels.slack import slack_router
from serving.channels.wecom import wecom_router


def channel_routers(runtime) -> list[APIRouter]:
    return [factory(runtime) for factory in (slack_router, wecom_router)]
