"""simplemma's form → lemma dictionaries: read in one pass, looked up one word at a time.

simplemma stores a dictionary as one front-coded stream (sorted keys, each stored as the bytes it
does not share with the previous one), so a word can be looked up by decoding only the block of
records it falls in, given where each block starts. A cold build reads each dictionary once
(:func:`load`, about 0.4 µs a form, Finnish's 3.5 million in 1.3 s): it notes every ``STEP``-th
record's start and each record's lemma as a number, which answers word lookups and finds the forms
of chosen lemmas (``Analyzer.expansions``) without a dict of every form (twice the time and
360 MB for Finnish). The block starts are kept in the search cache (``lemmas-<code>.pickle``, see
:func:`keep_index_in`): a later process looks words up through them without reading the dictionary.

What that pass finds depends on the installed simplemma alone, so it is also kept in Deflect's cache
on this machine (:func:`deflect.cachefiles.machine_folder`, ``lemmas/``), with the decompressed stream,
both Zstandard-compressed (5-6 MB for Finnish or Polish): every later build on the machine, cold ones
included, reads them back in about a tenth of the time (Polish: 1.5 s → 0.13 s; the 11 dictionaries of
a 12-language help center: 6.1 s → 0.7 s, and 0.4 s less with the stream, which LZMA decompressed).
"""
from __future__ import annotations

import mmap
import os
import pickle
import queue
import signal
import threading
import zlib
from array import array
from bisect import bisect_right
from collections.abc import Collection, Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any, overload

from deflect.cachefiles import atomic_write, machine_folder
from deflect.processes import end_with_parent

BLOCK = 256  # records decoded at most per lookup through a kept index (well under a millisecond)
STEP = 32  # records per block of a dictionary read whole (lookups of a cold build, forms of lemmas)
_FORMAT = 5  # 2: the machine's cache keeps a dictionary's stream with its pass; 3: its lemmas as a list, its
# resume seeds as three lists (a dict and a tuple per block took 0.37 s of 0.62 to unpickle at 15 languages, 0.13
# now); 4: the stream in a file of its own, mapped into memory (decompressing it took 0.2 s of a cold build); 5: a
# filter of its forms (most lookups of a build are of words a dictionary lacks: 80,000 of 91,000 at 400 x 12)
FILTER_BITS = 16  # bits of a dictionary's filter per form, at least: one hash, so about 1 absent word in 16 passes
Stream = bytes | mmap.mmap  # a dictionary's front-coded stream: decompressed here, or mapped from the machine's cache
_SAME_AS_PREV, _LITERAL_VALUE = 254, 255  # a record's value: the previous one's, or stored whole (frontcode)
_folder: list[Path] = []  # where block indexes are kept (the search cache), once set
_whole: dict[str, Dictionary | Plain] = {}  # dictionaries this process read whole
_indexes: dict[str, BlockIndex] = {}
_prefetcher: list[tuple[int, Any]] = []  # the prefetch this process started: its pid and its end of the pipe
_prefetched: dict[str, Dictionary | Plain] = {}  # taken from the prefetch, not used yet
_read_by: dict[str, int] = {}  # the process that read each dictionary of _whole (see read_whole)


def keep_index_in(folder: Path) -> None:
    """Keep the block indexes of the dictionaries this process decodes in ``folder``, and use those kept
    there; also of those it holds already (a process that builds again, as a test run does), which it
    looks words up in without reading them: the indexes kept tell what a build read (``prefetch``)."""
    _folder[:] = [folder]
    for code, found in list(_whole.items()):
        if not (folder / f"lemmas-{code}.pickle").exists():
            _note_index(code, found)


def load(code: str) -> Dictionary | Plain:
    """The dictionary of ``code`` (empty for a language simplemma lacks), read whole in one pass and
    noting its block starts in the index folder, if one is set."""
    found = _keep(code, _read(code))
    _read_by[code] = os.getpid()
    return found


def read_kept(code: str) -> Dictionary | Plain:
    """The dictionary of ``code`` and its pass as the machine's cache keeps them: read back, or read and
    kept (``deflect prepare``); this process's dictionaries are left as they are."""
    return _read(code)


def _read(code: str) -> Dictionary | Plain:
    """The dictionary of ``code`` and its pass: both from the machine's cache when they were kept there
    (the stream Zstandard-compressed: a sixth of the time LZMA takes to decompress simplemma's file),
    else decompressed, scanned and kept."""
    try:
        from simplemma.strategies.dictionaries import dictionary_factory, frontcode
    except ImportError:  # a simplemma without the front-coded stream: whole dictionaries, no block index
        return Plain(_decode_plain(code))
    stamp = _file_stamp(code, dictionary_factory)
    kept = kept_on_machine(code, stamp) if stamp is not None else None
    if isinstance(kept, tuple) and len(kept) == 8 and isinstance(kept[0], tuple):
        stream, firsts, starts, keys, values, lemma_ids, every, bits = kept
        mapped = _mapped(code, stream)
        try:
            if mapped is not None:
                reverse = frontcode._read_header(mapped)[0]  # type: ignore[arg-type]
                found = Dictionary(mapped, reverse, firsts, Seeds(starts, keys, values), lemma_ids, every, bits)
                found._origin = (code, stream)
                return found
        except (ValueError, IndexError):  # not a stream after all: read simplemma's file
            pass
    try:
        data = _simplemma_stream(code)
        reverse, count, pos = frontcode._read_header(data)
    except (ValueError, OSError):
        return Plain({})
    firsts, seeds, lemma_ids, numbers, bits = _scan(data, pos, count)
    every = list(numbers)
    if stamp is not None and (stream := _keep_stream(code, data)) is not None:
        keep_on_machine(code, stamp, (stream, firsts, seeds.starts, seeds.keys, seeds.values, lemma_ids, every, bits))
    return Dictionary(data, reverse, firsts, seeds, lemma_ids, every, bits)


def _simplemma_stream(code: str) -> bytes:
    """simplemma's stream of ``code``, decompressed from its own file."""
    from simplemma.strategies.dictionaries.dictionary_factory import _read_decompressed

    return _read_decompressed(code)


def _stream_file(code: str) -> Path | None:
    folder = machine_folder("lemmas")
    return None if folder is None else folder / f"{code}.stream"


def _keep_stream(code: str, data: bytes) -> tuple[int, int] | None:
    """Keep a dictionary's decompressed stream in the machine's cache, as it is (mapped into memory when read
    back: no decompression, and one copy in memory for every process of the machine); what identifies the
    file written (its size and time), None when it could not be written."""
    path = _stream_file(code)
    if path is None:
        return None
    try:
        atomic_write(path, data)
        info = path.stat()
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns


def _mapped(code: str, stream: tuple[int, int]) -> mmap.mmap | None:
    """The stream of ``code`` the machine's cache keeps, mapped into memory (read-only), if its file is the one
    written with the pass (``stream``: its size and time, see :func:`_keep_stream`) and trusted; else None."""
    path = _stream_file(code)
    try:
        if path is None or not _trusted(path):
            return None
        with path.open("rb") as handle:
            info = os.fstat(handle.fileno())
            if (info.st_size, info.st_mtime_ns) != tuple(stream) or not info.st_size:
                return None
            return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):
        return None


def _file_stamp(code: str, factory: Any) -> str | None:
    """What identifies simplemma's dictionary file of ``code`` (its version, the file's size and time)
    and the pass over it; None for a language simplemma lacks (``code`` then names no file here)."""
    folder = getattr(factory, "DATA_FOLDER", None)
    if folder is None or code not in getattr(factory, "SUPPORTED_LANGUAGES", ()):
        return None
    try:
        info = (Path(folder) / f"{code}.plzma").stat()
    except OSError:
        return None
    return f"{_FORMAT}:{version('simplemma')}:{code}:{info.st_size}:{info.st_mtime_ns}:{STEP}"


def _machine_file(name: str) -> Path | None:
    folder = machine_folder("lemmas")
    return None if folder is None else folder / f"{name}.pickle.zst"


def on_machine(code: str) -> bool:
    """Whether the machine's cache has a dictionary's pass and stream kept for ``code`` (not read: they may
    still turn out to be from another simplemma, or damaged, and be made again)."""
    path, stream = _machine_file(code), _stream_file(code)
    try:
        return path is not None and stream is not None and _trusted(path) and _trusted(stream)
    except OSError:
        return False


def kept_on_machine(name: str, stamp: str) -> Any:
    """What :func:`keep_on_machine` kept as ``name`` with ``stamp`` (what it was derived from) in the
    machine's cache; None when nothing is kept there, or it was kept with another stamp (another
    simplemma, another analysis), or is damaged. A dictionary's pass is kept under its language code
    (:func:`_read`; its stream as it is, in ``<code>.stream`` beside it), the terms of its lemmas as
    ``terms-<lang>`` (``Analyzer._dictionary_terms``)."""
    path = _machine_file(name)
    if path is None:
        return None
    try:
        import zstandard

        if not _trusted(path):
            return None
        kept_stamp, value = pickle.loads(zstandard.ZstdDecompressor().decompress(path.read_bytes()))
    except Exception:  # noqa: BLE001 - missing or damaged (any error unpickling raises): derived again
        return None
    return value if kept_stamp == stamp else None


def _trusted(path: Path) -> bool:
    """Whether ``path`` may be unpickled: a file this user owns that no one else can write (the machine's
    cache may be a folder others share, ``DEFLECT_MACHINE_CACHE``; unpickling runs code)."""
    info = path.stat()
    return info.st_mode & 0o022 == 0 and (not hasattr(os, "getuid") or info.st_uid == os.getuid())


def keep_on_machine(name: str, stamp: str, value: Any) -> None:
    """Keep ``value``, derived from what ``stamp`` identifies, as ``name`` in the machine's cache (only a
    speed-up: an unwritable cache is left alone)."""
    path = _machine_file(name)
    if path is None:
        return
    try:
        import zstandard

        atomic_write(path, zstandard.ZstdCompressor(level=3).compress(pickle.dumps((stamp, value), protocol=5)))
    except OSError:
        pass


def _keep(code: str, found: Dictionary | Plain) -> Dictionary | Plain:
    """``found`` as this process's dictionary of ``code``, its block starts noted in the index folder."""
    _whole[code] = found
    _read_by.pop(code, None)  # (load notes that this process read it)
    _note_index(code, found)
    return found


def _note_index(code: str, found: Dictionary | Plain) -> None:
    """Keep the block starts of ``found`` in the index folder, if one is set (only a speed-up)."""
    if _folder and isinstance(found, Dictionary):
        try:
            step = BLOCK // STEP
            atomic_write(_folder[0] / f"lemmas-{code}.pickle", pickle.dumps(
                (_stamp(code, len(found._data)), found._reverse, found._firsts[::step], found._seeds[::step].lists()),
                protocol=5))
        except OSError:
            pass


def whole(code: str) -> Dictionary | Plain:
    """The dictionary of ``code`` read whole: this process's, or one another process read (:func:`adopt`,
    :func:`take_prefetched`), else :func:`load`."""
    found = _whole.get(code)
    if found is None:
        prefetched = _prefetched.pop(code, None)
        found = _keep(code, prefetched) if prefetched is not None else load(code)
    return found


def prefetch(codes: Sequence[str]) -> bool:
    """Read the dictionaries of ``codes`` whole, one after the other, in a forked process, until
    :func:`take_prefetched`. A build starts it before it loads its content, while the second core has
    nothing to do, so that the search worker (forked once the content is loaded) finds them read: 0.2 to
    2.7 s of CPU each that no longer compete with the pages. Whether it started."""
    import multiprocessing

    if not codes or "fork" not in multiprocessing.get_all_start_methods():
        return False
    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)
    process = context.Process(target=_prefetching, args=(list(codes), writer, os.getpid()), daemon=True)
    try:
        process.start()
    except OSError:  # no processes here: the worker reads them
        reader.close()
        return False
    finally:
        writer.close()
    _prefetcher[:] = [(process.pid or 0, reader)]
    return True


def _prefetching(codes: list[str], conn: Any, parent: int) -> None:
    end_with_parent(parent, signal.SIGKILL)
    _folder.clear()  # the index files are the search worker's to write
    outbox: queue.SimpleQueue[tuple[str, str, Dictionary | Plain | None] | None] = queue.SimpleQueue()

    def send() -> None:  # a dictionary waits in the pipe until the worker takes it; reading goes on meanwhile
        try:
            while (message := outbox.get()) is not None:
                conn.send(message)
        except (OSError, ValueError):  # the worker took what it wanted and closed its end
            pass

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    try:
        for code in codes:
            outbox.put(("reading", code, None))
            outbox.put(("read", code, _read(code)))
    except Exception:  # noqa: BLE001 - only a speed-up: the worker reads this one and the rest itself
        pass
    outbox.put(None)
    sender.join()
    conn.close()


def take_prefetched(*, wait: bool = False) -> list[str]:
    """In the process that will analyse (the search worker, or the build itself): keep what the prefetch
    has read by now, wait for the dictionary it is reading (it would be read here otherwise), and stop
    it there (``wait``: when it has read them all). Forked helpers share what was kept. The codes kept."""
    if not _prefetcher:
        return []
    pid, conn = _prefetcher.pop()
    kept: list[str] = []
    reading = None
    try:
        while wait or conn.poll(0.05):  # what is there already (sent one after the other)
            kind, code, found = conn.recv()
            reading = code if kind == "reading" else None
            if found is not None:
                _prefetched[code] = found
                kept.append(code)
        while reading is not None:  # and the one under way, then no more
            kind, code, found = conn.recv()
            if kind == "read" and code == reading:
                _prefetched[code] = found
                kept.append(code)
                reading = None
    except (EOFError, OSError):  # it ended (or died) first: what it sent is kept
        pass
    finally:
        conn.close()
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:  # already gone
            pass
    return kept


def holds(code: str) -> bool:
    """Whether this process has the dictionary of ``code`` read whole (a process that builds again)."""
    return code in _whole or code in _prefetched


def leave_prefetch() -> None:
    """In the build, once the search worker (which takes the prefetch) is forked: close this process's
    end of the prefetch's pipe, so that no later worker (``mkdocs serve`` rebuilds) finds it."""
    if _prefetcher:
        _prefetcher.pop()[1].close()


def read_whole(codes: Collection[str]) -> dict[str, Dictionary | Plain]:
    """The dictionaries of ``codes`` this process read itself, to give the process that forked it
    (:func:`adopt`); not those it had from that process, from a prefetch or from another helper."""
    return {code: _whole[code] for code in codes if code in _whole and _read_by.get(code) == os.getpid()}


def adopt(found: dict[str, Dictionary | Plain]) -> None:
    """Take dictionaries another process read whole (:func:`read_whole`): a forked helper's, so that
    the process that forked it need not read them again (a second or more per dictionary)."""
    for code, dictionary in found.items():
        _whole.setdefault(code, dictionary)


def _scan(data: bytes, pos: int, count: int) -> tuple[list[bytes], Seeds, array, dict[bytes, int], bytes]:
    """One pass over a front-coded stream (simplemma's ``frontcode._iter_records``, inlined: the
    generator and a dict of every form cost twice as much): each ``STEP``-th record's key and
    resume seed, each record's lemma as a number (in order of first appearance), and the filter of
    the stream's keys (:func:`_filter`). Read block by block (no countdown per record): about a sixth faster."""
    n, key, value, lemma = len(data), b"", b"", -1
    firsts: list[bytes] = []
    seeds = Seeds([], [], [])
    ids: list[int] = []  # made an array at the end (a list's append is the cheaper call)
    hashes = array("I")  # each key's CRC-32
    add, first, hashed, crc = ids.append, firsts.append, hashes.append, zlib.crc32
    seed_start, seed_key, seed_value = seeds.starts.append, seeds.keys.append, seeds.values.append
    numbers: dict[bytes, int] = {}
    number = numbers.get
    try:
        while pos < n:  # a block of STEP records: its first one's key and resume seed noted
            seed_start(pos)
            seed_key(key)
            seed_value(value)
            starting = True
            for _ in range(STEP):
                if pos >= n:
                    break
                prev_key = key
                shared, length, pos = _head(data, pos)
                end = pos + length
                key = prev_key[:shared] + data[pos:end]
                hashed(crc(key))
                if starting:
                    first(key)
                    starting = False
                trim, pos = data[end], end + 1
                if trim != _SAME_AS_PREV:
                    start, pos = _value(data, pos)
                    value = data[start:pos] if trim == _LITERAL_VALUE else key[:len(key) - trim] + data[start:pos]
                    found = number(value)
                    if found is None:
                        found = numbers[value] = len(numbers)
                    lemma = found
                elif lemma == -1:  # a first record "same as the previous" (not written by simplemma): b""
                    lemma = numbers.setdefault(value, len(numbers))
                add(lemma)
    except IndexError:  # a length that runs past the end, then a read there
        pos = n + 1
    lemma_ids = array("I", ids)
    if pos != n or len(lemma_ids) != count:
        raise ValueError("truncated or corrupt front-coded stream")
    return firsts, seeds, lemma_ids, numbers, _filter(hashes)


def _filter(hashes: array) -> bytes:
    """A one-hash Bloom filter of the keys whose CRC-32s are ``hashes``: bit ``crc & (size - 1)`` set for
    each, ``size`` the power of two of at least ``FILTER_BITS`` bits a key. A key whose bit is clear is not
    in the stream (:meth:`BlockIndex.get` then decodes nothing); about one absent key in 16 has its bit set."""
    import numpy as np

    size = 1 << max(10, (max(len(hashes), 1) * FILTER_BITS - 1).bit_length())
    flags = np.zeros(size, dtype=bool)
    flags[np.frombuffer(hashes, dtype=np.uint32) & np.uint32(size - 1)] = True
    return np.packbits(flags, bitorder="little").tobytes()


def _find(data: Stream, pos: int, key: bytes, value: bytes, target: bytes) -> bytes | None:
    """The stored value of the record whose stored key is ``target``, decoding records from ``pos`` (a
    block's start, resuming after ``key`` and ``value``) until one sorts at or after it; None if it is
    not there. A record's value is made only for the match (its bytes noted meanwhile): about half the
    time of simplemma's generator, which makes each record's (lookups of a 12-language build: 0.5 s).
    A record's head and value are read by :func:`_head` and :func:`_value`, as in :func:`_scan` and :func:`_keys`."""
    n = len(data)
    last: bytes | None = None  # the key of the last record that stored its own value (None: ``value``)
    trim = start = end = 0
    try:
        while pos < n:
            shared, length, pos = _head(data, pos)
            stop = pos + length
            key = key[:shared] + data[pos:stop]
            kind, pos = data[stop], stop + 1
            if kind != _SAME_AS_PREV:
                start, pos = _value(data, pos)
                last, trim, end = key, kind, pos
            if key >= target:
                if key != target:
                    return None
                if last is None:
                    return value
                return data[start:end] if trim == _LITERAL_VALUE else last[:len(last) - trim] + data[start:end]
    except IndexError:
        raise ValueError("truncated or corrupt front-coded stream") from None
    return None


def _head(data: Stream, pos: int) -> tuple[int, int, int]:
    """A record's head at ``pos``: how many bytes of the last key its key keeps, the length of the bytes
    it adds, and the position after both (varints, almost always one byte: read inline)."""
    shared = data[pos]
    if shared < 0x80:
        pos += 1
    else:
        shared, pos = _varint(data, pos)
    length = data[pos]
    if length < 0x80:
        return shared, length, pos + 1
    length, pos = _varint(data, pos)
    return shared, length, pos


def _value(data: Stream, pos: int) -> tuple[int, int]:
    """Where the bytes of a record's own value start and end (its length at ``pos``: a varint, almost
    always one byte, read inline); the end is where the next record starts."""
    size = data[pos]
    if size < 0x80:
        return pos + 1, pos + 1 + size
    size, pos = _varint(data, pos)
    return pos, pos + size


def _varint(data: Stream, pos: int) -> tuple[int, int]:
    """The unsigned LEB128 number at ``pos`` (as simplemma writes lengths) and the position after it."""
    result = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7


def _decode_plain(code: str) -> dict[bytes, bytes]:
    """The whole dictionary through simplemma's dictionary factory (what Deflect used before the
    block indexes), for simplemma versions that store dictionaries otherwise."""
    from simplemma.strategies.dictionaries.dictionary_factory import DefaultDictionaryFactory

    try:
        return dict(DefaultDictionaryFactory(cache_max_size=0).get_dictionary(code)._dict)  # type: ignore[attr-defined]
    except (ValueError, AttributeError, OSError):
        return {}


def lookup(code: str) -> Dictionary | Plain | BlockIndex | None:
    """Something whose ``get(form)`` gives the lemma of a form of ``code``: the whole dictionary when
    this process read it, else its kept block index; None when neither exists."""
    whole = _whole.get(code)
    if whole is not None:
        return whole
    index = _indexes.get(code)
    if index is None and _folder:
        index = BlockIndex.load(_folder[0] / f"lemmas-{code}.pickle", code)
        if index is not None:
            _indexes[code] = index
    return index


class Seeds:
    """Where each block of a front-coded stream starts and the key and value decoding resumes from (the
    record before it), as three lists: a tuple per block took twice as long to unpickle."""

    __slots__ = ("starts", "keys", "values")

    def __init__(self, starts: list[int], keys: list[bytes], values: list[bytes]) -> None:
        self.starts, self.keys, self.values = starts, keys, values

    @overload
    def __getitem__(self, block: int) -> tuple[int, bytes, bytes]: ...

    @overload
    def __getitem__(self, block: slice) -> Seeds: ...

    def __getitem__(self, block: int | slice) -> tuple[int, bytes, bytes] | Seeds:
        """A block's (start, key, value), or the seeds of a slice of the blocks."""
        if isinstance(block, slice):
            return Seeds(self.starts[block], self.keys[block], self.values[block])
        return self.starts[block], self.keys[block], self.values[block]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Seeds) and self.lists() == other.lists()

    def lists(self) -> tuple[list[int], list[bytes], list[bytes]]:
        return self.starts, self.keys, self.values

    def __reduce__(self) -> tuple[type[Seeds], tuple[list[int], list[bytes], list[bytes]]]:
        return Seeds, self.lists()


class BlockIndex:
    """Word-by-word lookups in one dictionary's stream through its block starts."""

    def __init__(self, data: Stream, reverse: bool, firsts: list[bytes], seeds: Seeds) -> None:
        self._data, self._reverse, self._firsts, self._seeds = data, reverse, firsts, seeds
        self._found: dict[bytes, bytes | None] = {}
        self._origin: tuple[str, tuple[int, int]] | None = None  # a stream mapped from the machine's cache
        self._filter: bytes | None = None  # of a dictionary read whole (:func:`_filter`)
        self._mask = 0

    def __getstate__(self) -> dict[str, Any]:
        """Pickled (sent to another process) with a stream mapped from the machine's cache named, not copied
        (``_origin``: its language and file, set by :func:`_read`)."""
        state = dict(self.__dict__)
        if isinstance(self._data, mmap.mmap):
            state["_data"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        if state.get("_data") is None:  # mapped again here; simplemma's own file if that one is gone
            code, stream = state["_origin"]
            state["_data"] = _mapped(code, stream) or _simplemma_stream(code)
        self.__dict__.update(state)

    @classmethod
    def load(cls, path: Path, code: str) -> BlockIndex | None:
        try:
            stamp, reverse, firsts, lists = pickle.loads(path.read_bytes())
            data = _simplemma_stream(code)
            seeds = Seeds(*lists)
        except Exception:  # noqa: BLE001 - a missing or damaged index: the dictionary is decoded whole
            return None
        return cls(data, reverse, firsts, seeds) if stamp == _stamp(code, len(data)) else None

    def get(self, form: bytes) -> bytes | None:
        if form in self._found:
            return self._found[form]
        target = form[::-1] if self._reverse else form
        bits = self._filter
        if bits is not None:  # a form whose bit is clear is not in the stream: nothing to decode
            bit = zlib.crc32(target) & self._mask
            if not bits[bit >> 3] >> (bit & 7) & 1:
                return None
        block = bisect_right(self._firsts, target) - 1
        seeds = self._seeds
        found = _find(self._data, seeds.starts[block], seeds.keys[block], seeds.values[block], target) if block >= 0 \
            else None
        if found is not None and self._reverse:
            found = found[::-1]
        self._found[form] = found
        return found


class Dictionary(BlockIndex):
    """A dictionary read whole (:func:`load`): lookups by blocks of ``STEP`` records, its lemmas, and
    the forms of chosen lemmas."""

    def __init__(self, data: Stream, reverse: bool, firsts: list[bytes], seeds: Seeds, lemma_ids: array,
                 every: list[bytes], bits: bytes | None = None) -> None:
        super().__init__(data, reverse, firsts, seeds)
        self._lemma_ids, self._lemmas = lemma_ids, every  # each record's lemma by number; each lemma as stored
        if bits:
            self._filter, self._mask = bits, len(bits) * 8 - 1

    def lemmas(self) -> list[bytes]:
        """Every lemma of the dictionary, once."""
        return [lemma[::-1] for lemma in self._lemmas] if self._reverse else list(self._lemmas)

    def numbered_forms(self, numbers: Collection[int]) -> list[tuple[bytes, int]]:
        """(form, the number of its lemma in :meth:`lemmas`) for every form whose lemma's number is in
        ``numbers``, in the dictionary's order: the records of those lemmas are found by number, then
        only their blocks' keys are decoded, up to the block's last chosen record (:func:`_keys`).
        Decoding whole blocks through simplemma's generator and finding lemmas through a dict of them
        (kept, and unpickled by every cold build) took twice as long (160,000 forms of 12 languages)."""
        import numpy as np

        chosen = np.zeros(len(self._lemmas), dtype=bool)
        chosen[list(numbers)] = True
        ids = np.frombuffer(self._lemma_ids, dtype=np.uintc)
        picked = np.flatnonzero(chosen[ids])
        found: list[tuple[bytes, int]] = []
        if not len(picked):
            return found
        lemma_of = ids[picked].tolist()
        starts = np.r_[0, np.flatnonzero(np.diff(picked // STEP)) + 1, len(picked)].tolist()
        records, reverse, seeds = picked.tolist(), self._reverse, self._seeds
        for first, last in zip(starts, starts[1:]):  # the chosen records of one block
            block = records[first] // STEP
            keys = _keys(self._data, seeds.starts[block], seeds.keys[block], records[last - 1] % STEP + 1)
            found += [(keys[record % STEP][::-1] if reverse else keys[record % STEP], number)
                      for record, number in zip(records[first:last], lemma_of[first:last])]
        return found


def _keys(data: Stream, pos: int, key: bytes, count: int) -> list[bytes]:
    """The stored keys of the ``count`` records from ``pos`` (a block's start, resuming after ``key``),
    their values skipped, not made."""
    keys: list[bytes] = []
    try:
        for _ in range(count):
            shared, length, pos = _head(data, pos)
            stop = pos + length
            key = key[:shared] + data[pos:stop]
            keys.append(key)
            kind, pos = data[stop], stop + 1
            if kind != _SAME_AS_PREV:
                pos = _value(data, pos)[1]
    except IndexError:
        raise ValueError("truncated or corrupt front-coded stream") from None
    if pos > len(data):
        raise ValueError("truncated or corrupt front-coded stream")
    return keys


class Plain:
    """The same questions answered by a plain form → lemma dict (a simplemma without front-coded streams)."""

    def __init__(self, mapping: dict[bytes, bytes]) -> None:
        self._mapping = mapping
        self.get = mapping.get

    def lemmas(self) -> list[bytes]:
        return list(dict.fromkeys(self._mapping.values()))

    def numbered_forms(self, numbers: Collection[int]) -> list[tuple[bytes, int]]:
        number = {lemma: n for n, lemma in enumerate(self.lemmas())}
        chosen = set(numbers)
        return [(form, number[lemma]) for form, lemma in self._mapping.items() if number[lemma] in chosen]


def stamp_of(code: str, dictionary: Dictionary | Plain) -> str | None:
    """What identifies ``dictionary`` (of ``code``) on this machine; None for a :class:`Plain` one."""
    return _stamp(code, len(dictionary._data)) if isinstance(dictionary, Dictionary) else None


def _stamp(code: str, size: int) -> str:
    return f"{_FORMAT}:{version('simplemma')}:{code}:{size}:{BLOCK}"
