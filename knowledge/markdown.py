"""Heading-aware Markdown chunking: one chunk per section, the heading path kept as its label."""

from __future__ import annotations

import re
from pathlib import Path

from knowledge.documents import Chunk, detect_language

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
# Sentence ends in both scripts, so long sections split on sentence boundaries, never mid-sentence.
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])|(?<=\.)\s+")

_FULL_STOP = re.compile(r"(?<=[。！？!?])|(?<=\.)\s+")

MAX_CHUNK_CHARS = 1200

# Sections that only point elsewhere ("Further reading": a list of other articles' titles) hold
# no answer, yet their titles match many questions: a help centre's navigation is not indexed.
NAVIGATION_HEADING = re.compile(r"^(?:further reading|see also|related (?:articles|topics|links|reading)|延伸阅读|扩展阅读|相关阅读|相关文章|相关链接|另请参阅|参见)$",
                                re.IGNORECASE)  # fmt: skip


def sentences(text: str) -> list[str]:
    """The sentences of ``text``, in both scripts (a semicolon does not end one)."""
    return [s.strip() for s in _FULL_STOP.split(text) if s.strip()]


def _units(text: str, limit: int):
    """Paragraphs, and the sentences of any paragraph longer than the limit."""
    for paragraph in re.split(r"\n\s*\n", text):
        if len(paragraph) <= limit:
            yield paragraph.strip()
        else:
            yield from (s.strip() for s in _SENTENCE_END.split(paragraph) if s.strip())


def _split_long(text: str, limit: int = MAX_CHUNK_CHARS) -> list[str]:
    """Pack paragraphs (or sentences) into pieces of at most ``limit`` characters."""
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    current = ""
    for unit in _units(text, limit):
        if current and len(current) + len(unit) + 2 > limit:
            pieces.append(current)
            current = ""
        current = f"{current}\n\n{unit}" if current else unit
    if current:
        pieces.append(current)
    return pieces


def chunk_markdown(text: str, source: str, extra_metadata: dict[str, str] | None = None) -> list[Chunk]:
    """Split a Markdown document at headings; each chunk remembers its heading path."""
    headings: list[tuple[int, str]] = []  # the open headings, outermost first
    sections: list[tuple[str, str]] = []
    body: list[str] = []

    def flush() -> None:
        content = "\n".join(body).strip()
        if content and not (headings and NAVIGATION_HEADING.match(headings[-1][1].strip(" :："))):
            sections.append((" > ".join(title for _, title in headings), content))
        body.clear()

    in_fence = False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        match = None if in_fence else _HEADING.match(line)
        if match:
            flush()
            level = len(match.group(1))
            while headings and headings[-1][0] >= level:
                headings.pop()
            headings.append((level, match.group(2)))
        else:
            body.append(line)
    flush()

    language = detect_language(text)
    metadata = {"language": language, "doc_type": "policy", **(extra_metadata or {})}
    chunks: list[Chunk] = []
    for section, content in sections:
        for piece in _split_long(content):
            chunks.append(Chunk(source=source, section=section, text=piece, ordinal=len(chunks), metadata=dict(metadata)))
    return chunks


def load_markdown(path: Path, source: str | None = None, extra_metadata: dict[str, str] | None = None) -> list[Chunk]:
    return chunk_markdown(path.read_text(encoding="utf-8"), source or str(path), extra_metadata)
