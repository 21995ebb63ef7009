"""A tiny local HTTP server that records every call and answers with canned JSON: the stand-in
for Slack's and WeCom's web APIs in the bridge tests (the bridges' base URLs point at it)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body or b"{}")

    @property
    def form(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(self.body.decode()).items()}


Responder = Callable[[Call], dict]


@dataclass
class RecordingServer:
    """Answers ``POST/GET {path}`` with ``responses[path's last segment(s)]`` (a dict, or a function
    of the Call returning one), ``{"ok": true}`` otherwise, and remembers every call."""

    responses: dict[str, dict | Responder] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._changed = threading.Condition()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="recording-server", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/"

    def start(self) -> "RecordingServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> "RecordingServer":
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()

    def matching(self, path_suffix: str, where: Callable[[Call], bool] = lambda c: True) -> list[Call]:
        with self._changed:
            return [c for c in self.calls if c.path.endswith(path_suffix) and where(c)]

    def wait_for(self, path_suffix: str, count: int = 1, where: Callable[[Call], bool] = lambda c: True, timeout: float = 20.0) -> list[Call]:
        """Block until at least ``count`` matching calls arrived (AssertionError after ``timeout``)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [c for c in self.calls if c.path.endswith(path_suffix) and where(c)]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{len(found)} of {count} calls to {path_suffix} within {timeout}s")
                self._changed.wait(left)

    def _record(self, call: Call) -> dict:
        with self._changed:
            self.calls.append(call)
            self._changed.notify_all()
        for suffix, response in self.responses.items():
            if call.path.endswith(suffix):
                return response(call) if callable(response) else response
        return {"ok": True}

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                parts = urlsplit(self.path)
                call = Call(
                    method=self.command,
                    path=parts.path,
                    query={k: v[-1] for k, v in parse_qs(parts.query).items()},
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length) if length else b"",
                )
                payload = json.dumps(server._record(call)).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json; charset=utf-8")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _serve

            def log_message(self, *_args) -> None:  # quiet
                pass

        return Handler
