"""Related-article lists put into article pages after they are written, when the search worker sends them late.

Every article page has a related-articles slot between two HTML comments. When the lists are ready
as the page is rendered, the template fills the slot; when they are not (a cold build: the search
worker is still indexing while the pages are rendered), the page is written with an empty slot and
:func:`fill` puts the list in once it arrives. Both ways render the same partial, so the final
bytes do not depend on when the lists arrived, and no page waits for the search index.
"""

from __future__ import annotations

from pathlib import Path

OPEN, CLOSE = "<!--deflect:related-->", "<!--/deflect:related-->"


def fill(path: Path, html: str) -> bool:
    """Put ``html`` in the related-articles slot of the page at ``path``; whether the file changed.

    The slot is found from the end (it follows the article's text, which an author could make
    contain the markers); a page without a slot, or no page, is left alone."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return False
    end = text.rfind(CLOSE)
    start = text.rfind(OPEN, 0, end) if end >= 0 else -1
    if start < 0:
        return False
    filled = text[:start + len(OPEN)] + html + text[end:]
    if filled == text:
        return False
    # As MkDocs writes pages (utils.write_file after encoding with xmlcharrefreplace).
    path.write_bytes(filled.encode("utf-8", errors="xmlcharrefreplace"))
    return True
