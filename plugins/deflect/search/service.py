"""Search over a help center: the one entry point for the site build and ``deflect search``.

The Whoosh index lives in ``<project>/.deflect/search-<audience>/`` and is rebuilt only when
the indexed content, the synonyms or the index format change.
"""
from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from deflect.content.model import HelpCenter
from deflect.search.crosslingual import GlossaryError, cross_documents, load_glossary
from deflect.search.documents import SearchDoc, search_documents
from deflect.search.engine import Hit, SearchIndex
from deflect.search.query import SynonymError, load_synonyms
from deflect.search.static import FORMAT_VERSION, ExportStats, export_static
from deflect.site.strings import strings_for

__all__ = ["GlossaryError", "SearchService", "SynonymError", "search_strings"]

INDEX_VERSION = f"1.{FORMAT_VERSION}"
SEARCH_STRING_KEYS = ("search_placeholder", "search_none", "search_one", "search_other", "search_all_languages",
                      "search_type", "search_error", "search_more", "related")


def search_strings(lang: str) -> dict[str, str]:
    strings = strings_for(lang)
    return {key: strings[key] for key in SEARCH_STRING_KEYS}


class SearchService:
    def __init__(self, center: HelpCenter, docs: list[SearchDoc], index: SearchIndex,
                 synonyms: dict[str, list[list[str]]], fingerprint: str = "") -> None:
        self.fingerprint = fingerprint
        self.center = center
        self.docs = docs
        self.index = index
        self.synonyms = synonyms

    @classmethod
    def build(cls, center: HelpCenter, *, synonyms_file: str | Path = "search/synonyms.yml",
              directory_urls: bool = True, cache_dir: Path | None = None,
              glossary_file: str | Path = "search/glossary.yml") -> SearchService:
        settings = center.settings
        synonyms_path = Path(synonyms_file)
        if not synonyms_path.is_absolute():
            synonyms_path = settings.root / synonyms_path
        synonyms = load_synonyms(synonyms_path)
        unknown = sorted(set(synonyms) - set(settings.codes))
        if unknown:
            raise SynonymError(f"{synonyms_path}: languages {', '.join(unknown)} are not in the site's languages "
                               f"({', '.join(settings.codes)})")
        glossary_path = Path(glossary_file)
        glossary = load_glossary(glossary_path if glossary_path.is_absolute() else settings.root / glossary_path,
                                 settings.codes, settings.default_language)
        docs = search_documents(center, directory_urls)
        folder = cache_dir or settings.root / ".deflect" / f"search-{settings.audience}"
        fingerprint = _fingerprint(docs, {"synonyms": synonyms, "glossary": glossary}, settings.codes)
        stamp = folder / "fingerprint"
        index = None
        if stamp.is_file() and stamp.read_text() == fingerprint:
            try:
                index = SearchIndex(folder, synonyms)
            except Exception:  # noqa: BLE001 - a damaged cache is rebuilt
                index = None
        if index is None or sorted(index.languages) != sorted(settings.codes):
            crossing = cross_documents(docs, settings.default_language, settings.codes, glossary)
            index = SearchIndex.build(docs + crossing, folder, settings.codes, synonyms)
            stamp.write_text(fingerprint)
        return cls(center, docs, index, synonyms, fingerprint)

    @property
    def count(self) -> int:
        return len(self.docs)

    @property
    def default_language(self) -> str:
        return self.center.settings.default_language

    @property
    def language_names(self) -> dict[str, str]:
        return {lang.code: lang.name for lang in self.center.settings.languages}

    def search(self, query: str, lang: str | None = None, limit: int = 10) -> list[Hit]:
        if lang is not None and lang not in self.center.settings.codes:
            raise ValueError(f"unknown language {lang!r}: this help center has {', '.join(self.center.settings.codes)}")
        if limit < 1:
            raise ValueError("limit must be 1 or more")
        return self.index.search(query, lang, limit)

    def related_all(self, limit: int) -> dict[str, list[tuple[str, str, str]]]:
        return self.index.related_all(limit)

    def export(self, out: Path, progress: Callable[[str], None] | None = None) -> ExportStats:
        """Write the static index to ``out``; an unchanged index is copied from the cache."""
        cached = self.index.folder / "static"
        stamp = cached / ".fingerprint"
        if not (self.fingerprint and stamp.is_file() and stamp.read_text() == self.fingerprint):
            if cached.exists():
                shutil.rmtree(cached)
            export_static(self.index, cached, self.synonyms, progress)
            stamp.write_text(self.fingerprint)
        if out.exists():
            shutil.rmtree(out)
        shutil.copytree(cached, out, ignore=shutil.ignore_patterns(".fingerprint"))
        stats = ExportStats()
        for path in out.rglob("*"):
            if path.is_file():
                stats.files += 1
                stats.bytes += path.stat().st_size
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        stats.terms = sum(info.get("terms", 0) for info in manifest["languages"].values())
        stats.forms = sum(info.get("forms", 0) for info in manifest["languages"].values())
        return stats


def _fingerprint(docs: list[SearchDoc], synonyms: dict, codes: list[str]) -> str:
    digest = hashlib.sha256(INDEX_VERSION.encode())
    for module in ("analysis.py", "documents.py", "engine.py", "static.py", "query.py", "crosslingual.py"):
        digest.update((Path(__file__).parent / module).read_bytes())
    digest.update(json.dumps([codes, synonyms], sort_keys=True).encode())
    for doc in docs:
        digest.update(json.dumps(asdict(doc), sort_keys=True, ensure_ascii=False).encode())
    return digest.hexdigest()
