"""The real app for the platform-bridge tests, with the assistant's calls counted per session and
an optional gate that holds every turn until the test opens it."""

from __future__ import annotations

import threading
from collections import Counter

from fastapi.testclient import TestClient

from kefu.settings import Settings
from serving.api import create_app
from serving.runtime import build_runtime


class CountedApp:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.runtime = build_runtime(settings)
        self.calls: Counter[str] = Counter()
        self.gate: threading.Event | None = None
        respond = self.runtime.assistant.respond

        def counted(message, session_id=None, principal=None, channel="api", **kwargs):
            self.calls[session_id] += 1
            if self.gate is not None:
                assert self.gate.wait(10), "test gate never opened"
            return respond(message, session_id=session_id, principal=principal, channel=channel, **kwargs)

        self.runtime.assistant.respond = counted
        self.client = TestClient(create_app(self.runtime, mount_ui=False))
