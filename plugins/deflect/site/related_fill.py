"""Related-article lists put into article pages after they are written.

Every article page is rendered with an empty related-articles slot between two HTML comments, and
:func:`fill` puts the list in once the search worker has sent it (the end of the build). So no page
waits for the search index, and a page's rendered output does not change when only its related
articles do: the page cache and the kept output files stay valid, and the fill rewrites a page
only when its list changed.
"""

from __future__ import annotations

from pathlib import Path

OPEN, CLOSE = "<!--deflect:related-->", "<!--/deflect:related-->"
_OPEN, _CLOSE = OPEN.encode(), CLOSE.encode()


def fill(path: Path, html: str) -> bool:
    """Put ``html`` in the related-articles slot of the page at ``path``; whether the file changed.

    The slot is found from the end (it follows the article's text, which an author could make
    contain the markers); a page without a slot, or no page, is left alone."""
    try:
        data = path.read_bytes()  # searched as bytes: no page is decoded to find its slot
    except OSError:
        return False
    end = data.rfind(_CLOSE)
    start = data.rfind(_OPEN, 0, end) if end >= 0 else -1
    if start < 0:
        return False
    start += len(_OPEN)
    # As MkDocs writes pages (utils.write_file after encoding with xmlcharrefreplace).
    filled = html.encode("utf-8", errors="xmlcharrefreplace")
    if data[start:end] == filled:
        return False
    path.write_bytes(data[:start] + filled + data[end:])
    return True
