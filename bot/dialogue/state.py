"""The dialogue state, stored with the conversation (``Conversation.dialogue_state``), never
re-derived from the text of the bot's last reply."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class DialogueState:
    flow: str | None = None  # the flow in progress (bot/flows), None between tasks
    slots: dict = field(default_factory=dict)  # what the flow has collected: order_id, items, reason, address, payment…
    waiting_for: str | None = None  # what the bot asked for: order_id | reason | address | items | options | payment | confirmation | identity
    deferred: dict | None = None  # a command (as data) that waits for the buyer to verify, answered once they have
    focus_order: str | None = None  # the order under discussion ("cancel it", "the other one")
    focus_orders: list[str] = field(default_factory=list)  # several under discussion ("then cancel the whole order" of each)
    offered_orders: list[str] = field(default_factory=list)  # the orders the bot listed to choose from
    last_flow: str | None = None  # the task just finished: "and also the keyboard" continues it
    focus_product: str | None = None  # the product last shown to a shopper ("something like this but cheaper")
    focus_item: str | None = None  # its variant shown first ("anything cheaper?": cheaper than that one)
    choices: list[str] = field(default_factory=list)  # the values offered for the slot waited for ("the first one")
    queue: list[dict] = field(default_factory=list)  # the message's further requests (commands as data), each done after this one

    @classmethod
    def load(cls, data: dict | None) -> "DialogueState":
        if not data:
            return cls()
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def dump(self) -> dict:
        return asdict(self)

    def finish(self) -> None:
        """The task is over (done, refused or dropped): keep only what later turns refer to."""
        self.last_flow = self.flow or self.last_flow
        self.flow, self.slots, self.waiting_for, self.choices = None, {}, None, []
