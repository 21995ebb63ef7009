"""Platform bridges (Slack, WeCom): each an input adapter (verify, parse) and an output adapter
(send), over the assistant's one entry point. `channel_routers` is what the API mounts; each
router's ``channel`` and ``deliver(session_id, text)`` carry operator replies back to its platform
(`serving.handoffs.OperatorDesk`)."""

from __future__ import annotations

from fastapi import APIRouter

from serving.channels.slack import slack_router
from serving.channels.wecom import wecom_router


def channel_routers(runtime, limiter=None) -> list[APIRouter]:
    """The bridges' routers; ``limiter`` (the API's RateLimiter) caps each platform user's messages."""
    return [factory(runtime, limiter) for factory in (slack_router, wecom_router)]


def deliverers(routers: list[APIRouter]) -> dict:
    """Channel name → the bridge's sender of operator replies."""
    return {router.channel: router.deliver for router in routers if hasattr(router, "deliver")}
