"""The channels the assistant speaks on (``serving.channels.base``): the HTTP API, the console and
the CLI by name; the platform bridges (Slack, WeCom) each an input adapter (verify, parse) and an
output adapter (send) over the assistant's one entry point. ``bridges`` is what the API mounts;
each bridge's ``deliver(session_id, text)`` carries operator replies back to its platform
(`serving.operators.handoffs.OperatorDesk`)."""

from __future__ import annotations

from serving.channels.base import Bridge
from serving.channels.slack import SlackBridge
from serving.channels.wecom import WeComBridge

BRIDGES: tuple[type[Bridge], ...] = (SlackBridge, WeComBridge)


def bridges(runtime, limiter=None) -> list[Bridge]:
    """The platform bridges; ``limiter`` (the API's RateLimiter) caps each platform user's messages."""
    return [bridge(runtime, limiter) for bridge in BRIDGES]


def deliverers(channels: list) -> dict:
    """Channel name → the sender of operator replies, for each bridge among ``channels``."""
    return {channel.name: channel.deliver for channel in channels if isinstance(channel, Bridge)}
