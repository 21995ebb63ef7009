"""Prompts and templates in both languages. Short: the demo model has 135M parameters."""

from __future__ import annotations

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from knowledge.markdown import sentences
from retrieval.index import Hit
from retrieval.lexical import query_terms
from retrieval.sentences import Quote

SYSTEM = {
    "en": (
        "You are the customer-service assistant of an online shop. Answer the customer's question "
        "in English using only the numbered policy excerpts. Be brief (at most three sentences) and "
        "cite excerpts like [1]. If the excerpts do not answer it, say so and offer a human agent."
    ),
    "zh": (
        "你是网店的客服助手。只根据编号的政策摘录，用中文简短回答顾客的问题（最多三句），"
        "并用 [1] 这样的编号注明出处。摘录中没有答案时，请如实说明并提出转人工。"
    ),
}

CONTEXT_HEADER = {"en": "Policy excerpts:", "zh": "政策摘录："}

DEGRADED_INTRO = {
    "en": "Here is what our policy says:",
    "zh": "以下是我们的相关政策：",
}

NO_ANSWER = {
    "en": "I could not find this in our policies. I can connect you to a human agent if you like.",
    "zh": "抱歉，我在现有政策中没有找到相关内容。如需帮助，我可以为您转接人工客服。",
}

MAX_SNIPPET_CHARS = 400

# The label of an extractive answer: its words are the policy's own.
QUOTED = {"en": "(Quoted from our policies.)", "zh": "（以上内容摘自本店政策。）"}
# …and when the knowledge base had it only in the other language.
QUOTED_ACROSS = {"en": "(Quoted from our policies, which have this only in Chinese.)", "zh": "（以上内容摘自本店政策，该内容只有英文原文。）"}


def policy_messages(question: str, hits: list[Hit], language: str, history: list[BaseMessage] | None = None) -> list[BaseMessage]:
    """What the model is sent to phrase a policy answer: instructions, the numbered excerpts, the
    conversation so far, the question. The capability check (bot.capability) asks the same way."""
    return [SystemMessage(SYSTEM[language] + "\n\n" + format_context(hits, language)), *(history or []), HumanMessage(question)]


def quoted_answer(quotes: list[Quote], language: str, cross_lingual: bool = False) -> tuple[str, list[Hit], dict[str, str]]:
    """An extractive answer: the chosen sentences, each marked with its source's number, and the
    label that says they are quoted. Returns the text, the cited chunks in the order of their
    numbers, and the quoted sentences of each chunk (by chunk id)."""
    cited: list[Hit] = []
    quoted: dict[str, list[str]] = {}
    parts: list[str] = []
    for quote in quotes:
        if quote.hit.chunk_id not in quoted:
            cited.append(quote.hit)
            quoted[quote.hit.chunk_id] = []
        quoted[quote.hit.chunk_id].append(quote.text)
        number = [h.chunk_id for h in cited].index(quote.hit.chunk_id) + 1
        parts.append(f"{quote.text}[{number}]" if language == "zh" and not cross_lingual else f"{quote.text} [{number}]")
    label = (QUOTED_ACROSS if cross_lingual else QUOTED)[language]
    body = ("" if language == "zh" and not cross_lingual else " ").join(parts)
    return f"{body}\n\n{label}", cited, {k: ("" if v[0].endswith(("。", "！", "？")) else " ").join(v) for k, v in quoted.items()}


def format_context(hits: list[Hit], language: str) -> str:
    lines = [CONTEXT_HEADER[language]]
    for number, hit in enumerate(hits, start=1):
        label = f" ({hit.section})" if hit.section else ""
        lines.append(f"[{number}]{label} {hit.text[:MAX_SNIPPET_CHARS]}")
    return "\n".join(lines)


def degraded_answer(hits: list[Hit], language: str, max_snippets: int = 2, question: str = "") -> str:
    """An answer made only of cited policy text, for when no model answer can be used: of each
    cited chunk, the sentences that share the most words with the question."""
    if not hits:
        return NO_ANSWER[language]
    parts = [DEGRADED_INTRO[language]]
    for number, hit in enumerate(hits[:max_snippets], start=1):
        section = f"{hit.section}: " if hit.section else ""
        parts.append(f"[{number}] {section}{excerpt(hit.text, question)}")
    return "\n\n".join(parts)


def excerpt(text: str, question: str, limit: int = MAX_SNIPPET_CHARS) -> str:
    """Verbatim sentences of ``text`` within ``limit`` characters: those sharing the most words with
    ``question`` (in their original order, "…" where sentences were left out), or its beginning
    when none shares any."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    parts = sentences(text)
    wanted = set(query_terms(question))
    overlap = [len(wanted & set(query_terms(s))) for s in parts]
    if not any(overlap):
        return text[: limit - 1].rstrip() + "…"
    chosen: set[int] = set()
    used = 0
    for i in sorted(range(len(parts)), key=lambda i: (-overlap[i], i)):
        if overlap[i] == 0 or used + len(parts[i]) > limit and chosen:
            continue
        chosen.add(i)
        used += len(parts[i]) + 1
    shown = []
    for i in sorted(chosen):
        if i > 0 and i - 1 not in chosen:
            shown.append("…")
        shown.append(parts[i] if len(parts[i]) <= limit else parts[i][: limit - 1].rstrip() + "…")
    if max(chosen) < len(parts) - 1:
        shown.append("…")
    # Chinese sentences follow each other without a space; English ones with one.
    return "".join(part if not joined or joined[-1] in "。！？；…" or part == "…" and joined[-1] in "。！？；" else f" {part}"
                   for joined, part in zip(["", *shown], shown))  # fmt: skip


AGENT_SYSTEM = {
    "en": (
        "You are the customer-service agent of an online shop. Use the tools to look up facts; never invent "
        "order details. Verify the customer (email, or name and zip code) before any order access. Before any "
        "change, state the exact action and ask for an explicit yes; the system runs it only after the customer "
        "confirms. Answer in English, briefly, citing policy excerpts like [1]. Offer a human agent when you cannot help."
    ),
    "zh": (
        "你是网店的客服代理。请用工具查询事实，绝不编造订单信息。访问订单前先验证顾客身份（邮箱，或姓名加邮编）。"
        "任何修改前先说明具体操作并请顾客明确回复“是”；系统只在顾客确认后执行。用中文简短回答，引用政策摘录如 [1]。无法处理时提出转人工。"
    ),
}
