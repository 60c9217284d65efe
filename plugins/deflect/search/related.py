"""Related articles: for each article, the most similar articles of its language by BM25F term weights."""
from __future__ import annotations

import math
from collections import defaultdict
from itertools import chain
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import numpy as np

OTHER_CATEGORY = 0.3
"""Related articles: similarity kept across categories (a help center's categories are its topics)."""

Related = dict[str, list[tuple[str, str, str]]]


class WeightedIndex(Protocol):
    """What related articles need of an index (``engine.SearchIndex``)."""

    @property
    def languages(self) -> list[str]: ...

    def term_weights(self, lang: str) -> tuple[list[dict], dict[str, dict[int, float]]]: ...

    def reach_weights(self, lang: str) -> tuple[list[dict], dict[str, dict[int, float]]]: ...


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
    import numpy as np  # here, in the search worker: a build's start does not wait for it

    own = [record["kind"] != "faq" for record in records]
    # Every (document, term) weight of an own document, for terms in two documents or more, in the order
    # of ``weights`` (a term's position breaks ties between equal weights of one document, and a posting's
    # position in its term's dict ties between documents), and each document's weights in that order.
    shared_terms = [per_doc for per_doc in weights.values() if len(per_doc) >= 2]
    sizes = np.array([len(per_doc) for per_doc in shared_terms], dtype=np.int64)
    total = int(sizes.sum())
    docs = np.fromiter(chain.from_iterable(shared_terms), dtype=np.int64, count=total)
    values = np.fromiter(chain.from_iterable(per_doc.values() for per_doc in shared_terms), dtype=float, count=total)
    terms = np.repeat(np.arange(len(shared_terms), dtype=np.int64), sizes)
    places = _ranks(terms)
    mine = np.array(own, dtype=bool)[docs] if total else np.zeros(0, dtype=bool)
    docs, terms, places, values = docs[mine], terms[mine], places[mine], values[mine]
    norms = np.ones(len(records))
    by_doc = np.argsort(docs, kind="stable")  # each document's weights in term order
    cuts = np.flatnonzero(np.diff(docs[by_doc])) + 1
    for vector, doc in zip(np.split(values[by_doc], cuts), docs[by_doc][np.r_[0, cuts]] if len(docs) else []):
        norms[doc] = math.sqrt(sum(w * w for w in vector.tolist())) or 1.0  # summed as Python sums them
    # Each document's key_terms strongest terms (rank r), and each term's fan_out strongest own documents.
    keys = np.lexsort((terms, -values, docs))
    keys = keys[_ranks(docs[keys]) < key_terms]
    posted = np.lexsort((places, -values, terms))
    posted = posted[_ranks(terms[posted]) < fan_out]
    starts = np.searchsorted(terms[posted], np.arange(int(terms.max(initial=-1)) + 2))
    # Every (document, other, product) a key term contributes, in key-term order (as the loop adds them).
    order = np.argsort(_ranks(docs[keys]), kind="stable")
    keys = keys[order]
    first, count = starts[terms[keys]], np.diff(starts)[terms[keys]]
    source = np.repeat(keys, count)
    target = posted[np.repeat(first - np.cumsum(count) + count, count) + np.arange(int(count.sum()))]
    left, right = docs[source], docs[target]
    mine = left != right
    left, right, product = left[mine], right[mine], (values[source] * values[target])[mine]
    pairs, slot = np.unique(left * len(records) + right, return_inverse=True)
    scores = np.zeros(len(pairs))
    np.add.at(scores, slot, product)  # one by one, in order: the same float sums as adding in a loop
    shared = np.bincount(slot, minlength=len(pairs))
    left, right = pairs // max(len(records), 1), pairs % max(len(records), 1)
    category = np.array([record["category"] for record in records], dtype=object)
    similar = scores / (norms[left] * norms[right]) * np.where(category[left] == category[right], 1.0, OTHER_CATEGORY)
    chosen = np.flatnonzero((shared >= min_shared) & (similar >= min_similarity))
    chosen = chosen[np.lexsort((right[chosen], -similar[chosen], left[chosen]))]
    chosen = chosen[_ranks(left[chosen]) < limit]
    best: dict[int, list[int]] = defaultdict(list)
    for doc, other in zip(left[chosen].tolist(), right[chosen].tolist()):
        best[doc].append(other)
    return {record["id"]: [(records[o]["id"], records[o]["title"], records[o]["url"]) for o in best.get(doc, [])]
            for doc, record in enumerate(records) if own[doc]}


def _ranks(groups: np.ndarray) -> np.ndarray:
    """The position of each item within its run of equal values in sorted ``groups`` (0, 1, … per group)."""
    import numpy as np

    if not len(groups):
        return np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    return np.arange(len(groups)) - np.repeat(starts, np.diff(np.r_[starts, len(groups)]))
