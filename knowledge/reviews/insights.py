"""A merchant's review insights per product: the share of positive and negative reviews by month,
the average rating, and the top praise and complaint themes with example quotes.

Themes are clusters of review sentences: each sentence gets its own sentiment, the sentences of
one polarity are embedded (the configured embedding model, both languages in one space) and
grouped greedily by cosine similarity; a theme is a group, quoted by its most central sentence.
"""

from __future__ import annotations

from collections import defaultdict

from sqlmodel import Session, select

from knowledge.orders.models import Product, Review
from knowledge.reviews.sentiment import label, score, sentences

THEME_SIMILARITY = 0.72  # two sentences this close (cosine) say the same thing
THEMES_SHOWN = 3
SENTENCE_NEUTRAL = 0.05  # VADER's neutral band, for a sentence's own polarity
QUOTES = 6  # the most central sentences of a theme, in any language (an answer quotes one in its own)


_VECTORS: dict[tuple[int, str], list[float]] = {}  # (model, sentence) → vector: reviews repeat, and are asked about again
_CACHED = 20_000


def _embedded(texts: list[str], embeddings) -> list[list[float]]:
    """Vectors of ``texts``, each distinct sentence embedded once per process."""
    missing = [t for t in dict.fromkeys(texts) if (id(embeddings), t) not in _VECTORS]
    if missing:
        if len(_VECTORS) + len(missing) > _CACHED:
            _VECTORS.clear()
        _VECTORS.update(((id(embeddings), t), v) for t, v in zip(missing, embeddings.embed_documents(missing)))
    return [_VECTORS[(id(embeddings), t)] for t in texts]


def _themes(texts: list[str], embeddings) -> list[dict]:
    if not texts:
        return []
    import numpy as np

    vectors = np.asarray(_embedded(texts, embeddings), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9
    groups: list[list[int]] = []
    centroids: list[np.ndarray] = []
    for row, vector in enumerate(vectors):
        similarities = [float(c @ vector) / (float(np.linalg.norm(c)) + 1e-9) for c in centroids]
        best = int(np.argmax(similarities)) if similarities else -1
        if best >= 0 and similarities[best] >= THEME_SIMILARITY:
            groups[best].append(row)
            centroids[best] = centroids[best] + vector
        else:
            groups.append([row])
            centroids.append(vector.copy())
    themes = []
    for group, centroid in sorted(zip(groups, centroids), key=lambda g: -len(g[0]))[:THEMES_SHOWN]:
        central = sorted(group, key=lambda r: -float(vectors[r] @ centroid))
        themes.append({"mentions": len(group), "quote": texts[central[0]], "examples": [texts[r] for r in central[1:QUOTES]]})
    return themes


def product_insights(db: Session, product: Product, embeddings, with_themes: bool = True) -> dict:
    reviews = list(db.exec(select(Review).where(Review.product_id == product.product_id).order_by(Review.reviewed_on)))
    by_month: dict[str, dict] = defaultdict(lambda: {"reviews": 0, "positive": 0, "negative": 0, "rating_sum": 0})
    praise, complaints = [], []
    for review in reviews:
        verdict = label(review.text, review.language or None)
        month = by_month[review.reviewed_on.strftime("%Y-%m")]
        month["reviews"] += 1
        month[verdict] += 1
        month["rating_sum"] += review.rating
        for sentence in sentences(review.text):
            polarity = score(sentence, review.language or None)
            if abs(polarity) >= SENTENCE_NEUTRAL:  # "It arrived on Tuesday." is neither
                (praise if polarity > 0 else complaints).append(sentence)
    months = [{"month": m, "reviews": v["reviews"], "positive": v["positive"], "negative": v["negative"],
               "share_positive": round(v["positive"] / v["reviews"], 3), "average_rating": round(v["rating_sum"] / v["reviews"], 2)}
              for m, v in sorted(by_month.items())]  # fmt: skip
    positive = sum(m["positive"] for m in months)
    return {
        "product_id": product.product_id, "name": product.name, "reviews": len(reviews),
        "share_positive": round(positive / len(reviews), 3) if reviews else None,
        "average_rating": round(sum(r.rating for r in reviews) / len(reviews), 2) if reviews else None,
        "months": months, "praise": _themes(praise, embeddings) if with_themes else [],
        "complaints": _themes(complaints, embeddings) if with_themes else [],
    }  # fmt: skip


def shop_insights(db: Session, shop_id: str, embeddings, product_id: str | None = None, on_product=None, themes_for: int | None = None) -> list[dict]:
    """Every product of ``shop_id`` (or one of them) with reviews; never another shop's.
    ``themes_for``: themes only for that many products, those with the lowest share positive
    (embedding every sentence of a whole shop takes a minute on a CPU); None: all."""
    query = select(Product).where(Product.shop_id == shop_id).order_by(Product.name)
    if product_id:
        query = query.where(Product.product_id == product_id)
    products = {p.product_id: p for p in db.exec(query)}
    found = [i for i in (product_insights(db, p, embeddings, with_themes=False) for p in products.values()) if i["reviews"]]
    chosen = sorted(found, key=lambda i: (i["share_positive"], i["name"]))[: themes_for if themes_for is not None else len(found)]
    for insight in chosen:
        insight.update({k: v for k, v in product_insights(db, products[insight["product_id"]], embeddings).items() if k in ("praise", "complaints")})
        if on_product:
            on_product(insight["name"])
    return found


def praise_quotes(db: Session, product_id: str, language: str, n: int = 2) -> list[str]:
    """Sentences of praise from the product's best reviews in ``language`` (for its copy)."""
    reviews = db.exec(select(Review).where(Review.product_id == product_id, Review.rating >= 4, Review.language == language)
                      .order_by(Review.rating.desc(), Review.reviewed_on.desc(), Review.id))  # fmt: skip
    quotes: list[str] = []
    for review in reviews:
        for sentence in sentences(review.text):
            if label(sentence, language) == "positive" and sentence not in quotes:
                quotes.append(sentence)
                break
        if len(quotes) == n:
            break
    return quotes
