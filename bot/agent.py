"""Agent mode: a tool-calling model drives the same tools, through the same gate, step-bounded."""

from __future__ import annotations

import json

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage

from bot.tools.session import TOOLS, ToolSession

MAX_STEPS = 8


def run_agent(chat_model: BaseChatModel, tools: ToolSession, messages: list[BaseMessage], max_steps: int = MAX_STEPS) -> str | None:
    """The model's final answer, or None when it did not finish within ``max_steps`` model calls.

    Writes the model asks for are parked by the session for the user's confirmation; the model
    sees "Waiting for the user's explicit confirmation" and must ask the user. It cannot confirm.
    """
    bound = chat_model.bind_tools(list(TOOLS.values()))
    for _ in range(max_steps):
        reply = bound.invoke(messages)
        messages.append(reply)
        if not isinstance(reply, AIMessage) or not reply.tool_calls:
            return reply.content if isinstance(reply.content, str) else str(reply.content)
        for call in reply.tool_calls:
            result = tools.call(call["name"], call.get("args") or {})
            messages.append(ToolMessage(content=json.dumps(result.as_dict(), ensure_ascii=False), tool_call_id=call["id"]))
    return None


def tool_facts(tools: ToolSession) -> str:
    """Everything the tools returned this turn: what an agent answer's facts must come from."""
    return "\n".join(json.dumps(r.as_dict(), ensure_ascii=False) for r in tools.log)
