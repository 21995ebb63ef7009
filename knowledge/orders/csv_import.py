"""A shop's own data as CSV files (what most shop systems export), read into the same validated
shape as the JSON import, so one importer writes both.

A folder with four files, UTF-8 (a BOM is fine), a header row each:

- ``products.csv``: product_id, name, item_id, options, available, price, and optionally shop_id
  (the merchant; a new id becomes a shop of that name). One row per variant; ``options`` as
  ``color=blue; size=M``; ``available`` true/false, yes/no or 1/0.
- ``users.csv``: user_id, first_name, last_name, email, address1, address2, city, state, country, zip.
- ``payment_methods.csv``: user_id, payment_method_id, source, brand, last_four, balance (the last
  three may be empty; ``source`` is credit_card, paypal, gift_card, …).
- ``orders.csv``: order_id, user_id, status, item_id, price, tracking_id, payment_method_id. One row
  per line item, in order. ``price`` defaults to the variant's; rows with the same tracking id are
  one shipment; the order's payment is the sum of its items, paid with its payment method; its
  shipping address is the user's.

Every problem is reported as ``file:line: what`` before anything is written.
"""

from __future__ import annotations

import csv
from pathlib import Path

from pydantic import ValidationError

from knowledge.orders.importer import ImportFailed, RetailDB, check_references

FILES = {
    "products.csv": ("product_id", "name", "item_id", "options", "available", "price"),
    "users.csv": ("user_id", "first_name", "last_name", "email", "address1", "address2", "city", "state", "country", "zip"),
    "payment_methods.csv": ("user_id", "payment_method_id", "source", "brand", "last_four", "balance"),
    "orders.csv": ("order_id", "user_id", "status", "item_id", "price", "tracking_id", "payment_method_id"),
}
REQUIRED = {
    "products.csv": ("product_id", "name", "item_id", "available", "price"),
    "users.csv": ("user_id", "first_name", "last_name", "email"),
    "payment_methods.csv": ("user_id", "payment_method_id", "source"),
    "orders.csv": ("order_id", "user_id", "status", "item_id", "payment_method_id"),
}
TRUE, FALSE = {"true", "yes", "1", "y"}, {"false", "no", "0", "n"}


class _Rows:
    """The rows of one CSV file, with its name and line numbers for error messages."""

    def __init__(self, folder: Path, name: str) -> None:
        self.name = name
        path = folder / name
        try:
            with open(path, encoding="utf-8-sig", newline="") as handle:
                reader = csv.DictReader(handle)
                header = [h.strip() for h in reader.fieldnames or []]
                missing = [c for c in FILES[name] if c not in header]
                if missing:
                    raise ImportFailed(f"{name}: missing columns {', '.join(missing)} (expected {', '.join(FILES[name])})")
                reader.fieldnames = header
                self.rows = [(reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}) for row in reader]
        except FileNotFoundError:
            raise ImportFailed(f"{folder}: no {name} (a CSV import needs {', '.join(FILES)})") from None
        except UnicodeDecodeError:
            raise ImportFailed(f"{name}: not UTF-8 text") from None
        for line, row in self.rows:
            empty = [c for c in REQUIRED[name] if not row.get(c)]
            if empty:
                raise self.error(line, f"empty {', '.join(empty)}")

    def error(self, line: int, problem: str) -> ImportFailed:
        return ImportFailed(f"{self.name}:{line}: {problem}")

    def money(self, line: int, value: str, column: str) -> float:
        try:
            amount = float(value)
        except ValueError:
            raise self.error(line, f"{column} {value!r} is not a number") from None
        if amount < 0:
            raise self.error(line, f"{column} {value!r} is negative")
        return amount


def _options(rows: _Rows, line: int, text: str) -> dict[str, str]:
    options = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise rows.error(line, f"options {text!r}: write them as key=value; key=value")
        options[key.strip()] = value.strip()
    return options


def load_retail_csv(folder: Path) -> RetailDB:
    """The four CSV files of ``folder``, checked and shaped as ``RetailDB``."""
    if not folder.is_dir():
        raise ImportFailed(f"{folder}: not a folder (a CSV import reads {', '.join(FILES)} from one)")
    products_csv, users_csv, methods_csv, orders_csv = (_Rows(folder, name) for name in FILES)

    products: dict[str, dict] = {}
    variants: dict[str, tuple[str, dict]] = {}  # item_id -> (product_id, variant)
    for line, row in products_csv.rows:
        available = row["available"].lower()
        if available not in TRUE | FALSE:
            raise products_csv.error(line, f"available {row['available']!r}: write true or false")
        if row["item_id"] in variants:
            raise products_csv.error(line, f"item_id {row['item_id']} appears twice")
        product = products.setdefault(row["product_id"], {"name": row["name"], "product_id": row["product_id"], "variants": {},
                                                          "shop_id": row.get("shop_id") or None})  # fmt: skip
        if (product["name"], product["shop_id"]) != (row["name"], row.get("shop_id") or None):
            raise products_csv.error(line, f"product {row['product_id']}: its rows differ in name or shop_id")
        variant = {"item_id": row["item_id"], "options": _options(products_csv, line, row.get("options", "")),
                   "available": available in TRUE, "price": products_csv.money(line, row["price"], "price")}  # fmt: skip
        product["variants"][row["item_id"]] = variant
        variants[row["item_id"]] = (row["product_id"], variant)

    users: dict[str, dict] = {}
    for line, row in users_csv.rows:
        if row["user_id"] in users:
            raise users_csv.error(line, f"user_id {row['user_id']} appears twice")
        users[row["user_id"]] = {
            "user_id": row["user_id"], "name": {"first_name": row["first_name"], "last_name": row["last_name"]},
            "address": {key: row.get(key, "") for key in ("address1", "address2", "city", "country", "state", "zip")},
            "email": row["email"], "payment_methods": {}, "orders": [],
        }  # fmt: skip

    for line, row in methods_csv.rows:
        user = users.get(row["user_id"])
        if user is None:
            raise methods_csv.error(line, f"unknown user {row['user_id']}")
        method = {"source": row["source"], "id": row["payment_method_id"]}
        if row.get("brand"):
            method["brand"] = row["brand"]
        if row.get("last_four"):
            method["last_four"] = row["last_four"]
        if row.get("balance"):
            method["balance"] = methods_csv.money(line, row["balance"], "balance")
        user["payment_methods"][row["payment_method_id"]] = method

    orders: dict[str, dict] = {}
    for line, row in orders_csv.rows:
        user = users.get(row["user_id"])
        if user is None:
            raise orders_csv.error(line, f"unknown user {row['user_id']}")
        if row["item_id"] not in variants:
            raise orders_csv.error(line, f"unknown item_id {row['item_id']} (not in products.csv)")
        if row["payment_method_id"] not in user["payment_methods"]:
            raise orders_csv.error(line, f"user {row['user_id']} has no payment method {row['payment_method_id']}")
        order = orders.get(row["order_id"])
        if order is None:
            order = orders[row["order_id"]] = {
                "order_id": row["order_id"], "user_id": row["user_id"], "address": dict(user["address"]), "status": row["status"],
                "items": [], "fulfillments": [], "payment_history": [], "_method": row["payment_method_id"],
            }  # fmt: skip
            user["orders"].append(row["order_id"])
        elif (order["user_id"], order["status"], order["_method"]) != (row["user_id"], row["status"], row["payment_method_id"]):
            raise orders_csv.error(line, f"order {row['order_id']}: user_id, status and payment_method_id must be the same on all its rows")
        product_id, variant = variants[row["item_id"]]
        price = orders_csv.money(line, row["price"], "price") if row.get("price") else variant["price"]
        order["items"].append({"name": products[product_id]["name"], "product_id": product_id, "item_id": row["item_id"],
                               "price": price, "options": variant["options"]})  # fmt: skip
        if row.get("tracking_id"):
            shipment = next((f for f in order["fulfillments"] if f["tracking_id"] == [row["tracking_id"]]), None)
            if shipment is None:
                order["fulfillments"].append({"tracking_id": [row["tracking_id"]], "item_ids": [row["item_id"]]})
            else:
                shipment["item_ids"].append(row["item_id"])
    for order in orders.values():
        total = round(sum(item["price"] for item in order["items"]), 2)
        order["payment_history"] = [{"transaction_type": "payment", "amount": total, "payment_method_id": order.pop("_method")}]

    try:
        data = RetailDB.model_validate({"products": products, "users": users, "orders": orders})
    except ValidationError as exc:  # a value the JSON shape refuses (the CSV checks above catch most)
        first = exc.errors()[0]
        raise ImportFailed(f"{folder}: {'.'.join(str(p) for p in first['loc'])}: {first['msg']}") from None
    check_references(data, folder)
    return data
