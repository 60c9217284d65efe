"""Render the gap report (what to write next) and the impact report (which articles cut tickets).

Pure functions over the plain dicts that :mod:`deflect.insights.gaps` and :mod:`deflect.insights.impact`
produce: a self-contained HTML page (inline CSS and SVG, no scripts, no external files), CSV (one row per
topic or article) and a :class:`rich.table.Table` for the terminal. Optional keys may be missing or ``None``.

Topic labels, sample subjects, search queries and article titles come from tickets and readers: every value is
escaped in HTML, taken as plain text (never markup) in rich tables, and CSV cells that a spreadsheet would run
as a formula are prefixed with ``'``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from html import escape
from urllib.parse import urljoin, urlsplit

from rich.table import Table
from rich.text import Text

from ..charts import AMBER, BLUE, GREEN, GREY, RED, Segment, Series, bar_chart, html_page, line_chart, sparkline
from ..spreadsheet import to_csv

COVERAGE = ("missing", "weak", "covered")
COVERAGE_COLORS = {"missing": RED, "weak": AMBER, "covered": GREEN}
_RICH_COVERAGE = {"missing": "bold red", "weak": "yellow", "covered": "green"}
MINUS = "\u2212"

_CSS = """.cov{display:inline-block;padding:0 .4rem;border-radius:.6rem;color:#fff;background:#777;font-size:.85em}
.cov-missing{background:#c62828} .cov-weak{background:#f9a825;color:#222} .cov-covered{background:#2e7d32}
.up{color:#c62828} .down{color:#2e7d32} td.num,th.num{text-align:right;white-space:nowrap}
.sparkline{vertical-align:middle} section.article{margin:1.5rem 0} .samples li{color:#444}
.sig{font-weight:600;color:#2e7d32} .date{white-space:nowrap} .scroll{overflow-x:auto}"""


# ---------------------------------------------------------------------------- formatting


def _num(value: float | None, digits: int = 1, *, sign: bool = False) -> str:
    """``12.3``, ``−4.0`` (a true minus sign), ``+12.3`` with ``sign``; ``—`` for a missing value."""
    if value is None:
        return "—"
    if abs(value) < 0.5 / 10 ** digits:
        value = 0.0  # no "−0.0"
    text = f"{value:+.{digits}f}" if sign else f"{value:.{digits}f}"
    return text.replace("-", MINUS)


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _change_pct(value: float | None) -> str:
    return "—" if value is None else _num(value, 0, sign=True) + "%"


def _ci(article: dict) -> str:
    """``−38.2 (−45.0 to −31.5) per week``; without a confidence interval just ``−38.2 per week``."""
    low, high = article.get("ci_low"), article.get("ci_high")
    bounds = f" ({_num(low)} to {_num(high)})" if low is not None and high is not None else ""
    return f"{_num(article.get('change_per_week'))}{bounds} per week"


def _period(report: dict) -> str:
    period = report.get("period") or {}
    start, end = period.get("start"), period.get("end")
    return f"{start} to {end}" if start and end else str(start or end or "")


def _href(url: str | None) -> str | None:
    """The URL when it is safe in an ``href`` (http, https or relative), else ``None`` (``javascript:``…)."""
    if not url:
        return None
    scheme = urlsplit(str(url)).scheme.lower()
    return str(url) if scheme in ("", "http", "https") else None


def absolute_links(report: dict, site_url: str | None) -> dict:
    """A copy of ``report`` whose relative article URLs (``en/account/reset/``) point into the
    site at ``site_url``, so the links of a report opened on its own lead somewhere."""
    if not site_url:
        return report
    base = site_url if site_url.endswith("/") else site_url + "/"

    def walk(value: object, key: str = "") -> object:
        if isinstance(value, dict):
            return {k: walk(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, key) for v in value]
        if key in ("url", "article") and isinstance(value, str) and value and not urlsplit(value).scheme:
            return urljoin(base, value.lstrip("/"))
        return value

    return walk(report)  # type: ignore[return-value]


def _link(url: str | None, title: str | None) -> str:
    text = escape(str(title or url or "—"))
    href = _href(url)
    return f'<a href="{escape(href)}">{text}</a>' if href else text


def _list(items: Iterable[str], empty: str = "—") -> str:
    items = list(items)
    return f"<ul>{''.join(f'<li>{i}</li>' for i in items)}</ul>" if items else empty


def _searches(items: Sequence[dict] | None, *, topic: bool = False) -> Iterable[str]:
    for s in items or ():
        where = f" · {escape(str(s['topic']))}" if topic and s.get("topic") else ""
        yield f"{escape(str(s.get('query', '')))} <span class=meta>({s.get('count', 0)}{where})</span>"


def _weekly(items: Sequence[dict] | None, key: str) -> list[float | None]:
    return [w.get(key) for w in items or ()]


def _trend_text(trend: dict | None) -> str:
    trend = trend or {}
    change = trend.get("change_pct")
    return "new" if change is None and trend.get("recent_per_week") else _change_pct(change)


def _summary(report: dict, *extra: str) -> str:
    parts = [f"{report.get('tickets', 0)} tickets", _period(report), *extra]
    return " · ".join(p for p in parts if p)


# ---------------------------------------------------------------------------- gap report


def _coverage_chart(topics: Sequence[dict]) -> str:
    if not topics:
        return "<p>No topics.</p>"
    totals = {c: sum(t.get("tickets") or 0 for t in topics if t.get("coverage") == c) for c in COVERAGE}
    everything = sum(totals.values()) or 1
    overall = bar_chart(["All tickets"], [sum(totals.values())], label="Tickets by coverage of their topic",
                        segments=[[Segment(n, COVERAGE_COLORS[c], f"{c}: {n} tickets ({n / everything:.0%})")
                                   for c, n in totals.items() if n]],
                        value_texts=[f"{totals['missing'] / everything:.0%} without an article"],
                        css_class="chart coverage-overall", row_height=28, value_width=180)
    shown = list(topics)[:30]
    labels = [str(t.get("label") or t.get("topic") or "") for t in shown]
    tickets = [t.get("tickets") or 0 for t in shown]
    per_topic = bar_chart(labels, tickets, label="Tickets per topic, coloured by coverage",
                          colors=[COVERAGE_COLORS.get(str(t.get("coverage")), GREY) for t in shown],
                          titles=[f"{name}: {n} tickets, {t.get('coverage') or 'unknown'} coverage"
                                  for name, n, t in zip(labels, tickets, shown)],
                          legend=[(c, COVERAGE_COLORS[c]) for c in COVERAGE], css_class="chart coverage",
                          track=None)
    more = f"\n<p class=meta>The first {len(shown)} of {len(topics)} topics.</p>" if len(topics) > len(shown) else ""
    return overall + "\n" + per_topic + more


def _coverage_badge(coverage: str | None) -> str:
    cls = f" cov-{coverage}" if coverage in COVERAGE_COLORS else ""
    return f'<span class="cov{cls}">{escape(str(coverage or "unknown"))}</span>'


def _topic_row(t: dict) -> str:
    e = escape
    label = str(t.get("label") or t.get("topic") or "")
    meta = " · ".join(e(str(x)) for x in (t.get("topic") if t.get("topic") != label else None, t.get("source"))
                      if x)
    terms = ", ".join(e(str(x)) for x in t.get("terms") or ())
    trend = t.get("trend") or {}
    change = trend.get("change_pct")
    direction = " up" if change and change > 0 else " down" if change and change < 0 else ""
    spark = sparkline(_weekly(t.get("weekly"), "tickets"), label=f"Tickets per week: {label}",
                      title=", ".join(f"{w.get('week')}: {w.get('tickets')}" for w in t.get("weekly") or ()))
    rates = (f"{_num(trend.get('recent_per_week'))}/wk, was {_num(trend.get('previous_per_week'))}"
             if trend else "")
    best = t.get("best_article")
    best_cell = (f"{_link(best.get('url'), best.get('title'))}<br><span class=meta>score "
                 f"{_num(best.get('score'), 2)}{' · ' + e(str(best['why'])) if best.get('why') else ''}</span>"
                 if best else "—")
    votes = f"<br><span class=meta>{t['not_helpful']} not-helpful votes</span>" if t.get("not_helpful") else ""
    answered = t.get("answered") or {}
    if answered.get("sampled"):
        best_cell += (f"<br><span class=meta>answers {answered.get('tickets', 0)} of {answered['sampled']} sampled "
                      f"tickets ({_share(answered.get('share'))})</span>")
    about = t.get("articles_about") or ()
    if about:
        best_cell += "<br><span class=meta>about it: " + ", ".join(
            f"{_link(a.get('url'), a.get('title'))} {_num(a.get('score'), 2)}" for a in about) + "</span>"
    return (f"<tr><td><strong>{e(label)}</strong><br><span class=meta>{meta}</span>"
            f"{f'<br><span class=meta>terms: {terms}</span>' if terms else ''}</td>"
            f"<td class=num>{t.get('tickets', 0)}<br><span class=meta>{_share(t.get('share'))}</span>{votes}</td>"
            f"<td>{spark} <span class=\"{direction.strip()}\">{e(_trend_text(trend))}</span>"
            f"<br><span class=meta>{e(rates)}</span></td>"
            f"<td>{_coverage_badge(t.get('coverage'))}<br><span class=meta>urgency {_num(t.get('urgency'), 2)}"
            f"</span></td><td>{best_cell}</td>"
            f"<td class=samples>{_list(e(str(s)) for s in t.get('samples') or ())}</td>"
            f"<td>{_list(_searches(t.get('zero_result_searches')))}</td></tr>")


def _import_summary(report: dict) -> str:
    imp = report.get("import")
    if not imp:
        return ""
    problems = imp.get("problems") or []
    items = "".join(f"<li>{escape(str(p.get('path', '')))}:{escape(str(p.get('line', '')))}: "
                    f"{escape(str(p.get('message', '')))}</li>" for p in problems[:50])
    more = f"<li>… {len(problems) - 50} more</li>" if len(problems) > 50 else ""
    details = (f"<details><summary>{len(problems)} import problem{'s' if len(problems) != 1 else ''}</summary>"
               f"<ul>{items}{more}</ul></details>" if problems else "")
    malformed = f", {imp['malformed']} malformed" if imp.get("malformed") else ""
    return f"<p class=meta>Imported {imp.get('imported', 0)} of {imp.get('rows', 0)} rows{malformed}.</p>{details}"


def _taxonomy(taxonomy: dict) -> str:
    """Topic names merged by topics.yml, topics that start or stop abruptly, suggested aliases."""
    e = escape
    aliases = [f"{e(str(a.get('old')))} → {e(str(a.get('new')))} <span class=meta>({a.get('tickets', 0)} tickets)"
               "</span>" for a in taxonomy.get("aliases") or ()]
    changes = [f"{e(str(c.get('topic')))} {e(str(c.get('change')))} in the week of {e(str(c.get('week')))} "
               f"<span class=meta>({_num(c.get('per_week'))}/wk)</span>" for c in taxonomy.get("changes") or ()]
    suggested = [f"<code>{e(str(s.get('line')))}</code>" for s in taxonomy.get("suggested_aliases") or ()]
    if not (aliases or changes):
        return ""
    parts = ["<h2>Topic names</h2>"]
    if aliases:
        parts.append("<p>Merged by topics.yml:</p>" + _list(aliases))
    if changes:
        parts.append("<p>These topics start or stop abruptly, likely a renamed category in the help desk. The "
                     "impact report measures no article on them across the change.</p>" + _list(changes))
    if suggested:
        parts.append("<p>Suggested aliases for topics.yml (<code>aliases:</code>, old name: new name):</p>"
                     + _list(suggested))
    return "\n".join(parts)


def gaps_html(report: dict, title: str = "Content gaps") -> str:
    """The gap report as a self-contained HTML page: coverage charts, a table per topic, searches, votes."""
    topics = report.get("topics") or []
    weeks = report.get("weeks")
    summary = _summary(report, f"{weeks} weeks" if weeks else "", f"{len(topics)} topics")
    rows = "".join(_topic_row(t) for t in topics) or "<tr><td colspan=7>No topics.</td></tr>"
    zero = (report.get("searches") or {}).get("zero_results")
    votes = (report.get("votes") or {}).get("not_helpful")
    voted = (f"{_link(v.get('article'), v.get('article'))} <span class=meta>({v.get('count', 0)})</span>"
             for v in votes or ())
    body = f"""<p class=meta>{escape(summary)}</p>
{_import_summary(report)}
<h2>Coverage by topic</h2>
{_coverage_chart(topics)}
<h2>Topics</h2>
<table><thead><tr><th>Topic</th><th class=num>Tickets</th><th>Trend</th><th>Coverage</th><th>Best article</th>
<th>Sample subjects</th><th>Zero-result searches</th></tr></thead><tbody>
{rows}
</tbody></table>
{_taxonomy(report.get("taxonomy") or {})}
<h2>Zero-result searches</h2>
{_list(_searches(zero, topic=True), "<p>None.</p>")}
<h2>Articles voted not helpful</h2>
{_list(voted, "<p>None.</p>")}"""
    return html_page(title, body, css=_CSS)


def write_assignments(prepared, path) -> int:
    """Every imported ticket's topic, for drill-down: ``ticket_id, topic, label, source`` (source:
    ``export`` for the export's own topic, ``cluster``, or ``language`` for a language too small to
    cluster), written in chunks through the spreadsheet-safe CSV writer. Returns the rows written.
    A ticket without an id is named by its file and line."""
    labels = {t.topic: t.label for t in prepared.topics}
    kinds = {c.topic: c.source for c in prepared.clusters.values()}  # "cluster" or "language"
    files = prepared.store.report.files
    cursor = prepared.store.con.execute("SELECT id, file, line, topic, topic_source FROM tickets ORDER BY rid")
    written = 0
    with open(path, "w", encoding="utf-8", newline="") as out:
        while rows := cursor.fetchmany(50_000):
            text = to_csv(("ticket_id", "topic", "label", "source"), (
                ((ticket_id or "").strip() or f"{files[number]}:{line}", topic, labels.get(topic, topic),
                 "export" if source != "cluster" else kinds.get(topic, "cluster"))
                for ticket_id, number, line, topic, source in rows))
            out.write(text if not written else text.split("\n", 1)[1])  # the header once
            written += len(rows)
    return written


# ---------------------------------------------------------------------------- impact report


def ranked(articles: Sequence[dict]) -> list[dict]:
    """Articles by tickets avoided per week, most first (stable: ties keep their order)."""
    return sorted(articles, key=lambda a: -(a.get("tickets_avoided_per_week") or 0))


def _week_index(weeks: Sequence[str], day: str | None) -> float | None:
    """Where ``day`` falls on an axis of week starts, as a fractional index; ``None`` when it is outside."""
    try:
        when = date.fromisoformat(str(day)[:10])
        starts = [date.fromisoformat(str(w)[:10]) for w in weeks]
    except ValueError:
        return None
    if not starts or when < starts[0] or (when - starts[-1]).days >= 7:
        return None
    for i, (a, b) in enumerate(zip(starts, starts[1:])):
        if a <= when < b:
            return i + (when - a).days / max(1, (b - a).days)
    return len(starts) - 1 + (when - starts[-1]).days / 7


def _impact_chart(a: dict) -> str:
    weekly = a.get("weekly") or []
    weeks = [str(w.get("week", "")) for w in weekly]
    series = [Series(_weekly(weekly, "tickets"), "tickets", BLUE)]
    if any(v is not None for v in _weekly(weekly, "expected")):
        series.append(Series(_weekly(weekly, "expected"), "expected", GREY, dashed=True, points=False))
    published = a.get("published")
    name = str(a.get("title") or a.get("url") or "")
    return line_chart(weeks, series, label=f"Tickets per week: {name}", marker=_week_index(weeks, published),
                      marker_label=f"published {published}" if published else "", css_class="chart trend impact",
                      attrs={"data-article": a.get("url") or ""}, empty="<p>No weekly data.</p>")


def _impact_row(rank: int, a: dict) -> str:
    e = escape
    source = f" <span class=meta>({e(str(a['published_source']))})</span>" if a.get("published_source") else ""
    sig = '<span class=sig>yes</span>' if a.get("significant") else "no"
    return (f"<tr><td class=num>{rank}</td><td>{_link(a.get('url'), a.get('title'))}</td>"
            f"<td>{e(str(a.get('topic') or '—'))}</td>"
            f"<td><span class=date>{e(str(a.get('published') or '—'))}</span>"
            f"{source}</td>"
            + "".join(f"<td class=num>{_num(a.get(k))}</td>"
                      for k in ("before_per_week", "after_per_week", "expected_per_week"))
            + f"<td class=num>{e(_ci(a))}</td><td class=num>{_change_pct(a.get('change_pct'))}</td>"
            f"<td>{sig}</td><td class=num>{_num(a.get('tickets_avoided_per_week'))}</td>"
            f"<td class=num>{a.get('weeks_before', '—')} / {a.get('weeks_after', '—')}</td></tr>")


def _impact_section(a: dict) -> str:
    e = escape
    facts = [str(a.get("topic") or ""), f"published {a['published']}" if a.get("published") else "",
             f"change {_ci(a)}", "significant" if a.get("significant") else "not significant"]
    return (f'<section class=article><h3>{_link(a.get("url"), a.get("title"))}</h3>'
            f'<p class=meta>{" · ".join(e(f) for f in facts if f)}</p>\n{_impact_chart(a)}</section>')


def impact_html(report: dict, title: str = "Article impact") -> str:
    """The impact report as a self-contained HTML page: a ranked table, then a weekly chart per article."""
    articles = ranked(report.get("articles") or [])
    significant = [a for a in articles if a.get("significant")]
    avoided = sum(a.get("tickets_avoided_per_week") or 0 for a in significant)
    summary = _summary(report, f"{len(articles)} articles measured", f"{len(significant)} with a significant change")
    rows = ("".join(_impact_row(i, a) for i, a in enumerate(articles, 1))
            or "<tr><td colspan=12>No articles measured.</td></tr>")
    skipped = (f"{_link(s.get('url'), s.get('title'))} <span class=meta>{escape(str(s.get('reason') or ''))}</span>"
               for s in report.get("skipped") or ())
    body = f"""<p class=meta>{escape(summary)}</p>
<p>Tickets avoided by articles with a significant change: <strong>{_num(avoided)} per week</strong>.</p>
<h2>Ranking</h2>
<div class=scroll><table><thead><tr><th class=num>#</th><th>Article</th><th>Topic</th><th>Published</th>
<th class=num>Before/wk</th><th class=num>After/wk</th><th class=num>Expected/wk</th>
<th class=num>Change (CI)</th><th class=num>Change %</th><th>Significant</th><th class=num>Avoided/wk</th>
<th class=num>Weeks before/after</th></tr></thead><tbody>
{rows}
</tbody></table></div>
<h2>Weekly tickets per article</h2>
<p class=meta>Solid: tickets on the article's topic; dashed: expected without the article.</p>
{''.join(_impact_section(a) for a in articles) or '<p>No articles measured.</p>'}
<h2>Not measured</h2>
{_list(skipped, "<p>None.</p>")}"""
    return html_page(title, body, css=_CSS)


# ---------------------------------------------------------------------------- CSV


GAPS_COLUMNS = ("topic", "label", "source", "tickets", "share", "recent_per_week", "previous_per_week",
                "change_pct", "coverage", "urgency", "best_article_url", "best_article_title", "best_article_score",
                "best_article_why", "not_helpful", "zero_result_searches", "terms", "samples")


def gaps_csv(report: dict) -> str:
    """One row per topic (columns :data:`GAPS_COLUMNS`); lists are joined with ``"; "``."""
    def row(t: dict) -> list[object]:
        trend, best = t.get("trend") or {}, t.get("best_article") or {}
        searches = "; ".join(f"{s.get('query')} ({s.get('count')})" for s in t.get("zero_result_searches") or ())
        return [t.get("topic"), t.get("label"), t.get("source"), t.get("tickets"), t.get("share"),
                trend.get("recent_per_week"), trend.get("previous_per_week"), trend.get("change_pct"),
                t.get("coverage"), t.get("urgency"), best.get("url"), best.get("title"), best.get("score"),
                best.get("why"), t.get("not_helpful"), searches, "; ".join(map(str, t.get("terms") or ())),
                "; ".join(map(str, t.get("samples") or ()))]
    return to_csv(GAPS_COLUMNS, map(row, report.get("topics") or ()))


IMPACT_COLUMNS = ("rank", "url", "title", "topic", "published", "published_source", "before_per_week",
                  "after_per_week", "expected_per_week", "change_per_week", "change_pct", "ci_low", "ci_high",
                  "significant", "tickets_avoided_per_week", "weeks_before", "weeks_after")


def impact_csv(report: dict) -> str:
    """One row per measured article, ranked (columns :data:`IMPACT_COLUMNS`); skipped articles are left out."""
    return to_csv(IMPACT_COLUMNS, ([i, *(a.get(k) for k in IMPACT_COLUMNS[1:])]
                                 for i, a in enumerate(ranked(report.get("articles") or []), 1)))


# ---------------------------------------------------------------------------- terminal

_BLOCKS = "▁▂▃▄▅▆▇█"


def spark_text(values: Sequence[float | None]) -> str:
    """A sparkline in block characters (a space for a missing value)."""
    found = [v for v in values if v is not None]
    peak = max(found or [0]) or 1
    return "".join(" " if v is None else _BLOCKS[min(7, int(max(0, v) / peak * 7.999))] for v in values)


def _more(table: Table, shown: int, total: int, what: str) -> Table:
    if total > shown:
        table.caption = f"{total - shown} more {what} not shown"
    return table


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _cell(value: object) -> Text:
    """Text from tickets or articles for a terminal cell: never read as markup, and every control
    character shown as its escape (``\\x1b``), so an export cannot move the cursor, clear the
    screen, retitle the window or reverse the text around it; line breaks and tabs become spaces."""
    return Text(_CONTROL.sub(lambda m: " " if m.group() in "\t\n\r" else m.group().encode("unicode_escape")
                             .decode("ascii"), str(value)))


def gaps_table(report: dict, limit: int = 20) -> Table:
    """The first ``limit`` topics as a rich table (text from tickets is never read as markup)."""
    topics = report.get("topics") or []
    table = Table(title=Text(f"Content gaps · {_summary(report)}"), title_justify="left")
    for name, justify in (("#", "right"), ("Topic", "left"), ("Tickets", "right"), ("Share", "right"),
                          ("Trend", "left"), ("Coverage", "left"), ("Urgency", "right"), ("Best article", "left")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for i, t in enumerate(topics[:limit], 1):
        best = t.get("best_article") or {}
        coverage = str(t.get("coverage") or "unknown")
        table.add_row(str(i), _cell(t.get("label") or t.get("topic") or ""), str(t.get("tickets", 0)),
                      _share(t.get("share")),
                      Text(f"{spark_text(_weekly(t.get('weekly'), 'tickets'))} {_trend_text(t.get('trend'))}"),
                      Text(coverage, style=_RICH_COVERAGE.get(coverage, "")), _num(t.get("urgency"), 2),
                      _cell(best.get("title") or best.get("url") or "—"))
    return _more(table, min(limit, len(topics)), len(topics), "topics")


def impact_table(report: dict, limit: int = 20) -> Table:
    """The first ``limit`` articles, ranked by tickets avoided per week, as a rich table."""
    articles = ranked(report.get("articles") or [])
    table = Table(title=Text(f"Article impact · {_summary(report)}"), title_justify="left")
    for name, justify in (("#", "right"), ("Article", "left"), ("Topic", "left"), ("Published", "left"),
                          ("Tickets/wk before → after", "right"), ("Change/wk (95% CI)", "right"),
                          ("Change", "right"), ("Significant", "left")):
        table.add_column(name, justify=justify, no_wrap=name not in ("Article", "Topic"))  # type: ignore[arg-type]
    for i, a in enumerate(articles[:limit], 1):
        table.add_row(str(i), _cell(a.get("title") or a.get("url") or ""), _cell(a.get("topic") or "—"),
                      str(a.get("published") or "—"),
                      f"{_num(a.get('before_per_week'))} → {_num(a.get('after_per_week'))}",
                      _ci(a).removesuffix(" per week"), _change_pct(a.get("change_pct")),
                      Text("yes", style="bold green") if a.get("significant") else Text("no"))
    table = _more(table, min(limit, len(articles)), len(articles), "articles")
    skipped = report.get("skipped") or []
    if skipped:
        note = f"{len(skipped)} article{'s' if len(skipped) != 1 else ''} not measured"
        table.caption = f"{table.caption}; {note}" if table.caption else note
    return table
