"""The Whoosh engine: per-language Whoosh indexes, their queries and BM25F term weights.

The only module that imports whoosh. One index per language (each with its own analyzer), built
from :class:`SearchDoc` records. It answers ``deflect search`` and hands BM25F term weights to
related articles (``related``), ticket matching (``matching``) and the static exporter.
"""
from __future__ import annotations

import json
import math
import shutil
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh import query as Q
from whoosh.analysis import Token as WToken
from whoosh.analysis import Tokenizer
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage, copy_to_ram
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length, length_to_byte

from deflect.search.analysis import analyzer_for
from deflect.search.crosslingual import CROSS_WEIGHT, PRE_ANALYSED
from deflect.search.documents import SearchDoc, index_fields
from deflect.search.query import QueryWord, parse_query
from deflect.search.snippets import best_section

FIELD_BOOSTS = {"title": 6.0, "tags": 3.0, "headings": 2.0, "body": 1.0}
TEXT_FIELDS = tuple(FIELD_BOOSTS)
BM25_B, BM25_K1 = 0.75, 1.2  # whoosh.scoring.BM25F's defaults, which searches use


class DeflectTokenizer(Tokenizer):
    """Whoosh tokenizer running Deflect's analysis for one language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DeflectTokenizer) and other.lang == self.lang

    def __call__(self, value: str, positions: bool = False, chars: bool = False, keeporiginal: bool = False,
                 removestops: bool = True, start_pos: int = 0, start_char: int = 0, tokenize: bool = True,
                 mode: str = "", **kwargs: object) -> Iterator[WToken]:
        token = WToken(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.original = token.text = value
            token.boost = 1.0
            token.pos = start_pos
            token.startchar, token.endchar = start_char, start_char + len(value)
            yield token
            return
        if value.startswith(PRE_ANALYSED):  # an untranslated article's translated terms
            for pos, term in enumerate(value[1:].split()):
                token.text = token.original = term
                token.boost = 1.0
                token.stopped = False
                if positions:
                    token.pos = start_pos + pos
                if chars:
                    token.startchar = token.endchar = start_char
                yield token
            return
        for item in analyzer_for(self.lang).tokens(value):
            token.text = item.term
            token.original = item.surface
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = start_pos + item.pos
            if chars:
                token.startchar, token.endchar = start_char + item.start, start_char + item.end
            yield token


def schema_for(lang: str) -> Schema:
    analyzer = DeflectTokenizer(lang)
    return Schema(
        id=ID(stored=True, unique=True),
        url=STORED, kind=ID(stored=True), category=ID(stored=True), record=STORED,
        title=TEXT(analyzer=analyzer, stored=True, field_boost=FIELD_BOOSTS["title"]),
        tags=TEXT(analyzer=analyzer, field_boost=FIELD_BOOSTS["tags"]),
        headings=TEXT(analyzer=analyzer, field_boost=FIELD_BOOSTS["headings"]),
        body=TEXT(analyzer=analyzer, field_boost=FIELD_BOOSTS["body"], vector=True),
        keywords=KEYWORD(commas=True),
    )


@dataclass
class Hit:
    id: str
    lang: str
    url: str
    title: str
    kind: str
    score: float
    snippet: str
    anchor: str


class SearchIndex:
    """Per-language Whoosh indexes in one folder."""

    def __init__(self, folder: Path, synonyms: dict[str, list[list[str]]] | None = None, *,
                 in_memory: bool = False) -> None:
        """Open the per-language indexes in ``folder``; ``in_memory`` copies them into memory, so
        that queries never read the folder again (another process may then replace or delete it)."""
        self.folder = folder
        self.synonyms = synonyms or {}
        self._weights: dict[str, tuple[list[dict], dict[str, dict[int, float]]]] = {}
        self._indexes = {}
        for path in sorted(folder.iterdir()):
            if path.is_dir() and whoosh_index.exists_in(str(path)):
                storage = FileStorage(str(path))
                self._indexes[path.name] = (copy_to_ram(storage) if in_memory else storage).open_index()

    @property
    def languages(self) -> list[str]:
        return list(self._indexes)

    def verify(self) -> None:
        """Read every language's index once (raises when a file of it is damaged)."""
        for ix in self._indexes.values():
            with ix.reader() as reader:
                for field in reader.indexed_field_names():
                    sum(1 for _ in reader.lexicon(field))

    @classmethod
    def build(cls, docs: Iterable[SearchDoc], folder: Path, languages: Iterable[str],
              synonyms: dict[str, list[list[str]]] | None = None,
              terms: Callable[[SearchDoc], dict[str, list[str]]] | None = None) -> SearchIndex:
        """Index ``docs`` in ``folder`` (replaced). ``terms`` gives a document's already analysed
        text fields (see ``index_fields``); Whoosh then only writes the postings."""
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        by_lang: dict[str, list[SearchDoc]] = defaultdict(list)
        for doc in docs:
            by_lang[doc.lang].append(doc)
        for lang in languages:
            path = folder / lang
            path.mkdir()
            ix = whoosh_index.create_in(str(path), schema_for(lang))
            writer = ix.writer(procs=1, limitmb=256)
            for doc in by_lang.get(lang, []):
                # A list of terms is indexed as it is (whoosh.formats.tokens), with the same
                # positions and weights as the analyzer's tokens of the text; an untranslated
                # article's fields are already terms (see crosslingual).
                fields = terms(doc) if terms else index_fields(doc)
                writer.add_document(
                    id=doc.id, url=doc.url, kind=doc.kind, category=doc.category, _stored_title=doc.title,
                    record=json.dumps(_record(doc), ensure_ascii=False), **fields,
                )
            writer.commit()
        return cls(folder, synonyms)

    # ----- queries ---------------------------------------------------------------------------
    def search(self, text: str, lang: str | None = None, limit: int = 10) -> list[Hit]:
        langs = [lang] if lang else self.languages
        hits: list[Hit] = []
        wanted = limit * 2  # untranslated articles weigh less after Whoosh ranks them
        for code in langs:
            ix = self._indexes.get(code)
            if ix is None:
                continue
            words = parse_query(text, code, self.synonyms.get(code, []))
            if not words:
                continue
            with ix.searcher(weighting=BM25F(B=BM25_B, K1=BM25_K1)) as searcher:
                groups = [self._word_query(searcher, word) for word in words]
                groups = [g for g in groups if g is not None]
                if not groups:
                    continue
                seen: set[int] = set()
                ranked: list[tuple[float, int]] = []
                strict = Q.And(groups) if len(groups) > 1 else groups[0]
                for hit in searcher.search(strict, limit=wanted):
                    ranked.append((hit.score * 2.0, hit.docnum))
                    seen.add(hit.docnum)
                if len(ranked) < wanted and len(groups) > 1:
                    for hit in searcher.search(Q.Or(groups), limit=wanted):
                        if hit.docnum not in seen:
                            ranked.append((hit.score, hit.docnum))
                # The section names what the reader typed (not a synonym), as each term's section
                # in the static index does.
                terms = {word.alternatives[0][0] for word in words}
                for score, docnum in ranked:
                    stored = searcher.stored_fields(docnum)
                    record = json.loads(stored["record"])
                    source = record.get("source")
                    if source and lang is None:
                        continue  # searching every language finds the original itself
                    anchor, snippet = best_section(record, terms, code)
                    url = stored["url"]
                    if anchor and "#" not in url:
                        url = f"{url}#{anchor}"
                    hits.append(Hit(stored["id"], source or code, url, stored["title"], stored["kind"],
                                    round(score * (CROSS_WEIGHT if source else 1.0), 4), snippet, anchor))
        hits.sort(key=lambda h: -h.score)
        return hits[:limit]

    def _word_query(self, searcher: object, word: QueryWord) -> Q.Query | None:
        reader = searcher.reader()  # type: ignore[attr-defined]
        options: list[Q.Query] = []
        for term, weight in word.alternatives:
            known = any(reader.doc_frequency(field, term) for field in TEXT_FIELDS)
            for field in TEXT_FIELDS:
                if known:
                    options.append(Q.Term(field, term, boost=weight))
                elif len(term) >= 4:
                    maxdist = 1 if len(word.surface) <= 7 else 2
                    options.append(Q.FuzzyTerm(field, term, boost=weight * 0.6, maxdist=maxdist, prefixlength=1))
            if word.prefix and len(word.surface) >= 2:
                for field in ("title", "headings", "body"):
                    options.append(Q.Prefix(field, word.surface, boost=0.5))
        return Q.Or(options) if options else None

    # ----- export ----------------------------------------------------------------------------
    def term_weights(self, lang: str) -> tuple[list[dict], dict[str, dict[int, float]]]:
        """The records of ``lang`` (in index order) and, for each term, the BM25F weight of every
        document containing it, summed over fields with their boosts (computed once)."""
        if lang not in self._weights:
            self._weights[lang] = self._term_weights(lang)
        return self._weights[lang]

    def _term_weights(self, lang: str) -> tuple[list[dict], dict[str, dict[int, float]]]:
        ix = self._indexes[lang]
        weights: dict[str, dict[int, float]] = defaultdict(dict)
        with ix.searcher(weighting=BM25F(B=BM25_B, K1=BM25_K1)) as searcher:
            reader = searcher.reader()
            records = [json.loads(fields["record"]) for _, fields in reader.iter_docs()]
            order = {docnum: i for i, (docnum, _) in enumerate(reader.iter_docs())}
            factor = [CROSS_WEIGHT if record.get("source") else 1.0 for record in records]
            for field in TEXT_FIELDS:
                if field not in reader.indexed_field_names():
                    continue
                for raw in reader.lexicon(field):
                    term = raw.decode("utf-8") if isinstance(raw, bytes) else raw
                    scorer = searcher.weighting.scorer(searcher, field, term)
                    matcher = reader.postings(field, term)
                    per_doc = weights[term]
                    while matcher.is_active():
                        doc = order[matcher.id()]
                        per_doc[doc] = per_doc.get(doc, 0.0) + scorer.score(matcher) * FIELD_BOOSTS[field] * factor[doc]
                        matcher.next()
        return records, weights


class AnalysedIndex(SearchIndex):
    """An index of already analysed documents: term weights are computed from their terms exactly
    as Whoosh's BM25F scores them (a site build needs nothing more), and the Whoosh index, which
    only queries need, is opened by ``open_index`` on first use."""

    def __init__(self, docs: Iterable[tuple[SearchDoc, dict[str, list[str]]]], languages: Iterable[str],
                 synonyms: dict[str, list[list[str]]] | None, open_index: Callable[[], SearchIndex]) -> None:
        self.synonyms = synonyms or {}
        self._weights = {}
        self._open_index = open_index
        self._whoosh: SearchIndex | None = None
        self._by_lang: dict[str, list[tuple[SearchDoc, dict[str, list[str]]]]] = {lang: [] for lang in languages}
        for doc, fields in docs:
            self._by_lang[doc.lang].append((doc, fields))

    @property
    def languages(self) -> list[str]:
        return sorted(self._by_lang)  # as a Whoosh folder lists them

    @property
    def _indexes(self) -> dict:  # type: ignore[override]
        if self._whoosh is None:
            self._whoosh = self._open_index()
        return self._whoosh._indexes

    def _term_weights(self, lang: str) -> tuple[list[dict], dict[str, dict[int, float]]]:
        docs = self._by_lang[lang]
        records = [_record(doc) for doc, _ in docs]  # the JSON values Whoosh's stored records load as
        factor = [CROSS_WEIGHT if record.get("source") else 1.0 for record in records]
        return records, bm25f_weights([fields for _, fields in docs], factor)


def bm25f_weights(docs: list[dict[str, list[str]]], factor: list[float]) -> dict[str, dict[int, float]]:
    """For each term of ``docs`` (each document's terms per field, in index order), the BM25F weight of
    every document containing it, times the document's ``factor``, summed over fields with their
    boosts: the same arithmetic, in the same order, as ``SearchIndex._term_weights`` over a Whoosh
    index, so the same floats, in the same order: terms field by field (each field's new terms sorted
    as UTF-8), a term's documents by the first field that has it, then in index order. Worked out as
    arrays, an element per posting (a million at 12 languages × 427 documents: 2.0 s of CPU as a loop
    per posting, 1.1 s here); numpy loads here, in the search worker."""
    import numpy as np

    count = len(docs)
    ids: dict[str, int] = {}  # term → number, in the order above
    fields: list[tuple[Any, Any, Any]] = []  # per field: term number, document, contribution of each posting
    factors = np.array(factor, dtype=np.float64)
    for field in TEXT_FIELDS:
        boost = FIELD_BOOSTS[field]
        terms: list[str] = []
        frequencies: list[int] = []
        sizes: list[int] = []
        lengths: list[int] = []
        total = 0
        for doc in docs:
            found = doc[field]
            total += len(found)
            lengths.append(byte_to_length(length_to_byte(len(found))))  # Whoosh keeps lengths in a byte
            counted = Counter(found)
            terms += counted
            frequencies += counted.values()
            sizes.append(len(counted))
        if not terms:
            continue
        for term in sorted(set(terms).difference(ids), key=lambda t: t.encode("utf-8")):
            ids[term] = len(ids)
        average = total / (count or 1) or 1
        # Each document's length norm, worked out once per field (the same expression, so the same float)
        norms = np.array([BM25_K1 * ((1 - BM25_B) + BM25_B * length / average) for length in lengths])
        numbers = np.fromiter(map(ids.__getitem__, terms), dtype=np.int64, count=len(terms))
        owners = np.repeat(np.arange(count), sizes)
        frequency = np.bincount(numbers, minlength=len(ids))  # documents with each term in this field
        # math.log, as the loops: numpy's log may differ in the last bit
        idf = {df: math.log(count / (df + 1)) + 1 for df in set(frequency[numbers].tolist())}
        idfs = np.array([idf.get(df, 0.0) for df in frequency.tolist()])[numbers]
        weight = np.array(frequencies, dtype=np.float64) * boost  # Whoosh keeps a posting's weight times the boost
        score = idfs * ((weight * (BM25_K1 + 1)) / (weight + norms[owners]))
        fields.append((numbers, owners, score * boost * factors[owners]))
    if not fields:
        return defaultdict(dict)
    width = max(count, 1)
    keys = np.concatenate([numbers * width + owners for numbers, owners, _ in fields])
    pairs, first = np.unique(keys, return_index=True)  # first: in the earliest field that has the pair
    sums = np.zeros(len(pairs))
    for numbers, owners, contribution in fields:  # field by field, as the loops add them up
        sums[np.searchsorted(pairs, numbers * width + owners)] += contribution  # a pair at most once a field
    starts = np.cumsum([0] + [len(numbers) for numbers, _, _ in fields])
    which = np.searchsorted(starts, first, side="right") - 1  # the field of each pair's first posting
    term_of, doc_of = pairs // width, pairs % width
    order = np.lexsort((doc_of, which, term_of))
    term_of, doc_of, sums = term_of[order], doc_of[order], sums[order]
    bounds = np.flatnonzero(np.diff(term_of)) + 1
    names = list(ids)
    weights: dict[str, dict[int, float]] = defaultdict(dict)
    all_docs, all_sums = doc_of.tolist(), sums.tolist()
    for number, start, end in zip(term_of[np.r_[0, bounds]].tolist(), np.r_[0, bounds].tolist(),
                                  np.r_[bounds, len(term_of)].tolist()):
        weights[names[number]] = dict(zip(all_docs[start:end], all_sums[start:end]))
    return weights


def _record(doc: SearchDoc) -> dict:
    record = {"id": doc.id, "url": doc.url, "title": doc.title, "kind": doc.kind, "category": doc.category_title,
              "summary": doc.summary, "sections": [[s.anchor, s.heading, s.text, s.steps] for s in doc.sections]}
    if doc.source_lang:
        record["source"] = doc.source_lang
    return record
