"""Topics for tickets whose export names none: clusters of their subject and body text.

TF-IDF vectors over Deflect's own language analysis (lemmas and stems, stop words out: the
language's list from ``stopwordsiso`` plus the words every ticket uses), k-means on a sample, then
any cluster holding more than :data:`MAX_SHARE` of its language's tickets split again (k-means
inside it, else a cut along its main direction) so that no catch-all cluster swallows the export;
every ticket is assigned to its nearest final centroid. Each cluster is named by the 2–4 terms
that set it apart from the mean (shown as the word form the tickets use most), never by stop
words; a cluster with fewer than two such words is named by its most central ticket's subject.

Texts in, assignments and names out: the ticket store is the caller's (:func:`deflect.insights.prepare.assign_clusters`
hands the texts over and writes the assignments back once); no word a creator's name is in a name.
"""
from __future__ import annotations

import math
import random
import re
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from deflect.insights.redact import redact
from deflect.locales import stopwords_code
from deflect.search.analysis import WORD_RE, analyzer_for, fold

__all__ = ["Cluster", "Discovery", "MAX_SHARE", "TopicWords", "discover", "stop_words"]

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
    source: str = "cluster"  # "language": the tickets of a language too few to cluster, as one topic


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


def discover(texts: list[tuple[int, str, str, str]], lang: str = "en", *, taken: Iterable[str] = (),
             max_clusters: int = 40, progress: Callable[[str], None] | None = None) -> Discovery:
    """Cluster the tickets without a topic: ``texts`` holds (row id, subject, start of body,
    two-letter language code or "") of each, in row id order; ``taken``: the topic names the export
    already uses (a cluster never merges into one). The clusters are named by :meth:`Discovery.named`.

    Tickets are clustered per language (the export's ``lang``, e.g. ``it`` for ``it-IT``) when a
    language has enough of them, with that language's analysis, and get its code in the label
    (``it: stampa · messaggio``). A language with only a few tickets becomes one topic
    (``es: tickets in this language``): too few to cluster, and what they share is the language.
    Tickets in ``lang`` or of unknown language are clustered together."""
    found = Discovery(set(taken))
    total = len(texts)
    if total == 0:
        return found
    by_code: dict[str, list[tuple[int, str, str, str]]] = defaultdict(list)
    for row in texts:
        by_code[row[3] if row[3] and row[3] != lang else ""].append(row)
    sizes = {code: len(rows) for code, rows in by_code.items() if code}
    groups = {code: n for code, n in sizes.items() if n >= MIN_TICKETS * 2}
    small = sorted(code for code in sizes if code not in groups)
    share = lambda n: max(1, round(max_clusters * n / total))  # noqa: E731
    for code in sorted(groups, key=lambda c: (-groups[c], c)):
        _cluster(found, by_code[code], code, share(groups[code]), progress, label_prefix=f"{code}: ")
    for code in small:
        found.add(_Draft(f"{code}-language", f"{code}: tickets in this language", source="language"), by_code[code])
    if by_code.get(""):
        _cluster(found, by_code[""], lang, share(len(by_code[""])), progress)
    return found


@dataclass
class _Draft:
    """A cluster before it is named: a fixed name (``slug`` and ``label``), or ``candidates`` to
    name it by (shown word, term, lift; best first) and its most central ticket's subject."""
    slug: str
    label: str  # the whole label when fixed, else the language prefix ("it: " or "")
    candidates: list[tuple[str, str, float]] | None = None
    central: str = ""
    lang: str = ""  # the slug's language prefix ("it-") of a clustered language
    source: str = "cluster"  # as :attr:`Cluster.source`

    def name(self, personal: set[str], used: set[str]) -> tuple[str, str, list[str]]:
        """(slug, label, terms), no word of the label a creator's name (``personal``, lowercase)."""
        if self.candidates is None:
            return _unique(self.slug, used), self.label, []
        good = [c for c in self.candidates if c[0].lower() not in personal]
        # 2–4 words: the strongest, and the next ones while they weigh at least half as much
        top = good[:LABEL_WORDS[0]] + [c for c in good[LABEL_WORDS[0]:LABEL_WORDS[1]] if c[2] >= 0.5 * good[0][2]]
        words = [word for word, _, _ in top]
        if len(words) < LABEL_WORDS[0]:
            subject = redact(self.central, personal)
            subject = subject if len(subject) <= 60 else subject[:59].rstrip() + "…"
            label = subject or " · ".join(words or ["misc"])
        else:
            label = " · ".join(words)
        slug = self.lang + slugify("-".join(words or label.split()[:4]))
        return _unique(slug or "misc", used), self.label + label, [term for _, term, _ in top]


@dataclass
class Discovery:
    """What :func:`discover` found: the clusters in naming order and each ticket's cluster."""
    taken: set[str]
    drafts: list[_Draft] = field(default_factory=list)
    assignments: dict[int, int] = field(default_factory=dict)  # row id → index in drafts

    def add(self, draft: _Draft, rows: Iterable[tuple]) -> None:
        """One cluster holding every ticket of ``rows``."""
        self.drafts.append(draft)
        self.assignments.update((row[0], len(self.drafts) - 1) for row in rows)

    def words(self) -> list[str]:
        """The texts a name could come from (candidate words, central subjects): the caller looks up
        which of them are creators' names, for :meth:`named`."""
        return [text for draft in self.drafts if draft.candidates is not None
                for text in [*(word for word, _, _ in draft.candidates), draft.central] if text]

    def named(self, personal: Iterable[str] = ()) -> tuple[list[Cluster], dict[int, str]]:
        """The clusters, largest first, and each ticket's topic (row id → slug). ``personal``: the
        name parts (lowercase) of the creators among :meth:`words`, which no name shows."""
        used, personal = set(self.taken), set(personal)
        names = [draft.name(personal, used) for draft in self.drafts]
        assignments = {rid: names[index][0] for rid, index in self.assignments.items()}
        sizes = Counter(assignments.values())
        clusters = [Cluster(slug, label, terms, sizes[slug], draft.source)
                    for draft, (slug, label, terms) in zip(self.drafts, names) if sizes[slug]]
        return sorted(clusters, key=lambda c: (-c.tickets, c.topic)), assignments


def _cluster(found: Discovery, texts: list[tuple[int, str, str, str]], lang: str, max_clusters: int,
             progress: Callable[[str], None] | None, *, label_prefix: str = "") -> None:
    total = len(texts)
    rows = sorted(random.Random(7).sample(texts, SAMPLE)) if total > SAMPLE else texts
    if total < MIN_TICKETS:
        found.add(_Draft("unclassified" if not label_prefix else f"{lang}-unclassified", label_prefix + "unclassified"),
                  texts)
        return
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
        matrix = vectorizer.fit_transform([text_of(s, b) for _, s, b, _ in rows])
    except ValueError:  # no term occurs twice: nothing to cluster on
        found.add(_Draft(f"{lang}-unclassified" if label_prefix else "unclassified", label_prefix + "unclassified"),
                  texts)
        return
    k = max(1, min(max_clusters, round(math.sqrt(len(rows) / 3)), len(rows) // 3))
    labels = KMeans(n_clusters=k, n_init=4, random_state=7).fit(matrix).labels_
    labels = split_large(matrix, labels, max(MIN_TICKETS, math.ceil(MAX_SHARE * len(rows))))
    centroids = _centroids(matrix, labels)
    vocabulary = vectorizer.get_feature_names_out()
    mean = np.asarray(matrix.mean(axis=0)).ravel()
    shown = lambda term: surfaces[term].most_common(1)[0][0] if surfaces.get(term) else term  # noqa: E731
    first = len(found.drafts)
    for c, centroid in enumerate(centroids):
        lift = centroid - mean  # what sets a cluster apart, not what all tickets say
        # A name must not carry personal data: nothing with digits in it (creators' names: when named).
        candidates = [(shown(vocabulary[i]), str(vocabulary[i]), float(lift[i]))
                      for i in (int(i) for i in lift.argsort()[::-1][:16] if centroid[i] > 0 and lift[i] > 0)]
        found.drafts.append(_Draft("", label_prefix, [c for c in candidates if not _DIGIT.search(c[0])
                                                          and c[0] not in noise],
                                   _central_subject(matrix, labels, c, centroid, rows),
                                   f"{lang}-" if label_prefix else ""))
    found.assignments.update((rid, first + int(label)) for (rid, _, _, _), label in zip(rows, labels))
    if len(rows) < total:
        sampled = {row[0] for row in rows}
        squared = 0.5 * (centroids * centroids).sum(axis=1)
        for start in range(0, total, BATCH):
            batch = [row for row in texts[start:start + BATCH] if row[0] not in sampled]
            if batch:  # nearest centroid (Euclidean, as k-means measures it)
                scores = np.asarray(vectorizer.transform([text_of(s, b) for _, s, b, _ in batch]) @ centroids.T) - squared
                found.assignments.update((rid, first + int(label))
                                         for (rid, _, _, _), label in zip(batch, scores.argmax(axis=1)))
            if progress:
                progress(f"assigned {min(start + BATCH, total):,} of {total:,} tickets to topics")


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
                     rows: list[tuple[int, str, str, str]]) -> str:
    """The subject of the cluster's ticket nearest its centroid (redacted and shortened when the
    cluster is named): a name for a cluster no word sets apart."""
    members = np.flatnonzero(labels == cluster)
    if not len(members):
        return ""
    nearest = members[int(np.asarray(matrix[members] @ centroid).ravel().argmax())]
    return " ".join((rows[nearest][1] or rows[nearest][2]).split())


def _unique(slug: str, used: set[str]) -> str:
    base, n = slug, 2
    while slug in used:
        slug, n = f"{base}-{n}", n + 1
    used.add(slug)
    return slug
