"""Export a Whoosh index as a static, sharded, gzip-compressed index for the browser.

Layout under ``<site>/search/``::

    manifest.json              languages, shard keys, stop words, analysed synonym groups, and the
                               rules the browser's query analysis shares with Python's
                               (``analysis``: see :func:`client_constants`)
    <lang>/t/<key>.json.gz     a term shard (below)
    <lang>/d/<n>.json.gz       documents n*CHUNK … n*CHUNK+CHUNK-1:
                               [url, title, kind, category, summary, [[anchor, heading], …],
                                source language or "", [section, [first steps or FAQ answer]] or null]

A term shard holds the terms and surface forms that start with its key, and everything needed to
show the documents those terms find, so a query's results render after one round of fetches (one
shard per query word)::

    {"t": {term: [doc, weight, section, …]},      postings, best first (section: -1 = none)
     "x": {term: [excerpt, …]},                    per posting: the text around the term in that section
     "f": {surface form: term},
     "d": {doc: [url, title, category, {section: [anchor, heading]}, (source language)]}}
                                                   the postings' documents; the source language
                                                   only on an untranslated article (crosslingual.py)

Keys grow one character at a time until a shard is small, so a query downloads only the few
shards its words touch. The document chunks (``d/``) hold what a result line leaves out (kind,
summary, every section's heading) for the pages that show it, such as the contact page.
"""
from __future__ import annotations

import gzip
import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deflect.escaping import json_text
from deflect.locales import analysis_rules
from deflect.search.analysis import FOLD_SPECIAL, MAX_WORD_CHARS, analyzer_for
from deflect.cachefiles import write_if_changed
from deflect.search.cache import record_text
from deflect.search.engine import SearchIndex
from deflect.search.query import MAX_QUERY_CHARS, MAX_QUERY_WORDS, SYNONYM_WEIGHT, synonym_terms
from deflect.search.snippets import SectionTerms, analyse_sections, article_terms, pick_section, section_excerpt

DOC_CHUNK = 8
MAX_POSTINGS = 120
SHARD_TARGET_BYTES = 24_000  # raw JSON (estimated); gzip takes shards to about a quarter
MAX_KEY_LEN = 5
FORMAT_VERSION = 4  # 4: the manifest carries each language's analysis constants


@dataclass
class ExportStats:
    files: int = 0
    bytes: int = 0
    terms: int = 0
    forms: int = 0


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


def export_static(index: SearchIndex, out: Path, synonyms: dict[str, list[list[str]]],
                  progress: Callable[[str], None] | None = None) -> ExportStats:
    """Write the static index of ``index`` into ``out`` (files whose bytes are unchanged are left alone)."""
    return write_tree(export_files(index, synonyms, progress), out)


def export_files(index: SearchIndex, synonyms: dict[str, list[list[str]]],
                 progress: Callable[[str], None] | None = None, *, analyses: dict[str, list] | None = None,
                 previous: dict[str, tuple[str, bytes]] | None = None,
                 memo: Memo | None = None) -> dict[str, tuple[str, bytes]]:
    """The static index as ``{relative path: (hash of the JSON, gzip bytes)}``.

    ``analyses`` (per language, in index order: ``cache.DocAnalysis``) spares analysing the
    documents again; a file whose JSON is in ``previous`` reuses its gzip bytes; ``memo`` keeps
    results that need a language's whole dictionary between builds (see :class:`Memo`)."""
    memo = memo or Memo()
    files: dict[str, tuple[str, bytes]] = {}
    reuse = {digest: packed for digest, packed in (previous or {}).values()}
    manifest: dict = {"version": FORMAT_VERSION, "chunk": DOC_CHUNK, "languages": {}}
    for lang in index.languages:
        records, weights = index.term_weights(lang)
        if progress:
            progress(f"search index {lang}: {len(records)} documents, {len(weights)} terms")
        analyzer = analyzer_for(lang)
        cached = analyses.get(lang) if analyses is not None else None
        top = max((w for per_doc in weights.values() for w in per_doc.values()), default=1.0) or 1.0
        sections: dict[int, list[SectionTerms]] = {}  # analysed once per document
        wholes: dict[int, frozenset[str]] = {}
        terms: dict[str, _TermData] = {}
        for term, per_doc in weights.items():
            data = terms[term] = _TermData()
            for doc, weight in sorted(per_doc.items(), key=lambda item: -item[1])[:MAX_POSTINGS]:
                record = records[doc]
                analysed = sections.get(doc)
                if analysed is None:
                    analysed = sections[doc] = (_cached_sections(record, cached[doc].sections) if cached
                                                else analyse_sections(record, lang))
                section = cached[doc].best.get(term) if cached else None
                if section is None:
                    if doc not in wholes:
                        wholes[doc] = article_terms(record, lang)
                    section = pick_section(analysed, {term}, wholes[doc])
                data.postings += [doc, max(1, round(255 * weight / top)), section]
                data.excerpts.append(section_excerpt(record, analysed, section, {term}))
                shown = data.sections.setdefault(doc, {})
                if section >= 0:
                    shown[section] = [analysed[section].anchor, analysed[section].heading]
        sections.clear()
        if cached:
            votes = [vote for entry in cached for vote in entry.votes]
            compounds = sorted({c for entry in cached for c in entry.compounds})
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
        keys = _write_shards(lang, terms, forms, records, files, reuse)
        for n in range(0, len(records), DOC_CHUNK):
            chunk = [_doc_entry(r) for r in records[n:n + DOC_CHUNK]]
            _add(files, f"{lang}/d/{n // DOC_CHUNK}.json.gz", chunk, reuse)
        manifest["languages"][lang] = {
            "docs": len(records),
            "terms": len(terms),
            "forms": len(forms),
            "shards": sorted(keys),
            "stop": sorted(analyzer.folded_stops),
            "synonyms": synonym_groups,
            "analysis": client_constants(lang),
        }
    manifest_bytes = json_text(manifest, separators=(",", ":")).encode()
    files["manifest.json"] = (hashlib.sha256(manifest_bytes).hexdigest(), manifest_bytes)
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


def write_tree(files: dict[str, tuple[str, bytes]], out: Path) -> ExportStats:
    """Make ``out`` hold exactly ``files``: a file is rewritten only when its bytes change (so
    unchanged files keep their mtime), and files no longer in the index are deleted."""
    stats = ExportStats()
    out.mkdir(parents=True, exist_ok=True)
    for rel, (_, data) in files.items():
        write_if_changed(out / rel, data)
        stats.files += 1
        stats.bytes += len(data)
    for path in sorted(out.rglob("*"), reverse=True):  # children before their folders
        rel = path.relative_to(out).as_posix()
        if path.is_dir():
            if not any(path.iterdir()):
                path.rmdir()
        elif rel not in files:
            path.unlink()
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


def _doc_entry(record: dict) -> list:
    sections = [[anchor, heading] for anchor, heading, *_ in record["sections"]]
    answer = next(([i, steps] for i, (_, _, _, steps) in enumerate(record["sections"]) if steps), None)
    return [record["url"], record["title"], record["kind"], record["category"], record["summary"], sections,
            record.get("source", ""), answer]


@dataclass
class _TermData:
    postings: list[int] = field(default_factory=list)  # doc, weight, section, …
    excerpts: list[str] = field(default_factory=list)  # one per posting
    sections: dict[int, dict[int, list[str]]] = field(default_factory=dict)  # doc → section → [anchor, heading]


def _votes(records: list[dict], analyzer) -> list[tuple[str, str, int]]:
    """(surface form, term, count) for the forms of ``records`` that differ from their term."""
    votes: Counter[tuple[str, str]] = Counter()
    for record in records:
        if record.get("source"):
            continue  # an untranslated article's words are not this language's
        for token in analyzer.tokens(record_text(record)):
            if token.surface != token.term:
                votes[token.surface, token.term] += 1
    return [(surface, term, count) for (surface, term), count in votes.items()]


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
        key = _key("expansions", analyzer.lang, sorted(terms), [[h, t.decode()] for h, t in compounds])
        expanded = memo.get(key, lambda: list(analyzer.expansions(terms, compounds)))
    for surface, term in expanded:
        if surface != term and surface not in forms and surface not in analyzer.folded_stops:
            forms[surface] = term
    return forms


def _write_shards(lang: str, terms: dict[str, _TermData], forms: dict[str, str], records: list[dict],
                  files: dict[str, tuple[str, bytes]], reuse: dict[str, bytes]) -> list[str]:
    items: list[tuple[str, str, object]] = [(t, "t", data) for t, data in terms.items()]
    items += [(s, "f", t) for s, t in forms.items()]
    keys: list[str] = []

    def card_size(doc: int) -> int:
        return len(records[doc]["url"]) + len(records[doc]["title"]) + len(records[doc]["category"]) + 16

    def item_size(value: object) -> int:
        if isinstance(value, str):
            return len(value) + 3
        assert isinstance(value, _TermData)
        return (len(value.postings) * 4 + sum(len(x) + 3 for x in value.excerpts)
                + sum(card_size(doc) + 30 * len(secs) for doc, secs in value.sections.items()))

    estimate = {id(item): len(item[0]) + 4 + item_size(item[2]) for item in items}  # once per item

    def size(group: list[tuple[str, str, object]]) -> int:
        return sum(estimate[id(item)] for item in group)

    def emit(key: str, group: list[tuple[str, str, object]]) -> None:
        shard: dict[str, dict] = {"t": {}, "x": {}, "f": {}, "d": {}}
        cards: dict[int, list] = {}
        for k, kind, v in group:
            if kind == "f":
                shard["f"][k] = v
                continue
            assert isinstance(v, _TermData)
            shard["t"][k] = v.postings
            shard["x"][k] = v.excerpts
            for doc, secs in v.sections.items():
                record = records[doc]
                card = cards.setdefault(doc, [record["url"], record["title"], record["category"], {}]
                                        + ([record["source"]] if record.get("source") else []))
                card[3].update({str(i): anchor_heading for i, anchor_heading in secs.items()})
        shard["d"] = {str(doc): card for doc, card in sorted(cards.items())}
        _add(files, f"{lang}/t/{key}.json.gz", shard, reuse)
        keys.append(key)

    def split(key: str, group: list[tuple[str, str, object]]) -> None:
        if len(key) >= MAX_KEY_LEN or size(group) <= SHARD_TARGET_BYTES:
            emit(key, group)
            return
        children: dict[str, list] = defaultdict(list)
        rest = []
        for item in group:
            if len(item[0]) > len(key):
                children[item[0][: len(key) + 1]].append(item)
            else:
                rest.append(item)
        # Children that fit stay in this shard (smallest first; forms, which are small, up to a
        # shard's worth of their own): fewer and fuller files, and an inflected form mostly shares
        # its term's shard, so that one fetch resolves it.
        budget, forms_budget = size(rest), 0
        for child, child_group in sorted(children.items(), key=lambda item: (size(item[1]), item[0])):
            child_size = size(child_group)
            if budget + child_size <= SHARD_TARGET_BYTES:
                budget += child_size
            elif all(kind == "f" for _, kind, _ in child_group) and forms_budget + child_size <= SHARD_TARGET_BYTES:
                forms_budget += child_size
            else:
                continue
            rest += child_group
            del children[child]
        if rest:
            emit(key, rest)
        for child, child_group in sorted(children.items()):
            split(child, child_group)

    first: dict[str, list] = defaultdict(list)
    for item in items:
        first[item[0][:1]].append(item)
    for key, group in sorted(first.items()):
        split(key, group)
    return keys


def _add(files: dict[str, tuple[str, bytes]], rel: str, data: object, reuse: dict[str, bytes]) -> None:
    """Add one gzip-compressed JSON file (compressing only JSON not seen in the previous export)."""
    raw = json_text(data, separators=(",", ":")).encode()
    digest = hashlib.sha256(raw).hexdigest()
    packed = reuse.get(digest)
    if packed is None:
        packed = gzip.compress(raw, compresslevel=9, mtime=0)
    files[rel] = (digest, packed)
