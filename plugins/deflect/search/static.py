"""Export a Whoosh index as a static, sharded, gzip-compressed index for the browser.

Layout under ``<site>/search/``::

    manifest.json              languages, shard keys, stop words, analysed synonym groups
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
import json
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from deflect.search.analysis import analyzer_for
from deflect.search.engine import (SearchIndex, SectionTerms, analyse_sections, article_terms, pick_section,
                                   section_excerpt)
from deflect.search.query import synonym_terms

DOC_CHUNK = 8
MAX_POSTINGS = 120
SHARD_TARGET_BYTES = 24_000  # raw JSON (estimated); gzip takes shards to about a quarter
MAX_KEY_LEN = 5
FORMAT_VERSION = 3


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
                    analysed = sections[doc] = analyse_sections(record, lang)
                    wholes[doc] = article_terms(record, lang)
                section = pick_section(analysed, {term}, wholes[doc])
                data.postings += [doc, max(1, round(255 * weight / top)), section]
                data.excerpts.append(section_excerpt(record, analysed, section, {term}))
                shown = data.sections.setdefault(doc, {})
                if section >= 0:
                    shown[section] = [analysed[section].anchor, analysed[section].heading]
        sections.clear()
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
        keys = _write_shards(lang_dir / "t", terms, forms, records, stats)
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
    sections = [[anchor, heading] for anchor, heading, *_ in record["sections"]]
    answer = next(([i, steps] for i, (_, _, _, steps) in enumerate(record["sections"]) if steps), None)
    return [record["url"], record["title"], record["kind"], record["category"], record["summary"], sections,
            record.get("source", ""), answer]


@dataclass
class _TermData:
    postings: list[int] = field(default_factory=list)  # doc, weight, section, …
    excerpts: list[str] = field(default_factory=list)  # one per posting
    sections: dict[int, dict[int, list[str]]] = field(default_factory=dict)  # doc → section → [anchor, heading]


def _surface_forms(records: list[dict], analyzer, terms: set[str]) -> dict[str, str]:
    """Folded surface form → term, for forms that differ from their term: the content's own
    forms plus every dictionary inflection of the content's lemmas."""
    votes: dict[str, Counter] = defaultdict(Counter)
    for record in records:
        if record.get("source"):
            continue  # an untranslated article's words are not this language's
        text = " ".join([record["title"], record["summary"]] + [h + " " + t for _, h, t, *_ in record["sections"]])
        for token in analyzer.tokens(text):
            if token.surface != token.term:
                votes[token.surface][token.term] += 1
    forms = {surface: counter.most_common(1)[0][0] for surface, counter in votes.items()}
    for surface, term in analyzer.expansions(terms):
        if surface != term and surface not in forms and surface not in analyzer.folded_stops:
            forms[surface] = term
    return forms


def _write_shards(folder: Path, terms: dict[str, _TermData], forms: dict[str, str], records: list[dict],
                  stats: ExportStats) -> list[str]:
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

    def size(group: list[tuple[str, str, object]]) -> int:
        return sum(len(k) + 4 + item_size(v) for k, _, v in group)

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


def _write(path: Path, data: object, stats: ExportStats) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    packed = gzip.compress(raw, compresslevel=9, mtime=0)
    path.write_bytes(packed)
    stats.files += 1
    stats.bytes += len(packed)
