"""Product descriptions and marketing copy for a merchant, written by the model from the product's
facts only (name, options, price range, stock, what reviewers praise), in Chinese or English,
with a tone and a length.

Every draft is checked before it is shown: each number in it must be a number of the facts, and
each option value it names must be one of this product's (a value of another product, "IPX7" on
a kettle, is an invented spec). A draft that fails is written again once with the problems
named; then, or without a model (degraded mode), the copy comes from a template of the facts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

from bot.templates import option_values, product_name
from knowledge.catalog import option_label, value_label

TONES = ("friendly", "professional", "playful")
LENGTHS = {"short": (40, 80), "medium": (80, 160), "long": (140, 280)}  # words in English, characters in Chinese
ATTEMPTS = 2
NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


@dataclass
class Copy:
    text: str
    source: str  # model | template
    problems: list[str] = field(default_factory=list)  # what the rejected drafts invented
    attempts: int = 0


def facts_text(facts: dict, language: str) -> str:
    low, high = facts["price_range"] or (0, 0)
    lines = [f"name: {facts['name']}" + (f" ({product_name(facts['name'], 'zh')})" if language == "zh" else ""),
             *(f"{axis}: {', '.join(values)}" + (f" ({option_values(axis, values, 'zh')})" if language == "zh" else "") for axis, values in facts["options"].items()),
             f"price: ${low:.2f}–${high:.2f}", f"variants in stock: {facts['available_variants']} of {facts['variants']}"]  # fmt: skip
    lines += [f"a reviewer says: {quote}" for quote in facts.get("praise", [])]
    return "\n".join(lines)


def check_copy(text: str, facts: dict, catalogue_values: set[str]) -> list[str]:
    """What the copy states that the facts do not: numbers, and option values of other products."""
    known = facts_text(facts, "en")
    numbers = {n.replace(",", "") for n in NUMBER.findall(known)} | {f"{float(n.replace(',', '')):g}" for n in NUMBER.findall(known)}
    problems = [f"number {n} is not in the facts" for n in dict.fromkeys(NUMBER.findall(text))
                if n.replace(",", "") not in numbers and f"{float(n.replace(',', '')):g}" not in numbers]  # fmt: skip
    own = {v.casefold() for values in facts["options"].values() for v in values}
    for value in sorted(catalogue_values - own, key=len, reverse=True):
        if len(value) >= 3 and not value.isdigit() and re.search(rf"(?<![\w-]){re.escape(value)}(?![\w-])", text, re.IGNORECASE):
            problems.append(f"option {value!r} is not one of this product's")
    return problems


def template_copy(facts: dict, language: str, tone: str = "friendly") -> str:
    """Copy from the facts alone: exact by construction."""
    low, high = facts["price_range"] or (0, 0)
    name = product_name(facts["name"], language)
    options = facts["options"]
    if language == "zh":
        choices = "；".join(f"{option_label(axis, 'zh')}可选 {'、'.join(value_label(v, 'zh', axis) for v in values)}" for axis, values in options.items())
        opener = {"friendly": f"来看看这款{name}！", "professional": f"{name}，", "playful": f"{name}上新啦～"}.get(tone, f"{name}：")
        price = f"{low:.2f} 美元" if low == high else f"{low:.2f}–{high:.2f} 美元"
        praise = f"买家评价：“{facts['praise'][0]}”" if facts.get("praise") else ""
        return f"{opener}{choices}。价格 {price}，现有 {facts['available_variants']} 款有货。{praise}"
    choices = "; ".join(f"{axis}: {', '.join(values)}" for axis, values in options.items())
    opener = {"friendly": f"Meet the {name}!", "professional": f"The {name}.", "playful": f"Say hello to your new {name}!"}.get(tone, f"The {name}.")
    price = f"${low:.2f}" if low == high else f"${low:.2f}–${high:.2f}"
    praise = f" A reviewer says: “{facts['praise'][0]}”" if facts.get("praise") else ""
    return f"{opener} Choose your {choices}. From {price}, {facts['available_variants']} options in stock now.{praise}"


def _prompt(facts: dict, language: str, tone: str, length: str, problems: list[str]) -> list:
    low, high = LENGTHS[length]
    unit = "Chinese characters" if language == "zh" else "words"
    system = (f"You write {tone} e-commerce product copy in {'Simplified Chinese' if language == 'zh' else 'English'}, "
              f"{low}-{high} {unit}. Use ONLY the facts given: no other numbers, specs, materials, features, brands or claims. "
              "No prices other than the given range.")  # fmt: skip
    ask = f"Facts:\n{facts_text(facts, language)}\n\nWrite the product description."
    if problems:
        ask += "\nYour last draft was rejected: " + "; ".join(problems) + ". Write it again using only the facts."
    return [SystemMessage(system), HumanMessage(ask)]


def write_copy(model: BaseChatModel | None, facts: dict, language: str, tone: str, length: str, catalogue_values: set[str]) -> Copy:
    if tone not in TONES or length not in LENGTHS or language not in ("en", "zh"):
        raise ValueError(f"tone must be one of {', '.join(TONES)}, length one of {', '.join(LENGTHS)}, language en or zh")
    problems: list[str] = []
    attempts = 0
    while model is not None and attempts < ATTEMPTS:
        attempts += 1
        try:
            draft = str(model.invoke(_prompt(facts, language, tone, length, problems)).content).strip()
        except Exception:  # a down or slow model: the template (degraded), never an error
            break
        found = check_copy(draft, facts, catalogue_values) if draft else ["the draft is empty"]
        if not found:
            return Copy(draft, "model", problems, attempts)
        problems += found
    return Copy(template_copy(facts, language, tone), "template", problems, attempts)
