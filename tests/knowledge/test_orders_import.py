"""Importing τ²-retail data: a faithful round trip, idempotent, and all-or-nothing on bad input."""

import json

import pytest
from sqlmodel import func, select

from knowledge.orders.db import dispose_engine, session
from knowledge.orders.importer import ImportFailed, import_retail, load_retail_json
from knowledge.orders.models import Order, User
from knowledge.orders.records import order_record, user_record
from tests.conftest import TAU2_DB

needs_tau2 = pytest.mark.skipif(not TAU2_DB.exists(), reason="needs ../shared/datasets/tau2-retail/db.json")


@needs_tau2
def test_round_trip_is_exact_and_a_rerun_changes_nothing(order_db):
    raw = json.loads(TAU2_DB.read_text())
    with session(order_db) as db:
        for order_id, order in list(raw["orders"].items())[::7]:
            record = order_record(db, db.get(Order, order_id))
            assert {k: v for k, v in record.items() if k in order} == order
            assert record["cancel_reason"] is None and record["return_items"] is None
        for user_id, user in list(raw["users"].items())[::11]:
            assert user_record(db, db.get(User, user_id)) == user
        again = import_retail(db, load_retail_json(TAU2_DB))
    assert all(c["added"] == 0 for c in again.values())
    assert again["orders"]["existing"] == 1000 and again["users"]["existing"] == 500


def write(tmp_path, data) -> object:
    path = tmp_path / "db.json"
    path.write_text(json.dumps(data))
    return path


def small_db() -> dict:
    raw = json.loads(TAU2_DB.read_text())
    users = dict(list(raw["users"].items())[:3])
    orders = {oid: o for oid, o in raw["orders"].items() if o["user_id"] in users}
    return {"products": raw["products"], "users": users, "orders": orders}


@needs_tau2
@pytest.mark.parametrize(
    ("corrupt", "message"),
    [
        (lambda d: d["orders"][next(iter(d["orders"]))].__setitem__("user_id", "ghost_1"), "unknown user ghost_1"),
        (lambda d: d["users"][next(iter(d["users"]))].pop("email"), "email: Field required"),
        (lambda d: d["orders"][next(iter(d["orders"]))]["payment_history"][0].__setitem__("amount", "lots"), "amount"),
    ],
)
def test_malformed_input_is_rejected_with_nothing_written(tmp_path, corrupt, message):
    data = small_db()
    corrupt(data)
    url = f"sqlite:///{tmp_path / 'kefu.db'}"
    with pytest.raises(ImportFailed, match=message):
        load_retail_json(write(tmp_path, data))
    with session(url) as db:
        assert db.exec(select(func.count()).select_from(Order)).one() == 0
    dispose_engine(url)


def test_not_json_and_missing_files_are_clear_errors(tmp_path):
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(ImportFailed, match="not valid JSON"):
        load_retail_json(tmp_path / "bad.json")
    with pytest.raises(ImportFailed, match="no such file"):
        load_retail_json(tmp_path / "none.json")


@needs_tau2
def test_a_failing_write_rolls_the_whole_import_back(tmp_path):
    data = small_db()
    first_order = next(iter(data["orders"].values()))
    # Two orders with the same line position pass validation but violate a constraint at write time.
    data["orders"]["#W_dup"] = {**first_order, "order_id": "#W_dup", "user_id": "no_such_user_row"}
    data["users"]["no_such_user_row"] = {**next(iter(data["users"].values())), "user_id": "no_such_user_row", "orders": []}
    data["users"]["no_such_user_row"]["email"] = next(iter(data["users"].values()))["email"]  # duplicate email: unique index
    url = f"sqlite:///{tmp_path / 'kefu.db'}"
    with session(url) as db, pytest.raises(Exception):
        import_retail(db, load_retail_json(write(tmp_path, data)))
    with session(url) as db:
        assert db.exec(select(func.count()).select_from(User)).one() == 0
        assert db.exec(select(func.count()).select_from(Order)).one() == 0
    dispose_engine(url)
