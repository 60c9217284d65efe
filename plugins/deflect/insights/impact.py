"""The impact report: which articles cut tickets.

Each article with a publication date (front matter ``published`` or its file's first Git commit)
is tied to one ticket topic: a topic its ``topics:`` front matter declares, else the biggest topic
it is the best search match for. Its topic's weekly tickets before and after the publication
week are compared with the other topics' (difference in differences, see
:mod:`deflect.insights.stats`); topics whose own article appeared within the window are left out
of the control so one article's effect does not hide another's.

A renamed topic is not an effect. An article whose topic starts or stops abruptly inside its
window (see :mod:`deflect.insights.taxonomy`) is listed as not measurable, with why; the control
is built only from topics that are stable across the window, and no estimate claims more tickets
avoided per week than the topic had before.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from deflect.insights.coverage import slugify
from deflect.insights.prepare import Prepared
from deflect.insights.stats import diff_in_diff

__all__ = ["control_series", "impact_report"]


def impact_report(prepared: Prepared, *, window: int = 12, min_weeks: int = 3) -> dict:
    weeks = prepared.weeks
    by_topic = {t.topic: t for t in prepared.topics}
    declared = {slugify(t.topic): t.topic for t in prepared.topics}
    tied: dict[str, str] = {}  # article id → topic
    for candidate in sorted(prepared.topics, key=lambda t: -t.tickets):
        if candidate.coverage.article_id and candidate.coverage.article_id not in tied:
            tied[candidate.coverage.article_id] = candidate.topic
    articles: list[dict[str, Any]] = []
    skipped: list[dict[str, Any]] = []
    published_weeks: dict[str, list[int]] = {}
    plan = []
    for article in prepared.matcher.articles.values():
        if article.kind == "faq" or article.lang != prepared.matcher.default_language:
            continue
        names = [prepared.matcher.declared_topic(t) for t in article.topics]
        own = [declared[name] for name in names if name in declared]
        topic = max(own, key=lambda name: by_topic[name].tickets) if own else tied.get(article.id)
        entry = {"url": article.url, "title": article.title}
        if topic is None:
            continue  # no ticket topic is about this article: nothing to measure
        if article.published is None:
            skipped.append({**entry, "topic": topic, "reason": "no publication date (no front matter "
                                                                 "'published' and no Git history)"})
            continue
        index = _week_of(weeks, article.published)
        if index is None:
            where = "before" if weeks and article.published < weeks[0] else "after"
            skipped.append({**entry, "topic": topic, "reason": f"published {article.published.isoformat()}, {where} "
                                                               "the tickets' period"})
            continue
        published_weeks.setdefault(topic, []).append(index)
        plan.append((article, topic, index, entry))
    totals = [sum(week) for week in zip(*prepared.series.values())] or [0] * len(weeks)  # every topic, once
    changes: dict[str, list] = {}
    for change in prepared.changes:
        changes.setdefault(change.topic, []).append(change)
    for article, topic, index, entry in plan:
        assert article.published is not None  # the plan holds dated articles only
        first, last = max(0, index - window), min(len(weeks), index + window + 1)
        inside = lambda name: [c for c in changes.get(name, ()) if first < c.index < last]  # noqa: E731
        own_changes = inside(topic)
        if own_changes:
            change = own_changes[0]
            skipped.append({**entry, "topic": topic, "reason": (
                f"not measurable: topic '{topic}' {change.change} abruptly in the week of {change.week.isoformat()}, "
                "inside the comparison window (likely a renamed topic: merge its names in topics.yml)")})
            continue
        unstable = [name for name in prepared.series if name != topic and inside(name)]
        controls = [name for name in prepared.series if name != topic and name not in unstable and not any(
            abs(week - index) <= window for week in published_weeks.get(name, ()))]
        if not controls:
            skipped.append({**entry, "topic": topic, "reason": (
                "not measurable: no control topic is stable across the window"
                + (f" ({', '.join(sorted(unstable)[:3])} start or stop abruptly in it)" if unstable else ""))})
            continue
        control = control_series(prepared.series, totals, controls)
        estimate = diff_in_diff(prepared.series[topic], control, index, window=window, min_weeks=min_weeks)
        if estimate is None:
            skipped.append({**entry, "topic": topic, "reason": f"fewer than {min_weeks} whole weeks of tickets "
                                                               "before or after publication"})
            continue
        estimate = _capped(estimate)
        expected = dict(zip(estimate.expected_weeks, estimate.expected))
        articles.append({
            **entry, "topic": topic, "topic_label": by_topic[topic].label,
            "published": article.published.isoformat(), "published_source": article.published_source,
            "before_per_week": round(estimate.before_per_week, 2), "after_per_week": round(estimate.after_per_week, 2),
            "expected_per_week": round(estimate.expected_per_week, 2),
            "change_per_week": round(estimate.change_per_week, 2),
            "change_pct": None if estimate.change_pct is None else round(estimate.change_pct, 1),
            "ci_low": round(estimate.ci_low, 2), "ci_high": round(estimate.ci_high, 2),
            "significant": estimate.significant,
            "tickets_avoided_per_week": round(-estimate.change_per_week, 2),
            "weeks_before": estimate.weeks_before, "weeks_after": estimate.weeks_after,
            "controls": len(controls),
            "weekly": [{"week": weeks[w].isoformat(), "tickets": prepared.series[topic][w],
                        "expected": None if w not in expected else round(expected[w], 2)} for w in range(first, last)],
        })
    articles.sort(key=lambda a: (-a["tickets_avoided_per_week"], a["url"]))
    skipped.sort(key=lambda s: s["url"])
    return {"tickets": prepared.store.count, "period": prepared.period(), "weeks": len(weeks), "window": window,
            "articles": articles, "skipped": skipped}


def control_series(series: dict[str, list[int]], totals: list[int], controls: list[str]) -> list[int]:
    """The weekly tickets of the ``controls`` topics together: the ``totals`` of every topic less the
    topics left out (an article leaves out a few, so this is not a sum of every control per article)."""
    chosen = set(controls)
    left_out = [series[name] for name in series if name not in chosen]
    return [total - sum(row[w] for row in left_out) for w, total in enumerate(totals)]


def _capped(estimate):
    """The estimate with no more tickets avoided than the topic had before (its interval too)."""
    floor = -estimate.before_per_week
    if estimate.change_per_week >= floor and estimate.ci_low >= floor:
        return estimate
    change, low = max(estimate.change_per_week, floor), max(estimate.ci_low, floor)
    high = max(estimate.ci_high, low)
    return dataclasses.replace(
        estimate, change_per_week=change, ci_low=low, ci_high=high, significant=bool(low > 0 or high < 0),
        change_pct=100.0 * change / estimate.expected_per_week if estimate.expected_per_week > 0 else None)


def _week_of(weeks: list[dt.date], day: dt.date) -> int | None:
    if not weeks or day < weeks[0] or day >= weeks[-1] + dt.timedelta(days=7):
        return None
    return (day - weeks[0]).days // 7
