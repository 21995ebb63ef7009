"""Documents and chunks: the unit the knowledge base stores and retrieval cites."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def detect_language(text: str) -> str:
    """'zh' when a meaningful share of letters are CJK ideographs, else 'en'."""
    cjk = len(_CJK.findall(text))
    latin = len(re.findall(r"[A-Za-z]", text))
    # Chinese characters carry roughly a word each, Latin letters a fifth of one.
    return "zh" if cjk and cjk * 5 >= latin else "en"


@dataclass(frozen=True)
class Chunk:
    """A citable piece of a document: one section, or part of a long one."""

    source: str  # the ingested file's path or name, as users cite it
    section: str  # heading path, "Returns > Refund timing"
    text: str
    ordinal: int = 0  # position of the chunk within its source, for stable ids
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(f"{self.section}\n{self.text}".encode()).hexdigest()[:16]

    @property
    def chunk_id(self) -> str:
        """Stable across re-ingestion of an unchanged document; changes when its text changes."""
        digest = hashlib.sha256(f"{self.source}\n{self.ordinal}".encode()).hexdigest()[:12]
        return f"{digest}-{self.content_hash}"

    @property
    def language(self) -> str:
        return self.metadata.get("language") or detect_language(self.text)
