"""The Whoosh engine: the only module that imports whoosh.

One index per language (each with its own analyzer), built from :class:`SearchDoc` records.
It answers ``deflect search``, computes related articles, and hands BM25F term weights to the
static exporter.
"""
from __future__ import annotations

import json
import shutil
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh import query as Q
from whoosh.analysis import Token as WToken
from whoosh.analysis import Tokenizer
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema
from whoosh.scoring import BM25F

from deflect.search.analysis import analyzer_for
from deflect.search.documents import SearchDoc
from deflect.search.query import QueryWord, parse_query

FIELD_BOOSTS = {"title": 4.0, "tags": 2.5, "headings": 2.0, "body": 1.0}
TEXT_FIELDS = tuple(FIELD_BOOSTS)


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

    def __init__(self, folder: Path, synonyms: dict[str, list[list[str]]] | None = None) -> None:
        self.folder = folder
        self.synonyms = synonyms or {}
        self._weights: dict[str, tuple[list[dict], dict[str, dict[int, float]]]] = {}
        self._indexes = {path.name: whoosh_index.open_dir(str(path)) for path in sorted(folder.iterdir())
                         if path.is_dir() and whoosh_index.exists_in(str(path))}

    @property
    def languages(self) -> list[str]:
        return list(self._indexes)

    @classmethod
    def build(cls, docs: Iterable[SearchDoc], folder: Path, languages: Iterable[str],
              synonyms: dict[str, list[list[str]]] | None = None) -> SearchIndex:
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
                writer.add_document(
                    id=doc.id, url=doc.url, kind=doc.kind, category=doc.category, title=doc.title,
                    tags=" ".join(doc.tags) + " " + doc.summary, headings=doc.headings, body=doc.body,
                    record=json.dumps(_record(doc), ensure_ascii=False),
                )
            writer.commit()
        return cls(folder, synonyms)

    # ----- queries ---------------------------------------------------------------------------
    def search(self, text: str, lang: str | None = None, limit: int = 10) -> list[Hit]:
        langs = [lang] if lang else self.languages
        hits: list[Hit] = []
        for code in langs:
            ix = self._indexes.get(code)
            if ix is None:
                continue
            words = parse_query(text, code, self.synonyms.get(code, []))
            if not words:
                continue
            with ix.searcher(weighting=BM25F()) as searcher:
                groups = [self._word_query(searcher, word) for word in words]
                groups = [g for g in groups if g is not None]
                if not groups:
                    continue
                seen: set[int] = set()
                ranked: list[tuple[float, int]] = []
                strict = Q.And(groups) if len(groups) > 1 else groups[0]
                for hit in searcher.search(strict, limit=limit):
                    ranked.append((hit.score * 2.0, hit.docnum))
                    seen.add(hit.docnum)
                if len(ranked) < limit and len(groups) > 1:
                    for hit in searcher.search(Q.Or(groups), limit=limit):
                        if hit.docnum not in seen:
                            ranked.append((hit.score, hit.docnum))
                terms = {alt for word in words for alt, _ in word.alternatives}
                for score, docnum in ranked:
                    stored = searcher.stored_fields(docnum)
                    record = json.loads(stored["record"])
                    anchor, snippet = best_section(record, terms, code)
                    url = stored["url"]
                    if anchor and "#" not in url:
                        url = f"{url}#{anchor}"
                    hits.append(Hit(stored["id"], code, url, stored["title"], stored["kind"], round(score, 4),
                                    snippet, anchor))
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

    def related_all(self, limit: int, key_terms: int = 10, fan_out: int = 60) -> dict[str, list[tuple[str, str, str]]]:
        """For every article: (id, title, url) of the ``limit`` articles sharing the most weight on
        its ``key_terms`` strongest terms. Linear in the number of documents: each document looks
        only at the ``fan_out`` strongest postings of its key terms."""
        related: dict[str, list[tuple[str, str, str]]] = {}
        for lang in self.languages:
            records, weights = self.term_weights(lang)
            by_doc: dict[int, list[tuple[float, str]]] = defaultdict(list)
            ranked_postings: dict[str, list[tuple[int, float]]] = {}
            for term, per_doc in weights.items():
                if len(per_doc) < 2:
                    continue  # a term in one document relates nothing
                ranked_postings[term] = sorted(per_doc.items(), key=lambda item: -item[1])[:fan_out]
                for doc, weight in per_doc.items():
                    by_doc[doc].append((weight, term))
            for doc, record in enumerate(records):
                if record["kind"] == "faq":
                    continue
                scores: dict[int, float] = defaultdict(float)
                for weight, term in sorted(by_doc.get(doc, []), reverse=True)[:key_terms]:
                    for other, other_weight in ranked_postings[term]:
                        if other != doc and records[other]["kind"] != "faq":
                            scores[other] += weight * other_weight
                best = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:limit]
                related[record["id"]] = [(records[o]["id"], records[o]["title"], records[o]["url"]) for o, _ in best]
        return related

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
        with ix.searcher(weighting=BM25F()) as searcher:
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


def _record(doc: SearchDoc) -> dict:
    return {"id": doc.id, "url": doc.url, "title": doc.title, "kind": doc.kind, "category": doc.category_title,
            "summary": doc.summary, "sections": [[s.anchor, s.heading, s.text] for s in doc.sections]}


def best_section(record: dict, terms: set[str], lang: str, width: int = 180) -> tuple[str, str]:
    """The anchor and a snippet of the section where the query terms occur most."""
    analyzer = analyzer_for(lang)
    best = (-1, "", record.get("summary") or "", 0)
    for index, (anchor, heading, text) in enumerate(record["sections"]):
        tokens = list(analyzer.tokens(text))
        heading_terms = set(analyzer.terms(heading))
        score = sum(1 for t in tokens if t.term in terms) + 3 * len(heading_terms & terms)
        if score > best[0]:
            first = next((t.start for t in tokens if t.term in terms), 0)
            best = (score, anchor, text, first)
    score, anchor, text, first = best
    if score <= 0:
        return "", (record.get("summary") or text)[:width]
    start = max(0, first - width // 3)
    snippet = text[start:start + width].strip()
    return anchor, ("… " if start else "") + snippet + (" …" if start + width < len(text) else "")
