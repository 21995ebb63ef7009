"""Rows ⇄ τ²-bench's JSON shapes (its field names), for tools, `kefu orders show` and import."""

from __future__ import annotations

from sqlmodel import Session, select

from knowledge.orders.models import Fulfillment, Order, OrderItem, Payment, PaymentMethod, Product, User, Variant

ADDRESS_FIELDS = ("address1", "address2", "city", "country", "state", "zip")


def to_cents(amount: float) -> int:
    return round(float(amount) * 100)


def to_amount(cents: int | None) -> float | None:
    return None if cents is None else round(cents / 100, 2)


def address_of(row) -> dict:
    return {field: getattr(row, field) for field in ADDRESS_FIELDS}


# Order statuses as a Chinese-speaking buyer or merchant reads them.
STATUS_ZH = {"pending": "待发货", "pending (item modified)": "待发货（已改商品）", "processed": "已处理", "delivered": "已送达",
             "cancelled": "已取消", "return requested": "已申请退货", "exchange requested": "已申请换货"}  # fmt: skip


def order_items(db: Session, order_id: str) -> list[OrderItem]:
    return list(db.exec(select(OrderItem).where(OrderItem.order_id == order_id).order_by(OrderItem.position)))


def order_payments(db: Session, order_id: str) -> list[Payment]:
    return list(db.exec(select(Payment).where(Payment.order_id == order_id).order_by(Payment.position)))


def order_record(db: Session, order: Order, include_payments: bool = True) -> dict:
    fulfillments = db.exec(select(Fulfillment).where(Fulfillment.order_id == order.order_id).order_by(Fulfillment.position))
    return _record(order, order_items(db, order.order_id), list(fulfillments), order_payments(db, order.order_id), include_payments)


def order_records(db: Session, orders: list[Order]) -> list[dict]:
    """``order_record`` of many orders with three queries in all (the order cards of a whole shop)."""
    ids = [o.order_id for o in orders]
    rows: dict[type, dict[str, list]] = {}
    for model in (OrderItem, Fulfillment, Payment):
        grouped = rows.setdefault(model, {})
        for row in db.exec(select(model).where(model.order_id.in_(ids)).order_by(model.order_id, model.position)):
            grouped.setdefault(row.order_id, []).append(row)
    return [_record(o, rows[OrderItem].get(o.order_id, []), rows[Fulfillment].get(o.order_id, []), rows[Payment].get(o.order_id, []))
            for o in orders]  # fmt: skip


def _record(order: Order, items: list[OrderItem], fulfillments: list[Fulfillment], payments: list[Payment], include_payments: bool = True) -> dict:
    record = {
        "order_id": order.order_id,
        "user_id": order.user_id,
        "address": address_of(order),
        "items": [
            {"name": i.name, "product_id": i.product_id, "item_id": i.item_id, "price": to_amount(i.price_cents), "options": i.options}
            for i in items
        ],
        "status": order.status,
        "fulfillments": [{"tracking_id": f.tracking_ids, "item_ids": f.item_ids} for f in fulfillments],
        "payment_history": [
            {"transaction_type": p.transaction_type, "amount": to_amount(p.amount_cents), "payment_method_id": p.payment_method_id}
            for p in payments
        ],
        "cancel_reason": order.cancel_reason,
        "exchange_items": order.exchange_items,
        "exchange_new_items": order.exchange_new_items,
        "exchange_payment_method_id": order.exchange_payment_method_id,
        "exchange_price_difference": to_amount(order.exchange_price_difference_cents),
        "return_items": order.return_items,
        "return_payment_method_id": order.return_payment_method_id,
    }
    if not include_payments:
        # Merchants see what to ship, not how the buyer paid.
        for key in ("payment_history", "exchange_payment_method_id", "return_payment_method_id"):
            record.pop(key)
    return record


def payment_method_record(method: PaymentMethod) -> dict:
    record: dict = {"source": method.source, "id": method.id}
    if method.source == "credit_card":
        record.update(brand=method.brand, last_four=method.last_four)
    if method.source == "gift_card":
        record["balance"] = to_amount(method.balance_cents)
    return record


def user_record(db: Session, user: User) -> dict:
    methods = db.exec(select(PaymentMethod).where(PaymentMethod.user_id == user.user_id).order_by(PaymentMethod.id))
    orders = db.exec(
        select(Order.order_id).where(Order.user_id == user.user_id).order_by(Order.user_position, Order.order_id)
    )
    return {
        "user_id": user.user_id,
        "name": {"first_name": user.first_name, "last_name": user.last_name},
        "address": address_of(user),
        "email": user.email,
        "payment_methods": {m.id: payment_method_record(m) for m in methods},
        "orders": list(orders),
    }


def variant_record(variant: Variant) -> dict:
    return {"item_id": variant.item_id, "options": variant.options, "available": variant.available, "price": to_amount(variant.price_cents)}


def product_record(db: Session, product: Product) -> dict:
    variants = db.exec(select(Variant).where(Variant.product_id == product.product_id).order_by(Variant.item_id))
    return {"name": product.name, "product_id": product.product_id, "variants": {v.item_id: variant_record(v) for v in variants}}
