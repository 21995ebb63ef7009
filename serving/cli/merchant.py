"""`kefu reviews …` and `kefu copy`: a merchant's reviews and product copy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from serving.cli.common import app, err, fail, model_or_exit, orders_db_url, out, print_json, reviews_app, settings_or_exit


@reviews_app.command("demo")
def reviews_demo(seed: Annotated[int, typer.Option(help="Same seed, same reviews.")] = 7, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Generate deterministic bilingual demo reviews for the delivered orders (once: a shop with reviews gets none added)."""
    from knowledge.orders.db import session
    from knowledge.reviews.demo import import_demo_reviews

    with session(orders_db_url()) as db:
        counts = import_demo_reviews(db, seed)
    print_json(counts) if as_json else out.print(", ".join(f"{k}: {v}" for k, v in counts.items()))


@reviews_app.command("import")
def reviews_import(path: Annotated[Path, typer.Argument(help="JSON list or CSV: product_id, rating, text, date, [order_id], [language].")]) -> None:
    """Import a shop's own reviews; one bad row and nothing is written (the error names the row)."""
    from knowledge.orders.db import session
    from knowledge.reviews.importer import ReviewImportError, import_reviews

    with session(orders_db_url()) as db:
        try:
            counts = import_reviews(db, path)
        except ReviewImportError as exc:
            raise fail(str(exc)) from None
    out.print(f"reviews: {counts['added']} added")


@reviews_app.command("analyze")
def reviews_analyze(
    shop: Annotated[str | None, typer.Option(help="One shop (default: every shop).")] = None,
    product: Annotated[str | None, typer.Option(help="One product id.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Per product: reviews, share positive by month, average rating, top praise and complaint themes with quotes."""
    from rich.progress import Progress
    from sqlmodel import select

    from knowledge.orders.db import session
    from knowledge.orders.models import Shop
    from knowledge.reviews.insights import shop_insights
    from retrieval.embeddings import embeddings_for

    settings = settings_or_exit()
    embeddings = embeddings_for(settings.embedding_model)
    report = {}
    with session(orders_db_url()) as db, Progress(console=err, transient=True) as progress:
        shops = [shop] if shop else list(db.exec(select(Shop.shop_id).order_by(Shop.shop_id)))
        if shop and db.get(Shop, shop) is None:
            raise fail(f"no such shop: {shop}")
        task = progress.add_task("analysing reviews", total=None)
        for shop_id in shops:
            report[shop_id] = shop_insights(db, shop_id, embeddings, product_id=product, on_product=lambda name: progress.update(task, description=name))
    if as_json:
        print(json.dumps(report, ensure_ascii=False))
        return
    for shop_id, products in report.items():
        out.print(f"[bold]{shop_id}[/bold]")
        for p in products:
            out.print(f"  {p['name']}: {p['reviews']} reviews, {p['share_positive']:.0%} positive, {p['average_rating']} stars")
            for kind in ("praise", "complaints"):
                for theme in p[kind][:2]:
                    out.print(f"    {kind[:-1] if kind == 'complaints' else kind} ({theme['mentions']}): {theme['quote']}")


@app.command("copy")
def copy_cmd(
    product_id: Annotated[str, typer.Argument(help="The product.")],
    lang: Annotated[str, typer.Option("--lang", help="zh or en.")] = "en",
    tone: Annotated[str, typer.Option(help="friendly, professional or playful.")] = "friendly",
    length: Annotated[str, typer.Option(help="short, medium or long.")] = "medium",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Product copy from the product's facts, by the configured model, checked (no invented numbers or options); a template without a model."""
    from bot.copywriter import write_copy
    from knowledge.catalog import catalogue_option_values, product_facts
    from knowledge.orders.db import session
    from knowledge.orders.models import Product
    from knowledge.reviews.insights import praise_quotes

    settings = settings_or_exit()
    with session(orders_db_url()) as db:
        product = db.get(Product, product_id)
        if product is None:
            raise fail(f"no such product: {product_id}", code=1)
        facts = product_facts(db, product) | {"praise": praise_quotes(db, product_id, lang)}
        values = catalogue_option_values(db)
    model = model_or_exit(settings)
    try:
        written = write_copy(model.chat_model if model.ready() else None, facts, lang, tone, length, values)
    except ValueError as exc:
        raise fail(str(exc)) from None
    finally:
        model.stop()
    if as_json:
        print(json.dumps({"text": written.text, "source": written.source, "problems": written.problems, "attempts": written.attempts}, ensure_ascii=False))
    else:
        out.print(written.text)
        err.print(f"({written.source}; {written.attempts} model drafts; rejected for: {'; '.join(written.problems) or 'nothing'})")
