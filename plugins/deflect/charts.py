"""Inline-SVG charts for self-contained HTML reports, and the page they sit in.

No scripts, no external files, no dependencies. Every function returns markup as a string: an ``<svg>``
element (or a short ``<p>`` when there is nothing to draw). Labels, titles, colours and extra attributes are
escaped, so readers' text (article paths, search queries, topic labels) can be passed as it is.

- :func:`bar_chart`: horizontal bars, one colour per bar or stacked :class:`Segment` s, an optional legend.
- :func:`line_chart`: one or more :class:`Series` over periods (e.g. weeks), dashed series, a vertical marker.
- :func:`sparkline`: a small line for a table cell.
- :func:`html_page`: a self-contained page (inline CSS) around a body.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html import escape

BLUE, GREEN, AMBER, RED, PURPLE, GREY = "#1565c0", "#2e7d32", "#f9a825", "#c62828", "#6a1b9a", "#9e9e9e"
DASH = "6 4"

PAGE_CSS = """body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;vertical-align:top} ul{margin:0;padding-left:1rem}
.meta{color:#777;font-size:.85em} .chart text{font:12px system-ui,sans-serif}"""


@dataclass(frozen=True)
class Segment:
    """One part of a stacked bar."""

    value: float
    color: str = BLUE
    title: str = ""


@dataclass(frozen=True)
class Series:
    """One line of a :func:`line_chart`: a value (or ``None``, a gap in the line) per period."""

    values: Sequence[float | None]
    name: str = ""
    color: str = BLUE
    dashed: bool = False
    points: bool = True  # a <circle> with a <title> per value


def _attrs(attrs: Mapping[str, object] | None) -> str:
    return "".join(f' {escape(str(k))}="{escape(str(v))}"' for k, v in (attrs or {}).items())


def _open(width: float, height: float, label: str, css_class: str, attrs: Mapping[str, object] | None) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(label)}" '
            f'width="{width}" height="{height}" class="{escape(css_class)}"{_attrs(attrs)}>')


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _legend(items: Sequence[tuple[str, str, bool | None]], x: float, y: float) -> str:
    """Swatches with names in a row at (x, y): ``(name, colour, dashed)``; a box where dashed is ``None``,
    else a line (dashed or solid)."""
    parts = []
    for name, color, dashed in items:
        if dashed is None:
            parts.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{escape(color)}"/>')
        else:
            dash = f' stroke-dasharray="{DASH}"' if dashed else ""
            parts.append(f'<line x1="{x}" y1="{y - 4}" x2="{x + 18}" y2="{y - 4}" stroke="{escape(color)}" '
                         f'stroke-width="2"{dash}/>')
        x += 24 if dashed is not None else 14
        parts.append(f'<text x="{x}" y="{y}">{escape(name)}</text>')
        x += 7 * len(name) + 18
    return f'<g class="legend">{"".join(parts)}</g>'


def bar_chart(labels: Sequence[str], values: Sequence[float], *, colors: Sequence[str] | None = None,
              segments: Sequence[Sequence[Segment] | None] | None = None, titles: Sequence[str] | None = None,
              value_texts: Sequence[str] | None = None, max_value: float | None = None,
              legend: Sequence[tuple[str, str]] = (), label: str = "Bar chart", css_class: str = "chart",
              attrs: Mapping[str, object] | None = None, color: str = BLUE, track: str | None = "#eee",
              label_width: int = 320, bar_width: int = 360, value_width: int = 60, row_height: int = 22,
              label_chars: int = 45,
              empty: str = "<p>No data yet.</p>") -> str:
    """Horizontal bars, one row per label, scaled to ``max_value`` (default: the largest value).

    ``colors[i]`` colours bar i (default ``color``); ``segments[i]``, when given, draws bar i as stacked
    :class:`Segment` s instead (its value is then the segments' sum unless ``values[i]`` says otherwise).
    ``titles[i]`` is the bar's tooltip, ``value_texts[i]`` the text after it (default: the value).
    ``legend`` adds ``(name, colour)`` swatches below the bars. The chart is ``label_width`` (right-aligned labels,
    cut to ``label_chars``) + ``bar_width`` + ``value_width`` wide.
    """
    if not labels:
        return empty
    segs = [(segments[i] if segments and i < len(segments) else None) or () for i in range(len(labels))]
    peak = max_value or max([*(max(0, v or 0) for v in values), *(sum(max(0, s.value) for s in g) for g in segs)]
                            or [0]) or 1
    height = row_height * len(labels) + 10 + (24 if legend else 0)
    parts = [_open(label_width + bar_width + value_width, height, label, css_class, attrs)]
    for i, text in enumerate(labels):
        y = 5 + i * row_height
        value = values[i] if i < len(values) else None
        if value is None:
            value = sum(s.value for s in segs[i])
        parts.append(f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end">'
                     f'{escape(_shorten(str(text), label_chars))}</text>')
        if track:
            parts.append(f'<rect x="{label_width}" y="{y + 3}" width="{bar_width}" height="{row_height - 6}" '
                         f'fill="{escape(track)}"/>')
        pieces = segs[i] or [Segment(value, colors[i] if colors else color,
                                     titles[i] if titles else f"{text}: {value:g}")]
        x: float = label_width
        for seg in pieces:
            w = round(bar_width * max(0, seg.value) / peak, 1)
            tip = f"<title>{escape(seg.title)}</title>" if seg.title else ""
            parts.append(f'<rect x="{x}" y="{y + 3}" width="{w}" height="{row_height - 6}" '
                         f'fill="{escape(seg.color)}">{tip}</rect>')
            x = round(x + w, 1)
        shown = value_texts[i] if value_texts else f"{value:g}"
        parts.append(f'<text x="{label_width + bar_width + 6}" y="{y + 15}">{escape(shown)}</text>')
    if legend:
        parts.append(_legend([(name, c, None) for name, c in legend], label_width, row_height * len(labels) + 26))
    parts.append("</svg>")
    return "".join(parts)


def line_chart(periods: Sequence[str], series: Sequence[Series], *, label: str, percent: bool = False,
               marker: float | None = None, marker_label: str = "", tick: Callable[[str], str] = lambda p: p[5:],
               css_class: str = "chart trend", attrs: Mapping[str, object] | None = None,
               width: int = 640, height: int = 160, empty: str = "<p>No data yet.</p>") -> str:
    """Lines over ``periods`` (x axis, e.g. ISO weeks), from 0 up to the largest value (100 with ``percent``).

    A ``None`` value breaks its line; a value of a series with ``points`` gets a ``<circle>`` with a tooltip.
    ``marker`` (an index into ``periods``, fractions allowed) draws a dashed vertical line labelled
    ``marker_label`` — e.g. the week an article was published. ``tick`` shortens period labels on the axis
    (default: drop the year of an ISO date). With more than one named series a legend is drawn.
    """
    if not periods:
        return empty
    named = [s for s in series if s.name]
    left, top, plot_w, plot_h = 48, 24 if marker_label else 12, width, height
    bottom = 36 + (20 if len(named) > 1 else 0)
    found = [v for s in series for v in s.values if v is not None]
    peak = 100.0 if percent else max(found or [0]) or 1
    step = plot_w / max(1, len(periods) - 1)
    x = (lambda i: left + plot_w / 2) if len(periods) == 1 else (lambda i: left + i * step)
    y = lambda v: top + plot_h - plot_h * v / peak  # noqa: E731
    unit = "%" if percent else ""
    parts = [_open(left + plot_w + 20, top + plot_h + bottom, label, css_class, attrs),
             f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#999"/>',
             f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#999"/>',
             f'<text x="{left - 6}" y="{top + 4}" text-anchor="end">{peak:g}{unit}</text>',
             f'<text x="{left - 6}" y="{top + plot_h + 4}" text-anchor="end">0</text>']
    if marker is not None:
        mx = round(x(min(max(marker, 0), len(periods) - 1)), 1)
        anchor = "end" if mx > left + plot_w * 0.75 else "start"
        parts.append(f'<g class="marker"><line x1="{mx}" y1="{top - 4}" x2="{mx}" y2="{top + plot_h}" '
                     f'stroke="#555" stroke-dasharray="3 3"/>'
                     f'<text x="{mx + (-4 if anchor == "end" else 4)}" y="{top - 8}" text-anchor="{anchor}">'
                     f'{escape(marker_label)}</text></g>')
    for s in series:
        segment: list[str] = []
        runs = [segment]
        for i, v in enumerate(s.values[:len(periods)]):
            if v is None:
                segment = []
                runs.append(segment)
                continue
            segment.append(f"{x(i):.1f},{y(v):.1f}")
        dash = f' stroke-dasharray="{DASH}"' if s.dashed else ""
        for run in runs:
            if len(run) > 1:
                parts.append(f'<polyline fill="none" stroke="{escape(s.color)}" stroke-width="2"{dash} '
                             f'points="{" ".join(run)}"/>')
        if s.points:
            name = f"{s.name} " if s.name else ""
            for i, (period, v) in enumerate(zip(periods, s.values)):
                if v is not None:
                    parts.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="{escape(s.color)}">'
                                 f'<title>{escape(str(period))}: {escape(name)}{v:g}{unit}</title></circle>')
    ticks = {0, len(periods) - 1} | set(range(0, len(periods), max(1, len(periods) // 6)))
    for i in sorted(ticks):
        parts.append(f'<text x="{x(i):.1f}" y="{top + plot_h + 16}" text-anchor="middle">'
                     f'{escape(tick(str(periods[i])))}</text>')
    if len(named) > 1:
        parts.append(_legend([(s.name, s.color, s.dashed) for s in named], left, top + plot_h + 36))
    parts.append("</svg>")
    return "".join(parts)


def sparkline(values: Sequence[float | None], *, width: int = 120, height: int = 28, color: str = BLUE,
              label: str = "Trend", title: str = "") -> str:
    """A small line from 0 to the largest value, the last value dotted; ``""`` when there is no value."""
    points = [(i, v) for i, v in enumerate(values) if v is not None]
    if not points:
        return ""
    peak = max(v for _, v in points) or 1
    pad = 3
    step = (width - 2 * pad) / max(1, len(values) - 1)
    xy = [(pad + (i * step if len(values) > 1 else (width - 2 * pad) / 2),
           pad + (height - 2 * pad) * (1 - max(0, v) / peak)) for i, v in points]
    tip = f"<title>{escape(title)}</title>" if title else ""
    line = (f'<polyline fill="none" stroke="{escape(color)}" stroke-width="1.5" '
            f'points="{" ".join(f"{a:.1f},{b:.1f}" for a, b in xy)}"/>' if len(xy) > 1 else "")
    return (f'{_open(width, height, label, "sparkline", None)}{tip}{line}'
            f'<circle cx="{xy[-1][0]:.1f}" cy="{xy[-1][1]:.1f}" r="2" fill="{escape(color)}"/></svg>')


def html_page(title: str, body: str, *, css: str = "") -> str:
    """A self-contained HTML page: inline CSS (:data:`PAGE_CSS` plus ``css``), the escaped title as ``<h1>``."""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{escape(title)}</title>
<style>
{PAGE_CSS}{' ' + css if css else ''}
</style></head><body>
<h1>{escape(title)}</h1>
{body}
</body></html>
"""
