"""Gradio chat for buyers: a thin adapter over the assistant's ``respond``. The buyer sees the
conversation, each cited source as a box that opens to the passage, and buttons to answer: Yes/No
for a change waiting for their yes, the choices the bot offered. What the bot did (the trace) is
the operator console's, not the buyer's."""

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


def _answer_text(reply: Reply) -> str:
    """The answer with the degraded note, without the sources line (they follow as boxes)."""
    return render_answer(reply.model_copy(update={"citations": []}))


def reply_options(reply: Reply) -> list[dict]:
    """The buttons under a reply (Gradio's message options): Yes/No while a change waits for the
    buyer's yes (the words the confirmation asks for), else the choices offered (a reason, a variant)."""
    if reply.pending_confirmation:
        zh = reply.language == "zh"
        return [{"value": "是", "label": "是 / Yes"}, {"value": "不", "label": "不 / No"}] if zh else [{"value": "yes", "label": "Yes"}, {"value": "no", "label": "No"}]
    return [{"value": choice} for choice in reply.choices]


def reply_messages(reply: Reply) -> list[dict]:
    """One reply as chat messages: the answer, then each source it cites as a closed box titled
    "[n] source › section" that opens to the cited passage; the buttons under the last of them."""
    sources = [{"role": "assistant", "content": c.text,
                "metadata": {"title": f"[{n}] {c.source}" + (f" › {c.section}" if c.section else ""), "status": "done"}}
               for n, c in enumerate(reply.citations, 1)]  # fmt: skip
    messages = [{"role": "assistant", "content": _answer_text(reply)}, *sources]
    if options := reply_options(reply):
        messages[-1]["options"] = options  # Gradio shows a turn's buttons under its last message
    return messages


def build_chat_ui(respond: Respond) -> gr.Blocks:
    with gr.Blocks(title="kefu 客服", analytics_enabled=False) as demo:
        gr.Markdown("# kefu 客服\nAsk about orders, shipping, returns… / 请输入您的问题")
        session_id = gr.State(None)
        chatbot = gr.Chatbot(label="Chat / 对话", height=520)
        message = gr.Textbox(label="Message / 消息", placeholder="What is the return policy? / 退货政策是什么？")
        gr.Examples(EXAMPLES, inputs=message)

        def send(text: str, history: list, session: str | None) -> tuple[list, str | None]:
            reply = respond(text, session_id=session)
            answered = [{k: v for k, v in m.items() if k != "options"} for m in history]  # earlier buttons are spent
            return [*answered, {"role": "user", "content": text}, *reply_messages(reply)], reply.session_id

        def on_submit(text: str, history: list, session: str | None):
            if not text or not text.strip():
                return "", history, session
            return "", *send(text, history, session)

        def on_option(event: gr.SelectData, history: list, session: str | None):
            """A button under a reply: its value is sent as the buyer's message."""
            return send(str(event.value), history, session)

        message.submit(on_submit, [message, chatbot, session_id], [message, chatbot, session_id], api_name="chat")
        chatbot.option_select(on_option, [chatbot, session_id], [chatbot, session_id])
    return demo
