"""How well the help center covers a ticket topic.

Three kinds of evidence, all from the language analysis of the search index (titles, summaries,
headings and bodies, BM25F weights):

* **Declared**: an article names the topic in its ``topics:`` front matter.
* **Tickets answered**: a sample of the topic's tickets is matched one by one; a ticket counts as
  answered when one of its top three results holds at least half of its subject's IDF weight (two
  words at least), a word counting fully only where the article is about it (a title word or a
  paragraph on it), not where it is mentioned in passing.
* **Articles about the topic**: a larger sample profiles the topic by the terms that set its
  tickets apart from the other topics' (p·log(p/q), times the term's rarity in the knowledge base);
  an article is *about* the topic when it carries at least 40% of that profile's weight. Tickets
  in a language the knowledge base lacks are analysed in the knowledge base's language, so shared
  words (product names, error codes, borrowed terms) still meet.

A topic is *covered* when an article declares it, half of its sample is answered, or several
(three) articles are about it; *weak* from a quarter answered or one article about it; *missing*
below. Thresholds calibrated on a real export and knowledge base (Mozilla's Thunderbird support,
``topics:`` left out): the calendar questions have four articles about them with the KB's calendar
articles and none without them; the best non-calendar article then carries 36% of their profile.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from deflect.content.model import Content
from deflect.insights.topics import TICKET_NOISE, TopicWords, slugify
from deflect.search.matching import saturation, ticket_matcher
from deflect.search.service import SearchService

__all__ = ["ArticleInfo", "Coverage", "TopicMatcher", "COVERED", "WEAK", "slugify"]

COVERED, WEAK = 0.5, 0.25  # shares of sampled tickets answered
PROFILE_TERMS = 12  # distinctive terms kept per topic
PROFILE_MIN_COUNT, PROFILE_MIN_SHARE, PROFILE_LIFT = 2, 0.05, 2.0  # in ≥ 2 and ≥ 5% of its tickets, twice as often
PROFILE_ARTICLE = 0.4  # an article is about a topic when it carries this share of the profile's weight
PROFILE_MIN_TICKETS = 10  # fewer sampled tickets than this profile nothing
SEVERAL = 3  # articles about a topic that make it covered
MIN_COVERAGE = 0.5  # share of a ticket's subject words the article must contain
TOP = 3


@dataclass
class ArticleInfo:
    id: str
    url: str
    title: str
    lang: str
    kind: str
    topics: list[str]
    published: dt.date | None
    published_source: str | None  # "front matter" | "git" | None


@dataclass
class Coverage:
    coverage: str  # missing | weak | covered
    best_article: dict | None  # {"url", "title", "score", "why"}
    answered: int = 0
    sampled: int = 0
    declared_by: list[str] = field(default_factory=list)  # article ids
    matches: list[dict] = field(default_factory=list)  # runners-up: {"url", "title", "score"}
    article_id: str | None = None
    about: list[dict] = field(default_factory=list)  # articles about the topic: {"url", "title", "score"}


@dataclass
class Profile:
    """What sets one topic's tickets apart from the others': its distinctive terms and weights,
    and the articles about them (article id → share of the profile's weight they carry)."""

    terms: dict[str, float]
    articles: dict[str, float]


class TopicMatcher:
    """Matches ticket topics to the published articles of one help center."""

    def __init__(self, center: Content, service: SearchService) -> None:
        self.service = service
        self.default_language = center.settings.default_language
        self.languages = set(center.settings.codes)
        self.articles: dict[str, ArticleInfo] = {}
        by_id = {doc.id: doc for doc in service.docs}
        for document in center.published_documents():
            key = f"{document.lang}/{'faq' if document.is_faq else document.category}/{document.slug}"
            record = by_id.get(key)
            if record is None:
                continue
            source = "front matter" if document.front.published else ("git" if document.published else None)
            self.articles[key] = ArticleInfo(key, record.url, record.title, document.lang, record.kind,
                                             list(getattr(document.front, "topics", None) or []),
                                             document.published, source)
        self.profiles: dict[str, Profile] = {}
        self._saturations: dict[str, float] = {}  # language → weight at which a term counts fully
        self.declared: dict[str, list[ArticleInfo]] = defaultdict(list)
        self._renamed: dict[str, str] = {}  # topics.yml by old name's slug: old → new
        for article in self.articles.values():
            for topic in article.topics:
                self.declared[slugify(topic)].append(article)

    def merge_aliases(self, aliases: dict[str, str]) -> None:
        """Articles declaring an old topic name (``topics.yml``: old → new) declare the new one."""
        self._renamed.update((slugify(old), new) for old, new in aliases.items())
        for old, new in aliases.items():
            moved = self.declared.pop(slugify(old), [])
            if moved:
                self.declared[slugify(new)].extend(a for a in moved if a not in self.declared[slugify(new)])

    def declared_topic(self, topic: str) -> str:
        """The topic an article's ``topics:`` entry stands for once ``topics.yml`` (as merged by
        :meth:`merge_aliases`) is applied."""
        return slugify(self._renamed.get(slugify(topic), topic))

    def learn_profiles(self, texts: dict[str, list[dict]]) -> None:
        """Profile every topic from a sample of its tickets (``texts``: topic → dicts with
        ``subject``, ``body``, ``lang``): the terms far more frequent in its tickets than in the
        others' (weighted by p·log(p/q), the term's share of the topics' divergence), analysed in the
        language of the articles the tickets are matched to, then score every article by the share
        of that weight its title, summary, headings and body carry (a term counts fully where the
        article is about it, as in per-ticket matching)."""
        seen: dict[str, Counter[str]] = {}
        overall: Counter[str] = Counter()
        languages: dict[str, Counter[str]] = defaultdict(Counter)
        analysis: dict[str, TopicWords] = {}
        for topic, items in texts.items():
            counts: Counter[str] = Counter()
            for item in items:
                lang = self.language_of(item.get("lang"))
                languages[topic][lang] += 1
                if lang not in analysis:
                    analysis[lang] = TopicWords(lang)
                counts.update(set(analysis[lang].terms(f"{item.get('subject') or ''} "
                                                       f"{(item.get('body') or '')[:300]}")))
            seen[topic] = counts
            overall.update(counts)
        total = sum(len(items) for items in texts.values()) or 1
        for topic, counts in seen.items():
            n = len(texts[topic])
            if n < PROFILE_MIN_TICKETS:
                continue
            weights: dict[str, float] = {}
            for term, count in counts.items():
                p, q = count / n, overall[term] / total
                if count >= PROFILE_MIN_COUNT and p >= PROFILE_MIN_SHARE and p >= PROFILE_LIFT * q:
                    weights[term] = p * math.log(p / q)
            terms = dict(sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:PROFILE_TERMS])
            lang = languages[topic].most_common(1)[0][0] if languages[topic] else self.default_language
            self.profiles[topic] = Profile(terms, self._articles_about(terms, lang))

    def _articles_about(self, terms: dict[str, float], lang: str) -> dict[str, float]:
        index = self.service.index
        if not terms or lang not in index.languages:
            return {}
        records, weights = index.reach_weights(lang)
        saturation = self._saturation(lang, records, weights)
        # A term most articles use says little about which one answers: weigh terms by their
        # rarity in the knowledge base too (a term no article uses weighs the most).
        terms = {t: w * math.log(1 + len(records) / (len(weights.get(t, ())) + 0.5)) for t, w in terms.items()}
        whole = sum(terms.values())
        scores: dict[int, float] = defaultdict(float)
        for term, weight in terms.items():
            for doc, value in weights.get(term, {}).items():
                scores[doc] += weight * min(1.0, value / saturation)
        return {records[doc]["id"]: round(score / whole, 4) for doc, score in scores.items()
                if score / whole >= PROFILE_ARTICLE}

    def _saturation(self, lang: str, records: list[dict], weights: dict[str, dict[int, float]]) -> float:
        """The weight at which a term counts fully in an article: a share of the median weight a
        title word has (a paragraph about a word weighs about that much)."""
        if lang not in self._saturations:
            self._saturations[lang] = saturation(lang, records, weights)
        return self._saturations[lang]

    def language_of(self, ticket_lang: str | None) -> str:
        code = (ticket_lang or "").split("-")[0].lower()
        return code if code in self.languages else self.default_language

    def assess(self, topic: str, samples: list[dict]) -> Coverage:
        """Coverage of ``topic`` from its declared articles and its sample tickets
        (dicts with ``subject``, ``body`` and ``lang``)."""
        declared = sorted(self.declared.get(slugify(topic), []),
                          key=lambda a: (a.lang != self.default_language, a.kind == "faq", a.id))
        votes: Counter[str] = Counter()
        firsts: Counter[str] = Counter()
        shared: dict[str, Counter[str]] = defaultdict(Counter)
        answered = 0
        by_lang: dict[str, list[dict]] = defaultdict(list)
        for sample in samples:
            by_lang[self.language_of(sample.get("lang"))].append(sample)
        for lang, items in by_lang.items():
            with ticket_matcher(self.service.index, lang, TOP) as match:
                for sample in items:
                    found = match(_quiet(sample.get("subject") or ""), _quiet(sample.get("body") or ""))
                    good = [(rank, m) for rank, m in enumerate(found)
                            if m.coverage >= MIN_COVERAGE and len(m.shared) >= min(2, m.terms)]
                    if good:
                        answered += 1
                    for rank, m in good:
                        votes[m.id] += 1
                        firsts[m.id] += rank == 0
                        shared[m.id].update(m.shared)
        sampled = len(samples)
        share = answered / sampled if sampled else 0.0
        about = self.profiles.get(topic, Profile({}, {})).articles
        # votes from single tickets and the share of the topic's profile an article carries
        weight = lambda key: (votes.get(key, 0) / sampled if sampled else 0.0) + about.get(key, 0.0)  # noqa: E731
        ranked = sorted(set(votes) | set(about), key=lambda key: (-weight(key), -firsts[key], key))
        declared.sort(key=lambda a: (-votes.get(a.id, 0), -firsts.get(a.id, 0)))  # stable: keeps language order
        best_id = declared[0].id if declared else (ranked[0] if ranked else None)
        best = None
        if best_id is not None:
            article = self.articles.get(best_id) or _stub(best_id, self.service)
            reasons = []
            if declared:
                reasons.append(f"declares topic '{slugify(topic)}' in its front matter")
            if votes.get(best_id):
                words = ", ".join(w for w, _ in shared[best_id].most_common(5))
                reasons.append(f"matches {votes[best_id]} of {sampled} sampled tickets"
                               + (f" (first result for {firsts[best_id]})" if firsts[best_id] else "")
                               + (f"; shared words: {words}" if words else ""))
            elif sampled:
                reasons.append(f"matches none of {sampled} sampled tickets")
            if about.get(best_id):
                reasons.append(f"about the topic: carries {about[best_id]:.0%} of what sets its tickets apart"
                               + (f" ({len(about)} articles are)" if len(about) > 1 else ""))
            score = round(max(votes.get(best_id, 0) / sampled, about.get(best_id, 0.0)), 3) if sampled else 1.0
            best = {"url": article.url, "title": article.title, "score": score, "why": "; ".join(reasons)}
        level = ("covered" if declared or share >= COVERED or len(about) >= SEVERAL
                 else "weak" if share >= WEAK or about else "missing")
        runners = [{**self._brief(k), "score": round(votes[k] / sampled, 3)} for k in ranked
                   if k != best_id and votes.get(k)][:3]
        carried = [{**self._brief(k), "score": round(v, 3)}
                   for k, v in sorted(about.items(), key=lambda kv: (-kv[1], kv[0]))[:5]]
        return Coverage(level, best, answered, sampled, [a.id for a in declared], runners, best_id, carried)

    def _brief(self, key: str) -> dict:
        article = self.articles.get(key) or _stub(key, self.service)
        return {"url": article.url, "title": article.title}


_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def _quiet(text: str) -> str:
    """The text without the words every ticket uses ("please help, it does not work")."""
    return _WORD.sub(lambda m: "" if m.group().lower() in TICKET_NOISE else m.group(), text)


def _stub(doc_id: str, service: SearchService) -> ArticleInfo:
    for doc in service.docs:
        if doc.id == doc_id:
            return ArticleInfo(doc.id, doc.url, doc.title, doc.lang, doc.kind, [], None, None)
    return ArticleInfo(doc_id, doc_id, doc_id, "", "article", [], None, None)
