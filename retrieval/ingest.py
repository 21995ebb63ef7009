"""Ingestion: files on disk → chunks → the index, idempotently."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from knowledge.audience import AUDIENCES, audience_of
from knowledge.documents import Chunk
from knowledge.loaders import LOADERS, UnreadableDocument
from retrieval.index import KnowledgeIndex, SyncStats


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
            "updated": self.stats.updated,
            "unchanged": self.stats.unchanged,
        }


def discover(paths: Iterable[Path]) -> list[tuple[Path, str]]:
    """(file, source name) pairs. A file is named by its file name, a folder's files relative to it."""
    return [(file, source) for file, source, _root in _discover(paths)]


def _discover(paths: Iterable[Path]) -> list[tuple[Path, str, str]]:
    found: list[tuple[Path, str, str]] = []
    for path in paths:
        if path.is_dir():
            root = str(path.resolve())
            for file in sorted(path.rglob("*")):
                # A folder's README describes the folder; it is not shop knowledge.
                if file.is_file() and file.suffix.lower() in LOADERS and file.name.lower() != "readme.md":
                    found.append((file, file.relative_to(path).as_posix(), root))
        elif path.is_file():
            if path.suffix.lower() not in LOADERS:
                raise IngestError(f"{path}: unsupported file type {path.suffix!r} (supported: {', '.join(LOADERS)})")
            found.append((path, path.name, ""))
        else:
            raise IngestError(f"{path}: no such file or directory")
    return found


def _modified(file: Path) -> str:
    """The file's last modification, UTC, to the second: when the shop last changed this policy."""
    return datetime.fromtimestamp(file.stat().st_mtime, tz=timezone.utc).isoformat(timespec="seconds")


def ingest(
    index: KnowledgeIndex,
    paths: Iterable[Path],
    shop: str | None = None,
    on_file: Callable[[str], None] | None = None,
    prune: bool = False,
    audience: str | None = None,
    on_embedded: Callable[[int, int], None] | None = None,
) -> IngestReport:
    """Sync every file under ``paths`` into the index; rerunning on unchanged files adds nothing.

    Every file is read before anything is written, so an unreadable one stops the run with the
    index untouched. With ``prune``, the chunks of files that have left an ingested folder go too.
    ``audience`` (buyer | agent | merchant) applies to every file; unset, each file's is read from
    it (``knowledge.audience``). New chunks are embedded in batches across files;
    ``on_embedded(done, total)`` counts them.
    """
    if audience is not None and audience not in AUDIENCES:
        raise IngestError(f"unknown audience {audience!r} (expected one of: {', '.join(AUDIENCES)})")
    paths = list(paths)
    files = _discover(paths)
    loaded = []
    for file, source, root in files:
        extra = {**({"shop": shop} if shop else {}), **({"root": root} if root else {}), "updated_at": _modified(file)}
        try:
            loaded.append((source, LOADERS[file.suffix.lower()](file, source, extra)))
        except (UnreadableDocument, UnicodeDecodeError, OSError) as exc:
            raise IngestError(str(exc) if isinstance(exc, UnreadableDocument) else f"{file}: cannot be read ({exc})") from None
    report = IngestReport(files=len(files))
    for source, chunks in loaded:
        stated = audience or audience_of(source, _opening(chunks))
        for chunk in chunks:
            chunk.metadata.setdefault("audience", stated)
    report.stats += index.sync_sources(loaded, on_embedded=on_embedded)
    for source, _chunks in loaded:
        report.sources.append(source)
        if on_file:
            on_file(source)
    if prune:
        present = {source for _file, source, _root in files}
        for root in {root for _file, _source, root in files if root} | {str(p.resolve()) for p in paths if p.is_dir()}:
            for gone in index.sources(where={"root": root}) - present:
                report.stats.removed += index.remove_source(gone)
    return report


def _opening(chunks: list[Chunk]) -> str:
    """A document's title and first lines, as ``audience_of`` reads them."""
    if not chunks:
        return ""
    first = chunks[0]
    return f"# {first.section.split(' > ')[0]}\n{first.text}"
