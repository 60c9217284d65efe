"""Topics for tickets whose export names none: clusters of their subject and body text.

TF-IDF vectors over Deflect's own language analysis (lemmas and stems, stop words out), k-means
on a sample, every ticket assigned to its nearest centroid, each cluster named by its strongest
terms (shown as the word form the tickets use most).
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from deflect.insights.tickets import TicketStore
from deflect.search.analysis import analyzer_for

__all__ = ["Cluster", "cluster_unassigned"]

SAMPLE = 20_000  # tickets the clustering is fitted on; the rest are assigned to the nearest centroid
BATCH = 20_000
MIN_TICKETS = 5  # fewer unassigned tickets than this form one "unclassified" topic
_NOISE = re.compile(r"^\d+$|^[a-z]$")


@dataclass
class Cluster:
    topic: str  # slug, e.g. "calendar-reminder-event"
    label: str  # "calendar · reminder · event"
    terms: list[str]
    tickets: int


# Words every ticket uses ("I have a problem, please help, it does not work"): they say nothing
# about the topic. English only; other languages rely on the document-frequency cut (max_df).
TICKET_NOISE = frozenset("""about after again all also am any anyone anything been before being can't cannot
    could did didn't doesn't don't each even ever get gets getting got had has have having hello help hi just
    know like make many more most much need needs no not now one only other please problem problems same
    should since some still than thank thanks them they thing things think too try trying tried use used using
    very want way we were would won't yes yet""".split())


def slugify(text: str) -> str:
    """``"Print · Printer Jams"`` → ``"print-printer-jams"``: topic names as front matter writes them."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def cluster_unassigned(store: TicketStore, lang: str = "en", *, max_clusters: int = 40,
                       progress: Callable[[str], None] | None = None) -> list[Cluster]:
    """Give every ticket without a topic a cluster topic; return the clusters, largest first.

    Tickets are clustered per language (the export's ``lang``, e.g. ``it`` for ``it-IT``) when a
    language has enough of them, with that language's analysis, and get its code in the label
    (``it: stampa · messaggio``). A language with only a few tickets becomes one topic
    (``es: tickets in this language``): too few to cluster, and what they share is the language.
    Tickets in ``lang`` or of unknown language are clustered together."""
    total = store.unassigned()
    if total == 0:
        return []
    sizes = {code: n for code, n in store.unassigned_languages().items() if code and code != lang}
    groups = {code: n for code, n in sizes.items() if n >= MIN_TICKETS * 2}
    small = sorted(code for code in sizes if code not in groups)
    clusters: list[Cluster] = []
    used: set[str] = {name for name, _, _ in store.topic_counts()}  # a cluster never merges into a named topic
    share = lambda n: max(1, round(max_clusters * n / total))  # noqa: E731
    for code in sorted(groups, key=lambda c: -groups[c]):
        clusters += _cluster(store, [code], code, share(groups[code]), used, progress, label_prefix=f"{code}: ")
    for code in small:
        clusters += _one(store, ([code], False), f"{code}-language", f"{code}: tickets in this language",
                         sizes[code], used)
    rest_n = total - sum(sizes.values())
    if rest_n:
        clusters += _cluster(store, sorted(sizes) or None, lang, share(rest_n), used, progress, exclude=bool(sizes))
    return sorted(clusters, key=lambda c: (-c.tickets, c.topic))


def _cluster(store: TicketStore, langs: list[str] | None, lang: str, max_clusters: int, used: set[str],
             progress: Callable[[str], None] | None, *, exclude: bool = False, label_prefix: str = "") -> list[Cluster]:
    include = None if langs is None else (langs, exclude)
    total = store.unassigned(include)
    rows = store.texts(limit=SAMPLE if total > SAMPLE else None, langs=include)
    if total < MIN_TICKETS or len(rows) < MIN_TICKETS:
        return _one(store, include, "unclassified" if not label_prefix else f"{lang}-unclassified",
                    label_prefix + "unclassified", total, used)
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer

    analyzer = analyzer_for(lang)
    noise = TICKET_NOISE if lang == "en" else frozenset()
    surfaces: dict[str, Counter[str]] = defaultdict(Counter)

    def analyze(text: str) -> list[str]:
        terms = []
        for token in analyzer.tokens(text):
            if _NOISE.match(token.term) or token.surface in noise:
                continue
            terms.append(token.term)
            counter = surfaces[token.term]
            if len(counter) < 20 or token.surface in counter:
                counter[token.surface] += 1
        return terms

    def text_of(subject: str, body: str) -> str:
        return f"{subject} {subject} {body}"  # the subject says what the ticket is about: count it twice

    if progress:
        progress(f"clustering {total:,} tickets without a topic{f' ({lang})' if label_prefix else ''}…")
    vectorizer = TfidfVectorizer(analyzer=analyze, min_df=2, max_df=0.5, sublinear_tf=True)
    try:
        matrix = vectorizer.fit_transform([text_of(s, b) for _, s, b in rows])
    except ValueError:  # no term occurs twice: nothing to cluster on
        return _one(store, include, f"{lang}-unclassified" if label_prefix else "unclassified",
                    label_prefix + "unclassified", total, used)
    k = max(1, min(max_clusters, round(math.sqrt(len(rows) / 3)), len(rows) // 3))
    model = KMeans(n_clusters=k, n_init=4, random_state=7).fit(matrix)
    vocabulary = vectorizer.get_feature_names_out()
    mean = matrix.mean(axis=0).A1
    names: list[tuple[str, str, list[str]]] = []
    shown = lambda term: surfaces[term].most_common(1)[0][0] if surfaces.get(term) else term  # noqa: E731
    candidates = [[vocabulary[i] for i in (centroid - mean).argsort()[::-1][:12] if centroid[i] > 0]
                  for centroid in model.cluster_centers_]  # what sets a cluster apart, not what all tickets say
    # A name must not carry personal data: no customer's username, nothing with digits in it.
    personal = store.creators_in(shown(t) for terms in candidates for t in terms)
    personal = {p.lower() for p in personal}
    for terms in candidates:
        top = [t for t in terms if not re.search(r"\d", shown(t)) and shown(t).lower() not in personal][:3]
        words = [shown(t) for t in top] or ["misc"]
        slug = (f"{lang}-" if label_prefix else "") + slugify("-".join(words))
        names.append((_unique(slug or "misc", used), label_prefix + " · ".join(words), top))
    assignments: dict[int, str] = {}
    if len(rows) == total:
        for (rid, _, _), label in zip(rows, model.labels_):
            assignments[rid] = names[label][0]
    else:
        everything = store.texts(langs=include)
        for start in range(0, len(everything), BATCH):
            batch = everything[start:start + BATCH]
            labels = model.predict(vectorizer.transform([text_of(s, b) for _, s, b in batch]))
            for (rid, _, _), label in zip(batch, labels):
                assignments[rid] = names[label][0]
            if progress:
                progress(f"assigned {min(start + BATCH, len(everything)):,} of {len(everything):,} tickets to topics")
    store.assign_topics(assignments)
    sizes = Counter(assignments.values())
    return [Cluster(slug, label, terms, sizes[slug]) for slug, label, terms in names if sizes[slug]]


def _unique(slug: str, used: set[str]) -> str:
    base, n = slug, 2
    while slug in used:
        slug, n = f"{base}-{n}", n + 1
    used.add(slug)
    return slug


def _one(store: TicketStore, include, slug: str, label: str, total: int, used: set[str]) -> list[Cluster]:
    slug = _unique(slug, used)
    store.assign_topics({rid: slug for rid, _, _ in store.texts(langs=include)})
    return [Cluster(slug, label, [], total)]
