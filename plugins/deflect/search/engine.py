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
from deflect.search.crosslingual import CROSS_WEIGHT, CrossTable
from deflect.search.documents import SearchDoc, index_fields
from deflect.search.matching import title_weight
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
        self._reach: dict[str, tuple[list[dict], dict[str, dict[int, float]]]] = {}
        self._titles: dict[str, float] = {}
        self._members: dict[str, set[int]] = {}  # per language, its untranslated articles' docnums in the source
        self.cross: dict[str, CrossTable] = {}  # per language, the untranslated articles its readers reach
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
        """The best ``limit`` hits of ``text`` in ``lang`` (with the untranslated articles its readers reach,
        see ``crosslingual``), or in every language (each article in its own)."""
        langs = [lang] if lang else self.languages
        hits: list[Hit] = []
        wanted = limit * 2  # untranslated articles weigh less after Whoosh ranks them
        for code in langs:
            if code not in self._indexes:
                continue
            words = parse_query(text, code, self.synonyms.get(code, []))
            if not words:
                continue
            with self._indexes[code].searcher(weighting=BM25F(B=BM25_B, K1=BM25_K1)) as searcher:
                groups = [self._word_query(searcher, word) for word in words]  # (None: a word with no query)
                # The section names what the reader typed (not a synonym), as each term's section
                # in the static index does.
                hits += self._ranked(searcher, code, [g for g in groups if g is not None],
                                     {word.alternatives[0][0] for word in words}, wanted)
                table = self.cross.get(code) if lang is not None else None
                if table is not None and table.docs and table.source in self._indexes:
                    hits += self._cross_hits(searcher, table, words, wanted)
        hits.sort(key=lambda h: -h.score)
        return hits[:limit]

    def _ranked(self, searcher: Any, lang: str, groups: list[Q.Query | None], terms: set[str], wanted: int,
                only: set[int] | None = None, table: CrossTable | None = None) -> list[Hit]:
        """The hits of a query whose words' queries are ``groups`` (None: one that nothing can match), among
        the docnums ``only`` if given: a document with every word scores double, one with some its score;
        ``table``: these are the untranslated articles its readers reach, shown in its language's section."""
        found = [g for g in groups if g is not None]
        if not found:
            return []
        ranked: list[tuple[float, int]] = []
        seen: set[int] = set()
        if len(found) == len(groups):
            for hit in searcher.search(Q.And(found) if len(found) > 1 else found[0], limit=wanted, filter=only):
                ranked.append((hit.score * 2.0, hit.docnum))
                seen.add(hit.docnum)
        if len(ranked) < wanted and (len(found) > 1 or len(found) < len(groups)):
            for hit in searcher.search(Q.Or(found), limit=wanted, filter=only):
                if hit.docnum not in seen:
                    ranked.append((hit.score, hit.docnum))
        hits = []
        factor = self.cross_factor(table) if table is not None else 1.0
        for score, docnum in ranked:
            stored = searcher.stored_fields(docnum)
            anchor, snippet = best_section(json.loads(stored["record"]), terms, lang)
            url = stored["url"] if table is None else table.url(stored["id"], stored["url"])
            if anchor and "#" not in url:
                url = f"{url}#{anchor}"
            hits.append(Hit(stored["id"], lang, url, stored["title"], stored["kind"], round(score * factor, 4),
                            snippet, anchor))
        return hits

    def _cross_hits(self, searcher: Any, table: CrossTable, words: list[QueryWord], wanted: int) -> list[Hit]:
        """The untranslated articles of ``table`` that the query ``words`` (in ``table.lang``, whose index
        ``searcher`` reads) find through their translations (a word none of whose terms is in the table
        nor in the language's index: through the table's terms one or two letters away)."""
        reader = searcher.reader()
        wanted_terms: set[str] = set()
        groups: list[Q.Query | None] = []

        def translated(term: str, weight: float) -> list[Q.Query]:  # a term's translations (a phrase: all its terms)
            found = []
            for group in table.terms[term]:
                parts = [Q.Or([Q.Term(field, t, boost=weight) for field in TEXT_FIELDS]) for t in group]
                found.append(parts[0] if len(parts) == 1 else Q.And(parts))
                wanted_terms.update(group)
            return found

        for word in words:
            options: list[Q.Query] = []
            for term, weight in _cross_alternatives(word, table, reader):
                options += translated(term, weight)
            for terms, weight in word.phrases:  # a synonym phrase: each of its terms through a translation
                if all(term in table.terms for term in terms):
                    options.append(Q.And([Q.Or(translated(term, weight)) for term in terms]))
            groups.append(Q.Or(options) if options else None)
        with self._indexes[table.source].searcher(weighting=BM25F(B=BM25_B, K1=BM25_K1)) as source:
            if table.lang not in self._members:  # the articles' document numbers, looked up once per index
                self._members[table.lang] = {n for n in map(lambda i: source.document_number(id=i), table.docs)
                                             if n is not None}
            return self._ranked(source, table.source, groups, wanted_terms, wanted, self._members[table.lang], table)

    def cross_factor(self, table: CrossTable) -> float:
        """What an untranslated article's weight in ``table.source``'s index is multiplied by against the
        reader's own articles: CROSS_WEIGHT, the weight a title word typically has counting the same in
        both indexes (``matching.title_weight``: BM25 weights scale with an index's size and lengths, and a
        language with few articles has low ones)."""
        return CROSS_WEIGHT * self._title_weight(table.lang) / self._title_weight(table.source)

    def _title_weight(self, lang: str) -> float:
        if lang not in self._titles:
            self._titles[lang] = title_weight(lang, *self.term_weights(lang))
        return self._titles[lang]

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
        for terms, weight in word.phrases:
            if all(any(reader.doc_frequency(field, term) for field in TEXT_FIELDS) for term in terms):
                options.append(Q.And([Q.Or([Q.Term(field, term, boost=weight) for field in TEXT_FIELDS])
                                      for term in terms]))
        return Q.Or(options) if options else None

    # ----- export ----------------------------------------------------------------------------
    def term_weights(self, lang: str) -> tuple[list[dict], dict[str, dict[int, float]]]:
        """The records of ``lang`` (in index order) and, for each term, the BM25F weight of every
        document containing it, summed over fields with their boosts (computed once)."""
        if lang not in self._weights:
            self._weights[lang] = self._term_weights(lang)
        return self._weights[lang]

    def reach_weights(self, lang: str) -> tuple[list[dict], dict[str, dict[int, float]]]:
        """``term_weights(lang)`` and, after its documents, the untranslated articles its readers reach
        (see ``crosslingual``; their records at their page in ``lang``'s section, with their ``source``
        language): a term of ``lang`` weighs in such an article the weight of its best translation there
        (a phrase: of its weakest term) times ``cross_factor``. Worked out once, for ticket matching."""
        if lang not in self._reach:
            self._reach[lang] = self._reach_weights(lang)
        return self._reach[lang]

    def _reach_weights(self, lang: str) -> tuple[list[dict], dict[str, dict[int, float]]]:
        records, weights = self.term_weights(lang)
        table = self.cross.get(lang)
        if table is None or not table.docs or table.source not in self.languages:
            return records, weights
        theirs, their_weights = self.term_weights(table.source)
        where = {record["id"]: n for n, record in enumerate(theirs)}
        members = [where[doc] for doc in table.docs if doc in where]
        number = {doc: len(records) + k for k, doc in enumerate(members)}
        merged = {term: dict(per_doc) for term, per_doc in weights.items()}
        factor = self.cross_factor(table)
        for term, groups in table.terms.items():
            best: dict[int, float] = {}
            for group in groups:
                postings = [their_weights.get(t, {}) for t in group]
                for doc, weight in postings[0].items():
                    if doc in number:
                        weight = min([weight, *(other.get(doc, 0.0) for other in postings[1:])])
                        if weight > best.get(doc, 0.0):
                            best[doc] = weight
            if best:
                per_doc = merged.setdefault(term, {})
                for doc, weight in best.items():
                    per_doc[number[doc]] = weight * factor
        reached = [dict(theirs[doc], url=table.url(theirs[doc]["id"], theirs[doc]["url"]), source=table.source)
                   for doc in members]
        return records + reached, merged

    def _term_weights(self, lang: str) -> tuple[list[dict], dict[str, dict[int, float]]]:
        ix = self._indexes[lang]
        weights: dict[str, dict[int, float]] = defaultdict(dict)
        with ix.searcher(weighting=BM25F(B=BM25_B, K1=BM25_K1)) as searcher:
            reader = searcher.reader()
            records = [json.loads(fields["record"]) for _, fields in reader.iter_docs()]
            order = {docnum: i for i, (docnum, _) in enumerate(reader.iter_docs())}
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
                        per_doc[doc] = per_doc.get(doc, 0.0) + scorer.score(matcher) * FIELD_BOOSTS[field]
                        matcher.next()
        return records, weights


class AnalysedIndex(SearchIndex):
    """An index of already analysed documents: term weights are computed from their terms exactly
    as Whoosh's BM25F scores them (a site build needs nothing more), and the Whoosh index, which
    only queries need, is opened by ``open_index`` on first use."""

    def __init__(self, docs: Iterable[tuple[SearchDoc, dict[str, list[str]]]], languages: Iterable[str],
                 synonyms: dict[str, list[list[str]]] | None, open_index: Callable[[], SearchIndex],
                 cross: dict[str, CrossTable] | None = None) -> None:
        self.synonyms = synonyms or {}
        self._weights = {}
        self._reach = {}
        self._titles = {}
        self._members = {}
        self.cross = cross or {}
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
        return records, bm25f_weights([fields for _, fields in docs])


def bm25f_weights(docs: list[dict[str, list[str]]]) -> dict[str, dict[int, float]]:
    """For each term of ``docs`` (each document's terms per field, in index order), the BM25F weight of
    every document containing it, summed over fields with their
    boosts: the same arithmetic, in the same order, as ``SearchIndex._term_weights`` over a Whoosh
    index, so the same floats, in the same order: terms field by field (each field's new terms sorted
    as UTF-8), a term's documents by the first field that has it, then in index order. Worked out as
    arrays, an element per posting (a million at 12 languages × 427 documents: 2.0 s of CPU as a loop
    per posting, 1.1 s here); numpy loads here, in the search worker."""
    import numpy as np

    count = len(docs)
    ids: dict[str, int] = {}  # term → number, in the order above
    fields: list[tuple[Any, Any, Any]] = []  # per field: term number, document, contribution of each posting
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
        fields.append((numbers, owners, score * boost))
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


def _cross_alternatives(word: QueryWord, table: CrossTable, reader: Any) -> list[tuple[str, float]]:
    """The terms of ``word`` (term, weight) that ``table`` translates; for a word with none, that the
    language's index (``reader``) does not know either (a typo), the table's terms one edit away (two
    from 8 letters), at 0.6 of the weight, as Whoosh's fuzzy terms are."""
    found = [(term, weight) for term, weight in word.alternatives if term in table.terms]
    if found or any(reader.doc_frequency(field, term) for term, _ in word.alternatives for field in TEXT_FIELDS):
        return found
    near = []
    for term, weight in word.alternatives:
        if len(term) >= 4:
            most = 1 if len(word.surface) <= 7 else 2
            near += [(other, weight * 0.6) for other in table.terms
                     if other[:1] == term[:1] and abs(len(other) - len(term)) <= most and _within(term, other, most)]
    return near


def _within(a: str, b: str, most: int) -> bool:
    """Whether ``a`` and ``b`` are at most ``most`` edits apart (insertions, deletions, substitutions)."""
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (x != y))
        if min(row) > most:
            return False
    return row[-1] <= most


def _record(doc: SearchDoc) -> dict:
    record = {"id": doc.id, "url": doc.url, "title": doc.title, "kind": doc.kind, "category": doc.category_title,
              "summary": doc.summary, "sections": [[s.anchor, s.heading, s.text, s.steps] for s in doc.sections]}
    return record
