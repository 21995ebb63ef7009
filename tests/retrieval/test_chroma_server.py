"""The same index code against a Chroma server (`chroma run` on loopback) instead of the embedded client."""

import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from retrieval.ingest import ingest
from retrieval.retriever import KnowledgeRetriever
from serving.runtime import build_index, min_relevance
from tests.conftest import DEMO_KNOWLEDGE, free_port, make_settings

CHROMA = Path(sys.executable).with_name("chroma")


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    if not CHROMA.exists():
        pytest.skip("the chroma CLI is not installed beside this Python")
    port = free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    process = subprocess.Popen([str(CHROMA), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.3)
    else:
        process.kill()
        pytest.fail("chroma run did not answer within 60 s")
    yield url
    process.terminate()
    process.wait(timeout=20)


def test_ingest_and_search_through_a_chroma_server(chroma_server, tmp_path):
    settings = make_settings(tmp_path, chroma_url=chroma_server)
    docs = tmp_path / "docs"
    for name in ["en/returns-refunds.md", "zh/returns-refunds.md"]:
        (docs / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(DEMO_KNOWLEDGE / name, docs / name)
    index = build_index(settings)
    assert index.persist_directory is None  # a server, not files under KEFU_HOME
    first = ingest(index, [docs]).as_dict()
    assert first["added"] > 5 and ingest(index, [docs]).as_dict()["added"] == 0
    retriever = KnowledgeRetriever(index=index, k=3, min_score=min_relevance(index), lexical_dir=settings.home / "lexical")
    assert retriever.search("How long does a refund to a gift card take?")[0].source == "en/returns-refunds.md"
    assert retriever.search("退款多久到账？")[0].source == "zh/returns-refunds.md"
    assert not (tmp_path / "chroma").exists()
