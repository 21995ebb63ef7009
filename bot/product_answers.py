"""Pre-sales answers built from the catalogue tools' results, in English and Chinese. Every
price, option and stock figure is copied from a tool result (the database), and every pick says
why it was picked, as the shop's policy asks of recommendations."""

from __future__ import annotations

from bot.templates import item_label, option_values, phrasebook, product_name
from knowledge.catalog import option_label, options_label, value_label
from retrieval.index import Hit

SHOWN_EXAMPLES = 3

T = {
    "found": {"en": "Here is what we have, with prices and stock as of now:", "zh": "为您找到以下商品（价格和库存为当前数据）："},
    "none": {"en": "I could not find a product in our catalogue for that. Tell me what it is for, or name the product.",
             "zh": "商品目录中没有找到相符的商品。可以告诉我用途，或直接说商品名称。"},
    "near": {"en": "We sell the {name}, but nothing in stock matches {filters}. In stock: {examples}.",
             "zh": "本店有{name}，但目前没有符合{filters}的有货款式。有货的：{examples}。"},
    "near_none": {"en": "We sell the {name}, but it is out of stock at the moment.", "zh": "本店有{name}，但目前全部缺货。"},
    "line": {"en": "{n}. {name}: {price} ({why}). For example: {examples}.",
             "zh": "{n}. {name}：{price}（{why}）。例如：{examples}。"},
    "compare": {"en": "Side by side (prices and stock as of now):", "zh": "对比如下（价格和库存为当前数据）："},
    "compare_line": {"en": "- {name}: {price}; {stock}; options: {options}.", "zh": "- {name}：{price}；{stock}；选项：{options}。"},
    "only_in": {"en": "Only the {name} has: {axes}.", "zh": "只有{name}有：{axes}。"},
    "which_compare": {"en": "Which products would you like to compare? Name two, for example: “compare the coffee maker and the espresso machine”.",
                      "zh": "请问要对比哪两件商品？例如：“对比咖啡机和意式咖啡机”。"},
    "alternatives": {"en": "In place of {item}, these are in stock:", "zh": "可以替代{item}的有货商品："},
    "alternative_line": {"en": "{n}. {label}: ${price:.2f} ({why}).", "zh": "{n}. {label}：{price:.2f} 美元（{why}）。"},
    "no_alternatives": {"en": "I found nothing in stock to offer in place of {item}.", "zh": "目前没有可以替代{item}的有货商品。"},
    "which_product": {"en": "Which product do you mean? Name it, or ask me to search first, for example: “do you have backpacks?”.",
                      "zh": "请问是哪件商品？请说出商品名称，或先让我搜索，例如：“有双肩包吗？”。"},
}  # fmt: skip


say = phrasebook(T)


def _price(low: float, high: float, language: str) -> str:
    if language == "zh":
        return f"{low:.2f} 美元" if low == high else f"{low:.2f}–{high:.2f} 美元"
    return f"${low:.2f}" if low == high else f"${low:.2f}–${high:.2f}"


def _options(options: dict[str, str], language: str) -> str:
    return options_label(options, language) if language == "zh" else ", ".join(f"{k} {v}" for k, v in options.items())


def reason(why: dict, language: str) -> str:
    """One reason a product or variant was picked, in words."""
    zh = language == "zh"
    kind = why["reason"]
    if kind == "named":
        return "您问到的商品" if zh else "the product you asked about"
    if kind == "described":
        return "符合您描述的用途" if zh else "matches what you described"
    if kind == "option":
        return f"{option_label(why['option'], 'zh')}：{value_label(why['value'], 'zh', why['option'])}" if zh else f"{why['option']} {why['value']}"
    if kind == "price":
        cap = why.get("max")
        return (f"{cap:g} 美元以内" if zh else f"within ${cap:g}") if cap is not None else (f"{why['min']:g} 美元以上" if zh else f"from ${why['min']:g}")
    if kind == "in_stock":
        count = why.get("count")
        return ("有货" if zh else "in stock") if count is None else (f"{count} 款有货" if zh else f"{count} in stock")
    if kind == "same_product":
        return "同一商品" if zh else "the same product"
    if kind == "differs":
        option = why["option"]
        return (f"{option_label(option, 'zh')}：{value_label(why['value'], 'zh', option)}（原为 {value_label(why['instead_of'], 'zh', option)}）" if zh else f"{option} {why['value']} instead of {why['instead_of']}")
    if kind == "similar_product":
        return f"与{product_name(why['to'], 'zh')}相近" if zh else f"similar to the {why['to']}"
    if kind == "lowest_price":
        return "该商品的最低价" if zh else "its lowest price"
    return kind


def _reasons(whys: list[dict], language: str) -> str:
    return ("，" if language == "zh" else ", ").join(reason(w, language) for w in whys)


def _filters(filters: dict, language: str) -> str:
    """What the shopper asked for, in words: "color blue, size M, within $50"."""
    parts = [f"{option_label(k, language)} {value_label(v, language, k)}" for k, v in filters["options"].items()]
    if filters.get("max_price") is not None:
        parts.append(reason({"reason": "price", "max": filters["max_price"]}, language))
    return ("，" if language == "zh" else ", ").join(parts) or ("您的条件" if language == "zh" else "what you asked")


def search_answer(result: dict, language: str) -> str:
    sep = "；" if language == "zh" else "; "
    lines: list[str] = []
    for near in result.get("near_misses", []):
        name = product_name(near["name"], language)
        if near["available_variants"]:
            shown = sep.join(option_values(axis, values, language) for axis, values in near["in_stock_options"].items())
            lines.append(say("near", language, name=name, filters=_filters(result["filters"], language), examples=shown))
        else:
            lines.append(say("near_none", language, name=name))
    if result["products"]:
        lines.append(say("found", language))
        for n, product in enumerate(result["products"], 1):
            examples = sep.join(f"{_options(v['options'], language)} ({_price(v['price'], v['price'], language)})" for v in product["variants"][:SHOWN_EXAMPLES])
            lines.append(say("line", language, n=n, name=product_name(product["name"], language), price=_price(*product["price_range"], language),
                             why=_reasons(product["why"], language), examples=examples))  # fmt: skip
    return "\n".join(lines) or say("none", language)


def compare_answer(result: dict, language: str) -> str:
    zh = language == "zh"
    lines = [say("compare", language)]
    for facts in result["products"]:
        low, high = facts["price_range"] or (0.0, 0.0)
        stock = f"{facts['available_variants']}/{facts['variants']} 款有货" if zh else f"{facts['available_variants']} of {facts['variants']} variants in stock"
        options = ("；" if zh else "; ").join(option_values(axis, values, language) for axis, values in facts["options"].items())
        lines.append(say("compare_line", language, name=product_name(facts["name"], language), price=_price(low, high, language), stock=stock, options=options))
    for name, axes in result["only_in"].items():
        if axes:
            lines.append(say("only_in", language, name=product_name(name, language), axes=("、" if zh else ", ").join(option_label(a, language) for a in axes)))
    return "\n".join(lines)


def alternatives_answer(result: dict, language: str) -> str:
    item = item_label(result["item"], language) if result["item"]["options"] else product_name(result["item"]["name"], language)
    if not result["alternatives"]:
        return say("no_alternatives", language, item=item)
    lines = [say("alternatives", language, item=item)]
    for n, pick in enumerate(result["alternatives"], 1):
        lines.append(say("alternative_line", language, n=n, label=item_label(pick, language), price=pick["price"], why=_reasons(pick["why"], language)))
    return "\n".join(lines)


def citations(tool: str, result: dict) -> list[Hit]:
    """The product records an answer from a catalogue tool rests on, as citations: one per
    product, with the facts as the database gave them."""
    if tool == "search_products":
        records = [(p["product_id"], p["name"], p["price_range"], p["matching_variants"]) for p in result["products"]]
        records += [(p["product_id"], p["name"], p["price_range"], p["available_variants"]) for p in result["near_misses"]]
    elif tool == "compare_products":
        records = [(p["product_id"], p["name"], p["price_range"], p["available_variants"]) for p in result["products"]]
    elif tool == "recommend_alternatives":
        records = [(p["product_id"], p["name"], [p["price"], p["price"]], 1) for p in result["alternatives"]]
    else:
        return []
    seen: dict[str, Hit] = {}
    for product_id, name, prices, in_stock in records:
        low, high = prices or (0.0, 0.0)
        text = f"{name}: ${low:.2f}–${high:.2f}, {in_stock} in stock (catalogue record {product_id})"
        seen.setdefault(product_id, Hit(source="catalogue", chunk_id=f"product:{product_id}", section=name, text=text, score=1.0))
    return list(seen.values())
