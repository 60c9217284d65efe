"""Escaping made for each target Deflect writes text into: HTML, JSON inside HTML, and checks for markup.

Titles, summaries, category names, language names and the rest of the front matter and
configuration are plain text. They reach a page only through these functions (or through
Jinja's autoescaping in Deflect's templates), so a title such as ``<img src=x onerror=…>``
shows as those characters and never becomes an element, whether or not ``deflect check`` ran.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import MutableMapping
from typing import Any

import orjson
from markupsafe import Markup, escape

__all__ = ["Markup", "html_json", "html_markup", "html_text", "json_bytes", "json_text", "page_title"]

# What a browser starts to parse as markup: a tag (`<b`, `</b`), a comment or declaration (`<!`) or a
# processing instruction (`<?`). A `<` before a space or a digit ("1 < 2", "<3") stays text.
_MARKUP_RE = re.compile(r"<(?:(/?[A-Za-z][^\s/>]*)|!|\?)")


def html_text(value: object) -> Markup:
    """``value`` escaped for HTML text and quoted attributes (``& < > " '``); Markup passes unchanged."""
    return escape(value)


def json_text(data: Any, **dumps: Any) -> str:
    """JSON with ``<``, ``>`` and ``&`` written as ``\\u`` escapes, safe in a ``<script>`` or any HTML."""
    text = json.dumps(data, ensure_ascii=False, **dumps)
    # Inside JSON strings these three are the only characters that let JSON break out of a <script>
    # element or be read as HTML; \u escapes mean the same to JSON.parse. (str.replace is many times
    # faster than str.translate on the large search shards.)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def json_bytes(data: Any) -> bytes:
    """:func:`json_text` with ``separators=(",", ":")``, UTF-8 encoded, made by orjson (five times
    faster on the search export's shards) when it can write ``data``: the same bytes, except that a
    float may be spelt otherwise for the same value (``1e16`` for ``1e+16``, ``0.00001`` for ``1e-05``)
    and NaN and the infinities, which JSON has not, become ``null`` (``json`` writes ``NaN``, which no
    JSON parser reads)."""
    try:
        raw = orjson.dumps(data)
    except TypeError:  # a type orjson leaves out (a float subclass, a non-str key, a lone surrogate...)
        return json_text(data, separators=(",", ":")).encode()
    return raw.replace(b"<", b"\\u003c").replace(b">", b"\\u003e").replace(b"&", b"\\u0026")


def html_json(data: Any, **dumps: Any) -> Markup:
    """:func:`json_text` marked safe, for ``<script type="application/json">`` in a template."""
    return Markup(json_text(data, **dumps))


def html_markup(text: str) -> str | None:
    """The first HTML markup in ``text`` as a short tag (``<img>``, ``</b>``, ``<!>``), or ``None``."""
    match = _MARKUP_RE.search(text)
    if match is None:
        return None
    return f"<{match.group(1) or match.group(0)[1:]}>"


def page_title(title: str | None, *, from_heading: bool) -> Markup | None:
    """A page title as HTML text, printed once whatever template shows it.

    A title from front matter is plain text and is escaped. MkDocs takes a title it finds in a
    page's first heading from the heading's rendered HTML with the tags stripped, so entities such
    as ``&amp;`` are already there: those are decoded first, so that nothing is escaped twice.
    """
    if title is None or isinstance(title, Markup):
        return title
    return escape(html.unescape(title) if from_heading else title)


def escape_page_meta(meta: MutableMapping[str, Any]) -> None:
    """A page's front-matter title and description become HTML text, in place (those already so stay)."""
    for key in ("title", "description"):
        if isinstance(meta.get(key), str) and not isinstance(meta[key], Markup):
            meta[key] = html_text(meta[key])
