"""The Whoosh engine: per-language Whoosh indexes, their queries and BM25F term weights.

The only module that imports whoosh. One index per language (each with its own analyzer), built
from :class:`SearchDoc` records. It answers ``deflect search`` as the site's search box would (the
browser's resolution of a query's words and its scoring, ported: ``_resolve``, ``_word_scores``,
``_ranked``, over each term's BM25F weights) and hands those weights to related articles
(``related``), ticket matching (``matching``) and the static exporter.
"""
from __future__ import annotations

import json
import math
import shutil
from collections import Counter, defaultdict
from collections.abc import Callable, Container, Iterable, Iterator
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

from deflect.processes import Progress
from deflect.search.analysis import analyzer_for, fold
from deflect.search.crosslingual import CROSS_WEIGHT, CrossTable
from deflect.search.documents import SearchDoc, index_fields
from deflect.search.matching import title_weight
from deflect.search.query import QueryWord, apply_synonyms, parse_query, synonym_terms
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
        self._synonym_terms: dict[str, tuple[list[list[tuple[str, ...]]], set[str]]] = {}  # analysed synonyms
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
              terms: Callable[[SearchDoc], dict[str, list[str]]] | None = None,
              progress: Callable[[str], None] | None = None) -> SearchIndex:
        """Index ``docs`` in ``folder`` (replaced). ``terms`` gives a document's already analysed
        text fields (see ``index_fields``); Whoosh then only writes the postings. ``progress`` hears how
        far indexing 1,000 documents or more is (``processes.Progress``: about a minute at 20,000)."""
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        by_lang: dict[str, list[SearchDoc]] = defaultdict(list)
        count = 0
        for doc in docs:
            by_lang[doc.lang].append(doc)
            count += 1
        ticks = Progress("search: indexing", count, "documents", progress)
        done = 0
        for lang in languages:
            path = folder / lang
            path.mkdir()
            ix = whoosh_index.create_in(str(path), schema_for(lang))
            writer = ix.writer(procs=1, limitmb=256)
            for doc in by_lang.get(lang, []):
                # A list of terms is indexed as it is (whoosh.formats.tokens), with the same
                # positions and weights as the analyzer's tokens of the text.
                fields = terms(doc) if terms else index_fields(doc)
                writer.add_document(
                    id=doc.id, url=doc.url, kind=doc.kind, category=doc.category, _stored_title=doc.title,
                    record=json.dumps(_record(doc), ensure_ascii=False), **fields,
                )
                done += 1
                ticks.tick(done)
            writer.commit()
            ticks.tick(done)
        ticks.finish()
        return cls(folder, synonyms)

    # ----- queries ---------------------------------------------------------------------------
    def search(self, text: str, lang: str | None = None, limit: int = 10) -> list[Hit]:
        """The best ``limit`` hits of ``text`` in ``lang`` (with the untranslated articles its readers reach,
        see ``crosslingual``), or in every language (each article in its own), found and ranked as the
        site's search box finds and ranks them (``search-analysis.js``, ``search-rank.js``)."""
        langs = [lang] if lang else self.languages
        hits: list[Hit] = []
        for code in langs:
            if code not in self._indexes:
                continue
            words = parse_query(text, code)
            if not words:
                continue
            table = self.cross.get(code) if lang is not None else None
            if table is not None and not (table.docs and table.source in self._indexes):
                table = None
            if code not in self._synonym_terms:  # the language's analysed synonyms, and their terms
                groups = synonym_terms(code, self.synonyms.get(code, []))
                self._synonym_terms[code] = groups, {term for group in groups for member in group for term in member}
            groups_of_synonyms, named = self._synonym_terms[code]
            with self._indexes[code].searcher(weighting=BM25F(B=BM25_B, K1=BM25_K1)) as searcher:
                reader = searcher.reader()
                for word in words:
                    word.alternatives = _resolve(word, reader, table, named)
                typed = [{term for term, _ in word.alternatives} | {fold(word.surface)} for word in words]
                apply_synonyms(words, typed, groups_of_synonyms)
                words = [word for word in words if not word.merged]
                postings = _Postings(searcher)
                scores = [_word_scores(word, postings) for word in words]
                # The section names what the reader typed (not a synonym), as each term's section
                # in the static index does.
                hits += self._ranked(searcher, code, scores,
                                     {word.alternatives[0][0] for word in words if word.alternatives}, limit)
                if table is not None:
                    hits += self._cross_hits(table, words, limit)
        hits.sort(key=lambda h: -h.score)
        return hits[:limit]

    def _ranked(self, searcher: Any, lang: str, words: list[dict[int, float]], terms: set[str], wanted: int,
                table: CrossTable | None = None) -> list[Hit]:
        """The hits of a query whose words score ``words`` ({docnum: score} each), ranked as the browser
        ranks them (``search-rank.js``): a document scores the sum of its words' scores, doubled when it
        has every word, else scaled by the share it has; ``table``: these are the untranslated articles its
        readers reach (in ``searcher``'s index, its source's), shown in its language's section."""
        totals: dict[int, float] = defaultdict(float)
        matched: Counter[int] = Counter()
        for scores in words:
            for docnum, score in scores.items():
                totals[docnum] += score
                matched[docnum] += 1
        ranked = sorted(((score * (2.0 if matched[docnum] == len(words) else matched[docnum] / len(words)), docnum)
                         for docnum, score in totals.items()), key=lambda item: (-item[0], item[1]))[:wanted]
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

    def _cross_hits(self, table: CrossTable, words: list[QueryWord], wanted: int) -> list[Hit]:
        """The untranslated articles of ``table`` that the resolved query ``words`` (in ``table.lang``) find
        through their terms' translations, scored as the browser scores them: a translation is a term, or a
        phrase whose terms an article must all have, weighing as its weakest; a term counts its best
        translation; a synonym phrase, each of its terms through theirs."""
        with self._indexes[table.source].searcher(weighting=BM25F(B=BM25_B, K1=BM25_K1)) as source:
            if table.lang not in self._members:  # the articles' document numbers, looked up once per index
                self._members[table.lang] = {n for n in map(lambda i: source.document_number(id=i), table.docs)
                                             if n is not None}
            postings = _Postings(source, self._members[table.lang])
            reached: dict[str, dict[int, float]] = {}

            def reach(term: str) -> dict[int, float]:  # a term's articles, at its best translation's weight
                if term not in reached:
                    reached[term] = _best_translation(table.terms[term], postings)
                return reached[term]

            scores = []
            for word in words:
                best: dict[int, float] = {}
                for terms, weight in [((term,), weight) for term, weight in word.alternatives] + word.phrases:
                    if all(term in table.terms for term in terms):
                        _offer(best, [reach(term) for term in terms], weight)
                scores.append(best)
            # (the snippet's terms: every translation the query used, of its terms and its synonym phrases')
            return self._ranked(source, table.source, scores, set(postings.found), wanted, table)

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
            best = _best_translation(groups, lambda t: their_weights.get(t, {}), number)
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
        self._synonym_terms = {}
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


def _best_translation(groups: list[list[str]], weights: Callable[[str], dict[int, float]],
                     among: Container[int] | None = None) -> dict[int, float]:
    """The documents (of ``among``, if given) that a term reaches through its translations ``groups`` (a
    term, or a phrase whose terms a document must all have), each at the weight of its best translation
    there (a phrase: of its weakest term), from each term's ``weights`` per document. The browser's
    ``reachedLevels`` does the same with a shard's levels."""
    best: dict[int, float] = {}
    for group in groups:
        found = [weights(t) for t in group]
        for doc, weight in found[0].items():
            if among is None or doc in among:
                weight = min([weight, *(other.get(doc, 0.0) for other in found[1:])])
                if weight > best.get(doc, 0.0):
                    best[doc] = weight
    return best


def _term_query(term: str, weight: float) -> Q.Query:
    """``term`` in any text field at ``weight``: the fields' weights times their boosts, summed (the static
    index's posting weights; Whoosh's BM25F leaves the schema's field boosts out)."""
    return Q.Or([Q.Term(field, term, boost=weight * FIELD_BOOSTS[field]) for field in TEXT_FIELDS])


def _known(reader: Any, term: str) -> bool:
    return any(reader.doc_frequency(field, term) for field in TEXT_FIELDS)


def _resolve(word: QueryWord, reader: Any, table: CrossTable | None, named: set[str]) -> list[tuple[str, float]]:
    """The terms a query word stands for, with their weights, as the browser resolves it (``resolveWord``):
    its term (or the word as typed) when the index (``reader``), the cross ``table`` or the synonyms
    (``named``: their terms) have it; else the longest such term that starts the word (0.85: at least 4
    letters, at most 5 fewer); else those one edit away (0.7; a transposition is one) or, from 8 letters,
    two (0.55). The last word, unless a space follows it, also stands for the terms it starts (0.6, up to
    40)."""
    def known(term: str) -> bool:
        return term in named or _known(reader, term) or (table is not None and term in table.terms)

    surface = fold(word.surface)
    found: dict[str, float] = {}

    def add(term: str, weight: float) -> None:
        if weight > found.get(term, 0.0):
            found[term] = weight

    for term, weight in [*word.alternatives, (surface, 1.0)]:
        if known(term):
            add(term, weight)
    if not found:
        for n in range(len(surface) - 1, max(4, len(surface) - 5) - 1, -1):
            if known(surface[:n]):
                add(surface[:n], 0.85)
                break
    if not found and len(surface) >= 4:
        most = 2 if len(surface) >= 8 else 1
        for typed in {surface, *(term for term, _ in word.alternatives)}:
            for other in _terms_near(reader, table, typed, most):
                add(other, 0.7 if _distance(typed, other, 1) <= 1 else 0.55)
    if word.prefix and len(surface) >= 2:
        for other in _started_terms(reader, table, surface):
            add(other, 0.6)
    return list(found.items())


class _Postings:
    """A term's documents in one index (among the docnums ``only`` if given) with its weight there: each
    field's BM25F weight times the field's boost, summed (the static index's posting weights), looked up
    once per query."""

    def __init__(self, searcher: Any, only: set[int] | None = None) -> None:
        self.searcher, self.only = searcher, only
        self.found: dict[str, dict[int, float]] = {}

    def __call__(self, term: str) -> dict[int, float]:
        if term not in self.found:
            self.found[term] = {hit.docnum: hit.score for hit in
                                self.searcher.search(_term_query(term, 1.0), limit=None, filter=self.only)}
        return self.found[term]


def _offer(best: dict[int, float], parts: list[dict[int, float]], weight: float) -> None:
    """Offer the documents that have every one of ``parts`` (a term's documents, or a phrase's terms'),
    at ``weight`` times their summed weights, to a word's ``best`` score per document."""
    for docnum, first in parts[0].items():
        if all(docnum in part for part in parts[1:]):
            score = weight * (first + sum(part[docnum] for part in parts[1:]))
            if score > best.get(docnum, 0.0):
                best[docnum] = score


def _word_scores(word: QueryWord, postings: _Postings) -> dict[int, float]:
    """A resolved query word's score per document: its best alternative there (a term, or a synonym
    phrase whose terms the document must all have), as the browser scores it."""
    best: dict[int, float] = {}
    for terms, weight in [((term,), weight) for term, weight in word.alternatives] + word.phrases:
        _offer(best, [postings(term) for term in terms], weight)
    return best


def _terms_near(reader: Any, table: CrossTable | None, term: str, most: int) -> set[str]:
    """The terms of the index (``reader``) and the cross ``table`` at most ``most`` edits from ``term``
    with its first letter."""
    near = set()
    for field in TEXT_FIELDS:
        if field in reader.indexed_field_names():  # (a transposition is two edits for Whoosh)
            for raw in reader.terms_within(field, term, most + 1, prefix=1):
                near.add(raw.decode("utf-8") if isinstance(raw, bytes) else raw)
    if table is not None:
        near.update(other for other in table.terms if other[:1] == term[:1] and abs(len(other) - len(term)) <= most)
    return {other for other in near if other != term and _distance(term, other, most) <= most}


def _started_terms(reader: Any, table: CrossTable | None, prefix: str, most: int = 40) -> list[str]:
    """Up to ``most`` terms of the index (``reader``) and the cross ``table`` longer than ``prefix`` that
    start with it."""
    found: set[str] = set()
    for field in TEXT_FIELDS:
        if field in reader.indexed_field_names():
            for raw in reader.expand_prefix(field, prefix):
                found.add(raw.decode("utf-8") if isinstance(raw, bytes) else raw)
    if table is not None:
        found.update(other for other in table.terms if other.startswith(prefix))
    return sorted(other for other in found if len(other) > len(prefix))[:most]


def _distance(a: str, b: str, most: int) -> int:
    """The edit distance of ``a`` and ``b`` (insertions, deletions, substitutions and transpositions of
    neighbours, as the browser's ``editDistance``), or ``most + 1`` when it is more than ``most``."""
    if abs(len(a) - len(b)) > most:
        return most + 1
    before: list[int] | None = None
    row = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            value = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + (a[i - 1] != b[j - 1]))
            if before is not None and i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, before[j - 2] + 1)
            current[j] = value
        if min(current) > most:
            return most + 1
        before, row = row, current
    return row[-1]


def _record(doc: SearchDoc) -> dict:
    record = {"id": doc.id, "url": doc.url, "title": doc.title, "kind": doc.kind, "category": doc.category_title,
              "summary": doc.summary, "sections": [[s.anchor, s.heading, s.text, s.steps] for s in doc.sections]}
    return record
