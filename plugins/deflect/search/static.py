"""Export a Whoosh index as a static, sharded, gzip-compressed index for the browser.

Layout under ``<site>/search/``::

    manifest.json              languages, shard keys, stop words, analysed synonym groups, and the
                               rules the browser's query analysis shares with Python's
                               (``analysis``: see :func:`client_constants`)
    <lang>/t/<key>.json.gz     a term shard (below)
    <lang>/c/<n>.json.gz       result cards of documents n*CARDS … n*CARDS+CARDS-1 (the language's "cards"):
                               [[url, title, category, [[anchor, heading], …]], …]
    <lang>/d/<n>.json.gz       documents n*CHUNK … n*CHUNK+CHUNK-1:
                               [url, title, kind, category, summary, [[anchor, heading], …],
                                [section, [first steps or FAQ answer]] or null]

A term shard holds the terms and surface forms that start with its key, with each posting's excerpt,
and the result cards of each term's ``CARDS_IN_SHARD`` best documents, so that a query's first
results almost always render after one round of fetches (one shard per query word)::

    {"t": {term: [doc, weight, section, …]},      postings, best first (section: -1 = none)
     "x": {term: [excerpt, …]},                    per posting: the text around the term in that section
     "f": {surface form: term},
     "d": {doc: [url, title, category, {section: [anchor, heading]}]},
                                                   the cards of the terms' best documents (their
                                                   sections that the shard's postings name)
     "e": {term: [[default-language term, …], …]}}  (when the language has one) the term's translations
                                                   (crosslingual.CrossTable): a term only these reach
                                                   has no postings here

Keys grow one character at a time until a shard is small, so a query downloads only the few
shards its words touch. A result whose card its shard lacks (a document that is none of its terms'
best, shown further down or after "Show more") takes it from the card files (``c/``, ``CARD_CHUNK``
cards, about 2.7 KB gzip), which the browser fetches for the results it shows. Every shard carried
the cards of all its postings once: half of the index's JSON and of its gzip time, as each card was
repeated in every shard that found its document. A posting's weight is a level (1-255) of its language's
strongest weight. When some articles are not translated into a language, its manifest entry has
``cross``: the default language (``from``), those articles' document numbers there (``docs``, [start,
end) ranges), those of them shown at their own page, not in the reader's section (``home``: the
``fallback`` modes ``link`` and ``false``) and what their levels are multiplied by against the reader's
own (``weight``: see ``engine.SearchIndex.cross_factor``). The browser looks a
word's translations (``e``) up in the default language's shards and keeps those articles, shown at
their page in the reader's section. The document chunks (``d/``) hold what a result
line leaves out (kind, summary, every section's heading) for the pages that show it, such as the
contact page.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any

from isal import isal_zlib

from deflect.escaping import json_bytes
from deflect.locales import analysis_rules
from deflect.search.analysis import FOLD_SPECIAL, MAX_WORD_CHARS, analyzer_for
from deflect.cachefiles import read_pickle, save_or_warn, write_if_changed, write_new
from deflect.search.cache import analysis_version, doc_votes, record_texts
from deflect.search.engine import SearchIndex
from deflect.search.query import MAX_QUERY_CHARS, MAX_QUERY_WORDS, SYNONYM_WEIGHT, synonym_terms
from deflect.search.snippets import (SectionTerms, analyse_sections, article_terms, pick_section, summary_excerpt,
                                     text_excerpt)

DOC_CHUNK = 8
CARDS_IN_SHARD = 20  # a term's best documents whose cards its shard carries. 12 languages × 427 documents:
# 45 MB of shards (gzip) with every posting's card, 32.6 MB with 20, 30 MB with 10 (2.0 → 1.25 s of gzip), 25 MB
# with none; but with none, the browser fetched the ten results' card files after the shards (p95 27 → 56 ms at
# 10,000 articles), and with 10, two-word queries often needed one or two (p95 31 ms)
CARD_CHUNK = 32  # result cards per card file: about 2.7 KB gzip (1.3-3.3 KB in a 12-language export)
MAX_POSTINGS = 120
SHARD_TARGET_BYTES = 96_000  # raw JSON (estimated); gzip takes shards to about a quarter. 48,000 made 65% more
# files (12 languages × 400 articles: 4,768 instead of 2,891) and 24,000 2.5 times as many: a file costs 0.05-1.3 ms
# of system time to create on this kind of disk (most just after a large delete), and a query word fetches one shard
# either way (first query at 1,000 articles 70 KB instead of 41, at 10,000 49 KB median instead of 33)
MAX_KEY_LEN = 5
FORMAT_VERSION = 6  # 4: the manifest carries each language's analysis constants; 5: card files (c/), the
# shards carry only the cards of each term's best documents; 6: untranslated articles reached through the
# translations of a reader's terms (``e``, the manifest's ``cross``), not copied into each language
GZIP_LEVEL = 3  # ISA-L's highest level (isal_zlib: 0-3). On the 115 MB of JSON of a 12-language export: ISA-L 3
# 0.51 s of CPU and 33.3 MB, 2 0.30 s and 34.5 MB; zlib 4 1.63 s and 31.9 MB, 6 2.92 s and 30.9 MB; zlib-ng 4 1.04 s
# and 31.6 MB


@dataclass
class ExportStats:
    files: int = 0
    bytes: int = 0
    terms: int = 0
    forms: int = 0
    written: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Every file of the export in the output folder (relative path → size, mtime_ns), written now or kept."""


@dataclass
class Memo:
    """Results of whole-language analysis kept between builds, by a key of their inputs: the
    dictionary inflections of a language's terms and the analysed synonyms (both need the language's
    whole lemma dictionary loaded). ``saved`` from the last export, ``used`` by this one."""

    saved: dict[str, Any] = field(default_factory=dict)
    used: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str, compute: Callable[[], Any]) -> Any:
        value = self.saved.get(key)
        if value is None:
            value = compute()
        self.used[key] = value
        return value

    @property
    def changed(self) -> bool:
        """Whether ``used`` differs from ``saved`` (a value reused from ``saved`` is the same object)."""
        return len(self.used) != len(self.saved) or any(self.saved.get(k) is not v for k, v in self.used.items())


@dataclass
class ExportState:
    """What the last export computed, so that the next one redoes only what changed: per language,
    each document's identity, result card digest and surface-form votes, each term's postings and
    size estimate, each file's inputs and bytes; and what was written into which folder."""

    version: str = ""
    langs: dict[str, _LangState] = field(default_factory=dict)
    written: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)
    """Output folder → relative path → (size, mtime_ns) of the files the export left there."""


@dataclass
class _LangState:
    stamp: str = ""  # the identity of all the language's inputs ("": unknown): equal stamps, equal files
    docs: list[str] = field(default_factory=list)  # per document: its identity (cache key or record digest)
    cards: dict[str, str] = field(default_factory=dict)  # document identity → digest of its result card
    votes: dict[str, bytes] = field(default_factory=dict)  # document identity → pickled (votes, compounds)
    terms: dict[str, tuple[list[int], int]] = field(default_factory=dict)  # (postings, size estimate)
    files: dict[str, tuple[object, str, bytes]] = field(default_factory=dict)  # path → (inputs, digest, bytes)
    manifest: dict[str, Any] = field(default_factory=dict)  # the language's manifest entry
    memo: list[str] = field(default_factory=list)  # the Memo keys its export used


@dataclass
class LastExport:
    """What :func:`load_export` found of the last export: its fingerprint, its files (None: unknown,
    or made by other code), its state (or a new one) and whether the files found were made by other
    code (``reset``)."""

    fingerprint: str
    files: dict[str, tuple[str, bytes]] | None
    state: ExportState
    reset: bool
    stamps: dict[str, str] = field(default_factory=dict)  # per language, the stamp of its state file


def load_export(folder: Path, version: str) -> LastExport:
    """The last export kept in ``folder`` by :func:`save_export` (a new state when missing, damaged, or
    made by other code: another ``version``)."""
    top = read_pickle(folder / "static.pickle")
    if not (isinstance(top, tuple) and len(top) == 5 and top[0] == version):
        return LastExport("", None, ExportState(version), reset=True)
    _, fingerprint, written, stamps, manifest = top
    state = ExportState(version, written=written)
    files: dict[str, tuple[str, bytes]] = {}
    for lang in stamps:
        kept = read_pickle(_lang_file(folder, lang))
        if isinstance(kept, tuple) and len(kept) == 2 and kept[0] == version and isinstance(kept[1], _LangState):
            state.langs[lang] = kept[1]
            files.update((rel, (digest, packed)) for rel, (_, digest, packed) in kept[1].files.items())
        else:  # its files are unknown: the export is not whole
            fingerprint = ""
    files["manifest.json"] = manifest
    return LastExport(fingerprint, files, state, reset=False,
                      stamps={lang: stamp for lang, stamp in stamps.items() if lang in state.langs})


def save_export(folder: Path, fingerprint: str, files: dict[str, tuple[str, bytes]], state: ExportState,
                last: LastExport) -> None:
    """Keep ``state`` (whose export made ``files``, identified by ``fingerprint``) in ``folder``: a
    file per language (``static-<lang>.pickle``: its documents' votes, terms and files), rewritten only
    when the language's inputs changed (its stamp), and ``static.pickle``, which lists them."""
    for lang, lang_state in state.langs.items():
        if not lang_state.stamp or last.stamps.get(lang) != lang_state.stamp:
            save_or_warn(_lang_file(folder, lang), pickle.dumps((state.version, lang_state), protocol=5))
    for path in folder.glob("static-*.pickle"):
        if path.name[len("static-"):-len(".pickle")] not in state.langs:
            try:
                path.unlink(missing_ok=True)
            except OSError:
                pass  # a cache that cannot be changed: the next build reads this language as unknown
    save_or_warn(folder / "static.pickle", pickle.dumps(
        (state.version, fingerprint, state.written, {lang: s.stamp for lang, s in state.langs.items()},
         files["manifest.json"]), protocol=5))


def _lang_file(folder: Path, lang: str) -> Path:
    return folder / f"static-{lang}.pickle"


def export_static(index: SearchIndex, out: Path, synonyms: dict[str, list[list[str]]],
                  progress: Callable[[str], None] | None = None) -> ExportStats:
    """Write the static index of ``index`` into ``out`` (files whose bytes are unchanged are left alone)."""
    return write_tree(export_files(index, synonyms, progress), out)


def export_files(index: SearchIndex, synonyms: dict[str, list[list[str]]],
                 progress: Callable[[str], None] | None = None, *, analyses: dict[str, list] | None = None,
                 previous: dict[str, tuple[str, bytes]] | None = None,
                 memo: Memo | None = None, state: ExportState | None = None,
                 keys: dict[str, list[str]] | None = None,
                 stamps: dict[str, str] | None = None,
                 languages: list[str] | None = None) -> dict[str, tuple[str, bytes]]:
    """The static index as ``{relative path: (hash of the JSON, gzip bytes)}``.

    ``analyses`` (per language, in index order: ``cache.DocAnalysis``) spares analysing the
    documents again, and ``keys`` (their cache keys, in the same order) identify them between
    builds; a file whose JSON is in ``previous`` reuses its gzip bytes; ``memo`` keeps results that
    need a language's whole dictionary between builds (see :class:`Memo`); ``state`` (the last
    export's; each exported language's entry is replaced by this one's, and ``split.export_split``
    drops those of languages the index no longer has) spares the excerpts, JSON and gzip of every term and file
    whose inputs are unchanged, and reading an unchanged document's analysis; a language whose
    ``stamps`` entry (the identity of its documents, in order) equals the last export's is
    taken whole from ``state``. ``languages`` (a part of the index's) limits the export to theirs,
    its manifest too: :func:`joined` makes one export of such parts."""
    memo = memo or Memo()
    state = state if state is not None else ExportState()
    files: dict[str, tuple[str, bytes]] = {}
    reuse = {digest: packed for digest, packed in (previous or {}).values()}
    manifest: dict = {"version": FORMAT_VERSION, "chunk": DOC_CHUNK, "languages": {}}
    for lang in index.languages if languages is None else languages:
        old = state.langs.get(lang) or _LangState()
        stamp = _key("language", stamps[lang], synonyms.get(lang, [])) if stamps and stamps.get(lang) else ""
        if stamp and old.stamp == stamp and old.manifest:
            new = old  # nothing the language's files derive from changed
            files.update((rel, (digest, packed)) for rel, (_, digest, packed) in old.files.items())
            for key in old.memo:
                if key in memo.saved:
                    memo.used[key] = memo.saved[key]
        else:
            new = _export_language(index, lang, synonyms, progress, (analyses or {}).get(lang) if analyses is not None
                                   else None, (keys or {}).get(lang), files, reuse, memo, old)
            new.stamp = stamp
        if progress:
            progress(f"search index {lang}: {new.manifest['docs']} documents, {new.manifest['terms']} terms, "
                     f"{new.manifest['forms']} forms, {len(new.manifest['shards'])} shards")
        state.langs[lang] = new
        manifest["languages"][lang] = new.manifest
    manifest_bytes = json_bytes(manifest)
    files["manifest.json"] = (hashlib.sha256(manifest_bytes).hexdigest(), manifest_bytes)
    return files


def _export_language(index: SearchIndex, lang: str, synonyms: dict[str, list[list[str]]],
                     progress: Callable[[str], None] | None, cached: list | None, keys: list[str] | None,
                     files: dict[str, tuple[str, bytes]], reuse: dict[str, bytes], memo: Memo,
                     old: _LangState) -> _LangState:
    """Add the files of ``lang`` to ``files``; its new state."""
    records, weights = index.term_weights(lang)
    analyzer = analyzer_for(lang)
    memo_before = set(memo.used)
    new = _LangState()
    new.docs = keys if keys is not None and cached and len(keys) == len(records) else [_sha1(r) for r in records]
    changed = {doc for doc, ident in enumerate(new.docs) if doc >= len(old.docs) or old.docs[doc] != ident}
    for doc, ident in enumerate(new.docs):
        card = old.cards.get(ident) if doc not in changed or ident in old.cards else None
        new.cards[ident] = card if card is not None else _card_digest(records[doc])
    cards = {doc for doc in changed if doc >= len(old.docs) or old.cards.get(old.docs[doc]) != new.cards[new.docs[doc]]}
    texts, previous = _Excerpts(records, cached, lang), _Previous(old)
    terms = _terms(weights, records, texts, previous, changed, cards, new)
    table = index.cross.get(lang)
    translations = table.terms if table is not None and table.docs else {}
    for term in translations:  # a term only the translations reach: no postings, but the browser must know it
        if term not in terms:
            estimate = len(term) + 12
            terms[term] = _TermData([], estimate, [], dirty=old.terms.get(term) != ([], estimate))
            new.terms[term] = ([], estimate)
    if cached:
        votes, compound_set = [], set()
        for doc, ident in enumerate(new.docs):
            blob = old.votes.get(ident)
            if blob is None:
                entry = cached[doc]
                new.votes[ident] = pickle.dumps((entry.votes, entry.compounds), protocol=pickle.HIGHEST_PROTOCOL)
                doc_votes, doc_compounds = entry.votes, entry.compounds
            else:
                new.votes[ident] = blob
                doc_votes, doc_compounds = pickle.loads(blob)
            votes += doc_votes
            compound_set.update(doc_compounds)
        compounds: list | None = sorted(compound_set)
    else:
        votes, compounds = _votes(records, analyzer), None
    forms = _surface_forms(votes, analyzer, set(terms), compounds, memo)
    # Synonym words the content never uses still need their form → term entry, or the
    # browser could not recognise them (zaporka → zapork).
    groups = synonyms.get(lang, [])
    synonym_forms, synonym_groups = memo.get(_key("synonyms", lang, groups),
                                             lambda: _analyse_synonyms(analyzer, lang, groups))
    for surface, term in synonym_forms:
        forms.setdefault(surface, term)
    output = _Output(files, reuse, old, new)
    keys_written = _write_shards(lang, terms, forms, translations, records, output, texts, previous)
    texts.clear()
    for n in range(0, len(records), CARD_CHUNK):
        output.add(f"{lang}/c/{n // CARD_CHUNK}.json.gz", [new.cards[ident] for ident in new.docs[n:n + CARD_CHUNK]],
                   lambda n=n: [_card(r, _heads(r)) for r in records[n:n + CARD_CHUNK]])  # type: ignore[misc]
    for n in range(0, len(records), DOC_CHUNK):
        output.add(f"{lang}/d/{n // DOC_CHUNK}.json.gz", new.docs[n:n + DOC_CHUNK],
                   lambda n=n: [_doc_entry(r) for r in records[n:n + DOC_CHUNK]])  # type: ignore[misc]
    new.memo = sorted(set(memo.used) - memo_before)
    new.manifest = {
        "docs": len(records),
        "terms": len(terms),
        "forms": len(forms),
        "shards": sorted(keys_written),
        "cards": CARD_CHUNK,
        "stop": sorted(analyzer.folded_stops),
        "synonyms": synonym_groups,
        "analysis": client_constants(lang),
    }
    if table is not None and translations:
        theirs, their_weights = index.term_weights(table.source)
        where = {record["id"]: n for n, record in enumerate(theirs)}
        # a level is a share of its own language's strongest weight: the source's levels in this language's
        scale = index.cross_factor(table) * _top(their_weights) / _top(weights)
        new.manifest["cross"] = {"from": table.source, "weight": scale,
                                 "docs": _ranges(sorted(where[doc] for doc in table.docs if doc in where)),
                                 "home": _ranges(sorted(where[doc] for doc in table.home if doc in where))}
    return new


def joined(parts: list[dict[str, tuple[str, bytes]]]) -> dict[str, tuple[str, bytes]]:
    """One export's files from those of exports of consecutive parts of its languages (in order):
    the same files, the manifest listing every part's languages."""
    files: dict[str, tuple[str, bytes]] = {}
    manifest = json.loads(parts[0]["manifest.json"][1])
    for part in parts:
        manifest["languages"].update(json.loads(part["manifest.json"][1])["languages"])
        files.update((rel, value) for rel, value in part.items() if rel != "manifest.json")
    data = json_bytes(manifest)  # as export_files writes it
    files["manifest.json"] = (hashlib.sha256(data).hexdigest(), data)
    return files


def client_constants(lang: str) -> dict[str, Any]:
    """The constants the browser's query analysis (search-analysis.js, search-index.js) shares with
    Python's for ``lang``, written into the manifest so that the script hard-codes none of them:
    diacritic folding, the affix stripper's rules (``null``: none), the query limits, the synonym
    weight and the longest shard key."""
    return {
        "fold": FOLD_SPECIAL,
        "affixes": analysis_rules(lang)["affixes"],
        "max_query_chars": MAX_QUERY_CHARS,
        "max_query_words": MAX_QUERY_WORDS,
        "max_word_chars": MAX_WORD_CHARS,
        "synonym_weight": SYNONYM_WEIGHT,
        "key_length": MAX_KEY_LEN,
    }


def write_tree(files: dict[str, tuple[str, bytes]], out: Path, previous: dict[str, tuple[str, bytes]] | None = None,
               written: dict[str, tuple[int, int]] | None = None) -> ExportStats:
    """Make ``out`` hold exactly ``files``: a file is rewritten only when its bytes change (so
    unchanged files keep their mtime), and files no longer in the index are deleted.

    ``previous`` (the last export's files) and ``written`` (its ``stats.written`` for ``out``) spare
    reading a file back: one whose hash is unchanged and whose size and mtime are still those the
    last export left is known to hold its bytes."""
    stats = ExportStats()
    out.mkdir(parents=True, exist_ok=True)
    previous, written = previous or {}, written or {}
    root = os.fspath(out)
    folders: set[str] = set()  # made already
    for rel, (digest, data) in files.items():
        name = os.path.join(root, rel)
        stats.files += 1
        stats.bytes += len(data)
        known = written.get(rel)
        if known is not None and previous.get(rel, ("",))[0] == digest:
            try:
                info = os.stat(name)
                if (info.st_size, info.st_mtime_ns) == known:
                    stats.written[rel] = known
                    continue
            except OSError:
                pass
        folder = os.path.dirname(name)
        if folder not in folders:
            os.makedirs(folder, exist_ok=True)
            folders.add(folder)
        made = write_new(name, data)
        if made is None:  # there already: rewritten only if its bytes differ
            write_if_changed(Path(name), data)
            made = os.stat(name)
        stats.written[rel] = (made.st_size, made.st_mtime_ns)
    for folder, dirs, names in os.walk(out, topdown=False):  # children before their folders
        base = Path(folder)
        prefix = base.relative_to(out).as_posix() + "/" if base != out else ""
        for name in names:
            if prefix + name not in files:
                (base / name).unlink()
        if base != out and not any(base.iterdir()):
            base.rmdir()
    manifest = json.loads(files["manifest.json"][1])
    stats.terms = sum(info.get("terms", 0) for info in manifest["languages"].values())
    stats.forms = sum(info.get("forms", 0) for info in manifest["languages"].values())
    return stats


def _analyse_synonyms(analyzer, lang: str, groups: list[list[str]]) -> tuple[list[tuple[str, str]], list]:
    """The (surface form, term) pairs of the synonyms' words and the groups as term sequences."""
    forms = [(token.surface, token.term) for group in groups for member in group for token in analyzer.tokens(member)
             if token.surface != token.term]
    return forms, [[list(m) for m in group] for group in synonym_terms(lang, groups)]


def _key(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()


def _cached_sections(record: dict, cached: list) -> list[SectionTerms]:
    return [SectionTerms(anchor, heading, text, heading_terms, Counter(counts), first, lead, steps)
            for (anchor, heading, text, *_), (heading_terms, counts, first, lead, steps)
            in zip(record["sections"], cached)]


def _card(record: dict, sections: list | dict) -> list:
    """A document's result card (what a result line shows of it but the excerpt), with ``sections``:
    every section's [anchor, heading] (the card files) or those a shard names, by number (a shard)."""
    return [record["url"], record["title"], record["category"], sections]


def _heads(record: dict) -> list[list[str]]:
    """Each section's [anchor, heading]."""
    return [[anchor, heading] for anchor, heading, *_ in record["sections"]]


def _ranges(numbers: list[int]) -> list[list[int]]:
    """Ascending ``numbers`` as [start, end) ranges of consecutive numbers."""
    ranges: list[list[int]] = []
    for n in numbers:
        if ranges and ranges[-1][1] == n:
            ranges[-1][1] = n + 1
        else:
            ranges.append([n, n + 1])
    return ranges


def _doc_entry(record: dict) -> list:
    sections = _heads(record)
    answer = next(([i, steps] for i, (_, _, _, steps) in enumerate(record["sections"]) if steps), None)
    return [record["url"], record["title"], record["kind"], record["category"], record["summary"], sections, answer]


@dataclass
class _TermData:
    postings: list[int]  # doc, weight, section, …
    estimate: int  # bytes in its shard (see _item_size)
    excerpts: list[str] | None = None  # one per posting; None: unchanged since the last export, made on demand
    dirty: bool = True


def _item_size(data: _TermData, card_sizes: list[int]) -> int:
    """The estimated JSON size of a term's postings, excerpts and the result cards of its best documents
    (``card_sizes``: per document, its URL's, title's and category's length plus 16)."""
    excerpts = data.excerpts or ()
    postings = data.postings
    sections = postings[2:3 * CARDS_IN_SHARD:3]
    return (len(postings) * 4 + sum(map(len, excerpts)) + 3 * len(excerpts)
            + sum(map(card_sizes.__getitem__, postings[0:3 * CARDS_IN_SHARD:3]))
            + 30 * (len(sections) - sections.count(-1)))


def _terms(weights: dict[str, dict[int, float]], records: list[dict], texts: _Excerpts, previous: _Previous,
           changed: set[int], cards: set[int], new: _LangState) -> dict[str, _TermData]:
    """Each term's postings, best first, and its excerpts and size estimate. A term whose postings
    equal the last export's and whose documents are unchanged is unchanged (its excerpts are made
    only if its shard is written again). Otherwise a posting of an unchanged document that the
    term's last postings had in the same section keeps its excerpt (read from the last shard), and
    only the others read their document's analysis; the term is unchanged if its postings,
    excerpts and its documents' result cards are, so an edit changes only the terms whose shard
    entries it changes."""
    top = _top(weights)
    terms: dict[str, _TermData] = {}
    card_sizes = [len(record["url"]) + len(record["title"]) + len(record["category"]) + 16 for record in records]
    by_weight = itemgetter(1)
    old_terms = previous.state.terms
    for term, per_doc in weights.items():
        # sorted() is stable with reverse=True: equal weights keep the documents' order, as with key=-weight
        ranked = sorted(per_doc.items(), key=by_weight, reverse=True)[:MAX_POSTINGS]
        docs = [doc for doc, _ in ranked]
        levels = [round(255 * weight / top) or 1 for _, weight in ranked]  # at least 1
        before = old_terms.get(term)
        if (before is not None and before[0][0::3] == docs and before[0][1::3] == levels
                and changed.isdisjoint(docs)):
            terms[term] = _TermData(before[0], before[1], dirty=False)
            new.terms[term] = before
            continue
        kept: dict[int, tuple[int, int]] = {}  # unchanged document → (its index, section) in the last postings
        if before is not None:
            kept = {doc: (i, section) for i, (doc, section) in enumerate(zip(before[0][0::3], before[0][2::3]))
                    if doc not in changed}
        last = previous.excerpts(term) if kept else None
        if last is None:
            postings, excerpts = texts.postings(term, docs, levels)
        else:
            postings, excerpts = [], []
            for doc, level in zip(docs, levels):
                hit = kept.get(doc)
                section = hit[1] if hit is not None else texts.section(doc, term)
                postings += (doc, level, section)
                excerpts.append(last[hit[0]] if hit is not None else texts.excerpt(doc, section, term))
        data = terms[term] = _TermData(postings, 0, excerpts)
        if (before is not None and before[0] == postings and cards.isdisjoint(docs)
                and excerpts == (last if last is not None else previous.excerpts(term))):
            data.estimate, data.dirty = before[1], False
        else:
            data.estimate = len(term) + 4 + _item_size(data, card_sizes)
        new.terms[term] = (postings, data.estimate)
    return terms


def _top(weights: dict[str, dict[int, float]]) -> float:
    """The strongest of ``weights`` (1.0 without any): a posting's level is its share of it, in 255 steps."""
    return max((max(per_doc.values()) for per_doc in weights.values() if per_doc), default=1.0) or 1.0


def _card_digest(record: dict) -> str:
    """The digest of what a document's result cards show."""
    return _sha1([record["url"], record["title"], record["category"],
                  [section[:2] for section in record["sections"]]])


def _sha1(value: object) -> str:
    return hashlib.sha1(json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")).hexdigest()


class _Previous:
    """The last export of a language: each term's excerpts, read back from the shard that holds them."""

    def __init__(self, state: _LangState) -> None:
        self.state = state
        self._where: dict[str, str] | None = None
        self._shards: dict[str, dict] = {}

    def excerpts(self, term: str) -> list[str] | None:
        if self._where is None:
            self._where = {name: rel for rel, (inputs, _, _) in self.state.files.items() if "/t/" in rel
                           for name, kind, _ in inputs if kind == "t"}  # type: ignore[attr-defined]
        rel = self._where.get(term)
        if rel is None:
            return None
        shard = self._shards.get(rel)
        if shard is None:
            shard = self._shards[rel] = json.loads(zlib.decompress(self.state.files[rel][2], 47))
        return shard["x"].get(term)


class _Excerpts:
    """Each posting's section and excerpt, from the cached analyses (or analysing each document once)."""

    def __init__(self, records: list[dict], cached: list | None, lang: str) -> None:
        self.records, self.cached, self.lang = records, cached, lang
        self._sections: dict[int, list[SectionTerms]] = {}
        self._wholes: dict[int, frozenset[str]] = {}
        self._bests: list[dict[str, int] | None] = [None] * len(records)  # per document, read when first needed
        self._firsts: list[list[dict[str, int]] | None] = [None] * len(records)
        self._summaries: dict[int, str] = {}

    def postings(self, term: str, docs: list[int], levels: list[int]) -> tuple[list[int], list[str]]:
        """The postings (document, weight level, section, …) and excerpts of ``term`` in ``docs``."""
        sections = self.sections(term, docs)
        postings = [0] * (3 * len(docs))
        postings[0::3], postings[1::3], postings[2::3] = docs, levels, sections
        return postings, self.excerpts_at(term, docs, sections)

    def section(self, doc: int, term: str) -> int:
        """The section of document ``doc`` a result for ``term`` links to (-1: none)."""
        return self.sections(term, [doc])[0]

    def sections(self, term: str, docs: list[int]) -> list[int]:
        """The section of each document of ``docs`` a result for ``term`` links to (-1: none)."""
        bests, found = self._bests, []
        for doc in docs:
            best = bests[doc]
            if best is None:
                best = bests[doc] = self.cached[doc].best if self.cached else {}
            section = best.get(term)
            if section is None:
                if doc not in self._wholes:
                    self._wholes[doc] = article_terms(self.records[doc], self.lang)
                section = pick_section(self._analysed(doc), {term}, self._wholes[doc])
            found.append(section)
        return found

    def excerpts(self, term: str, postings: list[int]) -> list[str]:
        return self.excerpts_at(term, postings[0::3], postings[2::3])

    def excerpt(self, doc: int, section: int, term: str) -> str:
        """The text around ``term``'s first use in ``section`` of ``doc`` (the summary's start for -1)."""
        return self.excerpts_at(term, [doc], [section])[0]

    def excerpts_at(self, term: str, docs: list[int], sections: list[int]) -> list[str]:
        """Per document of ``docs``, the excerpt of its section in ``sections`` (see :meth:`excerpt`)."""
        records, summaries, firsts, found = self.records, self._summaries, self._firsts, []
        for doc, section in zip(docs, sections):
            if section < 0:
                text = summaries.get(doc)
                if text is None:
                    text = summaries[doc] = summary_excerpt(records[doc])
            else:
                first = firsts[doc]
                if first is None:
                    first = firsts[doc] = self._firsts_of(doc)
                text = text_excerpt(records[doc]["sections"][section][2], first[section].get(term, 0))
            found.append(text)
        return found

    def _firsts_of(self, doc: int) -> list[dict[str, int]]:
        """Per section of document ``doc``: each term's first offset."""
        return [s[2] for s in self.cached[doc].sections] if self.cached else [s.first for s in self._analysed(doc)]

    def clear(self) -> None:
        self._sections.clear()
        self._wholes.clear()
        self._bests = [None] * len(self.records)
        self._firsts = [None] * len(self.records)
        self._summaries.clear()

    def _analysed(self, doc: int) -> list[SectionTerms]:
        analysed = self._sections.get(doc)
        if analysed is None:
            record = self.records[doc]
            analysed = self._sections[doc] = (_cached_sections(record, self.cached[doc].sections) if self.cached
                                              else analyse_sections(record, self.lang))
        return analysed


class _Output:
    """Adds a language's files, reusing the last export's bytes of a file whose inputs are unchanged."""

    def __init__(self, files: dict[str, tuple[str, bytes]], reuse: dict[str, bytes], old: _LangState,
                 new: _LangState) -> None:
        self.files, self.reuse, self.old, self.new = files, reuse, old, new

    def add(self, rel: str, inputs: object, make: Callable[[], object], changed: bool = False) -> None:
        """Add ``rel``: the JSON of ``make()``, unless ``inputs`` equal the last export's and nothing
        else they stand for ``changed``."""
        before = self.old.files.get(rel)
        if not changed and before is not None and before[0] == inputs:
            digest, packed = before[1], before[2]
        else:
            digest, packed = _pack(make(), self.reuse)
        self.files[rel] = (digest, packed)
        self.new.files[rel] = (inputs, digest, packed)


def _votes(records: list[dict], analyzer) -> list[tuple[str, str, int]]:
    """(surface form, term, count) for the forms of ``records`` that differ from their term, document
    by document as ``cache.analyse_doc`` counts them (without cached analyses)."""
    votes: list[tuple[str, str, int]] = []
    for record in records:
        votes += doc_votes([analyzer.scan(text, set()) for text in record_texts(record)])
    return votes


def _surface_forms(votes: list[tuple[str, str, int]], analyzer, terms: set[str], compounds: list | None,
                   memo: Memo) -> dict[str, str]:
    """Folded surface form → term, for forms that differ from their term: the content's own
    forms (by votes) plus every dictionary inflection of the content's lemmas."""
    counters: dict[str, Counter] = defaultdict(Counter)
    for surface, term, count in votes:
        counters[surface][term] += count
    forms = {surface: counter.most_common(1)[0][0] for surface, counter in counters.items()}
    if compounds is None:  # the analyzer's own compounds, which the key cannot see
        expanded = list(analyzer.expansions(terms, compounds))
    else:
        split = [[h, t.decode()] for h, t in compounds]
        key = _key("expansions", analyzer.lang, sorted(terms), split)
        last_key = _key("last expansions", analyzer.lang, split)
        expanded = memo.get(key, lambda: _expansions(analyzer, terms, compounds, memo, last_key))
        if last_key not in memo.used and last_key in memo.saved:
            memo.used[last_key] = memo.saved[last_key]  # the base of the next export's expansion
    for surface, term in expanded:
        if surface != term and surface not in forms and surface not in analyzer.folded_stops:
            forms[surface] = term
    return forms


def _expansions(analyzer, terms: set[str], compounds: list, memo: Memo, last_key: str) -> list[tuple[str, str]]:
    """``analyzer.expansions(terms, compounds)``, which reads the language's whole dictionary, unless the
    terms added since the last expansion (same compounds) are none a dictionary lemma or a compound
    can have (a product name, a new word the dictionary lacks): the dictionary then adds no
    inflection of theirs, and the last expansion's pairs of the remaining terms, in their order, are
    the answer. Kept for the next export with the terms no added term may be (``memo``), as one
    string (:func:`_any_of`)."""
    last = memo.saved.get(last_key)
    if last is not None and not _any_of(terms - last[0], last[2]):
        expanded = [pair for pair in last[1] if pair[1] in terms]
        blocking = last[2]
    else:
        expanded = list(analyzer.expansions(terms, compounds, analysis_version()))
        # every lemma's term (the pass saw all)
        every = dict.fromkeys(analyzer._lemma_terms[1] if analyzer._lemma_terms else ())
        every.update(dict.fromkeys(sorted(analyzer._finish(head + tail.decode().lower())
                                          for head, tail in compounds)))
        blocking = "\n" + "\n".join(every) + "\n"
    memo.used[last_key] = (frozenset(terms), expanded, blocking)
    return expanded


def _any_of(terms: set[str], blocking: str) -> bool:
    """Whether one of ``terms`` is in ``blocking`` ("\n"-separated, and at both ends). Up to 330,000 terms
    a language, a million at 12 languages: as sets of strings, the memo took 0.5 s to pickle (a cold
    build) and as long to read back (every warm export); as one string each, 0.07 and 0.05 s, and a
    warm build's few added terms are each one search of it."""
    if len(terms) > 64:
        return not terms.isdisjoint(blocking.split("\n"))
    return any(f"\n{term}\n" in blocking for term in terms)


def _write_shards(lang: str, terms: dict[str, _TermData], forms: dict[str, str],
                  translations: dict[str, list[list[str]]], records: list[dict], output: _Output, texts: _Excerpts,
                  previous: _Previous) -> list[str]:
    # (name, kind, value, estimated size), terms, forms, then the terms' translations
    items: list[tuple[str, str, Any, int]] = [(t, "t", data, data.estimate) for t, data in terms.items()]
    items += [(s, "f", t, len(s) + len(t) + 7) for s, t in forms.items()]
    items += [(t, "e", groups, len(t) + 6 + sum(len(x) + 4 for group in groups for x in group))
              for t, groups in translations.items()]
    keys: list[str] = []

    heads: list[list[list[str]] | None] = [None] * len(records)  # per document, its sections' [anchor, heading]
    section_keys = [str(n) for n in range(max((len(r["sections"]) for r in records), default=0))]

    def shard(group: list[tuple[str, str, Any, int]]) -> dict:
        out: dict[str, dict] = {"t": {}, "x": {}, "f": {}, "d": {}}
        cards: dict[int, list] = {}
        out_terms, out_excerpts, out_forms = out["t"], out["x"], out["f"]
        for name, kind, value, _ in group:
            if kind == "f":
                out_forms[name] = value
                continue
            if kind == "e":
                out.setdefault("e", {})[name] = value
                continue
            postings = value.postings
            out_terms[name] = postings
            excerpts = value.excerpts if value.excerpts is not None else previous.excerpts(name)
            out_excerpts[name] = excerpts if excerpts is not None else texts.excerpts(name, postings)
            for doc in postings[0:3 * CARDS_IN_SHARD:3]:
                if doc not in cards:
                    cards[doc] = _card(records[doc], {})
        for postings in out_terms.values():  # each card's sections that the shard's postings name
            for doc, section in zip(postings[0::3], postings[2::3]):
                card = cards.get(doc)
                if card is not None and section >= 0:  # the same list in every shard: the JSON is the same
                    doc_heads = heads[doc]
                    if doc_heads is None:
                        doc_heads = heads[doc] = _heads(records[doc])
                    card[3][section_keys[section]] = doc_heads[section]
        out["d"] = {str(doc): card for doc, card in sorted(cards.items())}
        return out

    def emit(key: str, group: list[tuple[str, str, Any, int]]) -> None:
        # Its inputs: the items' names and forms, and whether a term's postings, excerpts or cards changed
        inputs = tuple((name, kind, value if kind != "t" else None) for name, kind, value, _ in group)
        dirty = any(kind == "t" and value.dirty for _, kind, value, _ in group)
        output.add(f"{lang}/t/{key}.json.gz", inputs, lambda: shard(group), dirty)
        keys.append(key)

    def split(key: str, group: list[tuple[str, str, Any, int]], total: int) -> None:
        if len(key) >= MAX_KEY_LEN or total <= SHARD_TARGET_BYTES:
            emit(key, group)
            return
        children: dict[str, list] = defaultdict(list)
        sizes: Counter[str] = Counter()
        with_terms: set[str] = set()
        rest, budget = [], 0
        length = len(key) + 1
        for item in group:
            if len(item[0]) >= length:
                child = item[0][:length]
                children[child].append(item)
                sizes[child] += item[3]
                if item[1] == "t":
                    with_terms.add(child)
            else:
                rest.append(item)
                budget += item[3]
        # Children that fit stay in this shard (smallest first; forms, which are small, up to a
        # shard's worth of their own): fewer and fuller files, and an inflected form mostly shares
        # its term's shard, so that one fetch resolves it.
        forms_budget = 0
        for child in sorted(children, key=lambda c: (sizes[c], c)):
            child_size = sizes[child]
            if budget + child_size <= SHARD_TARGET_BYTES:
                budget += child_size
            elif child not in with_terms and forms_budget + child_size <= SHARD_TARGET_BYTES:
                forms_budget += child_size
            else:
                continue
            rest += children.pop(child)
        if rest:
            emit(key, rest)
        for child in sorted(children):
            split(child, children[child], sizes[child])

    first: dict[str, list] = defaultdict(list)
    totals: Counter[str] = Counter()
    for item in items:
        first[item[0][:1]].append(item)
        totals[item[0][:1]] += item[3]
    for key, group in sorted(first.items()):
        split(key, group, totals[key])
    return keys


def _pack(data: object, reuse: dict[str, bytes]) -> tuple[str, bytes]:
    """(hash, gzip bytes) of the JSON of ``data`` (compressing only JSON not seen in the previous export)."""
    raw = json_bytes(data)
    digest = hashlib.sha256(raw).hexdigest()
    packed = reuse.get(digest)
    if packed is None:
        packed = isal_zlib.compress(raw, GZIP_LEVEL, 31)  # gzip (wbits 31) with mtime 0: the same bytes every time
    return digest, packed
