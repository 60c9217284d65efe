"""Export a Whoosh index as a static, sharded, gzip-compressed index for the browser.

Layout under ``<site>/search/``::

    manifest.json              languages, shard keys, stop words, analysed synonym groups
    <lang>/t/<key>.json.gz     {"t": {term: [doc, weight, section, …]}, "f": {surface form: term}}
    <lang>/d/<n>.json.gz       documents n*CHUNK … n*CHUNK+CHUNK-1: [url, title, kind, category, summary, sections]

A shard holds the terms and surface forms that start with its key; keys grow one character
at a time until a shard is small, so a query downloads only the few shards its words touch.
"""
from __future__ import annotations

import gzip
import json
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from deflect.search.analysis import analyzer_for
from deflect.search.engine import SearchIndex
from deflect.search.query import synonym_terms

DOC_CHUNK = 8
MAX_POSTINGS = 120
SHARD_TARGET_BYTES = 12_000  # raw JSON; about a third of that gzipped
MAX_KEY_LEN = 5
SNIPPET_CHARS = 240
FORMAT_VERSION = 1


@dataclass
class ExportStats:
    files: int = 0
    bytes: int = 0
    terms: int = 0
    forms: int = 0


def export_static(index: SearchIndex, out: Path, synonyms: dict[str, list[list[str]]],
                  progress: Callable[[str], None] | None = None) -> ExportStats:
    stats = ExportStats()
    out.mkdir(parents=True, exist_ok=True)
    manifest: dict = {"version": FORMAT_VERSION, "chunk": DOC_CHUNK, "languages": {}}
    for lang in index.languages:
        records, weights = index.term_weights(lang)
        if progress:
            progress(f"search index {lang}: {len(records)} documents, {len(weights)} terms")
        lang_dir = out / lang
        analyzer = analyzer_for(lang)
        section_of = _sections_by_term(records, lang)
        top = max((w for per_doc in weights.values() for w in per_doc.values()), default=1.0) or 1.0
        terms: dict[str, list[int]] = {}
        for term, per_doc in weights.items():
            ranked = sorted(per_doc.items(), key=lambda item: -item[1])[:MAX_POSTINGS]
            flat: list[int] = []
            for doc, weight in ranked:
                flat += [doc, max(1, round(255 * weight / top)), section_of.get((doc, term), 0)]
            terms[term] = flat
        forms = _surface_forms(records, analyzer, set(terms))
        # Synonym words the content never uses still need their form → term entry, or the
        # browser could not recognise them (zaporka → zapork).
        for group in synonyms.get(lang, []):
            for member in group:
                for token in analyzer.tokens(member):
                    if token.surface != token.term:
                        forms.setdefault(token.surface, token.term)
        stats.terms += len(terms)
        stats.forms += len(forms)
        keys = _write_shards(lang_dir / "t", terms, forms, stats)
        for n in range(0, len(records), DOC_CHUNK):
            chunk = [_doc_entry(r) for r in records[n:n + DOC_CHUNK]]
            _write(lang_dir / "d" / f"{n // DOC_CHUNK}.json.gz", chunk, stats)
        manifest["languages"][lang] = {
            "docs": len(records),
            "terms": len(terms),
            "forms": len(forms),
            "shards": sorted(keys),
            "stop": sorted(analyzer.folded_stops),
            "synonyms": [[list(m) for m in group] for group in synonym_terms(lang, synonyms.get(lang, []))],
        }
    data = json.dumps(manifest, ensure_ascii=False, separators=(",", ":")).encode()
    (out / "manifest.json").write_bytes(data)
    stats.files += 1
    stats.bytes += len(data)
    return stats


def _doc_entry(record: dict) -> list:
    sections = [[a, h, t[:SNIPPET_CHARS]] for a, h, t in record["sections"]]
    return [record["url"], record["title"], record["kind"], record["category"], record["summary"], sections]


def _sections_by_term(records: list[dict], lang: str) -> dict[tuple[int, str], int]:
    """For each (document, term): the section to link to (heading match first, else most mentions)."""
    analyzer = analyzer_for(lang)
    best: dict[tuple[int, str], tuple[int, int]] = {}
    for doc, record in enumerate(records):
        for index, (_, heading, text) in enumerate(record["sections"]):
            counts = Counter(analyzer.terms(text))
            for term in analyzer.terms(heading):
                counts[term] += 100
            for term, count in counts.items():
                if count > best.get((doc, term), (0, 0))[0]:
                    best[(doc, term)] = (count, index)
    return {key: index for key, (_, index) in best.items()}


def _surface_forms(records: list[dict], analyzer, terms: set[str]) -> dict[str, str]:
    """Folded surface form → term, for forms that differ from their term: the content's own
    forms plus every dictionary inflection of the content's lemmas."""
    votes: dict[str, Counter] = defaultdict(Counter)
    for record in records:
        text = " ".join([record["title"], record["summary"]] + [h + " " + t for _, h, t in record["sections"]])
        for token in analyzer.tokens(text):
            if token.surface != token.term:
                votes[token.surface][token.term] += 1
    forms = {surface: counter.most_common(1)[0][0] for surface, counter in votes.items()}
    for surface, term in analyzer.expansions(terms):
        if surface != term and surface not in forms and surface not in analyzer.folded_stops:
            forms[surface] = term
    return forms


def _write_shards(folder: Path, terms: dict[str, list[int]], forms: dict[str, str], stats: ExportStats) -> list[str]:
    items: list[tuple[str, str, object]] = [(t, "t", p) for t, p in terms.items()]
    items += [(s, "f", t) for s, t in forms.items()]
    keys: list[str] = []

    def size(group: list[tuple[str, str, object]]) -> int:
        return sum(len(k) + 4 + (len(v) * 4 if isinstance(v, list) else len(v) + 3) for k, _, v in group)

    def emit(key: str, group: list[tuple[str, str, object]]) -> None:
        shard: dict[str, dict] = {"t": {}, "f": {}}
        for k, kind, v in group:
            shard[kind][k] = v
        _write(folder / f"{key}.json.gz", shard, stats)
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


def _write(path: Path, data: object, stats: ExportStats) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    packed = gzip.compress(raw, compresslevel=9, mtime=0)
    path.write_bytes(packed)
    stats.files += 1
    stats.bytes += len(packed)
