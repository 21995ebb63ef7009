"""`kefu bench load`: N concurrent signed-in chat sessions against a `kefu serve` this bench
starts on loopback, for T seconds (or a fixed number of turns each).

Reports turns/s, latency percentiles, errors by kind, and lost turns: answered (HTTP 200) but
not stored, counted by reading every session back through the API afterwards.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx

from serving.identity import create_token

MAX_SESSIONS = 200
MAX_SECONDS = 600
REQUEST_TIMEOUT_S = 120.0
# What each session says in turn: its own order, a policy question, both in two languages, thanks.
SCRIPT = (
    "Where is my order {order}?",
    "How many days do I have to return an item?",
    "我的订单{order}到哪了？",
    "退货运费谁出？",
    "thanks!",
)


@dataclass
class TurnRecord:
    session: int
    started_s: float  # since the bench began
    latency_ms: float
    status: str  # "200", "503", … or "timeout" / "connection"


@dataclass
class LoadResult:
    sessions: int
    seconds: float
    database: str
    model: str
    turns: int
    ok: int
    errors: int
    error_kinds: dict[str, int]
    turns_per_s: float
    p50_ms: float
    p95_ms: float
    max_ms: float
    stored: int
    lost_turns: int
    records: list[TurnRecord] = field(default_factory=list, repr=False)

    def summary(self) -> dict:
        data = asdict(self)
        data.pop("records")
        return data


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def scratch_sqlite(url: str, folder: Path) -> str:
    """A consistent copy of an SQLite database (the online backup API: safe while it is in use)."""
    source = url.removeprefix("sqlite:///")
    target = folder / "kefu-bench.db"
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return f"sqlite:///{target}"


@contextmanager
def bench_server(env: dict[str, str], log_path: Path, startup_s: float = 300.0) -> Iterator[str]:
    """`kefu serve --no-ui` on a free loopback port with ``env`` over this process's environment;
    yields its base URL once /readyz answers, stops it afterwards."""
    port = free_port()
    with open(log_path, "ab") as log:
        process = subprocess.Popen([sys.executable, "-m", "serving.cli", "serve", "--no-ui", "--host", "127.0.0.1", "--port", str(port)],
                                   env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_s
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"kefu serve exited with {process.returncode} before it was ready; see {log_path}")
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"kefu serve not ready after {startup_s:.0f} s; see {log_path}")
            time.sleep(0.5)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


async def _session(client: httpx.AsyncClient, index: int, token: str, order: str, began: float, until: float | None, turns: int | None,
                   records: list[TurnRecord], ids: dict[int, str]) -> None:  # fmt: skip
    headers = {"Authorization": f"Bearer {token}"}
    said = 0
    while (until is None or time.monotonic() < until) and (turns is None or said < turns):
        body = {"message": SCRIPT[said % len(SCRIPT)].format(order=order)}
        if index in ids:
            body["session_id"] = ids[index]
        started = time.monotonic()
        try:
            response = await client.post("/v1/chat", json=body, headers=headers)
            status = str(response.status_code)
            if response.status_code == 200:
                ids.setdefault(index, response.json()["session_id"])
        except httpx.TimeoutException:
            status = "timeout"
        except httpx.HTTPError:
            status = "connection"
        records.append(TurnRecord(index, round(started - began, 3), round((time.monotonic() - started) * 1000, 1), status))
        said += 1


async def _stored_turns(client: httpx.AsyncClient, ids: dict[int, str], tokens: list[str]) -> dict[int, int]:
    async def one(index: int, session_id: str) -> tuple[int, int]:
        response = await client.get(f"/v1/sessions/{session_id}", headers={"Authorization": f"Bearer {tokens[index]}"})
        response.raise_for_status()
        return index, sum(1 for turn in response.json()["turns"] if turn["role"] == "user")

    return dict(await asyncio.gather(*(one(i, s) for i, s in ids.items())))


def drive(base_url: str, buyers: list[tuple[str, str]], secret: str, seconds: float | None = None, turns: int | None = None) -> tuple[list[TurnRecord], int, int]:
    """One session per (buyer, order) in ``buyers``, all at once, for ``seconds`` or ``turns``
    turns each. Returns the turn records, the turns stored and the turns lost."""
    tokens = [create_token(secret, "buyer", user_id, ttl_s=int((seconds or 0) + 3600)) for user_id, _ in buyers]
    records: list[TurnRecord] = []
    ids: dict[int, str] = {}

    async def run() -> tuple[int, int]:
        limits = httpx.Limits(max_connections=len(buyers) + 4, max_keepalive_connections=len(buyers) + 4)
        async with httpx.AsyncClient(base_url=base_url, timeout=REQUEST_TIMEOUT_S, limits=limits) as client:
            began = time.monotonic()
            until = began + seconds if seconds is not None else None
            await asyncio.gather(*(_session(client, i, tokens[i], order, began, until, turns, records, ids) for i, (_, order) in enumerate(buyers)))
            stored = await _stored_turns(client, ids, tokens)
        answered = Counter(r.session for r in records if r.status == "200")
        lost = sum(max(0, n - stored.get(i, 0)) for i, n in answered.items())
        return sum(stored.values()), lost

    stored, lost = asyncio.run(run())
    return records, stored, lost


def summarise(records: list[TurnRecord], stored: int, lost: int, sessions: int, database: str, model: str) -> LoadResult:
    ok = [r.latency_ms for r in records if r.status == "200"]
    span = max((r.started_s + r.latency_ms / 1000 for r in records), default=0.0)
    ordered = sorted(ok)

    def percentile(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0

    return LoadResult(
        sessions=sessions, seconds=round(span, 1), database=database, model=model, turns=len(records), ok=len(ok),
        errors=len(records) - len(ok), error_kinds=dict(Counter(r.status for r in records if r.status != "200")),
        turns_per_s=round(len(ok) / span, 2) if span else 0.0, p50_ms=round(statistics.median(ordered), 1) if ordered else 0.0,
        p95_ms=percentile(0.95), max_ms=max(ordered, default=0.0), stored=stored, lost_turns=lost, records=records,
    )  # fmt: skip


def plot(result: LoadResult, path: Path) -> Path:
    """Latency of every turn over the run, and turns answered per second."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (top, bottom) = plt.subplots(2, 1, figsize=(9, 6), sharex=True)
    for ok, colour, label in ((True, "tab:blue", "answered"), (False, "tab:red", "error")):
        points = [r for r in result.records if (r.status == "200") == ok]
        top.scatter([r.started_s for r in points], [r.latency_ms for r in points], s=6, c=colour, label=f"{label} ({len(points)})")
    top.set_ylabel("turn latency (ms)")
    top.legend(loc="upper right")
    top.set_title(f"kefu bench load: {result.sessions} sessions, {result.database}, model {result.model}: "
                  f"{result.turns_per_s} turns/s, p95 {result.p95_ms:.0f} ms, {result.errors} errors, {result.lost_turns} lost")  # fmt: skip
    per_second = Counter(int(r.started_s + r.latency_ms / 1000) for r in result.records if r.status == "200")
    seconds = range(int(result.seconds) + 1)
    bottom.bar(list(seconds), [per_second.get(s, 0) for s in seconds], width=1.0, color="tab:green")
    bottom.set_xlabel("seconds since start")
    bottom.set_ylabel("turns answered / s")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def buyers_with_orders(db_url: str, count: int) -> list[tuple[str, str]]:
    """``count`` different buyers, each with one of their orders (deterministic: by user id)."""
    from sqlmodel import select

    from knowledge.orders.db import session
    from knowledge.orders.models import Order

    picked: dict[str, str] = {}
    with session(db_url) as db:
        for order in db.exec(select(Order).order_by(Order.user_id, Order.order_id)):
            picked.setdefault(order.user_id, order.order_id)
            if len(picked) == count:
                break
    if len(picked) < count:
        raise ValueError(f"the order database has {len(picked)} buyers with orders; {count} sessions need as many")
    return list(picked.items())


def run_load_bench(db_url: str, env: dict[str, str], sessions: int, seconds: float | None = None, turns: int | None = None,
                   log_dir: Path | None = None, label_model: str = "off", on_start: Callable[[str], None] | None = None,
                   copy_sqlite: bool = True) -> LoadResult:  # fmt: skip
    """The whole bench: a server on ``db_url`` (a scratch copy when it is SQLite, unless
    ``copy_sqlite`` is false), the sessions, the read-back. ``env``: KEFU_* settings for the
    server (its model, for one)."""
    if not 1 <= sessions <= MAX_SESSIONS:
        raise ValueError(f"--sessions must be between 1 and {MAX_SESSIONS}")
    if seconds is not None and not 0 < seconds <= MAX_SECONDS:
        raise ValueError(f"--seconds must be between 1 and {MAX_SECONDS}")
    secret = os.urandom(16).hex()
    with tempfile.TemporaryDirectory(prefix="kefu-bench-load-") as scratch:
        folder = Path(scratch)
        bench_db = scratch_sqlite(db_url, folder) if copy_sqlite and db_url.startswith("sqlite:///") else db_url
        buyers = buyers_with_orders(bench_db, sessions)
        server_env = {"KEFU_DATABASE_URL": bench_db, "KEFU_SECRET_KEY": secret, "KEFU_RATE_LIMIT_PER_MINUTE": "1000000",
                      "KEFU_VLLM_AUTOSTART": "false", "KEFU_REDIS_URL": "", **env}  # fmt: skip
        log_path = (log_dir or folder) / "bench-load-server.log"
        with bench_server(server_env, log_path) as base:
            if on_start is not None:
                on_start(base)
            records, stored, lost = drive(base, buyers, secret, seconds=seconds, turns=turns)
        database = "postgresql" if bench_db.startswith("postgresql") else "sqlite"
        return summarise(records, stored, lost, sessions, database, label_model)
