"""Related-article lists put into article pages after they are written.

Every article page is rendered with an empty related-articles slot between two HTML comments, and
:func:`fill` puts the list in once the search worker has sent it (the end of the build). So no page
waits for the search index, and a page's rendered output does not change when only its related
articles do: the page cache and the kept output files stay valid, and the fill rewrites a page
only when its list changed, and reads only the pages written again or whose list changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

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


def fill_pages(pages: Iterable[tuple[Path, str, str]], kept: KeptOutputs | None) -> tuple[int, int]:
    """Fill each of ``pages`` (its file, its path in the site, its list's HTML); (pages read, pages written).

    A page that ``kept`` (the site folder's outputs, None: unknown) keeps as the last build wrote it
    and filled it with the same list is not read: its file holds exactly what the fill would make
    (a warm build with few changes reads a few pages, not all of them)."""
    read = written = 0
    for path, rel, html in pages:
        filled = html.encode("utf-8", errors="xmlcharrefreplace")
        if kept is not None and kept.filled_as(rel, digest(filled)):
            continue
        read += 1
        written += _fill(path, filled)
    return read, written


def _fill(path: Path, filled: bytes) -> bool:
    try:
        data = path.read_bytes()  # searched as bytes: no page is decoded to find its slot
    except OSError:
        return False
    end = data.rfind(_CLOSE)
    start = data.rfind(_OPEN, 0, end) if end >= 0 else -1
    if start < 0:
        return False
    start += len(_OPEN)
    if data[start:end] == filled:
        return False
    path.write_bytes(data[:start] + filled + data[end:])
    return True
