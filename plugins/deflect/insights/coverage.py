"""How well the help center covers a ticket topic.

Two kinds of evidence: an article that declares the topic in its ``topics:`` front matter, and
search similarity: a sample of the topic's tickets is matched against the Whoosh index (BM25F
weights), and a ticket counts as answered when one of its top three results holds at least half
of its subject's IDF weight (two words at least), a word counting fully only where the article
is about it (a title word or a paragraph on it), not where it is mentioned in passing. A topic
is *covered* when an article declares it or answers half of the sample, *weak* from a quarter,
*missing* below.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from deflect.content.model import HelpCenter
from deflect.insights.topics import TICKET_NOISE, slugify
from deflect.search.service import SearchService

__all__ = ["ArticleInfo", "Coverage", "TopicMatcher", "COVERED", "WEAK", "slugify"]

COVERED, WEAK = 0.5, 0.25  # shares of sampled tickets answered
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


class TopicMatcher:
    """Matches ticket topics to the published articles of one help center."""

    def __init__(self, center: HelpCenter, service: SearchService) -> None:
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
        self.declared: dict[str, list[ArticleInfo]] = defaultdict(list)
        for article in self.articles.values():
            for topic in article.topics:
                self.declared[slugify(topic)].append(article)

    def merge_aliases(self, aliases: dict[str, str]) -> None:
        """Articles declaring an old topic name (``topics.yml``: old → new) declare the new one."""
        for old, new in aliases.items():
            moved = self.declared.pop(slugify(old), [])
            if moved:
                self.declared[slugify(new)].extend(a for a in moved if a not in self.declared[slugify(new)])

    def declared_topic(self, topic: str, aliases: dict[str, str]) -> str:
        """The topic an article's ``topics:`` entry stands for once ``topics.yml`` is applied."""
        by_slug = {slugify(old): new for old, new in aliases.items()}
        return slugify(by_slug.get(slugify(topic), topic))

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
            with self.service.index.matcher(lang, TOP) as match:
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
        ranked = sorted(votes, key=lambda key: (-votes[key], -firsts[key], key))
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
            score = round(votes.get(best_id, 0) / sampled, 3) if sampled else 1.0
            best = {"url": article.url, "title": article.title, "score": score, "why": "; ".join(reasons)}
        level = "covered" if declared or share >= COVERED else "weak" if share >= WEAK else "missing"
        runners = [{"url": self.articles[k].url if k in self.articles else k,
                    "title": self.articles[k].title if k in self.articles else k,
                    "score": round(votes[k] / sampled, 3)} for k in ranked if k != best_id][:3]
        return Coverage(level, best, answered, sampled, [a.id for a in declared], runners, best_id)


_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def _quiet(text: str) -> str:
    """The text without the words every ticket uses ("please help, it does not work")."""
    return _WORD.sub(lambda m: "" if m.group().lower() in TICKET_NOISE else m.group(), text)


def _stub(doc_id: str, service: SearchService) -> ArticleInfo:
    for doc in service.docs:
        if doc.id == doc_id:
            return ArticleInfo(doc.id, doc.url, doc.title, doc.lang, doc.kind, [], None, None)
    return ArticleInfo(doc_id, doc_id, doc_id, "", "article", [], None, None)
