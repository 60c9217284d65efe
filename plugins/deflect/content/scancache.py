"""Remember what scanning a Markdown text found (links, anchors, …), in memory and between builds.

A scan depends on the text alone, so its result is kept under the text's hash and the scanner's
code: an unchanged article is not scanned again, in the same process (``mkdocs serve``, the check
and the site plan of one build) or in the next one (``.deflect/scans.pickle``, written whole and
renamed into place, so a reader never sees half a file). A missing, old or damaged file reads as
nothing saved.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, TypeVar

import markdown

from ..cachefiles import code_digest, memo_on_disk

T = TypeVar("T")
_MEMO: dict[tuple[str, bytes], Any] = {}
_USED: set[tuple[str, bytes]] = set()
_MEMO_MAX = 200_000
"""Results kept in memory at most (a long ``mkdocs serve`` session edits texts for hours)."""
_DIGESTS_MAX = 60_000
_DIGESTS: dict[str, bytes] = {}
"""The hash of each text asked about: one text is asked about many times (the check, the plan, each
language's page), and a string hashes itself for a dict once, where hashing its bytes costs every time."""


def remembered(kind: str, text: str, scan: Callable[[str], T]) -> T:
    """``scan(text)``, computed once per text: callers must not change what they get."""
    key, found = remembered_entry(kind, text, scan)
    _USED.add(key)
    return found


def remembered_entry(kind: str, text: str, scan: Callable[[str], T]) -> tuple[tuple[str, bytes], T]:
    """``scan(text)`` and its key, computed now if it is not remembered: a helper process scans for
    another with it (see ``content.loader``), which :func:`adopt` the entry."""
    digest = _DIGESTS.get(text)
    if digest is None:
        if len(_DIGESTS) >= _DIGESTS_MAX:
            _DIGESTS.clear()
        digest = _DIGESTS[text] = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=20).digest()
    key = (kind, digest)
    try:
        found = _MEMO[key]
    except KeyError:
        if len(_MEMO) >= _MEMO_MAX:
            _MEMO.clear()
        found = _MEMO[key] = scan(text)
    return key, found


def adopt(key: tuple[str, bytes], found: Any) -> None:
    """Remember a scan another process made (:func:`remembered_entry`)."""
    if len(_MEMO) >= _MEMO_MAX:
        _MEMO.clear()
    _MEMO.setdefault(key, found)


@functools.cache
def _version() -> str:
    """The scanner's code and Python-Markdown's version (its ``slugify`` makes the anchors)."""
    return code_digest(Path(__file__).parent, ("markdown_scan.py", "scancache.py"), markdown.__version__)


def scans_on_disk(path: Path | None) -> AbstractContextManager[None]:
    """Scans saved at ``path`` by earlier loads are reused; those used in the ``with`` block are
    saved there at its end (only when they differ from what was read)."""
    return memo_on_disk(path, _version, _MEMO, _USED)


def forget() -> None:
    """Drop what this process remembers (a later scan reads ``.deflect/`` or scans again)."""
    _MEMO.clear()
    _USED.clear()
    _DIGESTS.clear()
