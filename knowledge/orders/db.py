"""Engine, schema migrations (Alembic) and sessions for the order database."""

from __future__ import annotations

import functools
import logging
import random
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import Session, create_engine

from knowledge import kefu_tables  # noqa: F401  (kefu's own tables, on the same metadata)
from knowledge.orders import models  # noqa: F401  (registers the tables on SQLModel.metadata)

MIGRATIONS = Path(__file__).with_name("migrations")
# The database is busy or unreachable: the unit of work was rolled back; trying again later may succeed.
UNAVAILABLE_ERRORS = (OperationalError, InterfaceError, PoolTimeout)
# SQLite's busy handler waits this long for the write lock before "database is locked".
SQLITE_BUSY_TIMEOUT_MS = 10_000
WRITE_ATTEMPTS = 5

log = logging.getLogger(__name__)
T = TypeVar("T")

_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def get_engine(url: str) -> Engine:
    """One engine per database URL per process, with the schema migrated to the latest version."""
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            if url.startswith("sqlite:///"):
                Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
            # A server's connections can drop (restart, idle timeout): ping before use. A SQLite
            # file's cannot, and the ping was 7 % of a loaded server's time (`kefu bench load`).
            engine = create_engine(url, pool_pre_ping=not url.startswith("sqlite"))
            if engine.dialect.name == "sqlite":
                event.listen(engine, "connect", _sqlite_pragmas)
            migrate(engine)
            _engines[url] = engine
        return engine


def dispose_engine(url: str) -> None:
    """Close the pooled connections of ``url`` (before dropping or copying that database)."""
    with _engines_lock:
        engine = _engines.pop(url, None)
    if engine is not None:
        engine.dispose()


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def alembic_config(engine: Engine):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection_engine"] = engine
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (idempotent; safe for concurrent replicas on PostgreSQL)."""
    from alembic import command

    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            # Replicas starting together must not migrate at once.
            connection.exec_driver_sql("SELECT pg_advisory_xact_lock(731100)")
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def session(url: str) -> Session:
    return Session(get_engine(url), expire_on_commit=False)


def is_contention(exc: BaseException) -> bool:
    """A write that lost a race and may succeed when tried again: SQLite's lock, PostgreSQL's
    serialization failure or deadlock."""
    if not isinstance(exc, OperationalError):
        return False
    if getattr(exc.orig, "sqlstate", None) in ("40001", "40P01"):
        return True
    return "database is locked" in str(exc.orig) or "database table is locked" in str(exc.orig)


def retrying(unit: Callable[[], T], attempts: int = WRITE_ATTEMPTS, first_delay_s: float = 0.05) -> T:
    """Run ``unit`` (one whole transaction: it opens its own session) again when it lost a race
    for the write lock, with jittered exponential backoff; other errors, and the last attempt's,
    propagate (the API answers them 503)."""
    for attempt in range(1, attempts + 1):
        try:
            return unit()
        except OperationalError as exc:
            if attempt == attempts or not is_contention(exc):
                raise
            delay = first_delay_s * 2 ** (attempt - 1) * (0.5 + random.random())
            log.info("database busy (attempt %d of %d); retrying in %.2f s", attempt, attempts, delay)
            time.sleep(delay)
    raise AssertionError("unreachable")


def retried(function: Callable[..., T]) -> Callable[..., T]:
    """``retrying`` as a decorator, for a function that is one whole transaction."""

    @functools.wraps(function)
    def run(*args, **kwargs) -> T:
        return retrying(lambda: function(*args, **kwargs))

    return run
