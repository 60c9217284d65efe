"""Related articles: for each article, the most similar articles of its language by BM25F term weights."""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from typing import Protocol

OTHER_CATEGORY = 0.3
"""Related articles: similarity kept across categories (a help center's categories are its topics)."""

Related = dict[str, list[tuple[str, str, str]]]


class WeightedIndex(Protocol):
    """What related articles need of an index (``engine.SearchIndex``)."""

    @property
    def languages(self) -> list[str]: ...

    def term_weights(self, lang: str) -> tuple[list[dict], dict[str, dict[int, float]]]: ...


def related_articles(index: WeightedIndex, limit: int) -> Related:
    """Related articles of every language of ``index`` (see ``related_in``)."""
    related: Related = {}
    for lang in index.languages:
        related.update(related_in(*index.term_weights(lang), limit))
    return related


def related_in(records: list[dict], weights: dict[str, dict[int, float]], limit: int, key_terms: int = 24,
               fan_out: int = 40, min_shared: int = 2, min_similarity: float = 0.11) -> Related:
    """For every article of one language (its ``records`` and term ``weights``): (id, title, url) of
    up to ``limit`` articles of that language, most similar first: the cosine of their BM25F
    term-weight vectors over the article's ``key_terms`` strongest terms (times OTHER_CATEGORY for
    an article of another category), at least ``min_similarity`` and ``min_shared`` terms. One shared word weighs little against
    everything else the two say, so "Reset your password" is not related to "Factory reset a
    device" nor "Stop marketing emails". Linear in the number of documents: each document looks
    only at the ``fan_out`` strongest postings of its key terms."""
    related: Related = {}
    own = [record["kind"] != "faq" and not record.get("source") for record in records]
    vectors: dict[int, dict[str, float]] = defaultdict(dict)
    for term, per_doc in weights.items():
        if len(per_doc) < 2:
            continue  # a term in one document relates nothing
        for doc, weight in per_doc.items():
            if own[doc]:
                vectors[doc][term] = weight
    norms = {doc: math.sqrt(sum(w * w for w in vector.values())) or 1.0 for doc, vector in vectors.items()}
    ranked_postings: dict[str, list[int]] = {}
    for doc, record in enumerate(records):
        if not own[doc]:
            continue
        vector = vectors.get(doc, {})
        scores: dict[int, float] = defaultdict(float)
        shared: Counter[int] = Counter()
        for term, weight in sorted(vector.items(), key=lambda item: -item[1])[:key_terms]:
            if term not in ranked_postings:
                ranked_postings[term] = [o for o, _ in sorted(weights[term].items(),
                                                              key=lambda item: -item[1]) if own[o]][:fan_out]
            for other in ranked_postings[term]:
                if other != doc:
                    scores[other] += weight * vectors[other][term]
                    shared[other] += 1
        similar = [(o, v / (norms[doc] * norms[o])
                    * (1.0 if records[o]["category"] == record["category"] else OTHER_CATEGORY))
                   for o, v in scores.items() if shared[o] >= min_shared]
        best = sorted(((o, v) for o, v in similar if v >= min_similarity),
                      key=lambda item: (-item[1], item[0]))[:limit]
        related[record["id"]] = [(records[o]["id"], records[o]["title"], records[o]["url"]) for o, _ in best]
    return related
