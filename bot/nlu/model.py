"""The model as command generator (as Rasa CALM's): a capable tool-calling model reads the
message and returns the same ``Command`` schema through one tool call, validated by pydantic.
Anything else (no call, another tool, invalid fields, an intent that the state does not allow)
returns None, and the deterministic rules understand the message instead."""

from __future__ import annotations

import logging

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import ValidationError

from bot.nlu.commands import INTENTS, Command
from bot.nlu.rules import Context
from bot.nlu.vocabulary import Vocabulary

log = logging.getLogger(__name__)

INSTRUCTIONS = """You turn one customer-service message of an online shop into a Command (call the tool `Command` exactly once).
Intents: {intents}. The bot is waiting for: {waiting_for}. The speaker is: {principal}.
Use the catalogue's product names for items ({products}); put option values the customer wants in `want`, values
they refuse in `avoid`, values that describe the item they bought in `described`. Order ids look like #W1234567.
A yes/no answer to a confirmation question is intent confirm/decline; "yes, but ..." is not a confirmation.
An order described instead of cited goes in `order_ref` (status, places, item_count, recency, payment, with_products); an
address the customer already has in `address_ref`; "the biggest", "a size up", "the cheapest" in an item's `prefer`;
further requests of the same message in `then` (each its own Command, `otherwise` when it holds only if the one before fails,
`price_below`/`price_at_least` when it holds only at a price of the product just shown); a question about their own order,
card or gift card is intent my_data with `asks`."""


class ModelCommandGenerator:
    def __init__(self, chat_model: BaseChatModel) -> None:
        self.chat_model = chat_model

    def generate(self, text: str, context: Context, vocabulary: Vocabulary) -> Command | None:
        try:
            bound = self.chat_model.bind_tools([Command], tool_choice="Command")
        except (NotImplementedError, TypeError, ValueError):
            return None  # not a tool-calling model
        system = INSTRUCTIONS.format(intents=", ".join(INTENTS), waiting_for=context.waiting_for or "nothing", principal=context.principal_kind,
                                     products=", ".join(sorted(vocabulary.products)[:60]))  # fmt: skip
        reply = bound.invoke([SystemMessage(system), HumanMessage(text)])
        calls = [c for c in getattr(reply, "tool_calls", None) or [] if c.get("name") == "Command"]
        if len(calls) != 1:
            return None
        try:
            command = Command.model_validate({**calls[0].get("args", {}), "text": text})
        except ValidationError as exc:
            log.info("model command rejected: %s", exc.errors()[:3])
            return None
        if command.intent in ("confirm", "decline") and context.waiting_for != "confirmation":
            return None  # nothing to confirm: the model misread the message
        unknown = [i.product for i in command.items + command.except_items if i.product and i.product not in vocabulary.products]
        return None if unknown else command
