"""Related-article lists put into article pages as they are written, or after.

Every article page is rendered with an empty related-articles slot between two HTML comments. A
page written once the search worker has sent the lists gets its list on the way to its file
(:func:`fill_text`); the others get it at the end of the build (:func:`fill_pages`, in place). So no
page waits for the search index, and a page's rendered output does not change when only its related
articles do: the page cache and the kept output files stay valid, and the fill rewrites a page
only when its list changed, and reads only the pages written again (without their list) or whose
list changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import AnyStr

from .outputs import KeptOutputs, digest

OPEN, CLOSE = "<!--deflect:related-->", "<!--/deflect:related-->"
_OPEN, _CLOSE = OPEN.encode(), CLOSE.encode()


def slot_doc_id(src_uri: str, lang: str) -> str:
    """The search document whose related articles the page of ``src_uri`` in ``lang`` lists: only an
    article in its own language (``<lang>/<category>/<slug>.md``) has a slot; "" for any other page."""
    parts = src_uri[:-3].split("/") if src_uri.endswith(".md") else []
    return "/".join(parts) if len(parts) == 3 and parts[0] == lang else ""


def fill(path: Path, html: str) -> bool:
    """Put ``html`` in the related-articles slot of the page at ``path``; whether the file changed.

    The slot is found from the end (it follows the article's text, which an author could make
    contain the markers); a page without a slot, or no page, is left alone."""
    # As MkDocs writes pages (utils.write_file after encoding with xmlcharrefreplace).
    return _fill(path, html.encode("utf-8", errors="xmlcharrefreplace"))


def fill_text(page: str, html: str) -> str | None:
    """``page`` (a page's output, before it is written) with ``html`` in its related-articles slot, found
    as :func:`fill` finds it; None when it has no slot. Encoded as MkDocs writes it, the result is
    what :func:`fill` makes of the file of ``page``."""
    span = _slot(page, OPEN, CLOSE)
    return None if span is None else page[:span[0]] + html + page[span[1]:]


def fill_pages(pages: Iterable[tuple[Path, str, str]], kept: KeptOutputs | None,
               at_write: Mapping[str, str] | None = None) -> tuple[int, int]:
    """Fill each of ``pages`` (its file, its path in the site, its list's HTML); (pages read, pages written).

    A page whose file got this same list as it was written (``at_write``: path in the site → the
    list's HTML put in by :func:`fill_text`), or that ``kept`` (the site folder's outputs, None:
    unknown) keeps as the last build wrote it and filled it with the same list, is not read: its file
    holds exactly what the fill would make (a warm build with few changes reads a few pages, not all)."""
    read = written = 0
    at_write = at_write or {}
    for path, rel, html in pages:
        filled = html.encode("utf-8", errors="xmlcharrefreplace")
        noted = kept.filled_as(rel, digest(filled)) if kept is not None else False  # (notes this build's fill)
        if noted or at_write.get(rel) == html:
            continue
        read += 1
        written += _fill(path, filled)
    return read, written


def _fill(path: Path, filled: bytes) -> bool:
    try:
        data = path.read_bytes()  # searched as bytes: no page is decoded to find its slot
    except OSError:
        return False
    span = _slot(data, _OPEN, _CLOSE)
    if span is None or data[span[0]:span[1]] == filled:
        return False
    path.write_bytes(data[:span[0]] + filled + data[span[1]:])
    return True


def _slot(page: AnyStr, opening: AnyStr, closing: AnyStr) -> tuple[int, int] | None:
    """Where the last slot's content starts and ends in ``page`` (text or bytes), found from the end: it
    follows the article's text, which an author could make contain the markers. None: no slot."""
    end = page.rfind(closing)
    start = page.rfind(opening, 0, end) if end >= 0 else -1
    return None if start < 0 else (start + len(opening), end)
