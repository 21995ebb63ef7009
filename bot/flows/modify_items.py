"""Change a pending order's items to other variants ("change the earbuds to the blue ones without
water resistance", "把耳机换成蓝色的"); a delivered order gets an exchange instead."""

from bot.flows import Flow, FlowContext, Step
from bot.flows.variant_change import change_variants


def run(ctx: FlowContext) -> Step:
    return change_variants(ctx, "modify_items")


FLOW = Flow("modify_items", ("modify_items",), run, slots=("order_id", "items", "payment"))
