"""simplemma's form → lemma dictionaries, whole or one word at a time.

Decoding a whole dictionary costs about a second per language (Estonian 2.7 s), which an edit
that brings one new word should not pay in every language. simplemma stores a dictionary as one
front-coded stream (sorted keys, each stored as the bytes it does not share with the previous
one), so a word can be looked up by decoding only the block of records it falls in, given where
each block starts. Those block starts are noted while a dictionary is decoded whole (a cold build
does that anyway) and kept in the search cache (``lemmas-<code>.pickle``, see :func:`keep_index_in`);
a later process looks words up through them, with the same answers as the whole dictionary.
"""
from __future__ import annotations

import pickle
from bisect import bisect_right
from importlib.metadata import version
from pathlib import Path

from deflect.cachefiles import atomic_write

BLOCK = 256  # records decoded at most per lookup (well under a millisecond)
_FORMAT = 1
_folder: list[Path] = []  # where block indexes are kept (the search cache), once set
_whole: dict[str, dict[bytes, bytes]] = {}  # dictionaries this process decoded whole
_indexes: dict[str, BlockIndex] = {}


def keep_index_in(folder: Path) -> None:
    """Keep the block indexes of the dictionaries this process decodes in ``folder``, and use those kept there."""
    _folder[:] = [folder]


def decode(code: str) -> dict[bytes, bytes]:
    """The whole dictionary of ``code`` (bytes → bytes; {} for a language simplemma lacks), noting
    its block starts in the index folder, if one is set."""
    try:
        from simplemma.strategies.dictionaries import frontcode
        from simplemma.strategies.dictionaries.dictionary_factory import _read_decompressed
    except ImportError:  # a simplemma without the front-coded stream: whole dictionaries, no block index
        return _decode_plain(code)
    try:
        data = _read_decompressed(code)
        reverse, count, pos = frontcode._read_header(data)
    except (ValueError, OSError):
        return {}
    result: dict[bytes, bytes] = {}
    firsts: list[bytes] = []
    seeds: list[tuple[int, bytes, bytes]] = []
    prev_key = prev_value = b""
    for n, (start, key, value) in enumerate(frontcode._iter_records(data, pos)):
        if not n % BLOCK:
            firsts.append(key)
            seeds.append((start, prev_key, prev_value))
        prev_key, prev_value = key, value
        result[key[::-1] if reverse else key] = value[::-1] if reverse else value
    if len(result) != count:
        raise ValueError(frontcode._CORRUPT_STREAM_MSG)
    _whole[code] = result
    if _folder:
        try:
            atomic_write(_folder[0] / f"lemmas-{code}.pickle",
                         pickle.dumps((_stamp(code, len(data)), reverse, firsts, seeds), protocol=5))
        except OSError:  # only a speed-up
            pass
    return result


def _decode_plain(code: str) -> dict[bytes, bytes]:
    """The whole dictionary through simplemma's dictionary factory (what Deflect used before the
    block indexes), for simplemma versions that store dictionaries otherwise."""
    from simplemma.strategies.dictionaries.dictionary_factory import DefaultDictionaryFactory

    try:
        found = dict(DefaultDictionaryFactory(cache_max_size=0).get_dictionary(code)._dict)  # type: ignore[attr-defined]
    except (ValueError, AttributeError, OSError):
        return {}
    _whole[code] = found
    return found


def lookup(code: str) -> dict[bytes, bytes] | BlockIndex | None:
    """Something whose ``get(form)`` gives the lemma of a form of ``code``: the whole dictionary when
    this process decoded it, else its kept block index; None when neither exists."""
    whole = _whole.get(code)
    if whole is not None:
        return whole
    index = _indexes.get(code)
    if index is None and _folder:
        index = BlockIndex.load(_folder[0] / f"lemmas-{code}.pickle", code)
        if index is not None:
            _indexes[code] = index
    return index


class BlockIndex:
    """Word-by-word lookups in one dictionary's stream through its block starts."""

    def __init__(self, data: bytes, reverse: bool, firsts: list[bytes], seeds: list[tuple[int, bytes, bytes]]) -> None:
        self._data, self._reverse, self._firsts, self._seeds = data, reverse, firsts, seeds
        self._found: dict[bytes, bytes | None] = {}

    @classmethod
    def load(cls, path: Path, code: str) -> BlockIndex | None:
        from simplemma.strategies.dictionaries.dictionary_factory import _read_decompressed

        try:
            stamp, reverse, firsts, seeds = pickle.loads(path.read_bytes())
            data = _read_decompressed(code)
        except Exception:  # noqa: BLE001 - a missing or damaged index: the dictionary is decoded whole
            return None
        return cls(data, reverse, firsts, seeds) if stamp == _stamp(code, len(data)) else None

    def get(self, form: bytes) -> bytes | None:
        if form in self._found:
            return self._found[form]
        from simplemma.strategies.dictionaries import frontcode

        target = form[::-1] if self._reverse else form
        found = None
        block = bisect_right(self._firsts, target) - 1
        if block >= 0:
            for _, key, value in frontcode._iter_records(self._data, *self._seeds[block]):
                if key >= target:
                    if key == target:
                        found = value[::-1] if self._reverse else value
                    break
        self._found[form] = found
        return found


def _stamp(code: str, size: int) -> str:
    return f"{_FORMAT}:{version('simplemma')}:{code}:{size}:{BLOCK}"
