"""The impact report: which articles cut tickets.

Each article with a publication date (front matter ``published`` or its file's first Git commit)
is tied to one ticket topic: a topic its ``topics:`` front matter declares, else the biggest topic
it is the best search match for. Its topic's weekly tickets before and after the publication
week are compared with the other topics' (difference in differences, see
:mod:`deflect.insights.stats`); topics whose own article appeared within the window are left out
of the control so one article's effect does not hide another's.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from deflect.insights.coverage import slugify
from deflect.insights.prepare import Prepared
from deflect.insights.stats import diff_in_diff

__all__ = ["impact_report"]


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
        own = [declared[slugify(t)] for t in article.topics if slugify(t) in declared]
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
    for article, topic, index, entry in plan:
        assert article.published is not None  # the plan holds dated articles only
        controls = [name for name in prepared.series if name != topic and not any(
            abs(week - index) <= window for week in published_weeks.get(name, ()))]
        control = [sum(prepared.series[name][w] for name in controls) for w in range(len(weeks))]
        estimate = diff_in_diff(prepared.series[topic], control, index, window=window, min_weeks=min_weeks)
        if estimate is None:
            skipped.append({**entry, "topic": topic, "reason": f"fewer than {min_weeks} whole weeks of tickets "
                                                               "before or after publication"})
            continue
        expected = dict(zip(estimate.expected_weeks, estimate.expected))
        first = max(0, index - window)
        last = min(len(weeks), index + window + 1)
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


def _week_of(weeks: list[dt.date], day: dt.date) -> int | None:
    if not weeks or day < weeks[0] or day >= weeks[-1] + dt.timedelta(days=7):
        return None
    return (day - weeks[0]).days // 7
