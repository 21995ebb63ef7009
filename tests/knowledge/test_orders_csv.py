"""A shop's own data as CSV files: the documented example imports, reruns add nothing, the order
tools work on it, and every malformed file is one `file:line` message with nothing written."""

import json
import shutil

import pytest
from sqlmodel import func, select
from typer.testing import CliRunner

from knowledge.orders.csv_import import load_retail_csv
from knowledge.orders.db import dispose_engine, session
from knowledge.orders.importer import ImportFailed
from knowledge.orders.models import Order, Product, Shop
from serving.cli import app
from tests.conftest import REPO

EXAMPLE = REPO / "docs" / "examples" / "orders-csv"
runner = CliRunner()


@pytest.fixture
def kefu_home(monkeypatch, tmp_path):
    from kefu.settings import get_settings

    monkeypatch.setenv("KEFU_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    yield tmp_path / "home"
    get_settings.cache_clear()


def test_the_example_imports_once_and_the_tools_see_it(kefu_home):
    first = runner.invoke(app, ["orders", "import", str(EXAMPLE), "--json"])
    assert first.exit_code == 0, first.output
    counts = json.loads(first.stdout)
    assert {kind: c["added"] for kind, c in counts.items() if kind != "seconds"} == {"shops": 2, "products": 2, "users": 2, "orders": 3}
    again = json.loads(runner.invoke(app, ["orders", "import", str(EXAMPLE), "--json"]).stdout)
    assert all(c["added"] == 0 for kind, c in again.items() if kind != "seconds")

    shown = json.loads(runner.invoke(app, ["orders", "show", "#C1001"]).stdout)
    assert [(i["item_id"], i["price"], i["options"]) for i in shown["items"]] == [
        ("i_bottle_blue", 24.0, {"color": "blue", "capacity": "750ml"}), ("i_shirt_m", 35.0, {"size": "M", "color": "white"})]
    assert shown["fulfillments"] == [{"tracking_id": ["SF1234567890"], "item_ids": ["i_bottle_blue", "i_shirt_m"]}]
    assert shown["payment_history"] == [{"transaction_type": "payment", "amount": 59.0, "payment_method_id": "credit_card_1001"}]
    assert shown["address"]["city"] == "Shanghai"  # the user's address

    mine = runner.invoke(app, ["tools", "call", "get_order_details", "--as", "buyer:li_wang_1001", "--args", '{"order_id": "#C1002"}'])
    assert mine.exit_code == 0 and json.loads(mine.stdout)["result"]["items"][0]["price"] == 24.0  # the variant's price
    theirs = runner.invoke(app, ["tools", "call", "get_order_details", "--as", "buyer:ana_silva_1002", "--args", '{"order_id": "#C1002"}'])
    assert theirs.exit_code == 1  # another buyer's order looks like a missing one

    with session(f"sqlite:///{kefu_home / 'kefu.db'}") as db:
        assert sorted(db.exec(select(Shop.shop_id)).all()) == ["shop_acme", "shop_linen"]  # no demo merchants
        assert db.get(Product, "p_shirt").shop_id == "shop_linen"


def broken(tmp_path, name: str, edit) -> object:
    folder = tmp_path / "csv"
    shutil.copytree(EXAMPLE, folder)
    path = folder / name
    path.write_text(edit(path.read_text("utf-8")), "utf-8")
    return folder


@pytest.mark.parametrize(
    ("name", "edit", "message"),
    [
        ("orders.csv", lambda t: t.replace("i_bottle_red", "i_ghost"), r"orders.csv:4: unknown item_id i_ghost"),
        ("orders.csv", lambda t: t.replace(",gift_card_1001", ",paypal_1002"), r"orders.csv:4: user li_wang_1001 has no payment method paypal_1002"),
        ("orders.csv", lambda t: t.replace("24.00,SF", "lots,SF"), r"orders.csv:2: price 'lots' is not a number"),
        ("orders.csv", lambda t: t.replace("#C1001,li_wang_1001,delivered,i_shirt_m", "#C1001,li_wang_1001,pending,i_shirt_m"),
         r"orders.csv:3: order #C1001: user_id, status and payment_method_id must be the same"),
        ("products.csv", lambda t: t.replace(",true,", ",maybe,", 1), r"products.csv:2: available 'maybe'"),
        ("products.csv", lambda t: t.replace("color=blue; capacity=750ml", "blue"), r"products.csv:2: options 'blue'"),
        ("products.csv", lambda t: t.replace("price,shop_id", "cost,shop_id"), r"products.csv: missing columns price"),
        ("users.csv", lambda t: t.replace("li.wang@example.com", ""), r"users.csv:2: empty email"),
        ("payment_methods.csv", lambda t: t.replace("ana_silva_1002,paypal", "nobody,paypal"), r"payment_methods.csv:4: unknown user nobody"),
    ],
)
def test_malformed_csv_is_one_line_naming_file_and_line_with_nothing_written(kefu_home, tmp_path, name, edit, message):
    folder = broken(tmp_path, name, edit)
    with pytest.raises(ImportFailed, match=message):
        load_retail_csv(folder)
    result = runner.invoke(app, ["orders", "import", str(folder)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    url = f"sqlite:///{kefu_home / 'kefu.db'}"
    with session(url) as db:
        assert db.exec(select(func.count()).select_from(Order)).one() == 0
    dispose_engine(url)


def test_a_folder_without_the_files_says_which(tmp_path):
    with pytest.raises(ImportFailed, match="no products.csv"):
        load_retail_csv(tmp_path)
