"""A stand-in for the chat model server in load benchmarks: OpenAI-compatible, on loopback, it
answers after a latency measured on a real server instead of generating.

It answers with the first sentence of the context the assistant sent, so the grounding check
passes and a turn takes the model path end to end (prompt, call, check) as with a real model.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SERVED_NAME = "stand-in"


@dataclass(frozen=True)
class Latency:
    """Time to first token plus decoding time for ``tokens`` answer tokens."""

    first_token_ms: float
    tokens_per_s: float
    tokens: int

    @property
    def total_s(self) -> float:
        return self.first_token_ms / 1000 + self.tokens / self.tokens_per_s


def _answer_from(messages: list[dict]) -> str:
    context = max((str(m.get("content") or "") for m in messages if m.get("role") == "system"), key=len, default="")
    excerpt = re.search(r"^\[1\](?: \([^)]*\))? (.+)$", context, re.MULTILINE)  # the first policy excerpt, as bot.prompts numbers them
    if excerpt:
        return re.split(r"(?<=[.!?。！？])\s*", excerpt.group(1), maxsplit=1)[0][:300] + " [1]"
    for line in context.splitlines():
        line = line.strip(" -*#>")
        if len(line) > 30 and not line.endswith(":"):
            return re.split(r"(?<=[.!?。！？])\s*", line, maxsplit=1)[0][:300]
    return "Please see the cited policy."


class ModelStandIn:
    """``with ModelStandIn(latency) as server: server.base_url`` (…/v1)."""

    def __init__(self, latency: Latency) -> None:
        self.latency = latency
        self.calls = 0
        self._lock = threading.Lock()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet: thousands of calls
                pass

            def do_GET(self) -> None:
                self._send({"object": "list", "data": [{"id": SERVED_NAME, "object": "model"}]} if self.path.endswith("/models") else {})

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                with stand_in._lock:
                    stand_in.calls += 1
                time.sleep(stand_in.latency.total_s)
                text = _answer_from(body.get("messages") or [])
                self._send({
                    "id": f"standin-{stand_in.calls}", "object": "chat.completion", "created": int(time.time()), "model": SERVED_NAME,
                    "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}],
                    "usage": {"prompt_tokens": 0, "completion_tokens": stand_in.latency.tokens, "total_tokens": stand_in.latency.tokens},
                })  # fmt: skip

            def _send(self, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="kefu-model-standin", daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> "ModelStandIn":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
