"""How well catalogue search finds the product a shopper means: top-1 and top-3 of
``search_products`` on a labelled set (``[{"q", "lang", "product", "kind"}]``), per language and kind."""

from __future__ import annotations

from collections import defaultdict

from bot.tools.session import ToolSession


def evaluate(questions: list[dict], tools: ToolSession, k: int = 3) -> dict:
    tally: dict = defaultdict(lambda: {"n": 0, "top1": 0, "topk": 0})
    misses = []
    for question in questions:
        found = tools.call("search_products", {"query": question["q"], "in_stock_only": False, "limit": k})
        names = [p["name"] for p in found.result["products"]] if found.ok else []
        for group in ("all", question.get("lang", "?"), f"{question.get('lang', '?')}/{question.get('kind', '?')}"):
            tally[group]["n"] += 1
            tally[group]["top1"] += names[:1] == [question["product"]]
            tally[group]["topk"] += question["product"] in names[:k]
        if question["product"] not in names[:k]:
            misses.append({"q": question["q"], "product": question["product"], "got": names})
    groups = {g: {"n": t["n"], "top1": round(t["top1"] / t["n"], 4), f"top{k}": round(t["topk"] / t["n"], 4)} for g, t in sorted(tally.items())}
    return {"groups": groups, "misses": misses}
