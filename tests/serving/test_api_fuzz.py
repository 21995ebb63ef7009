"""Issue 26: the HTTP API fuzzed from its own OpenAPI spec with schemathesis (`schemathesis run`,
its own runner: examples, coverage — boundary values such as integers past 64 bits — and
fuzzing, valid and invalid inputs), as a buyer (a signed identity token) and as an operator (an
operator key), against the real app on a free port: no response is a server error."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import threading
import time

import pytest

from serving.identity import create_token
from tests.conftest import free_port, make_settings

SECRET = "fuzzing-secret-of-at-least-32-bytes!"
OPERATOR_KEY = "kefu_op_fuzzing"
EXAMPLES = 100  # per operation and phase; both identities take about a minute on a 2-core machine
# Slack and WeCom configured (their callbacks then verify signatures instead of answering 503
# "not configured"); their APIs at an address where nothing listens: a fuzzer cannot sign.
CHANNELS = {"slack_signing_secret": "slack-signing-secret", "slack_bot_token": "xoxb-fuzz", "slack_api_url": "http://127.0.0.1:9/api/",
            "wecom_token": "fuzzToken", "wecom_aes_key": "a" * 43, "wecom_corp_id": "wwfuzz", "wecom_secret": "fuzz-secret",
            "wecom_agent_id": "1000002", "wecom_api_url": "http://127.0.0.1:9/cgi-bin"}  # fmt: skip
IDENTITIES = {
    "buyer": [f"Authorization: Bearer {create_token(SECRET, 'buyer', 'fuzz_buyer_1', ttl_s=3 * 3600)}"],
    "operator": [f"Authorization: Bearer {OPERATOR_KEY}", "X-Kefu-Operator: fuzz"],
}


@pytest.fixture(scope="module")
def api_url(knowledge_home, tmp_path_factory):
    import uvicorn

    from serving.api import create_app
    from serving.runtime import build_runtime

    database = tmp_path_factory.mktemp("fuzz") / "kefu.db"
    runtime = build_runtime(make_settings(knowledge_home, database_url=f"sqlite:///{database}", secret_key=SECRET, rate_limit_per_minute=100_000,
                                          operator_key_hashes=[hashlib.sha256(OPERATOR_KEY.encode()).hexdigest()], **CHANNELS))  # fmt: skip
    server = uvicorn.Server(uvicorn.Config(create_app(runtime, mount_ui=False), host="127.0.0.1", port=free_port(), log_level="critical"))
    thread = threading.Thread(target=server.run, name="uvicorn-fuzz", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{server.config.port}"
    server.should_exit = True
    thread.join(timeout=10)
    runtime.close()


@pytest.mark.parametrize("who", IDENTITIES)
def test_no_input_is_a_server_error(api_url, who, tmp_path):
    report = tmp_path / "report.ndjson"
    headers = [arg for header in IDENTITIES[who] for arg in ("--header", header)]
    run = subprocess.run(
        [sys.executable, "-m", "schemathesis.cli", "run", f"{api_url}/openapi.json", "--checks", "not_a_server_error", *headers,
         "--phases", "examples,coverage,fuzzing", "--max-examples", str(EXAMPLES), "--seed", "26", "--workers", "1",
         "--generation-database", "none", "--report", "ndjson", "--report-ndjson-path", str(report)],
        capture_output=True, text=True, timeout=900, cwd=tmp_path,  # its .schemathesis/ folder lands there, not in the checkout
    )  # fmt: skip
    tail = (run.stdout + run.stderr)[-4000:]
    assert run.returncode == 0, tail  # exit 1 names each operation that answered 5xx, with a curl to reproduce it
    # It did test the API: the spec's operations were loaded and cases generated for them.
    events = [json.loads(line) for line in report.read_text("utf-8").splitlines() if line.strip()]
    tested = re.search(r"Tested:\s+(\d+)", run.stdout)
    assert len(events) > 20 and tested and int(tested[1]) >= 15, tail
