"""The operator console's backend: the runtime's parts, as the console (ui/console.py) needs them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlmodel import select

from bot.reply import Reply
from bot.tools.session import TOOLS, open_session_for
from kefu.principal import ANONYMOUS, OPERATOR, Principal
from knowledge.orders.db import session as open_session
from knowledge.kefu_tables import Feedback
from knowledge.orders.models import Shop, User
from serving.channels.base import ConsoleChannel
from serving.evaluation.retrieval import EvalError, evaluate, load_qa
from serving.operators.handoffs import OperatorDesk
from serving.runtime import Runtime

SAMPLE_BUYERS = 20


class RuntimeConsoleBackend:
    def __init__(self, runtime: Runtime, desk: OperatorDesk | None = None) -> None:
        self.runtime = runtime
        self.db_url = runtime.settings.resolved_database_url
        # The API passes its desk, whose deliverers reach Slack and WeCom; alone, replies are stored only.
        self.desk = desk or OperatorDesk(runtime.assistant.store)

    def respond(self, text: str, session_id: str | None, principal: str) -> Reply:
        return self.runtime.assistant.respond(text, session_id=session_id, principal=Principal.parse(principal).named(),
                                              channel=ConsoleChannel.name)  # fmt: skip

    def principals(self) -> list[str]:
        with open_session(self.db_url) as db:
            buyers = db.exec(select(User.user_id).order_by(User.user_id).limit(SAMPLE_BUYERS)).all()
            shops = db.exec(select(Shop.shop_id).order_by(Shop.shop_id)).all()
        return [str(ANONYMOUS), str(OPERATOR), *(str(Principal("merchant", s)) for s in shops), *(str(Principal("buyer", b)) for b in buyers)]

    def tool_names(self) -> list[str]:
        return sorted(TOOLS)

    def call_tool(self, name: str, arguments: dict, principal: str) -> dict:
        tools = open_session_for(self.db_url, principal or "operator", confirm_writes=False, tau2_parity=self.runtime.settings.tau2_parity,
                                 excluded_countries=self.runtime.settings.shipping_excluded_countries)
        return tools.call(name, arguments).as_dict()

    # ---- the operator loop: the conversation log, annotations, analytics

    def conversations(self, **filters) -> list[dict]:
        from serving.operators.conversation_log import find_conversations

        return find_conversations(self.db_url, **filters)

    def conversation(self, session_id: str) -> dict | None:
        from serving.operators.conversation_log import conversation

        return conversation(self.db_url, session_id)

    def annotate(self, turn_id: int, rating: str, improved_answer: str, operator: str) -> dict:
        from bot.annotations import AnnotationError

        try:
            return {"ok": True, **self.runtime.annotations.annotate(turn_id, f"operator:{operator or 'console'}", rating, improved_answer)}
        except AnnotationError as exc:
            return {"ok": False, "error": str(exc)}

    def withdraw(self, annotation_id: int, operator: str) -> dict:
        from bot.annotations import AnnotationError

        try:
            return {"ok": True, **self.runtime.annotations.withdraw(annotation_id, f"operator:{operator or 'console'}")}
        except AnnotationError as exc:
            return {"ok": False, "error": str(exc)}

    def report(self, since: str = "", until: str = "") -> dict:
        from datetime import date

        from serving.operators.analytics import report

        return report(self.db_url, date.fromisoformat(since) if since else None, date.fromisoformat(until) if until else None)

    # ---- evaluation and bench reports (KEFU_HOME/reports)

    def reports(self) -> list[str]:
        folder = self.runtime.settings.home / "reports"
        return sorted(p.name for p in folder.glob("*.json")) if folder.is_dir() else []

    def report_file(self, name: str) -> tuple[dict | None, str | None]:
        """A report's JSON and the path of its PNG, if it has one."""
        import json

        path = self.runtime.settings.home / "reports" / Path(name).name
        if not path.is_file():
            return None, None
        data = json.loads(path.read_text("utf-8"))
        plot = path.with_suffix(".png")
        return data, str(plot) if plot.is_file() else None

    # ---- the merchant tab: review insights and product copy, as the shop's merchant

    def _as_merchant(self, shop: str):
        from bot.tools.session import ToolSession

        return ToolSession(db_url=self.db_url, principal=Principal("merchant", shop), products=self.runtime.assistant.product_cards)

    def shops(self) -> list[str]:
        with open_session(self.db_url) as db:
            return list(db.exec(select(Shop.shop_id).order_by(Shop.shop_id)))

    def shop_products(self, shop: str) -> list[tuple[str, str]]:
        from knowledge.orders.models import Product

        with open_session(self.db_url) as db:
            return [(p.name, p.product_id) for p in db.exec(select(Product).where(Product.shop_id == shop).order_by(Product.name))]

    def review_insights(self, shop: str, product_id: str) -> dict:
        return self._as_merchant(shop).call("get_review_insights", {"product": product_id or ""}).as_dict()

    def write_copy(self, shop: str, product_id: str, language: str, tone: str, length: str) -> dict:
        from bot.copywriter import write_copy

        facts = self._as_merchant(shop).call("get_copy_facts", {"product": product_id, "language": language})
        if not facts.ok:
            return {"ok": False, "error": facts.error}
        values = set(facts.result.pop("catalogue_values"))
        model = self.runtime.model.chat_model if self.runtime.model.ready() else None
        written = write_copy(model, facts.result, language, tone, length, values)
        return {"ok": True, "text": written.text, "source": written.source, "problems": written.problems, "attempts": written.attempts}

    def handoffs(self) -> list[dict]:
        return self.runtime.assistant.store.handoff_queue()

    def operator_reply(self, session_id: str, text: str) -> dict | None:
        return self.desk.reply(session_id.strip(), text) if session_id and text else None

    def release(self, session_id: str) -> bool:
        return bool(session_id) and self.desk.release(session_id.strip())

    def feedback(self) -> list[dict]:
        with open_session(self.db_url) as db:
            rows = db.exec(select(Feedback).order_by(Feedback.id.desc()).limit(100)).all()
        return [{"session_id": f.session_id, "turn_id": f.turn_id, "rating": f.rating, "comment": f.comment, "at": f.at.isoformat()} for f in rows]

    def search(self, query: str, ungated: bool = False, k: int = 5) -> list[dict]:
        """What the assistant's retriever finds for ``query``, with each hit's evidence; ``ungated``
        also shows what the relevance gate would drop."""
        if not query or not query.strip():
            return []
        return [hit.as_dict() for hit in self.runtime.assistant.retriever.searcher.run(query, k=k, gated=not ungated)["hits"]]

    def evaluate(self, qa_path: str | None, k: int = 5, on_item: Callable[[int, int], None] | None = None) -> dict:
        """`kefu eval retrieval` on an uploaded QA file, with the assistant's own retriever."""
        if not qa_path:
            return {"error": "choose a QA file: a JSON list of {q, source, phrase}"}
        try:
            items = load_qa(Path(qa_path))
        except EvalError as exc:
            return {"error": str(exc)}
        return evaluate(self.runtime.assistant.retriever, items, k=k, on_item=on_item)

    def model_status(self) -> dict:
        """The model's state, its capability check and what that means for answers."""
        return {"answers": self.runtime.model.answers(), **self.runtime.model.status()}

    def check_model(self) -> dict:
        """Run the capability check again now (a model just restarted or reconfigured)."""
        if self.runtime.model.capability is not None and self.runtime.model.ready():
            self.runtime.model.capability.check()
        return self.model_status()

    def knowledge_status(self) -> dict:
        index = self.runtime.index
        return {"chunks": index.count(), "sources": sorted(index.sources()), "model": self.runtime.model.status()}
