"""Exchange delivered items for other variants of the same products ("exchange the helmet for a
medium with high ventilation, in blue"); a pending order gets an item change instead."""

from bot.flows import Flow, FlowContext, Step
from bot.flows.variant_change import change_variants


def run(ctx: FlowContext) -> Step:
    return change_variants(ctx, "exchange")


FLOW = Flow("exchange", ("exchange",), run, slots=("order_id", "items", "payment"))
