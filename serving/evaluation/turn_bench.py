"""`kefu bench turn`: where a turn's time goes, step by step (understand = the rewrite and
understanding step, retrieve, tools, model, check = the grounding guardrail, quote = choosing the
sentences of an extractive answer, other), over a fixed bilingual mix of questions, each asked
several times. ``policy_p95_ms``: the policy questions' answers alone (issue 23: ≤ 1.5 s with the
demo model up, which fails its capability check and is then not waited for)."""

from __future__ import annotations

import statistics

STEPS = ("understand", "retrieve", "tools", "model", "check", "quote")
MIX = (  # (message, principal): policy questions in both languages, an order, a product, small talk
    ("What is the return policy?", None),
    ("退货政策是什么？", None),
    ("How long does standard shipping take?", None),
    ("运费多少钱？", None),
    ("Do you have the T-shirt in black?", None),
    ("hello!", None),
)


def bench_turn(assistant, repeats: int = 3, extra: list[tuple[str, str | None]] | None = None, on_turn=None) -> dict:
    rows = []
    for _ in range(repeats):
        for message, principal in (*MIX, *(extra or ())):
            reply = assistant.respond(message, principal=principal)
            timings = reply.timings_ms
            row = {"message": message, "intent": reply.intent, "total": timings.get("total", 0.0),
                   "understand": timings.get("understand", 0.0), "retrieve": timings.get("retrieve", 0.0), "tools": timings.get("tools", 0.0),
                   "model": timings.get("generate", 0.0) + timings.get("agent", 0.0), "check": timings.get("check", 0.0),
                   "quote": timings.get("quote", 0.0), "outcome": reply.outcome, "degraded": reply.degraded}  # fmt: skip
            row["other"] = round(max(0.0, row["total"] - sum(row[s] for s in STEPS)), 1)
            rows.append(row)
            if on_turn:
                on_turn()
    steps = (*STEPS, "other")
    by_message: dict[str, dict] = {}
    for message in dict.fromkeys(r["message"] for r in rows):
        mine = [r for r in rows if r["message"] == message]
        by_message[message] = {"intent": mine[0]["intent"], **{s: round(statistics.median(r[s] for r in mine), 1) for s in (*steps, "total")}}
    totals = sorted(r["total"] for r in rows)
    policy = sorted(r["total"] for r in rows if r["intent"] == "question") or [0.0]
    return {"turns": len(rows), "p50_ms": round(statistics.median(totals), 1), "p95_ms": _p95(totals),
            "policy_p50_ms": round(statistics.median(policy), 1), "policy_p95_ms": _p95(policy),
            "policy_answers": dict(sorted(statistics.Counter(f"{r['outcome']}{' (degraded)' if r['degraded'] else ''}" for r in rows
                                                             if r["intent"] == "question").items())),
            "mean_ms_by_step": {s: round(statistics.mean(r[s] for r in rows), 1) for s in steps}, "median_by_message": by_message}  # fmt: skip


def _p95(values: list[float]) -> float:
    return values[min(len(values) - 1, int(0.95 * len(values)))]


def plot_turn(result: dict, path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    messages = list(result["median_by_message"])
    figure, axis = plt.subplots(figsize=(9, 0.6 * len(messages) + 1.8))
    left = [0.0] * len(messages)
    for step in (*STEPS, "other"):
        values = [result["median_by_message"][m][step] for m in messages]
        axis.barh(messages, values, left=left, label=step)
        left = [a + b for a, b in zip(left, values)]
    axis.set_xlabel("median ms per turn")
    axis.set_title(f"kefu bench turn: p50 {result['p50_ms']:.0f} ms, p95 {result['p95_ms']:.0f} ms over {result['turns']} turns")
    axis.legend(loc="lower right")
    axis.invert_yaxis()
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
