"""Alembic migrations, on SQLite and on the PostgreSQL server: they build exactly the schema the
models declare, and an upgrade keeps and backfills existing rows."""

import os

import psycopg
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlmodel import SQLModel

from knowledge.orders.db import alembic_config
from tests.conftest import PG_ADMIN


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db(request, tmp_path):
    if request.param == "sqlite":
        engine = create_engine(f"sqlite:///{tmp_path / 'empty.db'}")
        yield engine
        engine.dispose()
        return
    name = f"kefu_migrations_{os.getpid()}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    engine = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}")
    yield engine
    engine.dispose()
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def upgrade(engine, revision: str) -> None:
    with engine.begin() as connection:
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def test_migrations_build_the_schema_the_models_declare(empty_db):
    upgrade(empty_db, "head")
    with empty_db.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert differences == []


def test_binding_conversations_backfills_the_api_ones_that_have_an_identity(empty_db):
    upgrade(empty_db, "0003")
    rows = [("api-token", "buyer:ann_1", "api"), ("api-anon", "anonymous", "api"), ("slack:C1:1.0", "buyer:bob_2", "slack")]
    with empty_db.begin() as connection:
        for session_id, principal, channel in rows:
            connection.execute(
                text("INSERT INTO conversation (session_id, principal, channel, failures, created_at, updated_at) "
                     "VALUES (:s, :p, :c, 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
                {"s": session_id, "p": principal, "c": channel},
            )  # fmt: skip
    upgrade(empty_db, "head")
    with empty_db.connect() as connection:
        bound = dict(connection.execute(text("SELECT session_id, bound_to FROM conversation")).all())
    assert bound == {"api-token": "buyer:ann_1", "api-anon": None, "slack:C1:1.0": None}
