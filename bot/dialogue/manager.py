"""One turn of dialogue management, from an understood command and the stored state:

1. a change waiting for confirmation is carried out on a yes, dropped on a no, *repaired* on a
   correction ("no, the other order", "不对，要蓝色的": the slots replace the old ones and the
   flow proposes again), and dropped on anything else;
2. a buyer's email or name and zip verify them, and the request that waited for it goes on;
3. the answer to what the bot asked (a reason, an address, an order, items, an option, a
   payment method) fills that slot of the flow in progress;
4. otherwise the command's intent starts its flow (bot/flows), or, when no flow takes it, the
   assistant answers from the knowledge base (``Outcome.answer is None``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot import templates
from bot.dialogue.state import DialogueState
from bot.flows import FLOWS, Flow, FlowContext, Step, for_intent
from bot.flows.common import item_slots
from bot.nlu.addresses import read_address
from bot.nlu.commands import ACTION_INTENTS, Address, Command
from bot.nlu.cues import cue
from bot.nlu.patterns import ORDINAL, ORDINALS
from bot.nlu.vocabulary import Vocabulary
from bot.templates import choice_label, say
from bot.tools.session import PendingAction, ToolSession



ALSO = re.compile(r"\bsame (?:for|with)\b|\balso\b|\btoo\b|\bas well\b|^\s*(?:and|then|now)\b|还有|也|再|另外", re.IGNORECASE)


@dataclass
class Outcome:
    answer: str | None  # None: not a task for a flow; answer from the knowledge base
    intent: str
    wants_human: bool = False
    prefix: str | None = None  # said before the answer (a dropped change, a fresh verification)
    outcome: str | None = None  # what the turn did (bot.reply.OUTCOMES); None: the assistant decides
    choices: list[str] = field(default_factory=list)  # answers offered as buttons
    explain: str | None = None  # a question whose policy answer says why (a refusal's rule)
    handoff_reason: str = "user_request"
    suffix: str | None = None  # said after the answer (a change that still waits for its yes)
    cannot: str | None = None  # the request cannot be done as asked (bot.flows.Step.cannot)


def _kept_items(command: Command, state: DialogueState, vocabulary: Vocabulary) -> list[str] | None:
    """The products a change of mind keeps in the change ("only the lamp", "水杯不换了，只换台灯",
    "leave the lamp as it is"), or None when the message is not one."""
    named = [i.product for i in command.items if i.product]
    stored = [i.get("product") for i in (state.slots.get("items") or {}).get("items", []) if i.get("product")]
    text = command.text
    if not stored or not (named or command.except_items) or not (cue("ONLY").search(text) or command.except_items or command.correction or cue("DROPS").search(text)):
        return None
    # A product whose clause drops it ("leave the water bottle as it is", "水杯不换了") is dropped; the rest of those named are kept.
    dropped = {i.product for i in command.except_items} | {
        product for start, end, _, products in vocabulary.mentions(text) for product in products if _clause_drops(text, start, end)}
    kept = [p for p in named if p in stored and p not in dropped] or [p for p in stored if p not in dropped]
    if set(kept) == set(state.slots.get("only") or ()):
        return None  # "yes, go ahead with just the lamp": what the proposal already keeps
    return kept if kept and set(kept) != set(stored) else None


def _added_items(command: Command, state: DialogueState, flow: Flow) -> dict | None:
    """The stored items with those the message adds ("please add them to the return", "手表也一起退"), or None."""
    stored = state.slots.get("items") or {}
    named = {i.get("product") for i in stored.get("items", [])}
    new = [i for i in command.items if i.product and i.product not in named]
    if not new or command.intent not in (*flow.intents, "inform") or not cue("ADD_TO").search(command.text) or cue("ONLY").search(command.text):
        return None
    return {"text": f"{stored.get('text', '')} {command.text}".strip(), "items": [*stored.get("items", []), *(i.model_dump() for i in new)],
            "all": False, "except": []}  # fmt: skip


def _clause_drops(text: str, start: int, end: int) -> bool:
    before = re.split(r"[,，;；。.!?！？:：]|\s[-–—]+\s", text[max(0, start - 20):start])[-1]
    after = re.split(r"[,，;；。.!?！？]|\s[-–—]+\s", text[end:end + 20])[0]
    return bool(cue("DROPS").search(f"{before} {after}"))


def _confirms_the_same(command: Command, state: DialogueState) -> bool:
    """"Yes, go ahead with the lamp": a yes that names only what the change already holds."""
    if command.confirmation not in ("yes", "yes_but") or command.order_ids or command.address or command.payment or command.reason or command.except_items:
        return False
    stored = {i.get("product") for i in (state.slots.get("items") or {}).get("items", [])}
    return bool(command.items) and all(i.product in stored and not (i.want or i.avoid or i.prefer) for i in command.items)


def _repeats_the_action(command: Command, state: DialogueState, flow: Flow | None) -> bool:
    """"Yes, please cancel", "确认取消" while a cancel waits: the action said again, nothing new in it."""
    if flow is None or command.intent not in flow.intents or command.confirmation == "no" or command.correction:
        return False
    slots = state.slots
    new = (command.items or command.all_items or command.except_items or command.address or command.address_ref or command.order_ref
           or any(o != slots.get("order_id") for o in command.order_ids) or command.payment and command.payment != slots.get("payment")
           or command.reason and command.reason != slots.get("reason"))  # fmt: skip
    return not new


class DialogueManager:
    def __init__(self, vocabulary: Vocabulary, reread: bool = True) -> None:
        self.vocabulary = vocabulary
        self.reread = reread

    def handle(self, command: Command, state: DialogueState, tools: ToolSession, language: str) -> Outcome:
        """The turn's outcome; then the message's further requests, one after another, while
        none of them waits for the buyer (each proposal waits for its own yes)."""
        queued = False
        while not _price_holds(command, state, tools) and (command.then or queued and state.queue):
            # "If it's under $200, exchange mine for it; if not, return it": the request whose condition holds.
            if command.then:
                state.queue = [c.model_dump(mode="json") for c in command.then]
            command, queued = Command.model_validate(state.queue.pop(0)), True
        outcome = _otherwise(self._handle(command, state, tools, language, queued=queued), state, tools)
        while state.queue and tools.pending is None and state.waiting_for is None and not outcome.wants_human and outcome.answer is not None:
            queued = Command.model_validate(state.queue.pop(0))
            if queued.otherwise and outcome.outcome in ("done", "proposed") or not _price_holds(queued, state, tools):
                continue  # "if not, cancel the order": the request before it went through
            following = _otherwise(self._handle(queued, state, tools, language, queued=True), state, tools)
            if following.answer is None:
                break
            outcome = Outcome("\n\n".join(a for a in (outcome.answer, following.prefix, following.answer) if a), following.intent,
                              wants_human=following.wants_human, prefix=outcome.prefix, outcome=following.outcome, choices=following.choices,
                              explain=following.explain or outcome.explain, handoff_reason=following.handoff_reason)  # fmt: skip
        return outcome

    def _handle(self, command: Command, state: DialogueState, tools: ToolSession, language: str, queued: bool = False) -> Outcome:
        if command.then:
            state.queue = [c.model_dump(mode="json") for c in command.then]
            command = command.model_copy(update={"then": []})
        elif not queued and command.intent in ACTION_INTENTS and tools.pending is None and state.waiting_for is None:
            state.queue = []  # a new request of the buyer's own replaces what the last message left to do
        prefix = None
        if tools.pending is not None:
            settled = self._settle(command, state, tools, language)
            if isinstance(settled, Outcome):
                return settled
            prefix = settled
        verified = None
        if command.email or command.name_zip:
            if tools.principal.kind == "anonymous":
                verified = self._identify(command, tools, language)
                if tools.principal.kind == "anonymous":
                    return Outcome(verified, "identify", prefix=prefix, outcome="verify")
                if state.deferred:
                    # "Where is my order?" → "please verify" → "my email is …": verify, then answer it.
                    command, state.deferred = Command.model_validate(state.deferred), None
            if command.intent == "identify":
                answer = verified or self._identify(command, tools, language)
                if tools.principal.kind == "buyer":
                    answer = templates.sentences([answer, say("how_can_i_help", language)], language)
                return Outcome(answer, "identify", prefix=prefix, outcome="verified" if tools.principal.kind == "buyer" else "verify")

        outcome = self._continue(command, state, tools, language) or self._start(command, state, tools, language)
        if outcome is None:
            return Outcome(None, command.intent, prefix=prefix)
        outcome.prefix = "\n\n".join(p for p in (prefix, verified, outcome.prefix) if p) or None
        return outcome

    # ---- the steps

    def _settle(self, command: Command, state: DialogueState, tools: ToolSession, language: str) -> Outcome | str:
        """A pending change: yes → done; no → dropped; a correction → proposed again; else dropped
        (returns what to say before answering the message as a new one)."""
        action = describe(tools.pending, language)
        flow = for_intent_of(state)
        if command.intent != "confirm" and flow is not None and "items" in flow.slots and (kept := _kept_items(command, state, self.vocabulary)) is not None:
            # "Actually, only the lamp" / "算了，只换台灯": the same change for fewer items, proposed again.
            tools.decline()
            state.slots["only"] = kept
            state.waiting_for = None
            if command.payment:
                state.slots["payment"] = command.payment
            return self._run(flow, command, state, tools, language)
        if flow is not None and "items" in flow.slots and (added := _added_items(command, state, flow)) is not None:
            # "Wait, also return the smart watch and the e-reader": the same change for more items, proposed
            # again (items in another order become a request of their own: bot.flows.common.find_order).
            tools.decline()
            state.slots["items"] = added
            state.slots.pop("order_id", None)
            state.slots.pop("order_ref", None)  # it described the first items' order; the items now say which orders
            state.waiting_for = None
            return self._run(flow, command, state, tools, language)
        if command.intent == "question" and command.act == "question" and not command.correction and command.confirmation is None:
            # A question while a change waits ("how much will I get back?"): answered, the change still waits.
            return Outcome(None, "question", suffix=say("still_waiting", language, action=action))
        if command.intent == "confirm" or command.confirmation == "yes_but" and _confirms_the_same(command, state) or _repeats_the_action(command, state, flow):
            result = tools.confirm()
            state.finish()
            answer = say("done", language, action=action) if result.ok else say("rejected", language, error=result.error)
            return Outcome(answer, "confirm", outcome="done" if result.ok else "refused")
        tools.decline()
        repairs = flow is not None and (command.correction or command.intent in flow.intents or command.intent == "inform") and _gives_slots(command, flow)
        if not repairs and flow is not None and command.correction and "items" in flow.slots and flow.name != "return":
            state.slots["options_text"] = command.text  # "不对，要白色的": another option for the same items
            repairs = True
        if repairs:
            state.waiting_for = None
            _merge(state, command, flow, replace=True)
            return self._run(flow, command, state, tools, language)
        state.finish()
        if command.intent == "decline" or command.confirmation == "no":
            return Outcome(say("declined", language), "decline", outcome="declined")
        return say("dropped", language, action=action)

    def _continue(self, command: Command, state: DialogueState, tools: ToolSession, language: str) -> Outcome | None:
        """The answer to what the flow in progress asked for."""
        flow = for_intent_of(state)
        if flow is None or state.waiting_for in (None, "confirmation"):
            return None
        starts_another = command.intent not in ("inform", "question", "status", *flow.intents) and for_intent(command.intent) is not None
        if starts_another:
            return None
        command = _address_completed(_picked(command, state), state)
        given = _given(command)
        # An order can also be answered by its items ("the one with the lamp"); an option by any words that are not a new request.
        given["order_id"] = given["order_id"] or given["items"]
        given["options"] = command.intent in ("inform", "question", "exchange", "modify_items") and not command.order_ids
        answers = given.get(state.waiting_for, False) or (command.correction and _gives_slots(command, flow))
        if not answers and command.confirmation == "yes" and command.intent in ("question", "inform"):
            return self._run(flow, command, state, tools, language)  # a bare "yes" answers nothing: the same question again
        if not answers:
            return None
        if "items" in flow.slots and (kept := _kept_items(command, state, self.vocabulary)) is not None:
            state.slots["only"] = kept  # "哦不对，水杯还是算了，就换台灯": the rest of the request, for fewer items
            return self._run(flow, command, state, tools, language)
        if state.waiting_for == "options":
            state.slots["options_text"] = command.text
        _merge(state, command, flow, replace=command.correction)
        return self._run(flow, command, state, tools, language)

    def _start(self, command: Command, state: DialogueState, tools: ToolSession, language: str) -> Outcome | None:
        flow = for_intent(command.intent)
        if flow is None and command.intent in ("question", "inform") and state.last_flow and ALSO.search(command.text):
            # "…and also the keyboard and the pet bed": the task just done, for more items or another order.
            last = for_intent_of(DialogueState(flow=state.last_flow))
            flow = last if last is not None and _gives_slots(command, last) else None
            if flow is not None:
                command = command.model_copy(update={"intent": flow.intents[0]})
        if flow is None:
            return None
        if flow.needs_identity and tools.principal.kind == "anonymous":
            state.deferred = command.model_dump(mode="json")
            return Outcome(say("verify_first", language), command.intent, outcome="verify")
        state.finish()
        state.flow = flow.name
        _merge(state, command, flow, replace=True)
        return self._run(flow, command, state, tools, language)

    def _run(self, flow: Flow, command: Command, state: DialogueState, tools: ToolSession, language: str) -> Outcome:
        ctx = FlowContext(tools=tools, language=language, command=command, state=state, vocabulary=self.vocabulary, reread=self.reread)
        step: Step = flow.run(ctx)
        state.waiting_for = step.waiting_for
        state.choices = list(step.choices)
        if step.waiting_for is None:
            state.finish()
        outcome = step.outcome or ("proposed" if step.waiting_for == "confirmation" else "asked" if step.waiting_for else "info")
        return Outcome(step.answer, step.intent or (command.intent if command.intent not in ("inform", "status") else flow.intents[0]),
                       wants_human=step.wants_human, outcome=outcome, choices=[*step.choices], explain=step.explain,
                       handoff_reason=step.handoff_reason, cannot=step.cannot)  # fmt: skip

    def _identify(self, command: Command, tools: ToolSession, language: str) -> str:
        if command.email:
            found = tools.call("find_user_id_by_email", {"email": command.email})
        else:
            first, last, zip_code = command.name_zip
            found = tools.call("find_user_id_by_name_zip", {"first_name": first, "last_name": last, "zip": zip_code})
        if not found.ok:
            return found.error if "another customer" in (found.error or "") else say("not_found_user", language)
        user = tools.call("get_user_details", {"user_id": found.result})
        name = user.result["name"]["first_name"] if user.ok else found.result
        return say("verified", language, name=name)


def _price_holds(command: Command, state: DialogueState, tools: ToolSession) -> bool:
    """Whether a request's price condition holds for the product just shown (none shown: it holds,
    and the proposal states the price before anything is written)."""
    if command.price_below is None and command.price_at_least is None:
        return True
    if not state.focus_product or not state.focus_item:
        return True
    found = tools.call("get_product_details", {"product_id": state.focus_product})
    variant = found.result.get("variants", {}).get(state.focus_item) if found.ok else None
    if variant is None:
        return True
    price = float(variant["price"])
    return (command.price_below is None or price < command.price_below) and (command.price_at_least is None or price >= command.price_at_least)


def _otherwise(outcome: Outcome, state: DialogueState, tools: ToolSession) -> Outcome:
    """"Change it to maple, 34 inch; if that's not possible, cancel the order": when it is not
    possible, the flow is dropped and the request for that case (next in the queue) goes on."""
    if outcome.cannot and state.queue and state.queue[0].get("otherwise") and tools.pending is None:
        state.finish()
        state.queue[0]["otherwise"] = False
        return Outcome(outcome.cannot, outcome.intent, prefix=outcome.prefix, outcome="info")
    return outcome


def for_intent_of(state: DialogueState) -> Flow | None:
    return FLOWS.get(state.flow) if state.flow else None


def _picked(command: Command, state: DialogueState) -> Command:
    """"The first one", "2", "第二个" after the bot offered choices (a reason, a variant) or listed
    orders: the command with that choice as the slot's value."""
    if state.waiting_for == "options" and (value := next((c for c in state.choices if command.text.strip() == choice_label(c, "zh")), None)):
        return command.model_copy(update={"text": value, "intent": "inform"})  # a Chinese button: its option values as offered
    match = ORDINAL.match(command.text)
    if match is None or state.waiting_for not in ("reason", "order_id", "options"):
        return command
    offered = state.offered_orders if state.waiting_for == "order_id" else state.choices
    index = ORDINALS[match.group("word").lower()]
    if not offered or index >= len(offered):
        return command
    value = offered[index]
    if state.waiting_for == "options":
        return command.model_copy(update={"text": value, "intent": "inform"})  # the variant listed: its option values
    return command.model_copy(update={"reason": value} if state.waiting_for == "reason" else {"order_ids": [value]})


def _address_completed(command: Command, state: DialogueState) -> Command:
    """"78701", "邮编是 518057", "it's in Canada" after the bot asked for what an address lacked: the
    message read together with the fields collected so far."""
    partial = state.slots.get("address_partial")
    if state.waiting_for != "address" or not partial or command.address is not None:
        return command
    reading = read_address(command.text, partial.get("fields") or {})
    if reading is None:
        return command
    if reading.complete:
        return command.model_copy(update={"address": Address(**reading.as_dict()), "address_partial": None})
    return command.model_copy(update={"address_partial": {"fields": reading.fields, "missing": reading.missing, "problems": reading.problems}})


def _given(command: Command) -> dict[str, bool]:
    """Which slots the command fills."""
    return {"order_id": bool(command.order_ids or command.other), "reason": command.reason is not None,
            "address": command.address is not None or command.address_partial is not None,
            "items": bool(command.items or command.all_items or command.except_items), "payment": command.payment is not None}  # fmt: skip


def _gives_slots(command: Command, flow: Flow) -> bool:
    given = _given(command)
    return any(given.get(slot) for slot in flow.slots)


def _merge(state: DialogueState, command: Command, flow: Flow, replace: bool) -> None:
    """The command's slots into the flow's: new values win; on a correction, "the other order"
    or a new order forgets what was said about the old one."""
    slots = state.slots
    if "order_id" in flow.slots:
        if command.order_ids and command.order_ids[0] != slots.get("order_id"):
            slots["order_id"] = command.order_ids[0]
        elif command.other and replace:
            slots.pop("order_id", None)  # bot.flows.common.find_order picks the other one
    if "order_id" in flow.slots and command.order_ref is not None and (not command.order_ids or command.order_ref.unsure):
        slots["order_ref"] = command.order_ref.model_dump()
    if command.address_ref is not None and "address" in flow.slots and command.address is None:
        slots["address_ref"] = command.address_ref.model_dump()
        slots.pop("address", None)
    if "reason" in flow.slots and command.reason:
        slots["reason"] = command.reason
    if "address" in flow.slots and command.address:
        slots["address"] = command.address.model_dump()
        slots.pop("address_partial", None)
    elif "address" in flow.slots and command.address_partial:
        slots["address_partial"] = command.address_partial  # the flow asks for what is missing
        slots.pop("address", None)
    if "payment" in flow.slots and command.payment:
        slots["payment"] = command.payment
    # Items are kept for every order flow: they also say which order ("the order with the desk lamp").
    if flow.slots and (items := item_slots(command)):
        slots["items"] = items
        slots.pop("options_text", None)


def describe(pending: PendingAction, language: str) -> str:
    if pending.described and language in pending.described:
        return pending.described[language]
    return templates.describe_action(pending.name, pending.arguments, language)
