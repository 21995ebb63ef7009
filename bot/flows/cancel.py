"""Cancel a pending order: which order, why (policy: "no longer needed" or "ordered by mistake"), confirm."""

from __future__ import annotations

from bot.flows import Flow, FlowContext, Step
from bot.flows.common import order_for, propose
from bot.nlu.commands import REASONS as POLICY_REASONS
from bot.nlu.patterns import OTHER_REASON
from bot.templates import choice_label, numbered, say


def run(ctx: FlowContext) -> Step:
    order_id, answer = order_for(ctx, "cancel")
    if answer:
        return answer
    if not ctx.slots.get("reason"):
        # The policy's two reasons as choices (buttons, and a numbered list in the text); a reason of
        # the buyer's own ("I found it cheaper") is not one of them, and the reply says so.
        labels = [choice_label(r, ctx.language) for r in POLICY_REASONS]
        other = OTHER_REASON.search(ctx.command.text) is not None and ctx.command.reason is None
        answer = say("ask_reason_other" if other else "ask_reason", ctx.language, order_id=order_id, choices=numbered(labels, ctx.language))
        return Step(answer, waiting_for="reason", choices=list(POLICY_REASONS))
    return propose(ctx, "cancel_pending_order", {"order_id": order_id, "reason": ctx.slots["reason"]})


FLOW = Flow("cancel", ("cancel",), run, slots=("order_id", "reason"))
