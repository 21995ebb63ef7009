"""Measure a chat model as users feel it: time to first token and generation speed."""

from __future__ import annotations

import statistics
import time

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

PROMPT = [
    SystemMessage("You are a helpful shop assistant. Answer briefly."),
    HumanMessage("How long does shipping usually take, and can I track my parcel?"),
]


def bench_chat_model(model: BaseChatModel, runs: int = 3, max_tokens: int = 64) -> dict:
    """Stream ``runs`` answers; report median first-token latency, total time and tokens/s."""
    first_token_ms, total_ms, tokens_per_s = [], [], []
    for _ in range(runs):
        started = time.perf_counter()
        first = None
        chunks = 0
        usage_tokens = None
        for chunk in model.stream(PROMPT, max_tokens=max_tokens):
            if first is None and chunk.content:
                first = time.perf_counter()
            chunks += bool(chunk.content)
            if getattr(chunk, "usage_metadata", None):
                usage_tokens = chunk.usage_metadata.get("output_tokens")
        ended = time.perf_counter()
        first = first or ended
        generated = usage_tokens or chunks  # OpenAI-style streams send one token per chunk
        first_token_ms.append((first - started) * 1000)
        total_ms.append((ended - started) * 1000)
        if ended > first and generated > 1:
            tokens_per_s.append((generated - 1) / (ended - first))
    return {
        "runs": runs,
        "max_tokens": max_tokens,
        "first_token_ms_p50": round(statistics.median(first_token_ms), 1),
        "total_ms_p50": round(statistics.median(total_ms), 1),
        "tokens_per_s_p50": round(statistics.median(tokens_per_s), 1) if tokens_per_s else None,
    }
