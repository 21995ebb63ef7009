"""A shop's own reviews: a JSON list or a CSV file with the columns product_id, rating (1–5),
text, date (YYYY-MM-DD) and optionally order_id and language (en | zh; read from the text when
absent). Every row is checked first; one bad row and nothing is written, the error names it."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

from sqlmodel import Session, select

from knowledge.documents import detect_language
from knowledge.orders.models import Order, Product, Review


class ReviewImportError(ValueError):
    """A file or row that cannot be imported; the message names the file and row."""


def _rows(path: Path) -> list[dict]:
    try:
        if path.suffix.lower() == ".csv":
            with open(path, newline="", encoding="utf-8") as handle:
                return list(csv.DictReader(handle))
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise ReviewImportError(f"{path}: {exc}") from None
    if not isinstance(data, list):
        raise ReviewImportError(f"{path}: expected a JSON list of reviews")
    return data


def import_reviews(db: Session, path: Path) -> dict:
    rows = _rows(path)
    products = set(db.exec(select(Product.product_id)))
    orders = set(db.exec(select(Order.order_id)))
    reviews = []
    for number, row in enumerate(rows, 2 if path.suffix.lower() == ".csv" else 1):
        where = f"{path}: {'line' if path.suffix.lower() == '.csv' else 'item'} {number}"
        if not isinstance(row, dict):
            raise ReviewImportError(f"{where}: not an object")
        product_id, text, order_id = str(row.get("product_id") or ""), str(row.get("text") or "").strip(), row.get("order_id") or None
        if product_id not in products:
            raise ReviewImportError(f"{where}: unknown product_id {product_id!r}")
        if order_id is not None and order_id not in orders:
            raise ReviewImportError(f"{where}: unknown order_id {order_id!r}")
        if not text:
            raise ReviewImportError(f"{where}: text is empty")
        try:
            rating = int(row.get("rating"))
            reviewed_on = date.fromisoformat(str(row.get("date")))
        except (TypeError, ValueError):
            raise ReviewImportError(f"{where}: rating must be 1–5 and date YYYY-MM-DD") from None
        if not 1 <= rating <= 5:
            raise ReviewImportError(f"{where}: rating must be 1–5, not {rating}")
        language = str(row.get("language") or detect_language(text))
        reviews.append(Review(product_id=product_id, order_id=order_id, rating=rating, text=text, language=language, reviewed_on=reviewed_on))
    db.add_all(reviews)
    db.commit()
    return {"added": len(reviews)}
