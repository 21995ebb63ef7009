"""A shop's bilingual glossary, for cross-lingual and synonym lexical search (optional).

The default embedding model (multilingual-e5-small) already connects a Chinese question with an
English policy; a glossary adds the shop's own words to BM25: the query's words that it knows are
replaced by their equivalents in the other language and searched in the other language's chunks,
and their same-language synonyms are searched at half weight (``retrieval.hybrid``). It is shop
data, not code: a CSV file named by ``KEFU_GLOSSARY_FILE`` (columns ``zh`` and ``en``, several
words in a cell separated by ``|``). The demo's, for orders, payment, delivery, after-sales,
invoices, promotions, membership, merchants and privacy, is ``knowledge/glossary/shop-terms.csv``.
Words it does not know simply do not cross over; with no file there is no glossary.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from retrieval.lexical import EN_STOPWORDS, is_chinese, query_terms, stem

# (Chinese words, English words and phrases) meaning the same in shop customer service.
Entry = tuple[tuple[str, ...], tuple[str, ...]]

DEMO_GLOSSARY = Path(__file__).resolve().parent.parent / "knowledge" / "glossary" / "shop-terms.csv"


class GlossaryError(ValueError):
    """A glossary file that cannot be read; the message names the file, the line and the problem."""


def load_glossary(path: Path | str | None) -> tuple[Entry, ...]:
    """The entries of a glossary CSV (``zh``, ``en`` columns, ``|`` between words); () for None."""
    if path is None:
        return ()
    path = Path(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except FileNotFoundError:
        raise GlossaryError(f"{path}: no such glossary file (KEFU_GLOSSARY_FILE)") from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise GlossaryError(f"{path}: cannot be read as a UTF-8 CSV ({exc})") from None
    if rows and not {"zh", "en"} <= set(rows[0]):
        raise GlossaryError(f"{path}: needs a header line with the columns zh and en")
    entries = []
    for line, row in enumerate(rows, start=2):
        zh = tuple(w.strip() for w in (row.get("zh") or "").split("|") if w.strip())
        en = tuple(w.strip().lower() for w in (row.get("en") or "").split("|") if w.strip())
        if not zh or not en:
            raise GlossaryError(f"{path}, line {line}: needs at least one Chinese and one English word")
        entries.append((zh, en))
    return tuple(entries)


@dataclass(frozen=True)
class Translation:
    """A query's glossary words, carried into the other language."""

    concepts: tuple[tuple[str, ...], ...]  # per matched word: its equivalents (any one will do)
    source_coverage: float  # share of the query's content that the glossary knew, 0..1

    @property
    def text(self) -> str:
        return " ".join(word for concept in self.concepts for word in concept)

    def __bool__(self) -> bool:
        return bool(self.concepts)


def _en_key(phrase: str) -> tuple[str, ...]:
    return tuple(stem(w) for w in re.findall(r"[a-z0-9]+", phrase.lower()))


@lru_cache(maxsize=8)
def _tables(entries: tuple[Entry, ...]):
    """Glossary words (Chinese) and stemmed phrases (English) → the entries that contain them."""
    zh_index: dict[str, list[int]] = {}
    en_index: dict[tuple[str, ...], list[int]] = {}
    for number, (zh_words, en_words) in enumerate(entries):
        for zh in zh_words:
            zh_index.setdefault(zh.lower(), []).append(number)
        for en in en_words:
            key = _en_key(en)
            if key:
                en_index.setdefault(key, []).append(number)
    longest_zh = max((len(k) for k in zh_index), default=1)
    longest_en = max((len(k) for k in en_index), default=1)
    return entries, zh_index, en_index, longest_zh, longest_en


def _match(query: str, entries: tuple[Entry, ...]) -> tuple[bool, list[list[int]], float]:
    """(is Chinese, the glossary entries of each matched word, share of the query matched)."""
    entries, zh_index, en_index, longest_zh, longest_en = _tables(entries)
    groups: list[list[int]] = []
    if is_chinese(query):
        text = query.lower()
        matched = [False] * len(text)
        i = 0
        while i < len(text):
            for size in range(min(longest_zh, len(text) - i), 0, -1):
                word = text[i : i + size]
                if word in zh_index:
                    groups.append(zh_index[word])
                    matched[i : i + size] = [True] * size
                    i += size
                    break
            else:
                i += 1
        content = covered = 0
        for term in query_terms(text):
            if not is_chinese(term):
                continue
            start = text.find(term)
            content += len(term)
            if start >= 0:
                covered += sum(matched[start : start + len(term)])
        return True, groups, covered / content if content else 0.0
    words = list(_en_key(query))
    content_words = [w for w in words if w not in EN_STOPWORDS]
    matched_words: set[int] = set()
    i = 0
    while i < len(words):
        for size in range(min(longest_en, len(words) - i), 0, -1):
            key = tuple(words[i : i + size])
            if key in en_index:
                groups.append(en_index[key])
                matched_words.update(range(i, i + size))
                i += size
                break
        else:
            i += 1
    covered = sum(1 for j in matched_words if words[j] not in EN_STOPWORDS)
    return False, groups, covered / len(content_words) if content_words else 0.0


def _words(entries, group: list[int], side: int) -> tuple[str, ...]:
    return tuple(dict.fromkeys(word for number in group for word in entries[number][side]))


def translate(query: str, glossary: Iterable[Entry] = ()) -> Translation:
    """The glossary's equivalents of the query's words in the other language.

    Chinese text is scanned for the longest glossary word at each position; English text for the
    longest phrase of (stemmed) words. ``source_coverage`` is the share of the query's content
    (Chinese characters of its non-stopwords, or its English non-stopwords) inside a matched
    word, so a question the glossary barely touches cannot pass as well translated.
    """
    entries = tuple(glossary)
    if not entries:
        return Translation((), 0.0)
    chinese, groups, coverage = _match(query, entries)
    concepts = [_words(entries, group, 1 if chinese else 0) for group in groups]
    return Translation(tuple(dict.fromkeys(c for c in concepts if c)), round(min(coverage, 1.0), 4))


def synonyms(query: str, glossary: Iterable[Entry] = ()) -> tuple[tuple[str, ...], ...]:
    """The query's glossary words with their same-language synonyms (their entries' other words).

    "钱多久能回到支付宝" and a policy saying "退款……到账" share few words; the entries of "寄回"
    and "多久" bring in "退货, 退回" and "天内, 几天", the words a policy uses.
    """
    entries = tuple(glossary)
    if not entries:
        return ()
    chinese, groups, _ = _match(query, entries)
    concepts = [_words(entries, group, 0 if chinese else 1) for group in groups]
    return tuple(dict.fromkeys(c for c in concepts if c))
