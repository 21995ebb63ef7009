"""A tool session: runs tool calls for one conversation, through one gate.

Every call passes ``ToolSession.call``: the tool must exist, the arguments must validate, writes
wait for the user's explicit confirmation (unless the caller is a direct operator/test
interface, which says so), each call runs in its own transaction (rejected → rolled back), and
every write attempt lands in the audit log. The principal lives here, not in any argument.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from langchain_core.tools import BaseTool, StructuredTool
from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError

from bot.tools import catalog, merchant, retail
from bot.tools.context import ToolContext, ToolError
from kefu.principal import ANONYMOUS, Principal
from knowledge.kefu_tables import AuditEntry


def _as_tool(fn) -> StructuredTool:
    return StructuredTool.from_function(fn, parse_docstring=True, error_on_invalid_docstring=False)


TOOLS: dict[str, BaseTool] = {fn.__name__: _as_tool(fn) for fn in retail.READ_TOOLS + catalog.CATALOG_TOOLS + merchant.MERCHANT_TOOLS + retail.WRITE_TOOLS}
WRITE_TOOL_NAMES = frozenset(fn.__name__ for fn in retail.WRITE_TOOLS)


def tool_specs() -> list[dict]:
    """Name, description, JSON schema of the arguments (as a model sees them) and whether it writes."""
    specs = []
    for name, tool in TOOLS.items():
        schema = tool.tool_call_schema.model_json_schema()
        specs.append({"name": name, "description": tool.description, "parameters": schema, "writes": name in WRITE_TOOL_NAMES})
    return specs


@dataclass
class ToolResult:
    name: str
    arguments: dict
    ok: bool
    result: Any = None
    error: str | None = None
    needs_confirmation: bool = False
    ms: float = 0.0  # how long the call took (`kefu bench turn`'s "tools" step)

    def as_dict(self) -> dict:
        out: dict = {"name": self.name, "ok": self.ok}
        if self.ok:
            out["result"] = self.result
        else:
            out["error"] = self.error
        if self.needs_confirmation:
            out["needs_confirmation"] = True
        return out


@dataclass
class PendingAction:
    """A write the user has been asked to confirm."""

    name: str
    arguments: dict
    # The action in words, per language, as it was put to the user (with item names, not ids);
    # None where nobody described it (agent mode): templates.describe_action then does.
    described: dict[str, str] | None = None


@dataclass
class ToolSession:
    """Tool calls of one conversation. ``confirm_writes=False`` only for direct operator/test interfaces."""

    db_url: str
    principal: Principal = ANONYMOUS
    confirm_writes: bool = True
    tau2_parity: bool = False
    excluded_countries: frozenset[str] = frozenset()  # KEFU_SHIPPING_EXCLUDED_COUNTRIES (ToolContext.require_deliverable)
    pending: PendingAction | None = None
    products: Any = None  # a ProductRanker (bot.tools.context): the product cards (retrieval.product_cards) the catalogue tools rank with
    log: list[ToolResult] = field(default_factory=list)
    on_result: Callable[[ToolResult], None] | None = None  # observers (streaming, console trace)

    def call(self, name: str, arguments: dict | None = None) -> ToolResult:
        arguments = dict(arguments or {})
        tool = TOOLS.get(name)
        if tool is None:
            return self._finish(ToolResult(name, arguments, ok=False, error=f"Unknown tool {name!r}"))
        if name in WRITE_TOOL_NAMES and self.confirm_writes:
            _, problem = _validate(tool, arguments)
            if problem:
                return self._finish(ToolResult(name, arguments, ok=False, error=problem))
            self.pending = PendingAction(name, arguments)
            return self._finish(ToolResult(name, arguments, ok=False, error="Waiting for the user's explicit confirmation",
                                           needs_confirmation=True))  # fmt: skip
        return self._finish(self._execute(tool, name, arguments, confirmed_by="direct" if name in WRITE_TOOL_NAMES else ""))

    def confirm(self) -> ToolResult | None:
        """Run the pending write. Called by the conversation engine on the user's explicit yes, never by a model."""
        action, self.pending = self.pending, None
        if action is None:
            return None
        return self._finish(self._execute(TOOLS[action.name], action.name, action.arguments, confirmed_by="user"))

    def decline(self) -> PendingAction | None:
        action, self.pending = self.pending, None
        return action

    def _execute(self, tool: BaseTool, name: str, arguments: dict, confirmed_by: str) -> ToolResult:
        values, problem = _validate(tool, arguments)
        if problem:
            return ToolResult(name, arguments, ok=False, error=problem)
        from knowledge.orders.db import retrying
        from knowledge.orders.db import session as open_session

        def unit_of_work() -> tuple[ToolResult, Principal]:
            # The call, its effects and its audit line commit together, or not at all (and then
            # the whole unit runs again when it only lost the race for SQLite's write lock).
            with open_session(self.db_url) as db:
                ctx = ToolContext(db=db, principal=self.principal, tau2_parity=self.tau2_parity, products=self.products,
                                  excluded_countries=self.excluded_countries)  # fmt: skip
                try:
                    outcome = ToolResult(name, arguments, ok=True, result=tool.func(**values, ctx=ctx))
                except ToolError as exc:
                    db.rollback()
                    outcome = ToolResult(name, arguments, ok=False, error=str(exc))
                if name in WRITE_TOOL_NAMES:
                    db.add(AuditEntry(principal=str(self.principal), tool=name, arguments=arguments, ok=outcome.ok,
                                      detail=outcome.error or "", order_id=arguments.get("order_id"), confirmed_by=confirmed_by))  # fmt: skip
                db.commit()
                return outcome, ctx.principal

        started = time.perf_counter()
        try:
            outcome, principal = retrying(unit_of_work)
        except SQLAlchemyError:
            return ToolResult(name, arguments, ok=False, error="The order database is unavailable; please try again")
        outcome.ms = round((time.perf_counter() - started) * 1000, 1)
        # Authentication (anonymous → buyer) takes effect only when the call succeeded.
        self.principal = principal if outcome.ok else self.principal
        return outcome

    def _finish(self, result: ToolResult) -> ToolResult:
        self.log.append(result)
        if self.on_result is not None:
            self.on_result(result)
        return result


def _validate(tool: BaseTool, arguments: dict) -> tuple[dict, str | None]:
    """The arguments as the tool's schema reads them, or why they are invalid.

    Unknown fields are an error, not ignored: `ctx` (the session's identity) or a `user_id`
    slipped into a call must never reach a tool.
    """
    schema = tool.tool_call_schema
    unknown = sorted(set(arguments) - set(schema.model_fields))
    if unknown:
        return {}, f"Invalid arguments: unexpected field {', '.join(repr(u) for u in unknown)}"
    try:
        values = schema.model_validate(arguments)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg']}" for e in exc.errors())
        return {}, f"Invalid arguments: {problems}"
    return {key: getattr(values, key) for key in schema.model_fields if key in arguments or key in values.model_fields_set}, None


def open_session_for(db_url: str, principal: str | Principal, confirm_writes: bool = True, tau2_parity: bool = False,
                     excluded_countries: frozenset[str] | list[str] = frozenset()) -> ToolSession:  # fmt: skip
    return ToolSession(db_url=db_url, principal=principal if isinstance(principal, Principal) else Principal.parse(principal),
                       confirm_writes=confirm_writes, tau2_parity=tau2_parity, excluded_countries=frozenset(excluded_countries))  # fmt: skip

