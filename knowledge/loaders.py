"""Document loaders by file type. Each returns citable chunks; FAQs give one chunk per question."""

from __future__ import annotations

import csv
import io
import re
import json
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

from knowledge.documents import Chunk, detect_language
from knowledge.markdown import chunk_markdown, load_markdown

Loader = Callable[[Path, str, dict[str, str]], list[Chunk]]
QUESTION_KEYS = ("question", "q", "问题", "问")
ANSWER_KEYS = ("answer", "a", "答案", "回答", "答")


class UnreadableDocument(ValueError):
    """A file of a supported type whose content cannot be read; the message says why."""


def faq_chunks(pairs: list[tuple[str, str]], source: str, extra: dict[str, str]) -> list[Chunk]:
    chunks = []
    for question, answer in pairs:
        question, answer = question.strip(), answer.strip()
        if question and answer:
            metadata = {"language": detect_language(question + answer), "doc_type": "faq", **extra}
            chunks.append(Chunk(source=source, section=question, text=answer, ordinal=len(chunks), metadata=metadata))
    return chunks


def _pairs_from_rows(rows: list[dict], source: str) -> list[tuple[str, str]]:
    if not rows:
        return []
    keys = {str(k).strip().lower(): k for k in rows[0] if k is not None}
    question = next((keys[k] for k in QUESTION_KEYS if k in keys), None)
    answer = next((keys[k] for k in ANSWER_KEYS if k in keys), None)
    if question is None or answer is None:
        raise UnreadableDocument(f"{source}: an FAQ table needs a question column and an answer column (found: {', '.join(keys)})")
    return [(str(r.get(question) or ""), str(r.get(answer) or "")) for r in rows]


def load_csv(path: Path, source: str, extra: dict[str, str]) -> list[Chunk]:
    text = path.read_text("utf-8-sig")
    return faq_chunks(_pairs_from_rows(list(csv.DictReader(io.StringIO(text))), source), source, extra)


def load_xlsx(path: Path, source: str, extra: dict[str, str]) -> list[Chunk]:
    from openpyxl import load_workbook

    sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    if not rows:
        return []
    header = [str(h or "") for h in rows[0]]
    return faq_chunks(_pairs_from_rows([dict(zip(header, r)) for r in rows[1:]], source), source, extra)


def load_json(path: Path, source: str, extra: dict[str, str]) -> list[Chunk]:
    """A list of {question, answer} pairs, or of {title|section, text} sections."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except json.JSONDecodeError as exc:
        raise UnreadableDocument(f"{source}: not valid JSON ({exc})") from None
    if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
        raise UnreadableDocument(f"{source}: expected a JSON list of objects")
    if data and any(k in data[0] for k in QUESTION_KEYS):
        return faq_chunks(_pairs_from_rows(data, source), source, extra)
    markdown = "\n\n".join(f"# {d.get('title') or d.get('section') or ''}\n\n{d.get('text', '')}" for d in data)
    return chunk_markdown(markdown, source, extra)


class _HTMLToMarkdown(HTMLParser):
    """Headings become Markdown headings (so chunks keep their section path); scripts and styles vanish."""

    BLOCKS = {"p", "li", "div", "br", "tr", "section", "article"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "nav", "footer"):
            self._skip += 1
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.parts.append("\n\n" + "#" * int(tag[1]) + " ")
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "nav", "footer"):
            self._skip = max(0, self._skip - 1)
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.parts.append("\n\n")

    def handle_data(self, data):
        if not self._skip and data:
            text = " ".join(data.split())
            self.parts.append((" " if data[0].isspace() else "") + text + (" " if data[-1].isspace() and text else ""))


def load_html(path: Path, source: str, extra: dict[str, str]) -> list[Chunk]:
    parser = _HTMLToMarkdown()
    parser.feed(path.read_text("utf-8", errors="replace"))
    lines = (re.sub(r"[ \t]+", " ", line).strip() for line in "".join(parser.parts).splitlines())
    return chunk_markdown("\n".join(lines), source, extra)


def load_pdf(path: Path, source: str, extra: dict[str, str]) -> list[Chunk]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path)
        pages = [(page.extract_text() or "").strip() for page in reader.pages]
    except PdfReadError as exc:
        raise UnreadableDocument(f"{source}: not a readable PDF ({exc})") from None
    markdown = "\n\n".join(f"# page {n}\n\n{text}" for n, text in enumerate(pages, 1) if text)
    return chunk_markdown(markdown, source, extra)


LOADERS: dict[str, Loader] = {
    ".md": load_markdown,
    ".markdown": load_markdown,
    ".txt": load_markdown,
    ".html": load_html,
    ".htm": load_html,
    ".pdf": load_pdf,
    ".csv": load_csv,
    ".xlsx": load_xlsx,
    ".json": load_json,
}
