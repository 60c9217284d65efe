"""Topics for tickets whose export names none: clusters of their subject and body text.

TF-IDF vectors over Deflect's own language analysis (lemmas and stems, stop words out: the
language's list from ``stopwordsiso`` plus the words every ticket uses), k-means on a sample, then
any cluster holding more than :data:`MAX_SHARE` of its language's tickets split again (k-means
inside it, else a cut along its main direction) so that no catch-all cluster swallows the export;
every ticket is assigned to its nearest final centroid. Each cluster is named by the 2–4 terms
that set it apart from the mean (shown as the word form the tickets use most), never by stop
words; a cluster with fewer than two such words is named by its most central ticket's subject.
"""
from __future__ import annotations

import math
import re
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from deflect.insights.redact import redact
from deflect.insights.tickets import TicketStore, words_of
from deflect.locales import stopwords_code
from deflect.search.analysis import WORD_RE, analyzer_for, fold

__all__ = ["Cluster", "MAX_SHARE", "TopicWords", "cluster_unassigned", "stop_words"]

SAMPLE = 12_000  # tickets the clustering is fitted on; the rest are assigned to the nearest centroid
BATCH = 20_000
MIN_TICKETS = 5  # fewer unassigned tickets than this form one "unclassified" topic
MAX_SHARE = 0.3  # most of a language's clustered tickets one cluster may hold (the report promises ≤ 35%)
LABEL_WORDS = (2, 4)  # fewest and most words in a cluster's name
_NOISE = re.compile(r"^\d+$|^[a-z]$")
_DIGIT = re.compile(r"\d")


@dataclass
class Cluster:
    topic: str  # slug, e.g. "calendar-reminder-event"
    label: str  # "calendar · reminder · event"
    terms: list[str]
    tickets: int


# Words every ticket uses ("I have a problem, please help, it does not work"): they say nothing
# about the topic. English here; every language also gets its stopwordsiso list and _GREETINGS.
TICKET_NOISE = frozenset("""about after again all also am any anyone anything been before being can't cannot
    could did didn't doesn't don't each even ever get gets getting got had has have having hello help hi just
    know like make many more most much need needs no not now one only other please problem problems same
    should since some still than thank thanks them they thing things think too try trying tried use used using
    very want way we were would won't yes yet""".split())
# The same courtesy and complaint words in the other languages tickets come in most.
_GREETINGS = frozenset("""hola buenas buenos gracias ayuda ayudar problema problemas saludos favor ciao salve grazie
    aiuto aiutare problema problemi buongiorno buonasera olá ola obrigado obrigada ajuda ajudar problema problemas
    bom dia boa tarde noite hallo bonjour merci aide problème probleme bitte danke hilfe problem dobrý den dekuji
    prosím pomoc problém merhaba teşekkürler yardım sorun kiitos apua ongelma köszönöm segítség probléma hei hej tak
    hvala pozdrav""".split())


@lru_cache(maxsize=None)
def stop_words(lang: str) -> frozenset[str]:
    """Words that never name a topic in ``lang``, lowercased and folded as the analysis folds them:
    the language's stopwordsiso list, the analyzer's own stop words and the words every ticket uses.
    English stop words are in every language's list: tickets in any language quote English."""
    import stopwordsiso

    code = stopwords_code(lang)  # the language registry's choice
    words: set[str] = set(TICKET_NOISE) | set(_GREETINGS) | set(analyzer_for(lang).stop_words)
    words |= set(stopwordsiso.stopwords(["en", code] if code else "en"))
    return frozenset(fold(w.lower()) for w in words) | frozenset(w.lower() for w in words)


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

    analysis = TopicWords(lang)
    noise = analysis.noise
    surfaces: dict[str, Counter[str]] = defaultdict(Counter)

    def analyze(text: str) -> list[str]:
        terms = []
        for term, surface in analysis.pairs(text):
            terms.append(term)
            counter = surfaces[term]
            if len(counter) < 20 or surface in counter:
                counter[surface] += 1
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
    labels = KMeans(n_clusters=k, n_init=4, random_state=7).fit(matrix).labels_
    labels = split_large(matrix, labels, max(MIN_TICKETS, math.ceil(MAX_SHARE * len(rows))))
    centroids = _centroids(matrix, labels)
    vocabulary = vectorizer.get_feature_names_out()
    mean = np.asarray(matrix.mean(axis=0)).ravel()
    shown = lambda term: surfaces[term].most_common(1)[0][0] if surfaces.get(term) else term  # noqa: E731
    lifts = [centroid - mean for centroid in centroids]  # what sets a cluster apart, not what all tickets say
    candidates = [[int(i) for i in lift.argsort()[::-1][:16] if centroids[c][i] > 0 and lift[i] > 0]
                  for c, lift in enumerate(lifts)]
    # A name must not carry personal data: no customer's username, nothing with digits in it.
    personal = store.creators_in(shown(vocabulary[i]) for terms in candidates for i in terms)
    personal = {p.lower() for p in personal}
    names: list[tuple[str, str, list[str]]] = []
    for c, terms in enumerate(candidates):
        good = [i for i in terms if not re.search(r"\d", shown(vocabulary[i]))
                and shown(vocabulary[i]).lower() not in personal and shown(vocabulary[i]) not in noise]
        # 2–4 words: the strongest, and the next ones while they weigh at least half as much
        top = good[:LABEL_WORDS[0]] + [i for i in good[LABEL_WORDS[0]:LABEL_WORDS[1]]
                                       if good and lifts[c][i] >= 0.5 * lifts[c][good[0]]]
        words = [shown(vocabulary[i]) for i in top]
        if len(words) < LABEL_WORDS[0]:
            label = _central_subject(matrix, labels, c, centroids[c], rows, store) or " · ".join(words or ["misc"])
        else:
            label = " · ".join(words)
        slug = (f"{lang}-" if label_prefix else "") + slugify("-".join(words or label.split()[:4]))
        names.append((_unique(slug or "misc", used), label_prefix + label, [vocabulary[i] for i in top]))
    assignments: dict[int, str] = {rid: names[label][0] for (rid, _, _), label in zip(rows, labels)}
    if len(rows) < total:
        sampled = set(assignments)
        everything = store.texts(langs=include)
        squared = 0.5 * (centroids * centroids).sum(axis=1)
        for start in range(0, len(everything), BATCH):
            batch = [row for row in everything[start:start + BATCH] if row[0] not in sampled]
            if batch:  # nearest centroid (Euclidean, as k-means measures it)
                scores = np.asarray(vectorizer.transform([text_of(s, b) for _, s, b in batch]) @ centroids.T) - squared
                for (rid, _, _), label in zip(batch, scores.argmax(axis=1)):
                    assignments[rid] = names[int(label)][0]
            if progress:
                progress(f"assigned {min(start + BATCH, len(everything)):,} of {len(everything):,} tickets to topics")
    store.assign_topics(assignments)
    sizes = Counter(assignments.values())
    return [Cluster(slug, label, terms, sizes[slug]) for slug, label, terms in names if sizes[slug]]


class TopicWords:
    """The words of ticket text that can say what a ticket is about, in one language: its analysis
    terms without stop words, numbers or single letters. Each distinct word is analysed once
    (tickets repeat their words), which makes clustering and profiling large exports affordable."""

    def __init__(self, lang: str) -> None:
        self.analyzer = analyzer_for(lang)
        self.noise = stop_words(lang)
        self._seen: dict[str, tuple[str, str] | tuple[()]] = {}

    def pairs(self, text: str) -> list[tuple[str, str]]:
        """(term, folded surface) of each meaningful word of ``text``, in order."""
        found = []
        seen = self._seen
        for raw in WORD_RE.findall(text):
            hit = seen.get(raw)
            if hit is None:
                if _DIGIT.search(raw):  # ids, versions, "user123": never a topic, and mostly unique
                    continue
                token = next(self.analyzer.tokens(raw), None)
                hit = (() if token is None or _NOISE.match(token.term) or token.surface in self.noise
                       else (token.term, token.surface))
                if len(seen) < 500_000:
                    seen[raw] = hit
            if hit:
                found.append(hit)
        return found

    def terms(self, text: str) -> list[str]:
        return [term for term, _ in self.pairs(text)]


def split_large(matrix, labels: np.ndarray, cap: int, *, seed: int = 7) -> np.ndarray:
    """``labels`` with every cluster of more than ``cap`` rows split into parts of at most ``cap``:
    k-means inside the cluster, or, when k-means leaves nearly all of it together (near-identical
    tickets), equal cuts along the cluster's main direction, so the loop always ends."""
    from sklearn.cluster import KMeans
    from sklearn.decomposition import TruncatedSVD

    labels = np.asarray(labels).copy()
    while True:
        sizes = np.bincount(labels)
        big = int(sizes.argmax())
        if sizes[big] <= cap:
            return labels
        members = np.flatnonzero(labels == big)
        parts = max(2, math.ceil(len(members) / cap))
        sub = matrix[members]
        with warnings.catch_warnings():  # identical tickets: k-means and the SVD say so, the cut below copes
            warnings.simplefilter("ignore")
            split = KMeans(n_clusters=parts, n_init=2, random_state=seed).fit(sub).labels_
            if np.bincount(split).max() > 0.9 * len(members):
                direction = (TruncatedSVD(n_components=1, random_state=seed).fit_transform(sub)[:, 0]
                             if min(sub.shape) > 1 else np.arange(len(members), dtype=float))
                order = np.argsort(np.nan_to_num(direction), kind="stable")
                split = np.empty(len(members), dtype=int)
                for part, chunk in enumerate(np.array_split(order, parts)):
                    split[chunk] = part
        top = labels.max() + 1
        labels[members] = np.where(split == 0, big, top + split - 1)


def _centroids(matrix, labels: np.ndarray) -> np.ndarray:
    """The mean row of each cluster (dense: clusters × terms)."""
    from scipy.sparse import csr_matrix

    k = int(labels.max()) + 1
    indicator = csr_matrix((np.ones(len(labels)), (labels, np.arange(len(labels)))), shape=(k, len(labels)))
    counts = np.maximum(np.bincount(labels, minlength=k), 1)[:, None]
    return np.asarray((indicator @ matrix).todense()) / counts


def _central_subject(matrix, labels: np.ndarray, cluster: int, centroid: np.ndarray,
                     rows: list[tuple[int, str, str]], store: TicketStore) -> str:
    """The subject of the cluster's ticket nearest its centroid, shortened, with personal data
    and every creator's name in it redacted: a name for a cluster no word sets apart."""
    members = np.flatnonzero(labels == cluster)
    if not len(members):
        return ""
    nearest = members[int(np.asarray(matrix[members] @ centroid).ravel().argmax())]
    subject = " ".join((rows[nearest][1] or rows[nearest][2]).split())
    subject = redact(subject, store.creators_in(words_of([subject])))
    return subject if len(subject) <= 60 else subject[:59].rstrip() + "…"


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
