"""The gap report: what to write next.

Topics are ranked by urgency = demand × missing coverage, where demand is the topic's tickets
plus, from the collector's database when one is given, its zero-result searches (half a ticket
each) and the "not helpful" votes on its best article, and missing coverage weighs 1 for a
missing topic, 0.5 for a weak one and 0.1 for a covered one. Zero-result searches that fit no
ticket topic become topics of their own (source "search").

The report's ``taxonomy`` says which export topic names ``topics.yml`` merged, which topics
start or stop abruptly (a likely renaming) and which aliases would merge them.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

from deflect.insights.coverage import slugify
from deflect.insights.prepare import Prepared, Topic
from deflect.insights.redact import redact
from deflect.insights.taxonomy import suggest_aliases
from deflect.search.analysis import analyzer_for

if TYPE_CHECKING:
    from deflect.content.scaffold import Project

__all__ = ["WEIGHTS", "collector_evidence", "gap_report", "write_drafts"]

WEIGHTS = {"missing": 1.0, "weak": 0.5, "covered": 0.1}
SEARCH_WEIGHT = 0.5
UNHELPFUL = 0.5  # a best article rated helpful by fewer than half of its voters…
MIN_VOTES = 5  # …by at least this many, makes a covered topic weak


def collector_evidence(db_url: str) -> dict:
    """Zero-result searches and votes per article from the collector's database."""
    from deflect.collector.store import Store

    store = Store(db_url)
    try:
        data = store.report(searches=500)
    finally:
        store.close()
    votes = {a["article"]: a for a in data["articles"] if a["votes"]}
    return {"zero_results": data["searches"]["zero_results"], "votes": votes, "votes_by_page": _page_index(votes)}


def _page_index(votes: dict[str, dict]) -> dict[str, dict]:
    """Votes by every tail of their page path ("help/en/a" → help/en/a, en/a, a), the first article
    per tail: finding a topic's best article is then one lookup, not a scan of every voted article."""
    index: dict[str, dict] = {}
    for key, vote in votes.items():
        path = key.split("#", 1)[0].strip("/")
        parts = path.split("/") if path else []
        for i in range(len(parts)):
            index.setdefault("/".join(parts[i:]), vote)
    return index


def _trend(series: list[int], days: list[int]) -> dict:
    """Tickets per week in the latest four weeks against the four before (halves of a shorter
    export), partial first and last weeks scaled to whole weeks."""
    n = len(series)
    if n < 2:
        return {"recent_per_week": None, "previous_per_week": None, "change_pct": None}
    half = min(4, n // 2)
    rate = lambda part, d: 7 * sum(part) / max(1, sum(d))  # noqa: E731
    recent = rate(series[n - half:], days[n - half:])
    previous = rate(series[n - 2 * half:n - half], days[n - 2 * half:n - half])
    pct = round(100 * (recent - previous) / previous, 1) if previous else None
    return {"recent_per_week": round(recent, 1), "previous_per_week": round(previous, 1), "change_pct": pct}


def _search_terms(query: str, lang: str) -> set[str]:
    return set(analyzer_for(lang).terms(query))


def gap_report(prepared: Prepared, evidence: dict | None = None) -> dict:
    lang = prepared.matcher.default_language
    weeks = [w.isoformat() for w in prepared.weeks]
    topic_terms: dict[str, set[str]] = {}
    for topic in prepared.topics:
        text = " ".join([topic.label.replace("-", " "), *topic.terms, *topic.samples])
        topic_terms[topic.topic] = set(analyzer_for(lang).terms(text))
    searches_by_topic: dict[str, list[dict]] = defaultdict(list)
    loose: list[dict] = []
    votes: dict[str, dict] = (evidence or {}).get("votes", {})
    by_page: dict[str, dict] = (evidence or {}).get("votes_by_page") or _page_index(votes)
    for item in (evidence or {}).get("zero_results", []):
        item = {**item, "query": redact(item["query"])}  # readers type emails and phone numbers too
        terms = _search_terms(re.sub(r"\[\w+\]", " ", item["query"]), lang)  # not the placeholders
        best, overlap = None, 0
        for name, known in topic_terms.items():
            shared = len(terms & known)
            if shared > overlap:
                best, overlap = name, shared
        if best is not None and overlap >= max(1, (len(terms) + 1) // 2):
            searches_by_topic[best].append({"query": item["query"], "count": item["count"], "topic": best})
        else:
            loose.append({"query": item["query"], "count": item["count"], "topic": None})
    rows = []
    total = max(1, prepared.store.count)
    for topic in prepared.topics:
        rows.append(_row(topic, prepared, weeks, searches_by_topic.get(topic.topic, []), by_page, total))
    for item in loose:  # what readers search for and find nothing about, with no ticket topic to join
        name = "search-" + (slugify(item["query"])[:60] or "query")
        rows.append({
            "topic": name, "label": item["query"], "source": "search", "tickets": 0, "share": 0.0,
            "trend": {"recent_per_week": None, "previous_per_week": None, "change_pct": None},
            "weekly": [], "coverage": "missing", "urgency": round(SEARCH_WEIGHT * item["count"], 2),
            "best_article": None, "samples": [], "terms": [], "zero_result_searches": [item], "not_helpful": 0,
            "why": f"searched {item['count']} time(s) with no result"})
    rows.sort(key=lambda r: (-r["urgency"], -r["tickets"], r["topic"]))
    report = prepared.store.report.as_dict()
    span = prepared.period()
    return {
        "tickets": prepared.store.count, "period": span, "weeks": len(weeks),
        "import": {k: report[k] for k in ("files", "rows", "imported", "malformed", "duplicates", "notes", "problems")},
        "coverage": {level: sum(1 for r in rows if r["coverage"] == level) for level in WEIGHTS},
        "taxonomy": {
            "aliases": [{"old": old, "new": new, "tickets": prepared.renamed.get(old, 0)}
                        for old, new in sorted(prepared.aliases.items())],
            "changes": [c.as_dict() for c in prepared.changes],
            "suggested_aliases": suggest_aliases(prepared.changes)},
        "topics": rows,
        "searches": {"zero_results": [s for items in searches_by_topic.values() for s in items] + loose},
        "votes": {"not_helpful": sorted(({"article": k, "count": v["votes"] - v["helpful"]} for k, v in votes.items()
                                         if v["votes"] > v["helpful"]), key=lambda a: -a["count"])},
        "generated": dt.date.today().isoformat(),
    }


def _row(topic: Topic, prepared: Prepared, weeks: list[str], searches: list[dict], votes: dict[str, dict],
         total: int) -> dict:
    series = prepared.series.get(topic.topic, [0] * len(weeks))
    coverage = topic.coverage
    level, best = coverage.coverage, dict(coverage.best_article) if coverage.best_article else None
    not_helpful = 0
    if best is not None:
        vote = _votes_for(best["url"], votes)
        if vote:
            not_helpful = vote["votes"] - vote["helpful"]
            if level == "covered" and vote["votes"] >= MIN_VOTES and vote["helpful"] / vote["votes"] < UNHELPFUL:
                level = "weak"
                best["why"] += (f"; readers rate it not helpful ({not_helpful} of {vote['votes']} votes), "
                                "so the topic counts as weak")
    demand = topic.tickets + SEARCH_WEIGHT * sum(s["count"] for s in searches) + not_helpful
    return {
        "topic": topic.topic, "label": topic.label, "source": topic.source, "tickets": topic.tickets,
        "share": round(topic.tickets / total, 4), "trend": _trend(series, prepared.days),
        "weekly": [{"week": w, "tickets": n} for w, n in zip(weeks, series)],
        "coverage": level, "urgency": round(demand * WEIGHTS[level], 2), "best_article": best,
        "samples": topic.samples, "terms": topic.terms, "zero_result_searches": searches, "not_helpful": not_helpful,
        "answered": {"tickets": coverage.answered, "sampled": coverage.sampled,
                     "share": round(coverage.answered / coverage.sampled, 3) if coverage.sampled else 0.0},
        "matches": coverage.matches, "articles_about": coverage.about,
    }


def _votes_for(url: str, by_page: dict[str, dict]) -> dict | None:
    """The collector keys articles by page path ("en/account/reset/" or "/help/en/account/reset/"):
    ``by_page`` is :func:`_page_index` of them."""
    base = url.split("#", 1)[0].strip("/")
    return by_page.get(base) if base else None


def write_drafts(report: dict, project: Project, count: int = 5) -> tuple[list[Path], list[str]]:
    """Stub articles for the ``count`` most urgent missing or weak topics: internal (so a build
    never publishes them unfinished), declaring the topic, with the evidence in an HTML comment.
    The category is the closest article's, else the first one. Returns the files written and
    why any gap got no draft."""
    from deflect.content.scaffold import ScaffoldError, scaffold

    categories = list(project.content.categories)
    written: list[Path] = []
    skipped: list[str] = []
    for row in report["topics"]:
        if len(written) >= count:
            break
        if row["coverage"] == "covered":
            continue
        title = _title(row)
        closest = (row.get("best_article") or {}).get("url", "").split("/")
        category = closest[1] if len(closest) > 2 and closest[1] in categories else (categories[0] if categories else None)
        try:
            path = scaffold(project, "article", title, category=category)
        except ScaffoldError as exc:
            skipped.append(f"{row['topic']}: {exc}")
            continue
        text = path.read_text(encoding="utf-8")
        front, _, body = text.partition("\n---\n")
        topic_slug = slugify(row["topic"])[:80] or "topic"
        front = re.sub(r"(?m)^topics:.*\n?", "", front)
        front = re.sub(r"(?m)^audience:.*\n?", "", front).rstrip("\n")
        front += f"\ntopics: [{topic_slug}]\naudience: internal"
        evidence = [f"Drafted by `deflect gaps` on {report.get('generated')} from {report['tickets']} tickets "
                    f"({report['period'].get('start')} to {report['period'].get('end')}).",
                    f"Topic: {row['label']} ({row['source']}); {row['tickets']} tickets; coverage: {row['coverage']}; "
                    f"urgency {row['urgency']}.",
                    "Set `audience: public` when the article is ready."]
        if row.get("best_article"):
            evidence.append(f"Closest article now: {row['best_article']['title']} "
                            f"({row['best_article']['url']}): {row['best_article']['why']}.")
        evidence += [f"Sample ticket: {s}" for s in row.get("samples", [])]
        evidence += [f"Zero-result search: {s['query']} ({s['count']})" for s in row.get("zero_result_searches", [])]
        comment = "<!--\n" + "\n".join(re.sub(r"-(?=-)|(?<=-)>", lambda m: m.group() + " ", line)
                                          for line in evidence) + "\n-->\n"
        path.write_text(front + "\n---\n" + comment + body, encoding="utf-8")
        written.append(path)
    return written, skipped


def _title(row: dict) -> str:
    label = row["label"]
    if row["source"] == "cluster":
        label = label.split(": ", 1)[-1].replace(" · ", ", ")
    words = re.sub(r"[-_]+", " ", label).strip()
    return (words[:1].upper() + words[1:]) if words else "New article"
