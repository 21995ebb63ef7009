"""Change a pending order's shipping address: which order, the new address in full (each missing
field asked for, a destination the shop does not serve refused), confirm."""

from __future__ import annotations

from bot.flows import Flow, FlowContext, Step
from bot.flows.common import address_for, order_for, propose


def run(ctx: FlowContext) -> Step:
    order_id, answer = order_for(ctx, "modify_address")
    if answer:
        return answer
    address, asked = address_for(ctx)
    if asked:
        return asked
    return propose(ctx, "modify_pending_order_address", {"order_id": order_id, **address})


FLOW = Flow("modify_address", ("modify_address",), run, slots=("order_id", "address"))
