"""Runs the model's capability check (``bot.capability``) whenever the model server comes up.

A background thread watches the model's readiness; each time it becomes ready (the first start, a
restart after a crash) the exam runs once, each answer within the model's time budget. Until a
language passes, the assistant quotes the policy at once instead of waiting for a draft.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from bot.capability import CapabilityReport, run_exam

log = logging.getLogger(__name__)


class CapabilityMonitor:
    """``drafts(language)``: whether the model passed its check in that language. ``enabled=False``
    (KEFU_LLM_CAPABILITY_CHECK=false) trusts the model without asking."""

    def __init__(self, chat_model, is_ready: Callable[[], bool], timeout_s: float, enabled: bool = True, poll_s: float = 2.0) -> None:
        self.chat_model = chat_model
        self.is_ready = is_ready
        self.timeout_s = timeout_s
        self.enabled = enabled
        self.poll_s = poll_s
        self.report = CapabilityReport(state="unchecked" if enabled else "passed")
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kefu-capability")

    def drafts(self, language: str) -> bool | None:
        return True if not self.enabled else self.report.drafts(language)

    def status(self) -> dict:
        if not self.enabled:
            return {"state": "skipped", "meaning": "the capability check is off (KEFU_LLM_CAPABILITY_CHECK=false): the model drafts every policy answer"}
        return self.report.as_dict()

    def start(self) -> "CapabilityMonitor":
        if self.enabled and self._thread is None:
            self._thread = threading.Thread(target=self._watch, name="kefu-capability-watch", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._executor.shutdown(wait=False, cancel_futures=True)

    def check(self) -> CapabilityReport:
        """Run the exam now (synchronously) and keep its result."""
        self.report = CapabilityReport(state="checking")
        report = run_exam(self._ask)
        self.report = report
        log.info("model capability check: %s (%s)", report.state, report.meaning())
        return report

    def _ask(self, messages):
        # A bounded wait: a model slower than the answer budget is as unusable as a wrong one.
        return self._executor.submit(self.chat_model.invoke, messages).result(timeout=self.timeout_s)

    def _watch(self) -> None:
        checked = False  # checked since the model last became ready
        while not self._stop.is_set():
            ready = self.is_ready()
            if ready and not checked:
                try:
                    self.check()
                except Exception:  # never let the watcher die: answers stay quoted
                    log.exception("model capability check failed to run")
                    self.report = CapabilityReport(state="error")
                checked = True
            elif not ready:
                checked = False
                if self.report.state != "unchecked":
                    self.report = CapabilityReport(state="unchecked")
            self._stop.wait(self.poll_s)
