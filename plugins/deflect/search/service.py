"""Search over a help center: the one entry point for the site build and ``deflect search``.

The cache lives in ``<project>/.deflect/search-<audience>/`` (see ``deflect.search.cache``): each
document's analysis is cached by its source; term weights (related articles, the static index,
ticket matching) are computed from those analyses; the Whoosh index, which only queries need, is
built from them when a query first needs it and kept per content fingerprint. Every step that
reads or writes the cache holds its lock.
"""
from __future__ import annotations

import json
import os
import pickle
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from deflect.content.model import Content, Document
from deflect.content.settings import shown_at_own_page
from deflect.cachefiles import CacheBusy, cache_folder, locked, memo_on_disk
from deflect.escaping import Markup, html_json
from deflect.processes import Progress, collector_paused
from deflect.search.cache import AnalysisCache, DocAnalysis, analyse_doc, analysis_version, code_version, fingerprint
from deflect.search.crosslingual import (GLOSSARY_FILE, CrossTable, DocTerms, GlossaryError, Translations, cross_table,
                                         doc_terms, learn, learned_from, load_glossary, table_digest, untranslated,
                                         word_pairs)
from deflect.search.documents import SearchDoc, to_search_doc
from deflect.search.engine import AnalysedIndex, Hit, SearchIndex, _record
from deflect.search.query import SYNONYMS_FILE, SynonymError, load_synonyms
from deflect.search.related import Related, related_articles, related_in
from deflect.search.analysis import known_dictionaries, known_words, seed_dictionaries, seed_words
from deflect.search.split import Helpers, each_language, export_split, helpers_for
from deflect.search.static import (FORMAT_VERSION, ExportStats, Memo, export_files, load_export, save_export,
                                   write_tree)
from deflect.site.strings import language_name, strings_for

__all__ = ["CacheBusy", "GlossaryError", "PageConfigs", "SearchService", "SynonymError", "page_config", "search_strings"]

SEARCH_STRING_KEYS = ("search_placeholder", "search_none", "search_one", "search_other", "search_all_languages",
                      "search_type", "search_error", "search_more", "related")
KEEP_GENERATIONS = 3  # index generations kept in the cache (an undone edit finds its index again)
MIN_SPLIT = 64  # fewer new documents than this are analysed in the worker alone (a fork costs more)


def search_strings(lang: str) -> dict[str, str]:
    strings = strings_for(lang)
    return {key: strings[key] for key in SEARCH_STRING_KEYS}


def page_config(center: Content, lang: str, collector: str) -> dict[str, Any]:
    """The search configuration every page in ``lang`` shares: language names and labels, the
    collector's address, the interface strings and the index format its scripts read."""
    names = {language.code: language.name for language in center.settings.languages}
    return {
        "lang": lang,
        "languages": names,
        "labels": {code: language_name(code, lang, name) for code, name in names.items()},
        "collector": collector,
        "strings": search_strings(lang),
        "format": FORMAT_VERSION,
    }


class PageConfigs:
    """:func:`page_config` of each language, made once per build, and its JSON as a page embeds it (with
    the page's way back to the site root, ``base``: one per folder depth, not one per page)."""

    def __init__(self, center: Content, collector: str) -> None:
        self.center, self.collector = center, collector
        self._shared: dict[str, dict[str, Any]] = {}
        self._json: dict[tuple[str, str], Markup] = {}

    def shared(self, lang: str) -> dict[str, Any]:
        if lang not in self._shared:
            self._shared[lang] = page_config(self.center, lang, self.collector)
        return self._shared[lang]

    def json(self, lang: str, base: str) -> Markup:
        key = (lang, base)
        if key not in self._json:
            self._json[key] = html_json({"base": base, **self.shared(lang)})
        return self._json[key]


class SearchService:
    def __init__(self, center: Content, docs: list[SearchDoc], index: SearchIndex,
                 synonyms: dict[str, list[list[str]]], fingerprint: str = "", *,
                 analyses: dict[str, list[DocAnalysis]] | None = None, cache_dir: Path | None = None,
                 stamps: dict[str, str] | None = None, keys: dict[str, list[str]] | None = None) -> None:
        self.fingerprint = fingerprint
        self.stamps = stamps or {}  # per language, the identity of its documents' analyses (see related_all)
        self.center = center
        self.docs = docs
        self.index = index
        self.synonyms = synonyms
        self.analyses = analyses  # per language, in index order
        self.keys = keys  # the analyses' cache keys, in the same order
        self.cache_dir = cache_dir

    @classmethod
    def build(cls, center: Content, *, synonyms_file: str | Path = SYNONYMS_FILE,
              directory_urls: bool = True, cache_dir: Path | None = None,
              glossary_file: str | Path = GLOSSARY_FILE, helpers: Helpers | None = None,
              progress: Callable[[str], None] | None = None) -> SearchService:
        """The search of ``center``: documents analysed since the last build are taken from the
        cache, the others analysed (with ``helpers``, by other processes too: see ``deflect.search.split``;
        ``progress`` hears how far an analysis of 1,000 documents or more is, ``processes.Progress``).
        Raises SynonymError for a bad synonyms file, GlossaryError for a bad glossary, CacheBusy when
        the cache stays locked (here, or on the first query, which opens the Whoosh index)."""
        settings = center.settings
        synonyms_path = Path(synonyms_file)
        if not synonyms_path.is_absolute():
            synonyms_path = settings.root / synonyms_path
        synonyms = load_synonyms(synonyms_path, settings.codes)
        glossary_path = Path(glossary_file)
        if not glossary_path.is_absolute():
            glossary_path = settings.root / glossary_path
        folder = cache_dir or cache_folder(settings.root, settings.audience)
        with locked(folder), collector_paused():
            cache = AnalysisCache(folder)
            known = cache.seed_words(settings.codes)
            glossary = _glossary(cache, glossary_path, settings.codes, settings.default_language)
            found: list[DocAnalysis | None] = []
            keys: list[str] = []
            missing: dict[str, list[tuple[int, Document]]] = {}  # per language: the documents to analyse
            for document in center.published_documents():
                key = cache.key(document.kind.value, document.lang, document.slug, document.rel_path,
                                document.site_path, document.front.model_dump_json(), document.body,
                                center.category_title(document.category, document.lang), directory_urls)
                entry = cache.get(key)
                if entry is None:
                    missing.setdefault(document.lang, []).append((len(found), document))
                found.append(entry)
                keys.append(key)
            _analyse(center, directory_urls, cache, found, keys, missing, helpers, progress)
            entries: list[DocAnalysis] = [entry for entry in found if entry is not None]
            docs = [entry.doc for entry in entries]
            cross = _cross_tables(cache, entries, keys, settings.default_language, settings.codes, glossary,
                                  settings.fallback, progress)
            cross_keys = [table.digest for table in cross.values()]
            stamp = fingerprint(cache.version, keys + cross_keys, synonyms, settings.codes)
            by_lang: dict[str, list[DocAnalysis]] = {lang: [] for lang in settings.codes}
            keys_by_lang: dict[str, list[str]] = {lang: [] for lang in settings.codes}
            for entry, key in zip(entries, keys):  # grouped once: the stamps and the export's languages
                by_lang.setdefault(entry.doc.lang, []).append(entry)
                keys_by_lang.setdefault(entry.doc.lang, []).append(key)
            stamps = {lang: cache.key("language", *lang_keys) for lang, lang_keys in keys_by_lang.items()}
            cache.save()
            cache.keep_words(settings.codes, known)

        def open_index() -> SearchIndex:  # only queries need the Whoosh index
            with locked(folder):
                return _open_or_build(folder, f"index-{stamp[:24]}", entries, settings.codes, synonyms, progress)

        index = AnalysedIndex([(entry.doc, entry.fields) for entry in entries], settings.codes, synonyms, open_index,
                              cross)
        return cls(center, docs, index, synonyms, stamp, analyses=by_lang, cache_dir=folder, stamps=stamps,
                   keys=keys_by_lang)

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
        """The related articles of every article: a language's are kept in the cache (``related.pickle``)
        while its documents' analyses are unchanged, since they derive from nothing else."""
        if self.cache_dir is None or not self.stamps:
            return related_articles(self.index, limit)
        related: Related = {}
        kept: dict[str, Related] = {}
        used: set[str] = set()
        with (locked(self.cache_dir), collector_paused(),
              memo_on_disk(self.cache_dir / "related.pickle", code_version, kept, used)):
            for lang in self.index.languages:
                key = f"{self.stamps.get(lang)}:{limit}"
                if not isinstance(kept.get(key), dict):
                    kept[key] = related_in(*self.index.term_weights(lang), limit)
                used.add(key)
                related.update(kept[key])
        return related

    def export(self, out: Path, progress: Callable[[str], None] | None = None, *,
               helpers: Helpers | None = None) -> ExportStats:
        """Write the static index to ``out``, rewriting only the files whose bytes change. The last
        export's state (``static.pickle`` and a file per language, see ``static.save_export``) spares
        the work of every term and file whose inputs are unchanged, and reading back the files it left
        in ``out``. With ``helpers``, other processes
        export some of the languages (see ``deflect.search.split``)."""
        if self.cache_dir is None or self.analyses is None:
            return write_tree(export_files(self.index, self.synonyms, progress), out)
        with locked(self.cache_dir), collector_paused():
            version = analysis_version()  # as AnalysisCache.version
            last = load_export(self.cache_dir, version)
            state = last.state
            if last.fingerprint == self.fingerprint and last.files is not None:
                files = last.files
            else:
                # memo.pickle: saved by this same code and languages only (``version``), like the state
                saved_memo: dict[str, Any] = {}
                used: set[str] = set()
                with memo_on_disk(self.cache_dir / "memo.pickle", lambda: version, saved_memo, used):
                    memo = Memo(saved_memo)
                    files = export_split(self.index, self.synonyms, progress, analyses=self.analyses,
                                         previous=last.files, memo=memo, state=state, helpers=helpers, keys=self.keys,
                                         stamps=self._export_stamps())
                    saved_memo.update(memo.used)
                    used.update(memo.used)
            folder = str(out.resolve())
            stats = write_tree(files, out, last.files, state.written.get(folder))
            if files is not last.files or state.written.get(folder) != stats.written:
                state.written = {folder: stats.written}  # the last folder only: another one is written in full
                save_export(self.cache_dir, self.fingerprint, files, state, last)
        return stats

    def _export_stamps(self) -> dict[str, str]:
        """Per language, the identity of what its part of the export derives from: its documents and, for
        one with untranslated articles, its cross table and the default language's documents (their numbers)."""
        stamps = dict(self.stamps)
        for lang, table in self.index.cross.items():
            if lang in stamps and table.docs:
                stamps[lang] = f"{stamps[lang]}:{table.digest}:{self.stamps.get(table.source, '')}"
        return stamps


def _analyse(center: Content, directory_urls: bool, cache: AnalysisCache, found: list[DocAnalysis | None],
             keys: list[str], missing: dict[str, list[tuple[int, Document]]], helpers: Helpers | None,
             progress: Callable[[str], None] | None = None) -> None:
    """Analyse the ``missing`` documents into ``found`` and the cache, language by language; with
    ``helpers`` and enough of them, helper processes may take some of the languages (``split.each_language``)
    and send back their pickled analyses and the words they worked out. ``progress`` hears how far a
    large analysis in this process alone is (a command's, after an upgrade or a first run: minutes at
    10,000 articles)."""
    total = sum(map(len, missing.values()))
    done = [0]
    ticks = Progress("search: analysing", total, "documents", progress)

    def analyse(lang: str) -> None:
        for n, document in missing[lang]:
            doc = to_search_doc(center, document, directory_urls)
            found[n] = analyse_doc(doc, _record(doc))
            cache.put(keys[n], found[n])  # type: ignore[arg-type]
            done[0] += 1
            ticks.tick(done[0])

    most = helpers_for(helpers, len(missing)) if total >= MIN_SPLIT else 0
    if helpers is None or not most:
        for lang in missing:
            analyse(lang)
        ticks.finish()
        return

    def made(langs: list[str]) -> tuple[dict[int, bytes], object, object]:
        # in a helper: the analyses of its languages, pickled as the cache keeps them, the words it worked
        # out and the lemma dictionaries it read (the export needs them whole, and reading one costs 1-3 s)
        return ({n: cache.used[keys[n]] for lang in langs for n, _ in missing[lang]},
                known_words(langs), known_dictionaries(langs))

    for analysed, words, dictionaries in each_language(list(missing), analyse, helpers, most, made):
        for n, data in analysed.items():
            cache.used[keys[n]] = data
            found[n] = pickle.loads(data)
        seed_words(words)
        seed_dictionaries(dictionaries)


def _glossary(cache: AnalysisCache, path: Path, codes: list[str], default: str
              ) -> dict[str, list[tuple[str, list[str], int]]]:
    """The glossary of ``path``, checked: reused from the cache while the file is unchanged, since checking
    analyses every phrase, which loads each language's whole lemma dictionary (about a second each)."""
    data = path.read_bytes() if path.is_file() else b""
    key = cache.key("glossary", data, codes, default)
    found = cache.extra(key)
    glossary = found if found is not None else load_glossary(path, codes, default)
    return cache.put_extra(key, glossary)  # type: ignore[arg-type]


def _open_or_build(folder: Path, name: str, entries: list[DocAnalysis], codes: list[str],
                   synonyms: dict[str, list[list[str]]], progress: Callable[[str], None] | None = None) -> SearchIndex:
    """The index generation ``name`` in memory, built (in a temporary folder, then renamed) when
    it is missing or damaged (``progress`` hears how far a large build is). Call under the cache lock."""
    generation = folder / name
    index = None
    if (generation / "complete").is_file():
        try:
            index = SearchIndex(generation, synonyms, in_memory=True)
            index.verify()
        except Exception:  # noqa: BLE001 - a damaged generation is rebuilt
            index = None
    if index is None or sorted(index.languages) != sorted(codes):
        temp = folder / f".{name}.{os.getpid()}.tmp"
        fields = {id(entry.doc): entry.fields for entry in entries}
        SearchIndex.build([entry.doc for entry in entries], temp, codes, synonyms, terms=lambda doc: fields[id(doc)],
                          progress=progress)
        (temp / "complete").write_bytes(b"")
        if generation.exists():
            shutil.rmtree(generation)
        os.replace(temp, generation)
        index = SearchIndex(generation, synonyms, in_memory=True)
    os.utime(generation / "complete")  # most recently used
    for path in folder.iterdir():
        if path.name.startswith(".index-") and path.name.endswith(".tmp"):
            shutil.rmtree(path, ignore_errors=True)  # left by a process that died while building
    generations = sorted((p for p in folder.glob("index-*") if p.is_dir()),
                         key=lambda p: (p / "complete").stat().st_mtime if (p / "complete").exists() else 0.0,
                         reverse=True)
    for old in generations[KEEP_GENERATIONS:]:
        shutil.rmtree(old, ignore_errors=True)
    return index


def _cross_tables(cache: AnalysisCache, analyses: list[DocAnalysis], keys: list[str], default: str,
                  codes: list[str], glossary: dict[str, list[tuple[str, list[str], int]]],
                  fallback: bool | str, progress: Callable[[str], None] | None = None) -> dict[str, CrossTable]:
    """Per language other than ``default``, its :class:`CrossTable` (see crosslingual), whose results link
    where the site's ``fallback`` mode shows its untranslated articles (see ``site.plan``). Its term table is
    learned from the language's documents, the default-language ones they translate and the glossary:
    cached under their keys and the glossary (``crosslingual.learned_from``), so an edit of an untranslated
    article learns nothing; the cross table under the term table's digest and its untranslated documents' keys.
    ``progress`` hears how far it is, language by language, when there are 1,000 documents or more."""
    docs = [entry.doc for entry in analyses]
    analysis_of = {id(entry.doc): entry for entry in analyses}
    key_of = {id(doc): key for doc, key in zip(docs, keys)}
    term_keys = {id(doc): cache.key("terms", key) for doc, key in zip(docs, keys)}
    pair_keys = {id(doc): cache.key("pairs", key) for doc, key in zip(docs, keys)}
    for kept in (term_keys, pair_keys):  # kept for the next edit, even when no table needs them now
        for key in kept.values():
            if key in cache.extras:
                cache.put_extra(key, cache.extras[key])

    def terms_of(doc: SearchDoc) -> DocTerms:  # a document's terms, worked out once while it is unchanged
        cached = cache.used_extras.get(term_keys[id(doc)])
        if isinstance(cached, DocTerms):
            return cached
        entry = analysis_of[id(doc)]  # its analysis has the terms of its title and of each section's heading and text
        sections = [frozenset([*heading, *counts]) for heading, counts, *_ in entry.sections]  # (as dense as doc_terms')
        return cache.put_extra(term_keys[id(doc)], doc_terms(doc, entry.fields["title"], sections))

    def pairs_of(doc: SearchDoc) -> frozenset[tuple[str, str]]:  # likewise its words
        cached = cache.used_extras.get(pair_keys[id(doc)])
        return cached if isinstance(cached, frozenset) else cache.put_extra(pair_keys[id(doc)], word_pairs(doc))

    sources: dict[str, list[SearchDoc]] = {lang: [] for lang in codes if lang != default}
    for lang, doc in untranslated(docs, default, codes):
        sources[lang].append(doc)
    tables: dict[str, CrossTable] = {}
    ticks = Progress("search: term translations", len(docs), "documents", progress)
    worked = False  # (a run that finds every table in the cache says nothing)
    for done, (lang, missing) in enumerate(sources.items(), 1):
        read = learned_from(docs, default, lang)  # its table's inputs: an untranslated article's edit is none
        table_key = cache.key("learn", default, lang, json.dumps(glossary.get(lang), ensure_ascii=False),
                              *(keys[n] for n in read))
        learned = cache.extra(table_key)  # (table, its digest): the digest serialises the whole table
        if not (isinstance(learned, tuple) and len(learned) == 2 and isinstance(learned[0], Translations)):
            table = learn([docs[n] for n in read], default, lang, glossary.get(lang), terms_of)  # those alone
            learned, worked = (table, table_digest(table)), True
        cache.put_extra(table_key, learned)
        cross_key = cache.key("cross", learned[1], fallback, *(key_of[id(doc)] for doc in missing))
        found = cache.extra(cross_key)
        if not isinstance(found, CrossTable):
            home = frozenset(doc.id for doc in missing if shown_at_own_page(fallback, doc.kind != "faq"))
            found, worked = cross_table(learned[0], default, missing, pairs_of, home), True
        tables[lang] = cache.put_extra(cross_key, found)
        if worked:
            ticks.tick(len(docs) * done // len(sources))
    if worked:
        ticks.finish()
    return tables
