import os
import shutil

import pytest

from retrieval.ingest import IngestError, discover, ingest
from serving.runtime import build_index
from tests.conftest import DEMO_KNOWLEDGE


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "docs"
    for name in ["en/shipping.md", "en/returns-refunds.md", "zh/shipping.md"]:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(DEMO_KNOWLEDGE / name, folder / name)
    return folder


def test_rerun_edit_and_delete(settings, corpus):
    index = build_index(settings)
    first = ingest(index, [corpus]).as_dict()
    assert first["added"] > 10 and first["removed"] == 0
    total = index.count()
    assert total == first["added"]

    rerun = ingest(index, [corpus]).as_dict()
    assert rerun == {"files": first["files"], "added": 0, "removed": 0, "updated": 0, "unchanged": total}

    shipping = corpus / "en" / "shipping.md"
    text = shipping.read_text("utf-8")
    last_line = [line for line in text.splitlines() if line.strip() and not line.startswith("#")][-1]
    copied_at = shipping.stat().st_mtime
    shipping.write_text(text.replace(last_line, last_line + " Parcels are insured."), "utf-8")
    # updated_at has one-second resolution and the copy may share the edit's second: date the edit a minute later.
    os.utime(shipping, (copied_at + 60, copied_at + 60))
    edited = ingest(index, [corpus]).as_dict()
    assert (edited["added"], edited["removed"]) == (1, 1)
    # The edited file's other chunks get its new updated_at (metadata only); no other file's change.
    assert edited["updated"] == len(index.source_ids("en/shipping.md")) - 1
    assert index.count() == total

    assert index.remove_source("en/shipping.md") > 0
    assert "en/shipping.md" not in index.sources()


def test_chinese_question_finds_chinese_chunk_and_english_finds_english(knowledge_home):
    from tests.conftest import make_settings

    index = build_index(make_settings(knowledge_home))
    zh = index.query("退货退款需要多长时间到账？", k=5)
    en = index.query("How long does a refund take to arrive?", k=5)
    assert any(hit.source.startswith("zh/") for hit in zh[:3]), [h.source for h in zh]
    assert en[0].source.startswith("en/") or en[0].source == "policy.md", [h.source for h in en]


def test_unsupported_and_missing_paths_are_clear_errors(tmp_path):
    (tmp_path / "data.bin").write_bytes(b"\x00")
    with pytest.raises(IngestError, match="unsupported file type"):
        discover([tmp_path / "data.bin"])
    with pytest.raises(IngestError, match="no such file"):
        discover([tmp_path / "nope.md"])
    # A folder's README is documentation about the folder, not knowledge.
    assert not any(name.lower().endswith("readme.md") for _, name in discover([DEMO_KNOWLEDGE]))
