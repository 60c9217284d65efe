"""Render the feedback report (from :meth:`Store.report`) as CSV, a terminal table or a self-contained HTML page.

Comments are readers' text: every value is escaped when it goes into HTML.
"""

from __future__ import annotations

import csv
import io
from html import escape

from .store import REASONS


def to_csv(report: dict) -> str:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["article", "views", "votes", "helpful", "helpful_pct", *[f"reason_{r}" for r in REASONS],
                "deflections", "latest_comment"])
    for a in report["articles"]:
        w.writerow([a["article"], a["views"], a["votes"], a["helpful"],
                    "" if a["helpful_pct"] is None else a["helpful_pct"],
                    *[a["reasons"].get(r, 0) for r in REASONS], a["deflections"],
                    a["comments"][0]["comment"] if a["comments"] else ""])
    return out.getvalue()


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
    label_w, bar_w, row_h = 320, 360, 22
    height = row_h * len(rows) + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Helpful percentage per article" '
             f'width="{label_w + bar_w + 60}" height="{height}" class="chart">']
    for i, a in enumerate(rows):
        y = 5 + i * row_h
        w = round(bar_w * a["helpful_pct"] / 100, 1)
        color = "#2e7d32" if a["helpful_pct"] >= 70 else "#f9a825" if a["helpful_pct"] >= 40 else "#c62828"
        label = a["article"] if len(a["article"]) <= 45 else a["article"][:44] + "…"
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">{escape(label)}</text>'
                     f'<rect x="{label_w}" y="{y + 3}" width="{bar_w}" height="{row_h - 6}" fill="#eee"/>'
                     f'<rect x="{label_w}" y="{y + 3}" width="{w}" height="{row_h - 6}" fill="{color}">'
                     f'<title>{escape(a["article"])}: {a["helpful_pct"]}% of {a["votes"]}</title></rect>'
                     f'<text x="{label_w + bar_w + 6}" y="{y + 15}">{a["helpful_pct"]:.0f}%</text>')
    parts.append("</svg>")
    return "".join(parts)


def _trend(points: list[dict], key: str, label: str, *, percent: bool = False, color: str = "#1565c0") -> str:
    """A line chart of ``points[i][key]`` over the periods: inline SVG, one ``<circle>`` per period
    (none for a period without a value, e.g. helpful % of a week without votes)."""
    if not points:
        return "<p>No data yet.</p>"
    left, top, plot_w, plot_h, bottom = 48, 12, 640, 160, 36
    values = [p[key] for p in points]
    peak = 100.0 if percent else max([v for v in values if v is not None] or [0]) or 1
    step = plot_w / max(1, len(points) - 1)
    x = (lambda i: left + plot_w / 2) if len(points) == 1 else (lambda i: left + i * step)
    y = lambda v: top + plot_h - plot_h * v / peak
    period_key = "period" if "period" in points[0] else "day"
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(label)}" '
             f'width="{left + plot_w + 20}" height="{top + plot_h + bottom}" class="chart trend" '
             f'data-series="{escape(key)}">',
             f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#999"/>',
             f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#999"/>',
             f'<text x="{left - 6}" y="{top + 4}" text-anchor="end">{peak:g}{"%" if percent else ""}</text>',
             f'<text x="{left - 6}" y="{top + plot_h + 4}" text-anchor="end">0</text>']
    segment: list[str] = []
    segments = [segment]
    for i, v in enumerate(values):
        if v is None:
            segment = []
            segments.append(segment)
            continue
        segment.append(f"{x(i):.1f},{y(v):.1f}")
    for seg in segments:
        if len(seg) > 1:
            parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{" ".join(seg)}"/>')
    labels = {0, len(points) - 1} | set(range(0, len(points), max(1, len(points) // 6)))
    for i, (p, v) in enumerate(zip(points, values)):
        when = escape(str(p[period_key]))
        if v is not None:
            shown = f"{v:g}%" if percent else f"{v:g}"
            parts.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="{color}">'
                         f'<title>{when}: {shown}</title></circle>')
        if i in labels:
            parts.append(f'<text x="{x(i):.1f}" y="{top + plot_h + 16}" text-anchor="middle">{when[5:]}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _trends(report: dict) -> str:
    trends = report.get("trends") or {}
    votes, searches = trends.get("votes") or [], trends.get("searches") or []
    per = "week" if trends.get("period") == "week" else "day"
    return (f"<h2>Trends</h2>\n<h3>Votes per {per}</h3>\n{_trend(votes, 'votes', f'Votes per {per}')}\n"
            f"<h3>Helpful % per {per}</h3>\n"
            f"{_trend(votes, 'helpful_pct', f'Helpful % per {per}', percent=True, color='#2e7d32')}\n"
            f"<h3>Searches per day</h3>\n{_trend(searches, 'searches', 'Searches per day', color='#6a1b9a')}")


def to_html(report: dict, title: str = "Article feedback") -> str:
    e = escape
    rows = []
    for a in report["articles"]:
        reasons = ", ".join(f"{e(k)}: {v}" for k, v in a["reasons"].items()) or "—"
        comments = "".join(f"<li><span class=meta>{e(c['created'] or '')[:10]} · {e(c['lang'] or '')}"
                           f"{' · ' + e(c['reason']) if c['reason'] else ''}</span> {e(c['comment'])}</li>"
                           for c in a["comments"])
        pct = "—" if a["helpful_pct"] is None else f"{a['helpful_pct']:.1f}%"
        rows.append(f"<tr><td>{e(a['article'])}</td><td>{a['views']}</td><td>{a['votes']}</td><td>{pct}</td>"
                    f"<td>{reasons}</td><td>{a['deflections']}</td><td><ul>{comments}</ul></td></tr>")
    searches = lambda items: "".join(f"<li>{e(s['query'])} <span class=meta>({s['count']})</span></li>"
                                     for s in items) or "<li>none</li>"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{e(title)}</title>
<style>
body{{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#222}} table{{border-collapse:collapse;width:100%}}
th,td{{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;vertical-align:top}} ul{{margin:0;padding-left:1rem}}
.meta{{color:#777;font-size:.85em}} .chart text{{font:12px system-ui,sans-serif}} .cols{{display:flex;gap:3rem}}
</style></head><body>
<h1>{e(title)}</h1>
<h2>Helpful % per article</h2>
{_chart(report["articles"])}
{_trends(report)}
<h2>Articles</h2>
<table><thead><tr><th>Article</th><th>Views</th><th>Votes</th><th>Helpful</th><th>Reasons (not helpful)</th>
<th>Deflections</th><th>Latest comments</th></tr></thead><tbody>
{''.join(rows) or '<tr><td colspan=7>No feedback yet.</td></tr>'}
</tbody></table>
<div class=cols><section><h2>Top searches</h2><ol>{searches(report["searches"]["top"])}</ol></section>
<section><h2>Zero-result searches</h2><ol>{searches(report["searches"]["zero_results"])}</ol></section></div>
</body></html>
"""
