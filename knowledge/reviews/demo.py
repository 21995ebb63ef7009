"""Deterministic demo reviews, in English and Chinese, for the delivered orders of whatever shop is
imported (τ²'s or kefu's generated one): same seed, same reviews.

Each product gets a quality of its own (the chance a review is positive); a review is an overall
verdict plus one or two sentences about themes that fit the product (battery for devices, fit for
clothes and shoes, comfort for what is worn or sat on), from hand-written sentence pools
(``data/review_pool.json``). Buyers in China write in Chinese, a third of the others too.
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path

from sqlmodel import Session, select

from knowledge.orders.models import Order, OrderItem, Product, Review, User

POOL = Path(__file__).with_name("data") / "review_pool.json"
GENERAL = ("quality", "shipping", "packaging", "value", "durability", "service", "as_described")
BATTERY = {"Wireless Earbuds", "Smart Watch", "Bluetooth Speaker", "Portable Charger", "Electric Toothbrush", "Smartphone", "Laptop",
           "Tablet", "E-Reader", "Headphones", "Action Camera", "Digital Camera", "Gaming Mouse"}  # fmt: skip
FIT = {"T-Shirt", "Hiking Boots", "Running Shoes", "Sneakers", "Fleece Jacket", "Cycling Helmet"}
COMFORT = FIT | {"Office Chair", "Pet Bed", "Yoga Mat", "Headphones", "Wireless Earbuds"}
FIRST_DAY = date(2026, 6, 1)
DAYS = 180
SHARE_REVIEWED = 0.6


def themes_for(name: str) -> tuple[str, ...]:
    return GENERAL + (("battery",) if name in BATTERY else ()) + (("size_fit",) if name in FIT else ()) + (("comfort",) if name in COMFORT else ())


def generate_reviews(db: Session, seed: int = 7) -> list[Review]:
    """Reviews for the delivered orders' lines (about 60 % of them), not yet added to ``db``."""
    pool = json.loads(POOL.read_text("utf-8"))
    rng = random.Random(seed)
    products = {p.product_id: p for p in db.exec(select(Product).order_by(Product.product_id))}
    quality = {pid: rng.uniform(0.35, 0.9) for pid in products}
    countries = dict(db.exec(select(User.user_id, User.country)).all())
    lines = db.exec(select(OrderItem, Order.user_id).join(Order, Order.order_id == OrderItem.order_id)
                    .where(Order.status == "delivered").order_by(OrderItem.order_id, OrderItem.position)).all()  # fmt: skip
    reviews = []
    for line, user_id in lines:
        if rng.random() > SHARE_REVIEWED or line.product_id not in products:
            continue
        language = "zh" if countries.get(user_id) == "China" or rng.random() < 1 / 3 else "en"
        positive = rng.random() < quality[line.product_id]
        mixed = rng.random() < 0.2
        rating = (4 if mixed else rng.choice((4, 5, 5))) if positive else (2 if mixed else rng.choice((1, 1, 2)))
        themes = rng.sample(themes_for(products[line.product_id].name), 2)
        verdict, kind = ("positive", "praise") if positive else ("negative", "complaint")
        # An overall verdict opens some reviews; most go straight to what was good or bad.
        parts = ([rng.choice(pool["openers"][language][verdict])] if rng.random() < 0.4 else []) + [rng.choice(pool["themes"][themes[0]][language][kind])]
        # A mixed review concedes one point of the other kind, after the verdict it keeps.
        other = "complaint" if positive else "praise"
        parts.append(rng.choice(pool["themes"][themes[1]][language][other if mixed else kind]))
        glue = "" if language == "zh" else " "
        text = glue.join(p if p[-1] in ".!?。！？" else p + ("。" if language == "zh" else ".") for p in parts)
        reviews.append(Review(product_id=line.product_id, order_id=line.order_id, rating=rating, text=text, language=language,
                              reviewed_on=FIRST_DAY + timedelta(days=rng.randrange(DAYS))))  # fmt: skip
    return reviews


def import_demo_reviews(db: Session, seed: int = 7) -> dict:
    """Add the demo reviews to a shop that has none yet (a rerun adds nothing)."""
    if db.exec(select(Review.id).limit(1)).first() is not None:
        return {"added": 0, "existing": len(db.exec(select(Review.id)).all())}
    reviews = generate_reviews(db, seed)
    db.add_all(reviews)
    db.commit()
    return {"added": len(reviews), "zh": sum(r.language == "zh" for r in reviews), "en": sum(r.language == "en" for r in reviews)}
