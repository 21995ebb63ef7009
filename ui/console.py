"""The operator console (Gradio): test as anyone, see what the bot did and why, run tools,
work the handoff queue, review feedback, check the knowledge base.

It talks to a ``ConsoleBackend`` (built by serving/), so the UI holds no business logic.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Protocol

import gradio as gr

from bot.reply import Reply
from ui.chat import reply_messages


class ConsoleBackend(Protocol):
    def respond(self, text: str, session_id: str | None, principal: str) -> Reply: ...
    def principals(self) -> list[str]: ...
    def tool_names(self) -> list[str]: ...
    def call_tool(self, name: str, arguments: dict, principal: str) -> dict: ...
    def handoffs(self) -> list[dict]: ...
    def operator_reply(self, session_id: str, text: str) -> dict | None: ...
    def release(self, session_id: str) -> bool: ...
    def feedback(self) -> list[dict]: ...
    def knowledge_status(self) -> dict: ...
    def model_status(self) -> dict: ...
    def check_model(self) -> dict: ...
    def shops(self) -> list[str]: ...
    def shop_products(self, shop: str) -> list[tuple[str, str]]: ...
    def review_insights(self, shop: str, product_id: str) -> dict: ...
    def write_copy(self, shop: str, product_id: str, language: str, tone: str, length: str) -> dict: ...
    def conversations(self, **filters) -> list[dict]: ...
    def conversation(self, session_id: str) -> dict | None: ...
    def annotate(self, turn_id: int, rating: str, improved_answer: str, operator: str) -> dict: ...
    def withdraw(self, annotation_id: int, operator: str) -> dict: ...
    def report(self, since: str = "", until: str = "") -> dict: ...
    def reports(self) -> list[str]: ...
    def report_file(self, name: str) -> tuple[dict | None, str | None]: ...
    def search(self, query: str, ungated: bool = False, k: int = 5) -> list[dict]: ...
    def evaluate(self, qa_path: str | None, k: int = 5, on_item: Callable[[int, int], None] | None = None) -> dict: ...


def model_summary(status: dict) -> str:
    """The model's capability check in words, for operators: what answers are made of now and why."""
    capability = status.get("capability") or {}
    lines = [f"**Answers: {status.get('answers', '?')}** · model {status.get('model') or 'none'} ({status.get('state', '?')})",
             f"Capability check: **{capability.get('state', 'not run')}**. {capability.get('meaning', 'No model is configured: policy answers are quoted from the knowledge base.')}"]  # fmt: skip
    for language, result in sorted((capability.get("languages") or {}).items()):
        lines.append(f"- {language}: {result['passed']}/{result['of']} grounded answers passed → {'drafts' if result['drafts'] else 'quotes'}")
    for case in capability.get("cases") or []:
        lines.append(f"  - {case['language']} “{case['question']}” → {case['problem'] or 'ok'} ({case['ms']:.0f} ms): {case['answer'][:120]!r}")
    return "\n".join(lines)


def reply_status(outcome: dict | None) -> str:
    """What became of an operator's reply, in one line for the console."""
    if outcome is None:
        return "no such session in the queue / 队列中没有这个会话"
    if outcome.get("delivery_error"):
        return f"saved, but not delivered / 已保存，发送失败: {outcome['delivery_error']}"
    where = outcome.get("delivered_to")
    return f"sent to {where} / 已发送到 {where}" if where else "saved: the chat shows it / 已保存，聊天窗口可见"


def trace_of(reply: Reply) -> dict:
    """What the bot did and why, for one turn."""
    return {
        "intent": reply.intent,
        "mode": reply.mode,
        "degraded": reply.degraded,
        "fallback_reason": reply.fallback_reason,
        "query": reply.query,
        "retrieved": [{"source": c.source, "section": c.section, "score": c.score, "chunk_id": c.chunk_id} for c in reply.citations],
        "tool_calls": [t.model_dump() for t in reply.tool_calls],
        "pending_confirmation": reply.pending_confirmation,
        "handoff": reply.handoff.model_dump() if reply.handoff else None,
        "flags": reply.flags,
        "model": reply.model,
        "timings_ms": reply.timings_ms,
        # What the model was sent and, when the grounding check refused its words, what it wrote.
        "prompt": reply.prompt,
        "rejected_draft": reply.rejected_draft,
    }


def trace_summary(trace: dict) -> str:
    """The trace in a few lines an operator reads at a glance; the JSON is one click away."""
    tools = ", ".join(f"{t['name']} {'✓' if t['ok'] else '✗'}" for t in trace["tool_calls"]) or "–"
    retrieved = ", ".join(f"{r['source']}" + (f" ({r['score']:.2f})" if r["score"] is not None else "") for r in trace["retrieved"]) or "–"
    lines = [f"**intent** {trace['intent']} · **mode** {trace['mode']} · **model** {trace['model'] or '–'}"
             + (f" · **degraded** ({trace['fallback_reason']})" if trace["degraded"] else ""),
             f"**tools** {tools}", f"**retrieved** {retrieved}"]  # fmt: skip
    if trace["pending_confirmation"]:
        lines.append(f"**waiting for yes** {trace['pending_confirmation'].get('prompt', '')}")
    if trace["handoff"]:
        lines.append(f"**handoff** {trace['handoff']['reason']}")
    if trace["flags"]:
        lines.append(f"**flags** {', '.join(trace['flags'])}")
    return "  \n".join(lines)


def insight_table(products: list[dict]) -> tuple[list[list], list[list]]:
    """Review insights as a person reads them: a row per product and month, and a row per theme."""
    months = [[p["name"], m["month"], m["share_positive"], m["reviews"], m["average_rating"]] for p in products for m in p["months"]]
    themes = [[p["name"], kind, t["mentions"], t["quote"]] for p in products for kind in ("praise", "complaints") for t in p[kind]]
    return months, themes


LOG_COLUMNS = ["session_id", "started", "channel", "principal", "replies", "intents", "handoff", "feedback", "degraded"]


def _conversations_tab(backend: ConsoleBackend) -> None:
    gr.Markdown("Find conversations, open one with its full trace, and annotate a reply: a better answer is given from then on "
                "to the same question asked another way (withdraw it to undo). 会话检索、追踪与标注。")  # fmt: skip
    with gr.Row():
        channel = gr.Dropdown(["", "api", "console", "slack", "wecom", "cli"], value="", label="Channel")
        principal = gr.Textbox(label="Principal contains")
        intent = gr.Textbox(label="Intent")
        since = gr.Textbox(label="Since (YYYY-MM-DD)")
    with gr.Row():
        handoff = gr.Radio(["any", "yes", "no"], value="any", label="Handoff")
        feedback = gr.Radio(["any", "up", "down", "none"], value="any", label="Feedback")
        degraded = gr.Radio(["any", "yes", "no"], value="any", label="Degraded")
    table = gr.Dataframe(headers=LOG_COLUMNS, label="Conversations / 会话", interactive=False, wrap=True)
    chosen = gr.Textbox(label="Session id to open / 打开会话")
    detail = gr.JSON(label="Turns and trace / 对话与追踪")

    def on_find(channel_, principal_, intent_, since_, handoff_, feedback_, degraded_):
        from datetime import date

        try:
            day = date.fromisoformat(since_) if since_ else None
        except ValueError:
            raise gr.Error("Since: a date like 2026-12-01") from None
        rows = backend.conversations(channel=channel_ or "", principal=principal_ or "", intent=intent_ or "", handoff=handoff_, feedback=feedback_,
                                     degraded=degraded_, since=day)  # fmt: skip
        return [[row[c] for c in LOG_COLUMNS] for row in rows]

    inputs = [channel, principal, intent, since, handoff, feedback, degraded]
    gr.Button("Find / 检索").click(on_find, inputs, table)
    def on_select(event: gr.SelectData) -> str:
        # Gradio passes the selection only to a parameter annotated gr.SelectData: a bare lambda got
        # nothing ("Expected 1 arguments … received 0" at start, and a click on a row failed).
        return event.row_value[0] if event.row_value else ""

    table.select(on_select, None, chosen)
    chosen.change(lambda session: backend.conversation(session) if session else None, chosen, detail)
    with gr.Row():
        turn = gr.Number(label="Reply turn id", precision=0)
        rating = gr.Radio(["good", "bad"], value="bad", label="Verdict / 评价")
        operator = gr.Textbox(label="Operator / 标注人")
    improved = gr.Textbox(label="Improved answer (optional) / 改进后的回答", lines=3)
    outcome = gr.JSON(label="Annotation")
    gr.Button("Annotate / 标注").click(lambda t, r, a, o: backend.annotate(int(t or 0), r, a or "", o or ""), [turn, rating, improved, operator], outcome)
    withdraw_id = gr.Number(label="Annotation id to withdraw", precision=0)
    gr.Button("Withdraw / 撤回").click(lambda i, o: backend.withdraw(int(i or 0), o or ""), [withdraw_id, operator], outcome)


def _analytics_tab(backend: ConsoleBackend) -> None:
    import pandas as pd

    gr.Markdown("Resolution: the bot replied, no handoff, no reply rated down (docs/operators.md). 解决率、转人工、满意度、未解答问题。")
    with gr.Row():
        since = gr.Textbox(label="Since (YYYY-MM-DD)")
        until = gr.Textbox(label="Until (YYYY-MM-DD)")
        refresh = gr.Button("Refresh / 刷新")
    headline = gr.Dataframe(headers=["figure", "value"], label="Figures / 指标", interactive=False)
    per_day = gr.BarPlot(x="day", y="count", color="kind", label="Conversations per day: resolved or handed off / 每日会话", x_label_angle=-45)
    by_channel = gr.Dataframe(headers=["channel", "conversations", "resolved", "handoffs", "resolution rate", "degraded replies"], label="By channel / 按渠道")
    reasons = gr.Dataframe(headers=["handoff reason", "conversations"], label="Handoff reasons / 转人工原因")
    unresolved = gr.Dataframe(headers=["reason", "conversations", "what it means"], label="Unresolved by reason / 未解决原因", wrap=True)
    unresolved_list = gr.Dataframe(headers=["day", "channel", "session", "reason", "last question"],
                                   label="Unresolved conversations, newest first / 未解决的会话", wrap=True)
    deflected = gr.BarPlot(x="intent", y="replies", label="Deflected replies by intent / 按意图自动解答")
    unanswered = gr.Dataframe(headers=["question", "times"], label="Unanswered questions: write knowledge for these / 未解答问题", wrap=True)

    def on_refresh(since_, until_):
        try:
            figures = backend.report(since_ or "", until_ or "")
        except ValueError:
            raise gr.Error("dates like 2026-12-01") from None
        pct = lambda v: "–" if v is None else f"{v:.1%}"  # noqa: E731
        rows = [["conversations", figures["conversations"]], ["resolution rate", pct(figures["resolution_rate"])],
                ["handoff rate", pct(figures["handoff_rate"])], ["CSAT", pct(figures["csat"])],
                ["latency p50 / p95 (ms)", f"{figures['latency_ms']['p50']} / {figures['latency_ms']['p95']}"],
                ["degraded share", pct(figures["degraded_share"])]]  # fmt: skip
        days = pd.DataFrame([{"day": d, "kind": kind, "count": v[key]} for d, v in figures["by_day"].items()
                             for kind, key in (("resolved", "resolved"), ("handed off", "handoffs"), ("other", None)) if key]
                            or [{"day": "", "kind": "resolved", "count": 0}])  # fmt: skip
        channels = [[c, v["conversations"], v["resolved"], v["handoffs"], pct(v["resolution_rate"]), v["degraded"]] for c, v in figures["by_channel"].items()]
        intents = pd.DataFrame([{"intent": i, "replies": n} for i, n in figures["deflected_by_intent"].items()] or [{"intent": "", "replies": 0}])
        return (rows, days, channels, [[r, n] for r, n in figures["handoff_reasons"].items()],
                [[r, n, figures["unresolved_reasons"].get(r, "")] for r, n in figures["unresolved_by_reason"].items()],
                [[u["day"], u["channel"], u["session_id"], u["reason"], u["last_question"]] for u in figures["unresolved"]], intents,
                [[u["question"], u["times"]] for u in figures["unanswered"]])  # fmt: skip

    refresh.click(on_refresh, [since, until], [headline, per_day, by_channel, reasons, unresolved, unresolved_list, deflected, unanswered])


def _merchant_tab(backend: ConsoleBackend) -> None:
    import pandas as pd

    gr.Markdown("Review insights and product copy for one shop, as its merchant sees them. 商家视角：评价洞察与商品文案。")
    shops = backend.shops()
    with gr.Row():
        shop = gr.Dropdown(shops, value=shops[0] if shops else None, label="Shop / 店铺")
        product = gr.Dropdown(backend.shop_products(shops[0]) if shops else [], label="Product / 商品 (empty: the products most in need)")
    shop.change(lambda s: gr.update(choices=backend.shop_products(s), value=None), shop, product)
    analyze = gr.Button("Analyze reviews / 分析评价")
    chart = gr.LinePlot(x="month", y="share_positive", color="product", label="Share of positive reviews by month / 好评率（按月）", y_lim=[0, 1])
    themes = gr.Dataframe(headers=["product", "kind", "mentions", "quote"], label="Themes with a quote / 评价主题", wrap=True)

    def on_analyze(shop_id, product_id, progress=gr.Progress()):
        progress(0, desc="reading and clustering review sentences")
        result = backend.review_insights(shop_id, product_id or "")
        if not result.get("ok"):
            raise gr.Error(result.get("error", "failed"))
        months, rows = insight_table(result["result"]["products"])
        frame = pd.DataFrame(months, columns=["product", "month", "share_positive", "reviews", "average_rating"])
        return frame, rows

    analyze.click(on_analyze, [shop, product], [chart, themes])
    with gr.Row():
        language = gr.Radio(["en", "zh"], value="en", label="Language / 语言")
        tone = gr.Dropdown(["friendly", "professional", "playful"], value="friendly", label="Tone / 语气")
        length = gr.Dropdown(["short", "medium", "long"], value="medium", label="Length / 长度")
    write = gr.Button("Write copy / 生成文案")
    copy_text = gr.Textbox(label="Copy / 文案", lines=6)
    copy_check = gr.Markdown()

    def on_write(shop_id, product_id, lang, tone_, length_):
        if not product_id:
            raise gr.Error("Choose a product first / 请先选择商品")
        result = backend.write_copy(shop_id, product_id, lang, tone_, length_)
        if not result["ok"]:
            raise gr.Error(result["error"])
        rejected = "; ".join(result["problems"]) or "nothing"
        return result["text"], f"Source: **{result['source']}** · model drafts: {result['attempts']} · rejected for: {rejected}"

    write.click(on_write, [shop, product, language, tone, length], [copy_text, copy_check])


def build_console(backend: ConsoleBackend) -> gr.Blocks:
    with gr.Blocks(title="kefu console 运营控制台", analytics_enabled=False) as console:
        gr.Markdown("# kefu console · 运营控制台")
        with gr.Tab("Test chat / 测试对话"):
            session_id = gr.State(None)
            with gr.Row():
                principal = gr.Dropdown(backend.principals(), value="anonymous", label="Test as / 测试身份", allow_custom_value=True)
                reset = gr.Button("New conversation / 新会话")
            with gr.Row():
                with gr.Column(scale=3):
                    chatbot = gr.Chatbot(label="Conversation", height=420)
                    message = gr.Textbox(label="Message / 消息")
                with gr.Column(scale=2):
                    summary = gr.Markdown(label="What the bot did / 处理过程")
                    with gr.Accordion("Trace (JSON) / 完整记录", open=False):
                        trace = gr.JSON(label="Trace: what the bot did / 处理过程")

            def on_submit(text, history, session, who):
                if not text or not text.strip():
                    return "", history, session, gr.skip(), gr.skip()
                reply = backend.respond(text, session, who)
                history = [*history, {"role": "user", "content": text}, *reply_messages(reply)]
                traced = trace_of(reply)
                return "", history, reply.session_id, trace_summary(traced), traced

            message.submit(on_submit, [message, chatbot, session_id, principal], [message, chatbot, session_id, summary, trace])
            # The buttons under a reply (Yes/No, the choices offered) send their value, as in the buyer's chat.
            def on_option(event: gr.SelectData, history, session, who):
                return on_submit(str(event.value), history, session, who)[1:]

            chatbot.option_select(on_option, [chatbot, session_id, principal], [chatbot, session_id, summary, trace])
            reset.click(lambda: ([], None, "", None), None, [chatbot, session_id, summary, trace])
            principal.change(lambda: ([], None, "", None), None, [chatbot, session_id, summary, trace])

        with gr.Tab("Tools / 工具"):
            with gr.Row():
                tool = gr.Dropdown(backend.tool_names(), label="Tool")
                tool_principal = gr.Dropdown(backend.principals(), value="operator", label="As", allow_custom_value=True)
            arguments = gr.Code(value="{}", language="json", label="Arguments (JSON)")
            run = gr.Button("Run (no confirmation step; audited)")
            result = gr.JSON(label="Result")

            def on_run(name, args, who):
                try:
                    parsed = json.loads(args or "{}")
                except json.JSONDecodeError as exc:
                    return {"ok": False, "error": f"arguments are not valid JSON: {exc}"}
                if not isinstance(parsed, dict):
                    return {"ok": False, "error": "arguments must be a JSON object"}
                return backend.call_tool(name, parsed, who)

            run.click(on_run, [tool, arguments, tool_principal], result)

        with gr.Tab("Handoffs / 人工队列"):
            queue = gr.JSON(label="Waiting for a human")
            refresh = gr.Button("Refresh")
            target = gr.Textbox(label="Session id")
            human_text = gr.Textbox(label="Reply as a human / 人工回复")
            with gr.Row():
                send = gr.Button("Send (takes over)")
                release = gr.Button("Release to the bot")
            status = gr.Markdown()
            refresh.click(backend.handoffs, None, queue)
            send.click(lambda s, t: reply_status(backend.operator_reply(s, t)), [target, human_text], status)
            release.click(lambda s: "released" if backend.release(s) else "no such session in the queue", target, status)
            console.load(backend.handoffs, None, queue)

        with gr.Tab("Feedback / 反馈"):
            feedback = gr.JSON()
            gr.Button("Refresh").click(backend.feedback, None, feedback)
            console.load(backend.feedback, None, feedback)

        with gr.Tab("Retrieval / 检索测试"):
            gr.Markdown("What the assistant's retriever finds for a question, with each hit's evidence "
                        "(`dense_score`, `bm25_score`, `coverage`, `rerank_score`). 检索结果与证据。")
            with gr.Row():
                probe = gr.Textbox(label="Question / 问题", scale=4)
                probe_k = gr.Slider(1, 20, value=5, step=1, label="k")
                ungated = gr.Checkbox(label="Show what the gate drops / 显示被过滤的结果")
            hits = gr.JSON(label="Hits / 检索结果")

            def on_search(question, show_dropped, k):
                return backend.search(question, bool(show_dropped), int(k))

            probe.submit(on_search, [probe, ungated, probe_k], hits)
            gr.Button("Search / 检索").click(on_search, [probe, ungated, probe_k], hits)
            gr.Markdown("Evaluate a labelled set (`[{\"q\", \"source\", \"phrase\"}]`, as `kefu eval retrieval`). 评测检索。")
            qa_file = gr.File(label="QA JSON", file_types=[".json"], type="filepath")
            report = gr.JSON(label="Report: recall@1, recall@k, MRR, misses / 评测报告")

            def on_evaluate(path, k, progress=gr.Progress()):
                return backend.evaluate(path, int(k), on_item=lambda done, total: progress((done, total), desc="questions"))

            gr.Button("Evaluate / 评测").click(on_evaluate, [qa_file, probe_k], report)

        with gr.Tab("Conversations / 会话记录"):
            _conversations_tab(backend)

        with gr.Tab("Analytics / 数据分析"):
            _analytics_tab(backend)

        with gr.Tab("Evaluations / 评测报告"):
            gr.Markdown("Reports of `kefu eval suite|tau2-replay|tau2` and `kefu bench retrieval|ingest|turn|load`, newest runs overwrite "
                        "older ones. 评测与基准报告。")  # fmt: skip
            with gr.Row():
                chosen_report = gr.Dropdown(backend.reports(), label="Report / 报告")
                gr.Button("Refresh list / 刷新").click(lambda: gr.update(choices=backend.reports()), None, chosen_report)
            report_plot = gr.Image(label="Plot", type="filepath")
            report_json = gr.JSON(label="Report")
            chosen_report.change(lambda name: tuple(reversed(backend.report_file(name))) if name else (None, None), chosen_report, [report_plot, report_json])

        with gr.Tab("Merchant / 商家"):
            _merchant_tab(backend)

        with gr.Tab("Model / 模型"):
            gr.Markdown("The chat model and its capability check: a few questions per language with the facts in the prompt. A language "
                        "whose answers pass the grounding check is drafted in; otherwise answers quote the policy at once. "
                        "模型能力检查：通过的语言由模型作答，未通过时直接引用政策原文。")  # fmt: skip
            model_text = gr.Markdown()
            model_json = gr.JSON(label="Status")
            with gr.Row():
                gr.Button("Refresh / 刷新").click(lambda: (model_summary(st := backend.model_status()), st), None, [model_text, model_json])
                gr.Button("Check again / 重新检查").click(lambda: (model_summary(st := backend.check_model()), st), None, [model_text, model_json])
            console.load(lambda: (model_summary(st := backend.model_status()), st), None, [model_text, model_json])

        with gr.Tab("Knowledge / 知识库"):
            knowledge = gr.JSON()
            gr.Button("Refresh").click(backend.knowledge_status, None, knowledge)
            console.load(backend.knowledge_status, None, knowledge)
    return console
