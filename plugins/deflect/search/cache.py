"""The search cache in ``<project>/.deflect/search-<audience>/``: safe to share, incremental.

Several processes use one cache at a time (two builds, ``mkdocs serve`` and ``deflect gaps``), so:

- every change happens under an exclusive lock on ``lock`` (``flock``; released by the kernel
  when a process dies, so a crash never leaves a stale lock);
- files are written to a temporary name in the same folder and renamed into place, and whole
  folders (a Whoosh index generation) are built under a temporary name and renamed, so a reader
  never sees a half-written file or index.

What the cache keeps: per document, its search record and analysis (:class:`DocAnalysis`), keyed
by a hash of the document's source and the analysis version, so that an edit re-analyses only the
documents it touched; and the last few index generations (``index-<fingerprint>/``).
"""
from __future__ import annotations

import functools
import hashlib
import json
import pickle
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TypeVar

from deflect.cachefiles import code_digest, save_or_warn
from deflect.locales import active
from deflect.search.analysis import analyzer_for, known_words, seed_words
from deflect.search.documents import SearchDoc
from deflect.search.lemmas import keep_index_in
from deflect.search.snippets import SectionTerms, pick_each, section_terms

T = TypeVar("T")
ANALYSIS_VERSION = "2"
"""Bump when analysis, records or the index change in a way the source hash cannot see."""
_CODE_FILES = ("analysis.py", "documents.py", "plaintext.py", "engine.py", "static.py", "query.py", "cache.py", "crosslingual.py",
               "related.py", "snippets.py", "lemmas.py")


@functools.cache
def code_version() -> str:
    """A hash of the search code and the analysis libraries: a change to either empties the cache.
    Computed once per process: the code that runs does not change under ``mkdocs serve``."""
    return code_digest(Path(__file__).parent, _CODE_FILES, ANALYSIS_VERSION,
                       *(f"{package}={_version(package)}" for package in ("simplemma", "PyStemmer", "whoosh-reloaded")))[:16]


def analysis_version() -> str:
    """What analysis is made of: the search code and libraries (:func:`code_version`) and the language
    files in use (the site's own change analysis too). Keys the document cache, the export's state
    and the lemmas' terms kept on the machine."""
    return code_version() + active().digest()


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:  # an unknown version only makes the key coarser
        return "-"


# ----- per-document analysis -------------------------------------------------------------------
@dataclass
class DocAnalysis:
    """Everything the index and the static export need from one document, computed once."""

    doc: SearchDoc
    fields: dict[str, list[str]]
    """Index terms of each text field, in order (what the Whoosh analyzer would produce)."""
    sections: list[tuple[frozenset[str], dict[str, int], dict[str, int], frozenset[str], bool]]
    """Per section of the record: heading terms, term counts, first offset of each term, terms of
    its first paragraph, whether it has steps (``snippets.SectionTerms``)."""
    votes: list[tuple[str, str, int]]
    """(surface form, term, count) for forms that differ from their term, in order of first use."""
    compounds: list[tuple[str, bytes]]
    """Compounds the lemmatizer split in this document's words (see ``Analyzer.expansions``)."""
    best: dict[str, int]
    """For each index term: the section a result for it links to (``snippets.pick_section``)."""

    # Pickled as (document, fields, the rest pickled apart): a build's index phase (the index, related
    # articles) needs only the first two, and the rest is unpickled when first read (by the export).
    def __reduce__(self) -> tuple[object, tuple[SearchDoc, dict[str, list[str]], bytes]]:
        rest = self.__dict__.get("_rest")
        if rest is None:
            rest = pickle.dumps(tuple(getattr(self, name) for name in _REST), protocol=pickle.HIGHEST_PROTOCOL)
        return _unpickle_analysis, (self.doc, self.fields, rest)

    def __getattr__(self, name: str) -> object:  # called only for an attribute not unpickled yet
        rest = self.__dict__.get("_rest")
        if rest is None or name not in _REST:
            raise AttributeError(name)
        self.__dict__.update(zip(_REST, pickle.loads(rest)))
        return self.__dict__[name]


_REST = ("sections", "votes", "compounds", "best")


def _unpickle_analysis(doc: SearchDoc, fields: dict[str, list[str]], rest: bytes) -> DocAnalysis:
    entry = DocAnalysis.__new__(DocAnalysis)
    entry.__dict__.update(doc=doc, fields=fields, _rest=rest)
    return entry


def record_texts(record: dict) -> list[str]:
    """The texts whose surface forms the static export maps to terms: title, summary, each section's
    heading and text."""
    return [record["title"], record["summary"]] + [part for _, h, t, *_ in record["sections"] for part in (h, t)]


def doc_votes(scanned: Iterable[list[tuple[str, str, int]]]) -> list[tuple[str, str, int]]:
    """(surface form, term, count) for the forms that differ from their term, in order of first use,
    over the tokens (``Analyzer.scan``) of a document's ``record_texts``."""
    votes: Counter[tuple[str, str]] = Counter()
    for tokens in scanned:
        for surface, term, _ in tokens:
            if surface != term:
                votes[surface, term] += 1
    return [(surface, term, count) for (surface, term), count in votes.items()]


def analyse_doc(doc: SearchDoc, record: dict) -> DocAnalysis:
    """The analysis of ``doc`` (``record``: ``engine._record(doc)``)."""
    analyzer = analyzer_for(doc.lang)
    # One tokenization of each text feeds everything below. A word never spans the "\n" or " " that
    # joins texts into a field, so a field's terms are its texts' terms in order (``index_fields``;
    # tests/test_search_analysis.py pins this against analysing each field's text).
    compounds: set[tuple[str, bytes]] = set()
    title = analyzer.scan(doc.title, compounds)
    tags = analyzer.scan(" ".join(doc.tags), compounds)
    summary = analyzer.scan(doc.summary, compounds)
    per_section = [(analyzer.scan(heading, compounds), analyzer.scan(text, compounds))
                   for _, heading, text, *_ in record["sections"]]
    analysed = [section_terms(anchor, heading, text, rest, *pair)
                for (anchor, heading, text, *rest), pair in zip(record["sections"], per_section)]
    fields = {"title": [t for _, t, _ in title], "tags": [t for _, t, _ in tags + summary],
              "headings": [t for heading, _ in per_section for _, t, _ in heading],
              "body": [t for _, tokens in per_section for _, t, _ in tokens]}
    article = frozenset(t for _, t, _ in title + summary)  # snippets.article_terms
    best = pick_each(analysed, sorted(set().union(*fields.values())), article)
    votes = doc_votes([title, summary] + [tokens for pair in per_section for tokens in pair])  # of record_texts
    return DocAnalysis(doc, fields, _section_tuples(analysed), votes, sorted(compounds), best)


SectionTuple = tuple[frozenset[str], dict[str, int], dict[str, int], frozenset[str], bool]


def _section_tuples(analysed: list[SectionTerms]) -> list[SectionTuple]:
    return [(s.heading_terms, dict(s.counts), s.first, s.lead_terms, s.steps) for s in analysed]


class AnalysisCache:
    """Per-document analyses on disk (``analysis.pickle``), keyed by source hash and code version. Each is
    kept pickled on its own: a build unpickles the ones it uses, and writes back the bytes it read."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "analysis.pickle"
        self.version = analysis_version()
        self.entries: dict[str, bytes] = {}
        self.used: dict[str, bytes] = {}
        self.extras: dict[str, object] = {}  # what is derived from many documents (crosslingual term tables)
        self.used_extras: dict[str, object] = {}
        self.hits = self.misses = 0
        try:
            version, entries, extras = pickle.loads(self.path.read_bytes())
            if version == self.version:
                self.entries, self.extras = entries, extras
        except Exception:  # noqa: BLE001 - a missing, old or damaged cache is rebuilt
            self.entries, self.extras = {}, {}

    def key(self, *parts: object) -> str:
        digest = hashlib.sha256(self.version.encode())
        for part in parts:
            digest.update(b"\0" + (part if isinstance(part, bytes) else str(part).encode("utf-8", "surrogatepass")))
        return digest.hexdigest()

    def get(self, key: str) -> DocAnalysis | None:
        entry = self._read(key, lambda entry: isinstance(entry, DocAnalysis))
        return entry if isinstance(entry, DocAnalysis) else None

    def _read(self, key: str, valid: Callable[[object], bool]) -> object:
        """The entry under ``key`` unpickled and kept for the next build when ``valid`` says it is of the
        kind asked for; else None (missing, damaged or of another kind: made again and put)."""
        data = self.entries.get(key)
        try:
            entry = pickle.loads(data) if data is not None else None
        except Exception:  # noqa: BLE001 - a damaged entry is made again
            entry = None
        if entry is None or not valid(entry):
            self.misses += 1
            return None
        self.hits += 1
        self.used[key] = data  # type: ignore[assignment]
        return entry

    def put(self, key: str, entry: DocAnalysis) -> None:
        self.used[key] = pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)

    def extra(self, key: str) -> object | None:
        """A cached value derived from many documents (None when missing), kept by ``put_extra``."""
        value = self.extras.get(key)
        if value is None:
            self.misses += 1
        return value

    def put_extra(self, key: str, value: T) -> T:
        self.used_extras[key] = value
        return value

    def save(self) -> None:
        """Keep the entries this build used (call under the lock)."""
        if self.misses or len(self.used) != len(self.entries) or len(self.used_extras) != len(self.extras):
            save_or_warn(self.path, pickle.dumps((self.version, self.used, self.used_extras),
                                                 protocol=pickle.HIGHEST_PROTOCOL))

    def seed_words(self, langs: list[str]) -> int:
        """Seed the analyzers of ``langs`` with the words earlier builds worked out (``words.pickle``);
        the number of words known. A missing, old or damaged file seeds nothing. New words are looked
        up through the dictionaries' block indexes kept here (``deflect.search.lemmas``)."""
        keep_index_in(self.path.parent)
        try:
            version, memo = pickle.loads((self.path.parent / "words.pickle").read_bytes())
            if version == self.version:
                seed_words({lang: memo[lang] for lang in langs if lang in memo})
        except Exception:  # noqa: BLE001 - only a speed-up
            pass
        return self._word_count(langs)

    def keep_words(self, langs: list[str], known: int) -> None:
        """Write the analyzers' words when this build worked out new ones (call under the lock)."""
        if self._word_count(langs) != known:
            save_or_warn(self.path.parent / "words.pickle",
                         pickle.dumps((self.version, known_words(langs)), protocol=pickle.HIGHEST_PROTOCOL))

    @staticmethod
    def _word_count(langs: list[str]) -> int:
        return sum(len(terms) for terms, _ in known_words(langs).values())


def fingerprint(version: str, keys: list[str], synonyms: dict, codes: list[str]) -> str:
    """The identity of an index: code version, languages, synonyms and every document's key, in order."""
    digest = hashlib.sha256(version.encode())
    digest.update(json.dumps([codes, synonyms], sort_keys=True).encode())
    for key in keys:
        digest.update(key.encode())
    return digest.hexdigest()
