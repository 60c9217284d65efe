"""Ticket matching: the articles of one language that answer a ticket, by the index's BM25F term weights."""
from __future__ import annotations

import math
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from deflect.search.analysis import analyzer_for, unique
from deflect.search.related import WeightedIndex

MATCH_SATURATION = 0.24
"""A term counts as fully covered by a document from this share of the median weight a title word
has in its document (BM25F weights scale with the corpus, so the bar is relative to the index)."""


@dataclass(frozen=True)
class Match:
    """An article matched to a ticket: the subject terms it contains out of ``terms`` in all."""

    id: str
    url: str
    title: str
    kind: str
    score: float
    shared: list[str]
    terms: int
    coverage: float  # the shared terms' share of the subject's IDF weight, each term by its strength


def saturation(lang: str, records: list[dict], weights: dict[str, dict[int, float]]) -> float:
    """The weight at which a term counts fully in an article of ``lang``: a share of the median
    weight a title word has (a paragraph about a word weighs about that much)."""
    return MATCH_SATURATION * title_weight(lang, records, weights)


def title_weight(lang: str, records: list[dict], weights: dict[str, dict[int, float]]) -> float:
    """The median weight a word of an article's title has in that article, over the ``records`` of
    ``lang`` and their term ``weights`` (1.0 without any): what a term an article is about weighs there."""
    analyzer = analyzer_for(lang)
    titles = sorted(weights[t][doc] for doc, record in enumerate(records)
                    for t in set(analyzer.terms(record["title"])) if doc in weights.get(t, ()))
    return titles[len(titles) // 2] if titles else 1.0


_SATURATIONS: weakref.WeakKeyDictionary[WeightedIndex, dict[str, float]] = weakref.WeakKeyDictionary()


@contextmanager
def ticket_matcher(index: WeightedIndex, lang: str, limit: int = 3) -> Iterator[Callable[[str, str], list[Match]]]:
    """A function matching one ticket (subject, body) to the documents of ``lang`` in ``index`` by
    its BM25F term weights (the subject's terms at full weight, the body's at a quarter),
    fast enough for thousands of tickets. Each match tells which subject terms it contains
    and their share of the subject's IDF weight (a word no document uses weighs the most)."""
    if lang not in index.languages:
        yield lambda subject, body: []
        return
    analyzer = analyzer_for(lang)
    records, weights = index.reach_weights(lang)  # its own articles and the untranslated ones it reaches
    total = len(records)
    cache = _SATURATIONS.setdefault(index, {})
    if lang not in cache:
        cache[lang] = saturation(lang, records, weights)
    bar = cache[lang]
    idf = lambda term: math.log(1 + total / (len(weights.get(term, ())) + 0.5))  # noqa: E731

    def match(subject: str, body: str) -> list[Match]:
        main = unique(analyzer.terms(subject))[:16]
        extra = [t for t in unique(analyzer.terms(body))[:24] if t not in main]
        if not main:
            main, extra = extra[:12], extra[12:]
        if not main:
            return []
        scores: dict[int, float] = defaultdict(float)
        for terms, factor in ((main, 1.0), (extra, 0.25)):
            for term in terms:
                for doc, weight in weights.get(term, {}).items():
                    scores[doc] += weight * factor
        term_idf = {term: idf(term) for term in main}
        whole = sum(term_idf.values()) or 1.0
        found = []
        for doc, score in sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:limit]:
            record = records[doc]
            shared = [t for t in main if doc in weights.get(t, ())]
            # A passing mention is not coverage: a term counts fully from about the weight of
            # a paragraph about it (see MATCH_SATURATION), partly below.
            strength = sum(term_idf[t] * min(1.0, weights[t][doc] / bar) for t in shared)
            found.append(Match(record["id"], record["url"], record["title"], record["kind"], round(score, 4),
                               shared, len(main), round(strength / whole, 4)))
        return found

    yield match

