"""A merchant's answers built from its shop tools' results, in English and Chinese; every figure
is copied from a tool result."""

from __future__ import annotations

from bot.templates import item_label, phrasebook, product_name, state_name
from knowledge.documents import detect_language

SHOWN = 3

T = {
    "summary": {"en": "Your shop has {orders} orders: {by_status}. Sold (not cancelled or returned): ${sold:.2f}.",
                "zh": "您的店铺共有 {orders} 个订单：{by_status}。已售出（不含取消和退货）：{sold:.2f} 美元。"},
    "needs_action": {"en": "Needs your action: {items}.", "zh": "需要您处理：{items}。"},
    "nothing_to_do": {"en": "Nothing needs your action right now.", "zh": "目前没有需要处理的订单。"},
    "top": {"en": "Best sellers: {items}.", "zh": "畅销商品：{items}。"},
    "stock_line": {"en": "- {name}: {in_stock} of {variants} variants in stock{out}", "zh": "- {name}：{variants} 款中 {in_stock} 款有货{out}"},
    "stock_out": {"en": "; out of stock: {items}", "zh": "；缺货：{items}"},
    "stock_intro": {"en": "Stock of your products:", "zh": "您的商品库存："},
    "no_reviews": {"en": "Your products have no reviews yet.", "zh": "您的商品还没有评价。"},
    "reviews_line": {"en": "- {name}: {reviews} reviews, {positive:.0%} positive, {rating:.1f} stars on average.",
                     "zh": "- {name}：{reviews} 条评价，好评 {positive:.0%}，平均 {rating:.1f} 星。"},
    "praise": {"en": "  Praised ({n}): “{quote}”", "zh": "  好评点（{n} 条）：“{quote}”"},
    "complaint": {"en": "  Complaints ({n}): “{quote}”", "zh": "  差评点（{n} 条）：“{quote}”"},
    "reviews_more": {"en": "…and {n} more products (`kefu reviews analyze`, or the console's merchant tab).",
                     "zh": "……另有 {n} 件商品（可用 `kefu reviews analyze` 或控制台的商家页查看）。"},
    "copy_which": {"en": "Which product should I write copy for? Name it, for example: “write a description of the backpack”.",
                   "zh": "请问要为哪件商品写文案？例如：“给背包写一段文案”。"},
    "copy_template": {"en": "{text}\n\n(Written from the product's facts by a template; `kefu copy` or the console's merchant tab lets the model write it, checked against the same facts.)",
                      "zh": "{text}\n\n（根据商品信息由模板生成；`kefu copy` 或控制台商家页可由模型撰写，并按同样的信息核对。）"},
}  # fmt: skip


say = phrasebook(T)


def summary_answer(result: dict, language: str) -> str:
    sep = "、" if language == "zh" else ", "
    by_status = sep.join(f"{state_name(s, language)} {n}" for s, n in result["by_status"].items())
    lines = [say("summary", language, orders=result["orders"], by_status=by_status, sold=result["revenue"]["sold"] or 0.0)]
    needing = sep.join(f"{state_name(s, language)} {n}" for s, n in result["needs_action"].items())
    lines.append(say("needs_action", language, items=needing) if needing else say("nothing_to_do", language))
    if result["top_products"]:
        unit = " 件" if language == "zh" else ""
        top = sep.join(f"{product_name(p['name'], language)} ({p['units']}{unit})" for p in result["top_products"][:SHOWN])
        lines.append(say("top", language, items=top))
    return "\n".join(lines)


def stock_answer(result: dict, language: str) -> str:
    lines = [say("stock_intro", language)]
    sep = "；" if language == "zh" else "; "
    for p in sorted(result["products"], key=lambda p: (p["in_stock"] / max(p["variants"], 1), p["name"])):
        out = sep.join(item_label({"name": p["name"], "options": v["options"]}, language) for v in p["out_of_stock"][:SHOWN])
        more = f" (+{len(p['out_of_stock']) - SHOWN})" if len(p["out_of_stock"]) > SHOWN else ""
        lines.append(say("stock_line", language, name=product_name(p["name"], language), in_stock=p["in_stock"], variants=p["variants"],
                         out=say("stock_out", language, items=out + more) if out else ""))  # fmt: skip
    return "\n".join(lines)


def _in_language(theme: dict, language: str) -> str:
    """The theme's most central quote written in the reply's language, else its most central one."""
    quotes = [theme["quote"], *theme["examples"]]
    return next((q for q in quotes if detect_language(q) == language), quotes[0])


def reviews_answer(result: dict, language: str) -> str:
    products = sorted(result["products"], key=lambda p: (p["share_positive"], p["name"]))  # the ones needing attention first
    if not products:
        return say("no_reviews", language)
    lines = []
    for p in products[:SHOWN]:
        lines.append(say("reviews_line", language, name=product_name(p["name"], language), reviews=p["reviews"], positive=p["share_positive"],
                         rating=p["average_rating"]))  # fmt: skip
        for key, themes in (("praise", p["praise"]), ("complaint", p["complaints"])):
            if themes:
                lines.append(say(key, language, n=themes[0]["mentions"], quote=_in_language(themes[0], language)))
    if len(products) > SHOWN:
        lines.append(say("reviews_more", language, n=len(products) - SHOWN))
    return "\n".join(lines)
