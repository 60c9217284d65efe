"""Gap and impact report renderers (HTML, CSV, rich tables) and the SVG chart helpers behind them, on
report dicts built here in the shape the insights pipeline produces."""

from __future__ import annotations

import copy
import csv
import io
import re
from html.parser import HTMLParser

import pytest
from rich.console import Console

from deflect.charts import Segment, Series, bar_chart, html_page, line_chart, sparkline
from deflect.insights.report import (GAPS_COLUMNS, IMPACT_COLUMNS, gaps_csv, gaps_html, gaps_table, impact_csv,
                                     impact_html, impact_table, spark_text)

XSS = "<script>alert(1)</script>"
WEEKS = ["2023-04-03", "2023-04-10", "2023-04-17", "2023-04-24", "2023-05-01", "2023-05-08", "2023-05-15",
         "2023-05-22"]


def _topic(topic, label, tickets, coverage, *, best=True, **extra):
    t = {"topic": topic, "label": label, "source": "cluster", "tickets": tickets, "share": tickets / 200,
         "trend": {"recent_per_week": 7.5, "previous_per_week": 5.0, "change_pct": 50.0},
         "weekly": [{"week": w, "tickets": n} for w, n in zip(WEEKS[:4], (4, 5, 7, 8))],
         "coverage": coverage, "urgency": tickets / 10,
         "best_article": {"url": f"https://help.example.com/en/{topic}/", "title": f"About {label}", "score": 0.42,
                          "why": "matches 'refund', 'card'"} if best else None,
         "samples": ["Refund for order [phone]?", "Charged twice <b>again</b>"], "terms": ["refund", "charged"],
         "zero_result_searches": [{"query": "money back", "count": 4}], "not_helpful": 2}
    t.update(extra)
    return t


def gap_report():
    return {"tickets": 200, "period": {"start": "2023-04-01", "end": "2023-04-27"}, "weeks": 4,
            "import": {"rows": 205, "imported": 200, "malformed": 5,
                       "problems": [{"path": "tickets.csv", "line": 17, "message": "no subject <or body>"}]},
            "topics": [_topic("refunds", "Refunds", 80, "missing", best=False),
                       _topic("login", XSS, 60, "weak", source="column"),
                       _topic("shipping", "Shipping & delivery", 40, "covered"),
                       _topic("misc", "Misc", 20, "covered", trend={"recent_per_week": 1.0, "previous_per_week": 0.0,
                                                                    "change_pct": None})],
            "searches": {"zero_results": [{"query": "money back", "count": 4, "topic": "refunds"},
                                          {"query": "<img src=x onerror=alert(1)>", "count": 2, "topic": None}]},
            "votes": {"not_helpful": [{"article": "en/account/reset-password/", "count": 3}]}}


def _article(url, title, avoided, *, published="2023-05-01", significant=True, **extra):
    weekly = [{"week": w, "tickets": n, "expected": e}
              for w, n, e in zip(WEEKS, (50, 52, 48, 51, 20, 15, 12, 13), (None, None, None, None, 50, 51, 50, 52))]
    a = {"url": url, "title": title, "topic": "refunds", "published": published, "published_source": "front matter",
         "before_per_week": 50.25, "after_per_week": 15.0, "expected_per_week": 53.2, "change_per_week": -38.2,
         "change_pct": -71.8, "ci_low": -45.0, "ci_high": -31.5, "significant": significant,
         "tickets_avoided_per_week": avoided, "weeks_before": 4, "weeks_after": 4, "weekly": weekly}
    a.update(extra)
    return a


def impact_report():
    return {"tickets": 900, "period": {"start": "2023-04-03", "end": "2023-05-28"},
            "articles": [_article("https://help.example.com/en/small/", "Small win", 2.0, significant=False,
                                  ci_low=-5.0, ci_high=1.0, change_per_week=-2.0, published_source="git"),
                         _article("https://help.example.com/en/refunds/", "Get a refund", 38.2),
                         _article("javascript:alert(1)", XSS, 10.0, published="2023-05-03", topic=XSS)],
            "skipped": [{"url": "https://help.example.com/en/new/", "title": "Brand new", "reason": "published "
                         "less than 2 weeks ago"}]}


class _Tree(HTMLParser):
    """Start tags (with attributes) and the text of a page, for structure checks."""

    def __init__(self, page):
        super().__init__()
        self.tags, self.text, self.open = [], [], []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def find(self, tag, **attrs):
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]


def _self_contained(page):
    tree = _Tree(page)
    assert not tree.find("script") and not tree.find("link") and not tree.find("img")
    assert "<script" not in page.lower() and "<style" in page  # inline CSS only
    for tag, attrs in tree.tags:
        assert "src" not in attrs and not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert not (attrs.get("href") or "").lower().startswith("javascript:"), (tag, attrs)
    return tree


# ---------------------------------------------------------------------------- charts


def test_bar_chart_bars_colours_titles_and_escaping():
    svg = bar_chart(["a & b", XSS], [10, 5], colors=["#c62828", "#2e7d32"], titles=["t1", "t2 <x>"])
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert 'fill="#c62828"' in svg and 'fill="#2e7d32"' in svg
    assert "a &amp; b" in svg and "&lt;script&gt;" in svg and "<script" not in svg and "t2 &lt;x&gt;" in svg
    widths = [float(w) for w in re.findall(r'<rect x="320" y="\d+" width="([\d.]+)" height="16" fill="#[0-9a-f]+">',
                                           svg)]
    assert widths == [360.0, 180.0]  # scaled to the largest value
    assert bar_chart([], []) == "<p>No data yet.</p>"


def test_bar_chart_segments_and_legend():
    svg = bar_chart(["All"], [None], segments=[[Segment(3, "#c62828", "missing: 3"), Segment(1, "#2e7d32", "ok")]],
                    legend=[("missing", "#c62828"), ("covered", "#2e7d32")], track=None)
    rects = re.findall(r'<rect x="([\d.]+)" y="\d+" width="([\d.]+)"', svg)
    assert rects[:2] == [("320", "270.0"), ("590.0", "90.0")]  # stacked, end to end
    assert "<title>missing: 3</title>" in svg and 'class="legend"' in svg and ">covered</text>" in svg
    assert ">4</text>" in svg  # the value is the segments' sum


def test_line_chart_marker_dashed_series_and_gaps():
    svg = line_chart(WEEKS[:4], [Series([1, None, 3, 4], "tickets"), Series([2, 2, 2, 2], "expected", dashed=True,
                                                                             points=False)],
                     label="x <y>", marker=1.5, marker_label="published <2023-04-12>", attrs={"data-a": '"q"'})
    assert svg.count("<circle") == 3  # a point per value of the series with points, none for the gap
    assert svg.count("<polyline") == 2  # the gap breaks the first series: a run of one point draws no line
    assert svg.count('stroke-dasharray="6 4"') == 2  # the expected line and its legend swatch
    assert 'class="marker"' in svg and "published &lt;2023-04-12&gt;" in svg
    assert 'aria-label="x &lt;y&gt;"' in svg and 'data-a="&quot;q&quot;"' in svg
    assert line_chart([], [Series([])], label="none") == "<p>No data yet.</p>"


def test_sparkline():
    svg = sparkline([1, 3, None, 2], title="a <b>")
    assert svg.startswith("<svg") and 'class="sparkline"' in svg and "<polyline" in svg and "a &lt;b&gt;" in svg
    assert sparkline([]) == sparkline([None]) == ""
    assert "<polyline" not in sparkline([5])


def test_html_page_is_self_contained_and_escapes_title():
    page = html_page(XSS, "<p>body</p>", css=".x{}")
    assert page.startswith("<!doctype html>") and "<title>&lt;script&gt;" in page and ".x{}" in page
    _self_contained(page)


# ---------------------------------------------------------------------------- gap report


def test_gaps_html_structure():
    report = gap_report()
    page = gaps_html(report, title="Gaps <April>")
    tree = _self_contained(page)
    assert "<title>Gaps &lt;April&gt;</title>" in page
    rows = page.split("<tbody>")[1].split("</tbody>")[0].count("<tr>")
    assert rows == 4
    # the coverage chart: a bar per topic coloured by coverage, an overall stacked bar
    per_topic = re.search(r'<svg[^>]*class="chart coverage".*?</svg>', page, re.S).group(0)
    fills = re.findall(r'<rect x="320" y="\d+" width="[\d.]+" height="16" fill="(#[0-9a-f]+)">', per_topic)
    assert fills == ["#c62828", "#f9a825", "#2e7d32", "#2e7d32"]
    overall = re.search(r'<svg[^>]*class="chart coverage-overall".*?</svg>', page, re.S).group(0)
    assert "<title>missing: 80 tickets (40%)</title>" in overall
    assert len(tree.find("svg", **{"class": "sparkline"})) == 4  # a trend per topic
    assert tree.find("a", href="https://help.example.com/en/login/")
    assert "matches &#x27;refund&#x27;, &#x27;card&#x27;" in page  # the why, escaped
    assert "Charged twice &lt;b&gt;again&lt;/b&gt;" in page
    assert "money back" in page and "+50%" in page and ">new<" in page
    assert "Imported 200 of 205 rows, 5 malformed." in page and "no subject &lt;or body&gt;" in page
    assert "en/account/reset-password/" in page


def test_gaps_html_escapes_topic_and_searches():
    page = gaps_html(gap_report())
    assert XSS not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    _self_contained(page)


def test_gaps_html_minimal_report():
    page = gaps_html({"tickets": 0, "topics": [{"topic": "t", "tickets": 1}]})
    assert "No topics." not in page and "unknown" in page and "<svg" in page
    page = gaps_html({})
    assert "No topics." in page and "<p>None.</p>" in page
    _self_contained(page)
    many = gaps_html({"topics": [{"topic": f"t{i}", "label": f"topic {i}", "tickets": 40 - i} for i in range(35)]})
    chart = re.search(r'<svg[^>]*class="chart coverage".*?</svg>', many, re.S).group(0)
    assert chart.count("<rect") == 30 + 3 and "The first 30 of 35 topics." in many  # bars + legend swatches


def test_gaps_csv():
    text = gaps_csv(gap_report())
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == GAPS_COLUMNS and len(rows) == 5
    by = {r[0]: dict(zip(GAPS_COLUMNS, r)) for r in rows[1:]}
    assert by["refunds"]["coverage"] == "missing" and by["refunds"]["best_article_url"] == ""
    assert by["login"]["label"] == XSS and by["login"]["zero_result_searches"] == "money back (4)"
    assert by["misc"]["change_pct"] == "" and by["shipping"]["samples"].count("; ") == 1
    assert gaps_csv({}).splitlines() == [",".join(GAPS_COLUMNS)]


def test_csv_cells_are_not_formulas():
    report = {"topics": [_topic("x", "=HYPERLINK(\"http://evil\")", 3, "weak", terms=["@sum", "-1"])]}
    row = dict(zip(GAPS_COLUMNS, list(csv.reader(io.StringIO(gaps_csv(report))))[1]))
    assert row["label"].startswith("'=") and row["terms"] == "'@sum; -1"


def _render(table, width=200):
    console = Console(record=True, width=width, color_system=None)
    console.print(table)
    return console.export_text()


def test_gaps_table():
    report = gap_report()
    out = _render(gaps_table(report))
    assert "Refunds" in out and XSS in out  # plain text, not markup and not escaped
    assert "missing" in out and "About Shipping & delivery" in out and "▄▅▇█ +50%" in out
    out = _render(gaps_table(report, limit=2))
    assert "Shipping" not in out and "2 more topics not shown" in out
    assert "Content gaps" in _render(gaps_table({}))


def test_rich_tables_do_not_read_markup():
    report = {"topics": [_topic("x", "[bold red]boom[/]", 3, "weak")]}
    assert "[bold red]boom[/]" in _render(gaps_table(report))


def test_spark_text():
    assert spark_text([0, 4, 8, None]) == "▁▄█ "
    assert spark_text([]) == ""


# ---------------------------------------------------------------------------- impact report


def test_impact_html_ranking_and_ci():
    page = impact_html(impact_report())
    _self_contained(page)
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    assert body.count("<tr>") == 3
    assert body.index("Get a refund") < body.index("&lt;script&gt;") < body.index("Small win")  # most avoided first
    assert "−38.2 (−45.0 to −31.5) per week" in page
    assert "−2.0 (−5.0 to 1.0) per week" in page and "−72%" in page
    assert "Brand new" in page and "less than 2 weeks ago" in page
    assert "Tickets avoided by articles with a significant change: <strong>48.2 per week</strong>" in page


def test_impact_html_a_chart_per_article_with_marker_and_expected():
    page = impact_html(impact_report())
    charts = re.findall(r'<svg[^>]*class="chart trend impact".*?</svg>', page, re.S)
    assert len(charts) == 3
    for svg in charts:
        assert 'class="marker"' in svg and "published 2023-05-0" in svg
        assert 'stroke-dasharray="6 4"' in svg  # the expected series, dashed
        assert svg.count("<circle") == 8  # a point per week of actual tickets
    # published on a week start: the marker sits on that week; mid-week: between the weeks
    x_of = lambda svg: float(re.search(r'<g class="marker"><line x1="([\d.]+)"', svg).group(1))  # noqa: E731
    tick = lambda svg, label: float(re.search(r'<text x="([\d.]+)" y="\d+" text-anchor="middle">%s</text>' % label,
                                              svg).group(1))  # noqa: E731
    assert x_of(charts[0]) == pytest.approx(48 + 4 * 640 / 7, abs=0.1)
    assert tick(charts[0], "05-01") == pytest.approx(x_of(charts[0]), abs=0.1)
    assert x_of(charts[1]) == pytest.approx(48 + (4 + 2 / 7) * 640 / 7, abs=0.1)
    assert 'data-article="https://help.example.com/en/refunds/"' in charts[0]


def test_impact_html_escapes_and_drops_unsafe_links():
    page = impact_html(impact_report())
    assert XSS not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'href="javascript:' not in page and "javascript:alert(1)" in page  # shown as text only
    tree = _Tree(page)
    assert tree.find("a", href="https://help.example.com/en/refunds/")


def test_impact_html_missing_optional_keys():
    report = {"articles": [{"url": "/en/a/", "title": "A", "change_per_week": 1.5}]}
    page = impact_html(report)
    assert "1.5 per week" in page and "No weekly data." in page and "<p>None.</p>" in page
    page = impact_html({})
    assert "No articles measured." in page
    # a publication date outside the weeks: the chart has no marker
    outside = impact_report()["articles"][1]
    outside["published"] = "2022-01-01"
    assert 'class="marker"' not in impact_html({"articles": [outside]})


def test_impact_csv():
    rows = list(csv.reader(io.StringIO(impact_csv(impact_report()))))
    assert tuple(rows[0]) == IMPACT_COLUMNS and len(rows) == 4
    first = dict(zip(IMPACT_COLUMNS, rows[1]))
    assert first["rank"] == "1" and first["title"] == "Get a refund" and first["change_per_week"] == "-38.2"
    assert first["ci_low"] == "-45.0" and first["significant"] == "True" and first["published_source"] == "front matter"
    assert [r[0] for r in rows[1:]] == ["1", "2", "3"]
    assert impact_csv({}).splitlines() == [",".join(IMPACT_COLUMNS)]


def test_impact_table():
    report = impact_report()
    out = _render(impact_table(report))
    assert out.index("Get a refund") < out.index("Small win")
    assert "−38.2 (−45.0 to −31.5)" in out and "yes" in out and "1 article not measured" in out
    out = _render(impact_table(report, limit=1))
    assert "Small win" not in out and "2 more articles not shown; 1 article not measured" in out


def test_renderers_do_not_change_their_input():
    gaps, impact = gap_report(), impact_report()
    before = copy.deepcopy((gaps, impact))
    gaps_html(gaps), gaps_csv(gaps), gaps_table(gaps), impact_html(impact), impact_csv(impact), impact_table(impact)
    assert (gaps, impact) == before


def test_terminal_tables_show_control_characters_as_escapes():
    """A ticket export's topic names and titles cannot drive the terminal: ANSI escapes (clear the
    screen, retitle the window, colour), C1 controls and bidi overrides show as their escapes."""
    hostile = "pwn\x1b[2J\x1b]0;owned\x07\x9b31m\u202eevil\nnext"
    gaps = {"topics": [_topic("x", hostile, 3, "weak", best_article={"url": "u", "title": "T\x1b[31mred"})]}
    impact = {"articles": [{"url": "u", "title": hostile, "topic": "t\x1bc", "published": "2024-01-01",
                            "significant": False}]}
    for table in (gaps_table(gaps), impact_table(impact)):
        console = Console(record=True, width=400, color_system=None)
        console.print(table)
        out = console.export_text()
        assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e]", out), repr(out)
        assert "\\x1b[2J" in out and "\\u202eevil next" in out
    assert "T\\x1b[31mred" in _render(gaps_table(gaps))


@pytest.mark.parametrize("cell", [" =1+1", "\t=cmd|' /C calc'!A0", "  @SUM(A1:A2)", "\u00a0+1", " \t-2+3", "\r\n=1"])
def test_formulas_after_leading_whitespace_are_text(cell):
    from deflect.spreadsheet import spreadsheet_cell, to_csv

    assert spreadsheet_cell(cell) == "'" + cell
    assert list(csv.reader(io.StringIO(to_csv(["a"], [[cell]]))))[1] == ["'" + cell]


@pytest.mark.parametrize("cell", [" plain text", "a=b", "3-2", -3.5])
def test_text_that_is_no_formula_is_left_alone(cell):
    from deflect.spreadsheet import spreadsheet_cell

    assert spreadsheet_cell(cell) == cell
