"""Reliability under load: 50 concurrent signed-in sessions against a real `kefu serve` on the
embedded default (SQLite), driven by `kefu bench load`'s own driver. Every turn answered, every
turn stored, no 5xx."""

from __future__ import annotations

from sqlmodel import func, select

from knowledge.orders.db import session
from knowledge.orders.demo import generate_demo_shop
from knowledge.orders.importer import RetailDB, import_retail
from knowledge.kefu_tables import ConversationTurn
from serving.evaluation.load_bench import buyers_with_orders, run_load_bench
from serving.llm.standin import SERVED_NAME, Latency, ModelStandIn
from tests.conftest import DEMO_GLOSSARY

SESSIONS = 50
TURNS_EACH = 3


def test_fifty_concurrent_sessions_on_sqlite_lose_nothing(knowledge_home, tmp_path):
    db_url = f"sqlite:///{tmp_path / 'kefu.db'}"
    with session(db_url) as db:
        import_retail(db, RetailDB.model_validate(generate_demo_shop()))
    assert len(buyers_with_orders(db_url, SESSIONS)) == SESSIONS
    # The model path too: a stand-in that waits 0.2 s per answer, so turns overlap in the model.
    with ModelStandIn(Latency(first_token_ms=100, tokens_per_s=100, tokens=10)) as model:
        env = {"KEFU_HOME": str(knowledge_home), "KEFU_GLOSSARY_FILE": str(DEMO_GLOSSARY), "KEFU_LLM_PROVIDER": "openai",
               "KEFU_LLM_BASE_URL": model.base_url, "KEFU_LLM_MODEL": SERVED_NAME, "KEFU_LLM_TOOL_CALLING": "false", "KEFU_BOT_MODE": "guided"}  # fmt: skip
        seen: list[str] = []
        result = run_load_bench(db_url, env, SESSIONS, turns=TURNS_EACH, log_dir=tmp_path, on_start=seen.append, copy_sqlite=False)

    assert result.error_kinds == {} and result.errors == 0, (result.summary(), (tmp_path / "bench-load-server.log").read_text()[-3000:])
    assert result.ok == SESSIONS * TURNS_EACH and result.lost_turns == 0
    assert model.calls > 0  # the answers went through the model path
    assert seen and seen[0].startswith("http://127.0.0.1:")
    # Counted again in the database itself, not from the bench's own read-back.
    with session(db_url) as db:
        stored = db.exec(select(ConversationTurn.role, func.count()).group_by(ConversationTurn.role)).all()
    assert dict(stored) == {"user": SESSIONS * TURNS_EACH, "assistant": SESSIONS * TURNS_EACH}
    assert result.stored == SESSIONS * TURNS_EACH
