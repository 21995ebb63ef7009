"""Ingestion: files on disk → chunks → the index, idempotently."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.documents import Chunk
from knowledge.markdown import load_markdown
from retrieval.index import KnowledgeIndex, SyncStats

# Loaders by suffix. Markdown's heading-aware chunker also serves plain text (one section).
LOADERS: dict[str, Callable[[Path, str, dict[str, str]], list[Chunk]]] = {
    ".md": load_markdown,
    ".markdown": load_markdown,
    ".txt": load_markdown,
}


class IngestError(ValueError):
    """A path that cannot be ingested (missing, or of a type no loader reads)."""


@dataclass
class IngestReport:
    files: int = 0
    stats: SyncStats = field(default_factory=SyncStats)
    sources: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "files": self.files,
            "added": self.stats.added,
            "removed": self.stats.removed,
            "unchanged": self.stats.unchanged,
        }


def discover(paths: Iterable[Path]) -> list[tuple[Path, str]]:
    """(file, source name) pairs. A file is named by its file name, a folder's files relative to it."""
    found: list[tuple[Path, str]] = []
    for path in paths:
        if path.is_dir():
            for file in sorted(path.rglob("*")):
                # A folder's README describes the folder; it is not shop knowledge.
                if file.is_file() and file.suffix.lower() in LOADERS and file.name.lower() != "readme.md":
                    found.append((file, file.relative_to(path).as_posix()))
        elif path.is_file():
            if path.suffix.lower() not in LOADERS:
                raise IngestError(f"{path}: unsupported file type {path.suffix!r} (supported: {', '.join(LOADERS)})")
            found.append((path, path.name))
        else:
            raise IngestError(f"{path}: no such file or directory")
    return found


def ingest(
    index: KnowledgeIndex,
    paths: Iterable[Path],
    shop: str | None = None,
    on_file: Callable[[str], None] | None = None,
) -> IngestReport:
    """Sync every file under ``paths`` into the index; rerunning on unchanged files adds nothing."""
    files = discover(paths)
    extra = {"shop": shop} if shop else {}
    report = IngestReport(files=len(files))
    for file, source in files:
        chunks = LOADERS[file.suffix.lower()](file, source, extra)
        report.stats += index.sync_source(source, chunks)
        report.sources.append(source)
        if on_file:
            on_file(source)
    return report
