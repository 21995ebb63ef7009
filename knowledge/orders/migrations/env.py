"""Alembic environment: runs on the connection kefu hands it (see knowledge/orders/db.py)."""

from alembic import context
from sqlmodel import SQLModel

from knowledge import kefu_tables  # noqa: F401
from knowledge.orders import models  # noqa: F401

config = context.config
target_metadata = SQLModel.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        engine = config.attributes["connection_engine"]
        with engine.begin() as connection:
            _run(connection)
    else:
        _run(connection)


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


run()
