"""Render the feedback report (from :meth:`Store.report`) as CSV, a terminal table or a self-contained HTML page.

Comments are readers' text: every value is escaped when it goes into HTML, and CSV cells pass the
spreadsheet formula guard (:mod:`deflect.spreadsheet`).
"""

from __future__ import annotations

from html import escape

from ..charts import AMBER, BLUE, GREEN, PURPLE, RED, Series, bar_chart, html_page, line_chart
from ..spreadsheet import to_csv as to_csv_rows
from ..feedback_reasons import FEEDBACK_REASONS


def to_csv(report: dict) -> str:
    """One row per article; readers' comments go through the spreadsheet formula guard."""
    header = ["article", "views", "votes", "helpful", "helpful_pct", *[f"reason_{r}" for r in FEEDBACK_REASONS],
              "deflections", "latest_comment"]
    return to_csv_rows(header, ([a["article"], a["views"], a["votes"], a["helpful"], a["helpful_pct"],
                                 *[a["reasons"].get(r, 0) for r in FEEDBACK_REASONS], a["deflections"],
                                 a["comments"][0]["comment"] if a["comments"] else ""]
                                for a in report["articles"]))


def to_text(report: dict) -> str:
    lines = [f"{'article':50} {'views':>6} {'votes':>6} {'helpful':>8} {'deflect':>8}"]
    for a in report["articles"]:
        pct = "-" if a["helpful_pct"] is None else f"{a['helpful_pct']:.0f}%"
        lines.append(f"{a['article'][:50]:50} {a['views']:>6} {a['votes']:>6} {pct:>8} {a['deflections']:>8}")
        if a["reasons"]:
            lines.append("    reasons: " + ", ".join(f"{k} {v}" for k, v in a["reasons"].items()))
        for c in a["comments"]:
            lines.append("    > " + " ".join(c["comment"].split())[:100])
    lines.append("")
    lines.append("top searches: " + (", ".join(f"{s['query']} ({s['count']})" for s in report["searches"]["top"])
                                     or "none"))
    lines.append("zero-result searches: " + (", ".join(f"{s['query']} ({s['count']})"
                                                       for s in report["searches"]["zero_results"]) or "none"))
    return "\n".join(lines) + "\n"


def _chart(articles: list[dict]) -> str:
    rows = [a for a in articles if a["helpful_pct"] is not None][:40]
    if not rows:
        return "<p>No votes yet.</p>"
    pcts = [a["helpful_pct"] for a in rows]
    return bar_chart([a["article"] for a in rows], pcts, max_value=100, label="Helpful percentage per article",
                     colors=[GREEN if p >= 70 else AMBER if p >= 40 else RED for p in pcts],
                     titles=[f"{a['article']}: {a['helpful_pct']}% of {a['votes']}" for a in rows],
                     value_texts=[f"{p:.0f}%" for p in pcts])


def _trend(points: list[dict], key: str, label: str, *, percent: bool = False, color: str = BLUE) -> str:
    """A line chart of ``points[i][key]`` over the periods: inline SVG, one ``<circle>`` per period
    (none for a period without a value, e.g. helpful % of a week without votes)."""
    if not points:
        return "<p>No data yet.</p>"
    period_key = "period" if "period" in points[0] else "day"
    return line_chart([str(p[period_key]) for p in points], [Series([p[key] for p in points], color=color)],
                      label=label, percent=percent, attrs={"data-series": key})


def _trends(report: dict) -> str:
    trends = report.get("trends") or {}
    votes, searches = trends.get("votes") or [], trends.get("searches") or []
    per = "week" if trends.get("period") == "week" else "day"
    return (f"<h2>Trends</h2>\n<h3>Votes per {per}</h3>\n{_trend(votes, 'votes', f'Votes per {per}')}\n"
            f"<h3>Helpful % per {per}</h3>\n"
            f"{_trend(votes, 'helpful_pct', f'Helpful % per {per}', percent=True, color=GREEN)}\n"
            f"<h3>Searches per day</h3>\n{_trend(searches, 'searches', 'Searches per day', color=PURPLE)}")


def to_html(report: dict, title: str = "Article feedback") -> str:
    e = escape
    rows = []
    for a in report["articles"]:
        reasons = ", ".join(f"{e(k)}: {v}" for k, v in a["reasons"].items()) or "—"
        comments = "".join(f"<li><span class=meta>{e((c['created'] or '')[:10])} · {e(c['lang'] or '')}"
                           f"{' · ' + e(c['reason']) if c['reason'] else ''}</span> {e(c['comment'])}</li>"
                           for c in a["comments"])
        pct = "—" if a["helpful_pct"] is None else f"{a['helpful_pct']:.1f}%"
        rows.append(f"<tr><td>{e(a['article'])}</td><td>{a['views']}</td><td>{a['votes']}</td><td>{pct}</td>"
                    f"<td>{reasons}</td><td>{a['deflections']}</td><td><ul>{comments}</ul></td></tr>")
    searches = lambda items: "".join(f"<li>{e(s['query'])} <span class=meta>({s['count']})</span></li>"
                                     for s in items) or "<li>none</li>"
    return html_page(title, f"""<h2>Helpful % per article</h2>
{_chart(report["articles"])}
{_trends(report)}
<h2>Articles</h2>
<table><thead><tr><th>Article</th><th>Views</th><th>Votes</th><th>Helpful</th><th>Reasons (not helpful)</th>
<th>Deflections</th><th>Latest comments</th></tr></thead><tbody>
{''.join(rows) or '<tr><td colspan=7>No feedback yet.</td></tr>'}
</tbody></table>
<div class=cols><section><h2>Top searches</h2><ol>{searches(report["searches"]["top"])}</ol></section>
<section><h2>Zero-result searches</h2><ol>{searches(report["searches"]["zero_results"])}</ol></section></div>""",
                     css=".cols{display:flex;gap:3rem}")
