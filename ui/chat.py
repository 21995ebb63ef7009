"""Gradio chat: a thin adapter over the assistant's ``respond``, with the reply's trace beside it."""

from __future__ import annotations

from collections.abc import Callable

import gradio as gr

from bot.reply import Reply

Respond = Callable[..., Reply]

EXAMPLES = [
    "What is the return policy?",
    "How long does a refund take?",
    "退货政策是什么？",
    "订单发货后多久能到？",
]


def render_answer(reply: Reply) -> str:
    """The answer, its sources, and a visible note when it is a degraded (template) answer."""
    lines = [reply.answer]
    if reply.citations:
        sources = "；".join if reply.language == "zh" else "; ".join
        lines.append("")
        lines.append(("来源：" if reply.language == "zh" else "Sources: ") + sources(
            f"[{n}] {c.source}" + (f" › {c.section}" if c.section else "") for n, c in enumerate(reply.citations, 1)
        ))
    if reply.degraded:
        # "unavailable" only when it is: a model that is up but whose draft was refused or late is not.
        down = reply.fallback_reason in ("no_model", "model_not_ready", "model_error")
        lines.append("")
        if reply.language == "zh":
            lines.append("_（模型暂不可用，以上为政策原文）_" if down else "_（模型的回答未通过检查，以上为政策原文）_")
        else:
            lines.append("_(model unavailable: quoting the policy directly)_" if down else "_(the model's answer could not be used: quoting the policy directly)_")
    return "\n".join(lines)


def build_chat_ui(respond: Respond) -> gr.Blocks:
    with gr.Blocks(title="kefu 客服", analytics_enabled=False) as demo:
        gr.Markdown("# kefu 客服\nAsk about orders, shipping, returns… / 请输入您的问题")
        session_id = gr.State(None)
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(label="Chat / 对话", height=460)
                message = gr.Textbox(label="Message / 消息", placeholder="What is the return policy? / 退货政策是什么？")
                gr.Examples(EXAMPLES, inputs=message)
            with gr.Column(scale=2):
                trace = gr.JSON(label="What the bot did / 处理过程")

        def on_submit(text: str, history: list, session: str | None):
            if not text or not text.strip():
                return "", history, session, gr.skip()
            reply = respond(text, session_id=session)
            history = [
                *history,
                {"role": "user", "content": text},
                {"role": "assistant", "content": render_answer(reply)},
            ]
            return "", history, reply.session_id, reply.model_dump()

        message.submit(on_submit, [message, chatbot, session_id], [message, chatbot, session_id, trace], api_name="chat")
    return demo
