"""`kefu orders …`, `kefu users …`, `kefu db upgrade`: the order database."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer

from serving.cli.common import app, db_app, fail, orders_app, orders_db_url, out, print_json, settings_or_exit, users_app


@orders_app.command("import-tau2")
def orders_import_tau2(
    path: Annotated[Path, typer.Argument(help="τ²-retail db.json")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Import τ²-bench retail data (users, products, orders); a rerun changes nothing."""
    _import_orders(path, as_json)


def _import_orders(path: Path, as_json: bool) -> None:
    from knowledge.orders.csv_import import load_retail_csv
    from knowledge.orders.db import session
    from knowledge.orders.importer import ImportFailed, import_retail, load_retail_json

    started = time.perf_counter()
    try:
        data = load_retail_csv(path) if path.is_dir() else load_retail_json(path)
    except ImportFailed as exc:
        raise fail(str(exc)) from None
    with session(orders_db_url()) as db:
        counts = import_retail(db, data)
    counts["seconds"] = round(time.perf_counter() - started, 2)
    if as_json:
        print_json(counts)
    else:
        out.print(", ".join(f"{kind}: {c['added']} added, {c['existing']} existing" for kind, c in counts.items() if kind != "seconds")
                  + f" ({counts['seconds']} s)")  # fmt: skip


@orders_app.command("demo")
def orders_demo(
    seed: Annotated[int, typer.Option(help="Same seed, same shop.")] = 7,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Generate the deterministic bilingual demo shop and import it (for clones without τ² data)."""
    from knowledge.orders.db import session
    from knowledge.orders.demo import generate_demo_shop
    from knowledge.orders.importer import RetailDB, import_retail

    settings = settings_or_exit()
    data = generate_demo_shop(seed=seed)
    settings.home.mkdir(parents=True, exist_ok=True)
    (settings.home / "demo-shop.json").write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")
    with session(settings.resolved_database_url) as db:
        counts = import_retail(db, RetailDB.model_validate(data))
    if as_json:
        print_json(counts)
    else:
        out.print(", ".join(f"{kind}: {c['added']} added, {c['existing']} existing" for kind, c in counts.items()))


@orders_app.command("import")
def orders_import(
    path: Annotated[Path, typer.Argument(help="A JSON file (docs/orders.md's shape), or a folder of products/users/payment_methods/orders CSV files.")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Import a shop's own data: the τ²-retail JSON shape or a folder of CSV files (docs/orders.md); a rerun changes nothing."""
    _import_orders(path, as_json)


def _show(kind: str, ids: list[str]) -> None:
    from knowledge.orders.db import session
    from knowledge.orders.models import Order, User
    from knowledge.orders.records import order_record, user_record

    model, render = (Order, order_record) if kind == "order" else (User, user_record)
    records, missing = [], []
    with session(orders_db_url()) as db:
        for record_id in ids:
            row = db.get(model, record_id)
            if row is None:
                missing.append(record_id)
            else:
                records.append(render(db, row))
    if missing:
        raise fail(f"no such {kind}: {', '.join(missing)}", code=1)
    print_json(records[0] if len(records) == 1 else records)


@orders_app.command("show")
def orders_show(
    ids: Annotated[list[str], typer.Argument(help="Order ids, such as '#W2611340'.")],
    as_json: Annotated[bool, typer.Option("--json", help="τ²-shaped JSON (the only format for now).")] = True,
) -> None:
    """Print orders as τ²-shaped JSON (a list when several ids are given)."""
    _show("order", ids)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the schema to the newest migration (the app does it on start too; deployments run it once first)."""
    from alembic.runtime.migration import MigrationContext

    from knowledge.orders.db import get_engine

    engine = get_engine(orders_db_url())
    with engine.connect() as connection:
        out.print(f"database at revision {MigrationContext.configure(connection).get_current_revision()} ({engine.dialect.name})")


@users_app.command("list")
def users_list(
    limit: Annotated[int, typer.Option(min=1, help="How many buyers.")] = 20,
    with_orders: Annotated[bool, typer.Option("--with-orders/--all", help="Only buyers with at least one order.")] = True,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Buyers to try the demo as: name, zip code and email (what verifies them in chat) and their orders."""
    from rich.table import Table
    from sqlmodel import select

    from knowledge.orders.db import session
    from knowledge.orders.models import Order, User

    rows = []
    with session(orders_db_url()) as db:
        for user in db.exec(select(User).order_by(User.user_id)):
            orders = db.exec(select(Order).where(Order.user_id == user.user_id).order_by(Order.user_position)).all()
            if with_orders and not orders:
                continue
            rows.append({"user_id": user.user_id, "name": f"{user.first_name} {user.last_name}", "zip": user.zip, "email": user.email,
                         "orders": [{"order_id": o.order_id, "status": o.status} for o in orders]})  # fmt: skip
            if len(rows) == limit:
                break
    if as_json:
        print_json(rows)
        return
    table = Table()
    for column in ("user id", "name", "zip", "email", "orders (status)"):
        table.add_column(column, overflow="fold")  # fold, never "…": these are copied into the chat
    for row in rows:
        table.add_row(row["user_id"], row["name"], row["zip"], row["email"], ", ".join(f"{o['order_id']} ({o['status']})" for o in row["orders"]))
    out.print(table)


@users_app.command("show")
def users_show(
    ids: Annotated[list[str], typer.Argument(help="User ids, such as 'noah_brown_6181'.")],
    as_json: Annotated[bool, typer.Option("--json", help="τ²-shaped JSON (the only format for now).")] = True,
) -> None:
    """Print users as τ²-shaped JSON (a list when several ids are given)."""
    _show("user", ids)
