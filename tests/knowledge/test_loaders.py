"""Loaders for every supported file type, and pruning a folder's deleted files."""

import json

import pytest

from knowledge.loaders import LOADERS, UnreadableDocument
from retrieval.ingest import IngestError, ingest
from serving.runtime import build_index
from tests.conftest import DEMO_KNOWLEDGE


def load(path):
    return LOADERS[path.suffix.lower()](path, path.name, {})


def test_csv_faq_gives_one_chunk_per_question():
    chunks = load(DEMO_KNOWLEDGE.parent / "faq" / "faq-zh.csv")
    assert len(chunks) == 15 and all(c.metadata["doc_type"] == "faq" for c in chunks)
    assert chunks[0].section == "退货期限是多久？" and "30 天" in chunks[0].text and chunks[0].language == "zh"


def test_xlsx_and_json_faqs(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Question", "Answer"])
    book.active.append(["Do you ship to Canada?", "Yes, in 7-12 business days."])
    book.save(tmp_path / "faq.xlsx")
    assert [(c.section, c.text) for c in load(tmp_path / "faq.xlsx")] == [("Do you ship to Canada?", "Yes, in 7-12 business days.")]
    (tmp_path / "faq.json").write_text(json.dumps([{"question": "发票怎么开？", "answer": "在订单详情页申请电子发票。"}]), "utf-8")
    assert load(tmp_path / "faq.json")[0].section == "发票怎么开？"
    (tmp_path / "sections.json").write_text(json.dumps([{"title": "Gift wrap", "text": "Gift wrap costs $3."}]))
    assert load(tmp_path / "sections.json")[0].section == "Gift wrap"


def test_html_keeps_headings_and_drops_scripts(tmp_path):
    page = tmp_path / "help.html"
    page.write_text("<html><script>var x=1;</script><h1>Help</h1><h2>Shipping</h2><p>We ship in <b>2</b> days.</p>"
                    "<h2>Returns</h2><ul><li>30 days</li></ul></html>")  # fmt: skip
    chunks = load(page)
    assert [c.section for c in chunks] == ["Help > Shipping", "Help > Returns"]
    assert chunks[0].text == "We ship in 2 days." and "var x" not in " ".join(c.text for c in chunks)


def test_pdf_pages_become_sections(tmp_path):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.write(tmp_path / "blank.pdf")
    assert load(tmp_path / "blank.pdf") == []  # no text layer: nothing to cite
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    with pytest.raises(UnreadableDocument, match="not a readable PDF"):
        load(tmp_path / "broken.pdf")


def test_bad_tables_are_clear_errors_and_nothing_is_written(settings, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text("# A\n\nalpha text")
    (docs / "bad.csv").write_text("title,body\nx,y\n")
    index = build_index(settings)
    with pytest.raises(IngestError, match="question column"):
        ingest(index, [docs])
    assert index.count() == 0  # every file is read before anything is written


def test_prune_removes_deleted_files_of_a_folder(settings, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text("# A\n\nalpha text about shipping")
    (docs / "b.md").write_text("# B\n\nbeta text about returns")
    index = build_index(settings)
    assert ingest(index, [docs]).as_dict()["added"] == 2
    (docs / "b.md").unlink()
    assert ingest(index, [docs]).as_dict()["removed"] == 0  # without --prune a deleted file's chunks stay
    assert ingest(index, [docs], prune=True).as_dict()["removed"] == 1
    assert index.sources() == {"a.md"}


def test_chunks_ingested_without_root_get_it_on_the_next_run_and_can_be_pruned(settings, tmp_path):
    import chromadb

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text("# A\n\nalpha text about shipping")
    (docs / "b.md").write_text("# B\n\nbeta text about returns")
    index = build_index(settings)
    ingest(index, [docs])
    # Chunks as an older kefu stored them: no `root`, no `updated_at`.
    collection = chromadb.PersistentClient(path=str(settings.chroma_dir)).get_collection("kefu_knowledge")
    stored = collection.get(include=["metadatas"])
    collection.update(ids=stored["ids"], metadatas=[{**m, "root": None, "updated_at": None} for m in stored["metadatas"]])
    assert not any("root" in m for m in collection.get(include=["metadatas"])["metadatas"])

    rerun = ingest(index, [docs]).as_dict()
    assert (rerun["added"], rerun["removed"], rerun["updated"]) == (0, 0, 2)  # metadata only, no re-embedding
    assert ingest(index, [docs]).as_dict()["updated"] == 0
    metadata = collection.get(include=["metadatas"])["metadatas"]
    assert all(m["root"] == str(docs.resolve()) and m["updated_at"].endswith("+00:00") for m in metadata)
    (docs / "b.md").unlink()
    assert ingest(index, [docs], prune=True).as_dict()["removed"] == 1
