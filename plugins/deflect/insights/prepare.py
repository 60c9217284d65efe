"""The common start of both reports: tickets imported, the export's topic names merged by
``topics.yml``, every ticket given a topic, every topic matched to the help center's articles, and
the topics that start or stop abruptly found."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from deflect.content.model import Content
from deflect.insights.coverage import Coverage, TopicMatcher
from deflect.insights.redact import redact
from deflect.insights.taxonomy import TopicChange, abrupt_changes, apply_aliases, load_aliases
from deflect.insights.tickets import TicketStore, name_parts, words_of
from deflect.insights.topics import Cluster, discover
from deflect.search.service import SearchService

__all__ = ["Prepared", "Topic", "assign_clusters", "prepare"]

SAMPLES = 24  # tickets per topic matched against the index one by one
PROFILED = 60  # tickets per topic whose words profile it (what sets it apart from the others)
SHOWN = 3  # redacted sample subjects per topic in the reports
_NAME_SPLIT = re.compile(r"[\s,;:()\[\]<>\"'!?]+")


@dataclass
class Topic:
    topic: str
    label: str
    source: str  # the column it came from ("topic", "category", "tags") or "cluster"
    tickets: int
    coverage: Coverage
    samples: list[str] = field(default_factory=list)  # redacted subjects
    terms: list[str] = field(default_factory=list)


@dataclass
class Prepared:
    store: TicketStore
    matcher: TopicMatcher
    topics: list[Topic]
    weeks: list[dt.date]
    series: dict[str, list[int]]
    days: list[int]  # days of each week inside the export's period (the first and last may be partial)
    clusters: dict[str, Cluster] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)  # topics.yml: old name → new name
    renamed: dict[str, int] = field(default_factory=dict)  # tickets renamed per old name
    changes: list[TopicChange] = field(default_factory=list)  # topics that start or stop abruptly

    def period(self) -> dict:
        span = self.store.period()
        return {"start": span[0].isoformat(), "end": span[1].isoformat()} if span else {"start": None, "end": None}


def prepare(paths: list[Path | str], center: Content, service: SearchService, *, mapping: dict[str, str] | None = None,
            preset: str = "auto", progress: Callable[[str], None] | None = None,
            date_order: str | None = None) -> Prepared:
    aliases = load_aliases(center.settings.root)  # a broken topics.yml fails before the import's work
    store = TicketStore.load(paths, mapping=mapping, preset=preset, progress=progress, date_order=date_order,
                             languages=center.settings.codes)
    renamed = apply_aliases(store, aliases)
    if progress and renamed:
        progress(f"topics.yml merged {sum(renamed.values()):,} tickets of {len(renamed)} old topic name(s)")
    lang = center.settings.default_language
    clusters = assign_clusters(store, lang, progress)
    matcher = TopicMatcher(center, service)
    matcher.merge_aliases(aliases)
    profiled = store.samples(PROFILED)
    matcher.learn_profiles(profiled)
    samples = {topic: _spread(items, SAMPLES) for topic, items in profiled.items()}
    usernames = store.creators_in(words_of(f"{s['subject']} {s['body']}" for items in samples.values()
                                           for s in items))
    usernames |= name_parts(s["creator"] for items in samples.values() for s in items if s.get("creator"))
    spaced = [name for name in usernames if " " in name]
    counts = store.topic_counts()
    if progress:
        progress(f"matching {len(counts):,} topics to {len(matcher.articles):,} articles…")
    topics = []
    for name, source, tickets in counts:
        picked = samples.get(name, [])
        cluster: Cluster | None = clusters.get(name)
        topics.append(Topic(
            topic=name, label=cluster.label if cluster else name, source=source or "cluster", tickets=tickets,
            coverage=matcher.assess(name, picked),
            samples=_distinct([_redacted(s["subject"] or s["body"][:120], usernames, spaced) for s in picked[:SHOWN * 3]])[:SHOWN],
            terms=cluster.terms if cluster else []))
    weeks, series = store.weekly()
    span = store.period()
    days = [7] * len(weeks)
    if weeks and span:
        days[0] = min(days[0], 7 - (span[0] - weeks[0]).days)
        days[-1] = min(days[-1], (span[1] - weeks[-1]).days + 1) if len(weeks) > 1 else (span[1] - span[0]).days + 1
    return Prepared(store, matcher, topics, weeks, series, days, clusters, aliases, renamed,
                    abrupt_changes(weeks, series, days))


def assign_clusters(store: TicketStore, lang: str, progress: Callable[[str], None] | None = None) -> dict[str, Cluster]:
    """Give every ticket without a topic a cluster topic, one way: the store hands out their texts,
    topic discovery clusters them (it never sees the store), the creators among the words that
    could name a cluster are looked up, and the assignments are written back once."""
    found = discover(store.unassigned_texts(), lang, taken=[name for name, _, _ in store.topic_counts()],
                     progress=progress)
    clusters, assignments = found.named(store.creators_in(words_of(found.words())))
    store.assign_topics(assignments)
    return {c.topic: c for c in clusters}


def _spread(items: list, count: int) -> list:
    """``count`` of ``items`` spread evenly over them (they are newest first: every period shows)."""
    if len(items) <= count:
        return items
    step = len(items) / count
    return [items[int(i * step)] for i in range(count)]


def _distinct(texts: list[str]) -> list[str]:
    """The texts without repeats (case-insensitive), in order."""
    seen: set[str] = set()
    distinct = []
    for text in texts:
        if text.lower() not in seen:
            seen.add(text.lower())
            distinct.append(text)
    return distinct


def _redacted(text: str, usernames: set[str], spaced: list[str]) -> str:
    """``text`` with personal data redacted: emails, phones, cards, IPs, and every word that is
    (part of) a creator's name or username (only those that occur in it are passed on);
    ``spaced``: the names with a space in them, looked for as phrases."""
    lowered = text.lower()
    present = {w for w in words_of([text]) if w.lower() in usernames}
    present |= {w.strip(".@-+") for w in _NAME_SPLIT.split(text) if w.lower().strip(".@-+") in usernames}
    present |= {name for name in spaced if name in lowered}
    return redact(text, {p for p in present if p})
