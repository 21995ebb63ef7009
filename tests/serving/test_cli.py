import json

import pytest
from typer.testing import CliRunner

from serving.cli import app
from tests.conftest import DEMO_KNOWLEDGE

runner = CliRunner()
COMMANDS = ["serve", "ingest", "search", "orders", "users", "tools", "token", "chat", "eval", "bench", "llm"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_prints_help(command):
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_ingest_search_and_eval_through_the_cli(monkeypatch, tmp_path):
    monkeypatch.setenv("KEFU_HOME", str(tmp_path))
    from kefu.settings import get_settings

    get_settings.cache_clear()
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "shipping.md").write_text((DEMO_KNOWLEDGE / "en" / "shipping.md").read_text("utf-8"), "utf-8")
    added = runner.invoke(app, ["ingest", str(docs), "--json"])
    assert added.exit_code == 0, added.output
    assert json.loads(added.stdout.strip().splitlines()[-1])["added"] > 0

    found = runner.invoke(app, ["search", "How much is express shipping?", "--k", "2", "--json"])
    assert found.exit_code == 0, found.output
    hits = json.loads(found.stdout)
    assert len(hits) == 2 and {"source", "chunk_id", "section", "text", "score"} <= hits[0].keys()
    assert hits[0]["source"] == "shipping.md"

    qa = tmp_path / "qa.json"
    qa.write_text(json.dumps([{"q": "How much does express delivery cost?", "source": "shipping.md", "phrase": "Express"}]))
    report = runner.invoke(app, ["eval", "retrieval", str(qa), "--json"])
    assert report.exit_code == 0, report.output
    assert json.loads(report.stdout)["recall@5"] == 1.0
    get_settings.cache_clear()


def test_cli_errors_are_messages_with_a_nonzero_exit(monkeypatch, tmp_path):
    monkeypatch.setenv("KEFU_HOME", str(tmp_path))
    from kefu.settings import get_settings

    get_settings.cache_clear()
    missing = runner.invoke(app, ["ingest", str(tmp_path / "nope.md")])
    assert missing.exit_code == 2 and "no such file" in missing.output
    assert "Traceback" not in missing.output
    bad_qa = tmp_path / "qa.json"
    bad_qa.write_text("{not json")
    result = runner.invoke(app, ["eval", "retrieval", str(bad_qa)])
    assert result.exit_code == 2 and "not valid JSON" in result.output
    monkeypatch.setenv("KEFU_LLM_PROVIDER", "gpt5")
    get_settings.cache_clear()
    result = runner.invoke(app, ["chat", "-m", "hi"])
    assert result.exit_code == 2 and "invalid configuration" in result.output
    monkeypatch.delenv("KEFU_LLM_PROVIDER")
    monkeypatch.setenv("KEFU_EMBEDDING_MODEL", str(tmp_path / "no-such-model"))
    get_settings.cache_clear()
    for command in (["search", "refund"], ["ingest", str(bad_qa.parent)]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2 and "KEFU_EMBEDDING_MODEL" in result.output, result.output
        assert "Traceback" not in result.output
    get_settings.cache_clear()


def test_bench_retrieval_prints_the_contract_shape(monkeypatch, tmp_path):
    monkeypatch.setenv("KEFU_HOME", str(tmp_path))
    from kefu.settings import get_settings

    get_settings.cache_clear()
    result = runner.invoke(app, ["bench", "retrieval", "--chunks", "2000", "--queries", "20", "--json"])
    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["chunks"] == 2000 and {"p50_ms", "p95_ms"} <= report["kefu"].keys() <= report["baseline"].keys() | {"p50_ms", "p95_ms"}
    assert report["kefu"]["p95_ms"] > 0 and report["baseline"]["p95_ms"] > 0
    assert report["top_k_overlap"] > 0.8  # the same chunks as Chroma's own filtered search, mostly
    saved = json.loads((tmp_path / "reports" / "bench-retrieval.json").read_text("utf-8"))
    assert saved["kefu"] == report["kefu"] and (tmp_path / "reports" / "bench-retrieval.png").stat().st_size > 1000


def test_bench_ingest_writes_its_report_and_plot(monkeypatch, tmp_path):
    monkeypatch.setenv("KEFU_HOME", str(tmp_path))
    from kefu.settings import get_settings

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "faq.md").write_text("# Shipping\n\nStandard shipping takes 3-5 days.\n\n# Returns\n\nReturn within 30 days.\n", "utf-8")
    get_settings.cache_clear()
    result = runner.invoke(app, ["bench", "ingest", str(docs), "--json"])
    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["chunks"] >= 2 and report["ingest_chunks_per_s"] > 0 and report["embedding_only_chunks_per_s"] > 0
    saved = json.loads((tmp_path / "reports" / "bench-ingest.json").read_text("utf-8"))
    assert saved["chunks"] == report["chunks"] and (tmp_path / "reports" / "bench-ingest.png").stat().st_size > 1000


def test_switching_the_embedding_model_is_refused_until_reembedded(monkeypatch, tmp_path):
    import shutil

    from kefu.settings import get_settings
    from retrieval.embeddings import default_embedding_model_path

    monkeypatch.setenv("KEFU_HOME", str(tmp_path))
    get_settings.cache_clear()
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "shipping.md").write_text((DEMO_KNOWLEDGE / "en" / "shipping.md").read_text("utf-8"), "utf-8")
    assert runner.invoke(app, ["ingest", str(docs)]).exit_code == 0

    # "Another model": the packaged one with a changed config, so its identity differs.
    other = tmp_path / "other-model"
    shutil.copytree(default_embedding_model_path(), other)
    config = json.loads((other / "config.json").read_text())
    (other / "config.json").write_text(json.dumps({**config, "kefu_test_variant": 2}))
    monkeypatch.setenv("KEFU_EMBEDDING_MODEL", str(other))
    get_settings.cache_clear()
    refused = runner.invoke(app, ["search", "How much is express shipping?", "--json"])
    assert refused.exit_code == 2 and "--reembed" in refused.output and "Traceback" not in refused.output
    assert runner.invoke(app, ["ingest", str(docs)]).exit_code == 2  # nothing mixed in either

    redone = runner.invoke(app, ["ingest", "--reembed", "--json"])
    assert redone.exit_code == 0, redone.output
    counts = [json.loads(line)["reembed"] for line in redone.stdout.strip().splitlines()]
    assert counts[0]["reembedded"] > 0 and counts[0]["model"].startswith("other-model/384/")
    found = runner.invoke(app, ["search", "How much is express shipping?", "--json"])
    assert found.exit_code == 0 and json.loads(found.stdout)[0]["source"] == "shipping.md"
    get_settings.cache_clear()


def test_eval_nlu_reports_per_split_and_language_and_refuses_a_missing_file(tmp_path):
    from tests.conftest import REPO

    data = REPO / "tests" / "data"
    result = runner.invoke(app, ["eval", "nlu", str(data / "nlu_labelled.json"), "--catalogue", str(data / "nlu_catalogue.json"), "--json"])
    assert result.exit_code == 0, result.output
    groups = json.loads(result.stdout)["groups"]
    assert {"tune", "heldout", "en", "zh"} <= set(groups) and groups["all"]["n"] == 240
    missing = runner.invoke(app, ["eval", "nlu", str(tmp_path / "none.json")])
    assert missing.exit_code != 0 and "cannot read" in missing.output


def test_bench_ingest_of_order_cards_reports_both_rates_and_refuses_an_empty_database(monkeypatch, tmp_path):
    monkeypatch.setenv("KEFU_HOME", str(tmp_path))
    from kefu.settings import get_settings

    get_settings.cache_clear()
    empty = runner.invoke(app, ["bench", "ingest", "--orders"])
    assert empty.exit_code != 0 and "no orders" in empty.output
    assert runner.invoke(app, ["orders", "demo"]).exit_code == 0
    result = runner.invoke(app, ["bench", "ingest", "--orders", "--json"])
    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["documents"] == "order cards" and report["chunks"] >= 10
    assert report["ingest_chunks_per_s"] > 0 and report["embedding_only_chunks_per_s"] > 0 and 0 < report["ratio"]


def test_bench_embed_times_single_and_batched_questions_and_refuses_bad_files(monkeypatch, tmp_path):
    monkeypatch.setenv("KEFU_HOME", str(tmp_path))
    from kefu.settings import get_settings

    questions = tmp_path / "questions.txt"
    questions.write_text("How long does shipping take?\n退款多久到账？\n\nCan I return a used item?\n发票怎么开？\nHow long does shipping take?\n", "utf-8")
    get_settings.cache_clear()
    result = runner.invoke(app, ["bench", "embed", str(questions), "--batch", "2", "--json"])
    missing = runner.invoke(app, ["bench", "embed", str(tmp_path / "nope.json")])
    broken = tmp_path / "broken.json"
    broken.write_text('[{"question": "no q key"}]', "utf-8")
    not_qa = runner.invoke(app, ["bench", "embed", str(broken)])
    too_few = runner.invoke(app, ["bench", "embed", str(questions)])  # 4 questions, a batch of 32
    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["questions"] == 4 and report["batch_size"] == 2  # the repeat is dropped: it would come from the cache
    assert 0 < report["single"]["p50_ms"] <= report["single"]["p95_ms"] and report["batch_per_question_ms"] > 0
    assert (tmp_path / "reports" / "bench-embed.json").is_file() and (tmp_path / "reports" / "bench-embed.png").stat().st_size > 1000
    assert missing.exit_code != 0 and "nope.json" in missing.output and "Traceback" not in missing.output
    assert not_qa.exit_code != 0 and '"q"' in not_qa.output
    assert too_few.exit_code != 0 and "at least one batch of 32" in too_few.output


def test_reembed_on_a_fresh_install_is_quiet_and_says_already_embedded_once(monkeypatch, tmp_path):
    monkeypatch.setenv("KEFU_HOME", str(tmp_path))
    from kefu.settings import get_settings

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "faq.md").write_text("# Shipping\n\nStandard shipping takes 3-5 days.\n", "utf-8")
    get_settings.cache_clear()
    fresh = runner.invoke(app, ["ingest", "--reembed"])
    assert runner.invoke(app, ["ingest", str(docs)]).exit_code == 0
    again = runner.invoke(app, ["ingest", "--reembed"])
    as_json = runner.invoke(app, ["ingest", "--reembed", "--json"])
    get_settings.cache_clear()
    assert fresh.exit_code == 0 and "already embedded" not in fresh.output  # empty collections: nothing to say
    assert again.exit_code == 0 and again.output.count("already embedded") == 1 and "kefu_knowledge" in again.output
    assert [json.loads(line)["reembed"]["reembedded"] for line in as_json.stdout.strip().splitlines()] == [0, 0, 0]  # the JSON contract: a line per collection


def test_without_a_secret_key_token_create_and_the_server_share_a_demo_key(monkeypatch, tmp_path):
    from fastapi.testclient import TestClient

    from kefu.settings import get_settings
    from serving.api import create_app
    from serving.identity import create_token
    from serving.runtime import build_runtime
    from tests.conftest import make_settings

    monkeypatch.setenv("KEFU_HOME", str(tmp_path))
    monkeypatch.delenv("KEFU_SECRET_KEY", raising=False)
    get_settings.cache_clear()
    made = runner.invoke(app, ["token", "create", "--role", "buyer", "--subject", "user_1"])
    monkeypatch.setenv("KEFU_SECRET_KEY", "short")
    get_settings.cache_clear()
    short = runner.invoke(app, ["token", "create", "--role", "buyer", "--subject", "user_1"])
    monkeypatch.delenv("KEFU_SECRET_KEY")
    get_settings.cache_clear()
    assert made.exit_code == 0, made.output
    token = made.stdout.strip().splitlines()[-1]
    key_file = tmp_path / "secret.key"
    assert key_file.stat().st_mode & 0o777 == 0o600 and len(key_file.read_text().strip()) >= 32
    server = TestClient(create_app(build_runtime(make_settings(tmp_path)), mount_ui=False))  # no KEFU_SECRET_KEY: the same KEFU_HOME
    accepted = server.post("/v1/chat", json={"message": "hello"}, headers={"Authorization": f"Bearer {token}"})
    forged = create_token("another-key-of-at-least-32-characters!!", "buyer", "user_1")
    refused = server.post("/v1/chat", json={"message": "hello"}, headers={"Authorization": f"Bearer {forged}"})
    assert accepted.status_code == 200, accepted.text
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthorized"
    assert short.exit_code != 0 and "secret_key" in short.output.lower() and "Traceback" not in short.output
