"""Rendered pages kept between builds in ``<project>/.deflect/pages-<audience>/``, by content key.

A page costs two steps: its Markdown becomes HTML, and the page template turns that HTML and the
page's context into the output file. The result of each step is stored here under a hash of
everything the step reads (the MkDocs adapter, ``mkdocs_plugins/pagecache.py``, lists those
inputs), so a warm build redoes only the pages whose inputs changed. Keys hash contents, never
modification times or absolute paths, so a fresh clone or a moved project still hits.

Safe to share between processes without a lock: the entries live in pack files (``pages-XX.pack``,
one per first two hex digits of the key), each read whole at the start of a build and replaced
whole at its end (``atomic_write``: written under a temporary name and renamed into place), so a
reader never sees half a pack; a missing, truncated or damaged pack or entry reads as a miss and is
rendered again. A build keeps only the entries it used, so the packs hold about one site's worth,
and it rewrites only the packs whose entries changed: one edit rewrites a few small packs, not the
whole site's pages.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import pickle
import sysconfig
from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import jinja2
import orjson
import zstandard

from ..cachefiles import atomic_write

PACKAGES = ("mkdocs", "mkdocs-material", "Markdown", "pymdown-extensions", "Jinja2", "Pygments", "PyYAML")
"""Libraries whose version changes rendered pages: a new version empties the cache."""
DEFLECT_DIR = Path(__file__).resolve().parent.parent


@functools.cache
def code_fingerprint() -> str:
    """Deflect's own code, templates and assets, and the versions of the libraries that render pages.
    Computed once per process: the code that runs does not change under ``mkdocs serve``."""
    digest = hashlib.sha256()
    for path in sorted(DEFLECT_DIR.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(DEFLECT_DIR).as_posix().encode() + b"\0" + path.read_bytes())
    for package in PACKAGES:
        try:
            digest.update(f"{package}={version(package)}\0".encode())
        except PackageNotFoundError:
            digest.update(f"{package}=-\0".encode())
    return digest.hexdigest()


@functools.cache
def _installed_templates(folder: str) -> str:
    """An installed theme's templates (Material's) do not change while a process runs: hashed once."""
    return _hash_templates(Path(folder))


def _hash_templates(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*.html")):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _installed(folder: Path) -> bool:
    roots = {sysconfig.get_paths()[name] for name in ("purelib", "platlib")}
    return any(folder.is_relative_to(root) for root in roots) or folder.is_relative_to(DEFLECT_DIR)


def theme_fingerprint(folders: list[str]) -> str:
    """The templates of every theme folder, in their order (a partial in an earlier folder wins).
    The project's own folders (``custom_dir``) are read on every build; they hold a few files."""
    digest = hashlib.sha256()
    for folder in folders:
        path = Path(folder).resolve()
        digest.update((_installed_templates(str(path)) if _installed(path) else _hash_templates(path)).encode())
    return digest.hexdigest()


def make_key(*parts: str | bytes) -> str:
    """The key of a list of inputs (no input can run into the next: each is length-prefixed)."""
    digest = hashlib.sha256()
    for part in parts:
        data = part if isinstance(part, bytes) else part.encode("utf-8", "surrogatepass")
        digest.update(len(data).to_bytes(8, "little") + data)
    return digest.hexdigest()


def stable_default(value: Any) -> Any:
    """JSON for what ``json`` cannot write, the same in every process (never an object's address)."""
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, (set, frozenset)):
        return sorted(map(str, value))
    if callable(value) and hasattr(value, "__qualname__"):
        return f"{value.__module__}.{value.__qualname__}"
    return str(value)


_SORTED = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS


def stable_json(value: Any) -> bytes:
    """``value`` as JSON with sorted keys, the same in every process (orjson: a third of ``json``'s CPU
    on page contexts; what it cannot write goes through ``json``)."""
    try:
        return orjson.dumps(value, default=stable_default, option=_SORTED)
    except TypeError:
        return json.dumps(value, sort_keys=True, default=stable_default).encode("utf-8", "surrogatepass")


def toc_list(items: Any) -> list[Any]:
    """A page's table of contents as its key reads it: id, title, level and children of each entry."""
    return [[item.id, item.title, item.level, toc_list(item.children)] for item in items]


def nav_link(other: Any) -> list[str | None] | None:
    """A neighbour or ancestor of a page as its key reads it: address and title."""
    return [getattr(other, "url", None), str(other.title)] if other is not None else None


SHARED_ENTRIES = ("strings",)
"""Entries of the ``deflect`` context made once per build and shown as they are by many pages (read
only, ``site.context._shared``): a page's key holds the digest of their JSON, written once per build."""


class SharedDigests:
    """Digests of the values many pages of one build share (a new one for each build): the same object
    is written as JSON once (the interface strings were a third of every page's key). Each value is
    kept, so its id cannot be reused by another object while this build runs."""

    def __init__(self) -> None:
        self.known: dict[int, tuple[Any, str]] = {}

    def digest(self, value: Any) -> str:
        known = self.known.get(id(value))
        if known is None or known[0] is not value:
            known = self.known[id(value)] = (value, make_key(stable_json(value)))
        return known[1]


class LogRecorder(logging.Handler):
    """Collects what a page's render logs, to log it again when the render is reused."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))


class MemoryBytecode(jinja2.BytecodeCache):
    """Compiled templates kept in memory: ``mkdocs serve`` makes a new Jinja environment for every rebuild."""

    def __init__(self) -> None:
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.store:
            bucket.bytecode_from_string(self.store[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()


PACK_DIGITS = 2
"""Entries are spread over 16**PACK_DIGITS packs by the first digits of their key."""


class PageCache:
    """Step results in pack files (``pages-XX.pack``), keyed by :func:`make_key`: a few hundred files,
    read once and written only when changed per build (thousands of small files cost more in system
    calls than they save; one big file is rewritten whole after any edit).
    ``in_memory`` (``mkdocs serve``): kept in memory only, between the rebuilds of one process,
    whose pages differ from a build's anyway (the site URL is the server's)."""

    def __init__(self, folder: Path, *, in_memory: bool = False) -> None:
        self.folder = folder
        self.memory: dict[str, Any] | None = {} if in_memory else None
        self.packed: dict[str, bytes] = {}
        self.fresh: dict[str, bytes] = {}
        self.outbox: dict[str, bytes] | None = None  # in a page helper: what it renders, for main
        self._packs: dict[str, set[str]] = {}  # pack name -> the keys it holds on disk
        self._stamps: dict[str, tuple[int, int]] = {}
        self.start()

    def _pack(self, key: str) -> str:
        return f"pages-{key[:PACK_DIGITS]}.pack"

    def start(self) -> None:
        """A build begins: count its hits afresh; read the packs this process did not write last."""
        self.used: set[str] = set()
        self.fresh, self.hits, self.misses = {}, 0, 0
        self.adopted: set[str] = set()  # keys a page helper rendered for this build
        self.helped = 0  # lookups those answered
        if self.memory is not None:
            return
        try:
            found = {path.name: path for path in self.folder.glob("pages-*.pack")}
        except OSError:
            found = {}
        for name in set(self._packs) - set(found):  # removed by another build
            self._forget(name)
        for name, path in found.items():
            try:
                stat = path.stat()
                if (stat.st_mtime_ns, stat.st_size) == self._stamps.get(name):
                    continue
                packed = pickle.loads(path.read_bytes())
                if not isinstance(packed, dict):
                    raise ValueError(name)
            except Exception:  # noqa: BLE001 - missing, truncated or damaged: its pages are rendered again
                self._forget(name)
                continue
            self._forget(name)
            self.packed.update(packed)
            self._packs[name] = set(packed)
            self._stamps[name] = (stat.st_mtime_ns, stat.st_size)

    def _forget(self, name: str) -> None:
        for key in self._packs.pop(name, ()):
            self.packed.pop(key, None)
        self._stamps.pop(name, None)

    def get(self, key: str) -> Any | None:
        """The value stored under ``key``, or None (never stored, pruned, or unreadable)."""
        value = self.memory.get(key) if self.memory is not None else None
        data = self.packed.get(key, self.fresh.get(key)) if value is None else None
        if data is not None:
            try:
                value = pickle.loads(_decompress(data))
            except Exception:  # noqa: BLE001 - a damaged entry: render again
                value = None
            if value is not None and self.memory is not None:
                self.memory[key] = value
        if value is None:
            self.misses += 1
        else:
            if key in self.adopted:
                self.helped += 1
            else:
                self.hits += 1
            self.used.add(key)
        return value

    def put(self, key: str, value: Any) -> None:
        self.used.add(key)
        if self.memory is not None and self.outbox is None:
            self.memory[key] = value
            return
        data = _compress(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        if self.outbox is not None:
            self.outbox[key] = data
        else:
            self.fresh[key] = data

    def take(self) -> dict[str, bytes]:
        """In a page helper (``outbox`` set): the entries put since the last call, packed."""
        taken, self.outbox = self.outbox or {}, {}
        return taken

    def adopt(self, entries: dict[str, bytes]) -> None:
        """Entries a page helper rendered for this build, kept as if put here; a build keeps only
        those it looks up (a key it computes differently is rendered again, and the entry dropped)."""
        for key, data in entries.items():
            if self.memory is not None:
                self.memory[key] = pickle.loads(_decompress(data))
            else:
                self.fresh[key] = data
            self.adopted.add(key)

    def finish(self) -> None:
        """Write the packs whose entries changed: the entries this build used (and only those: the
        rest is pruned). Two builds at once each write whole packs; the last one of each stays, and
        every entry in any pack is valid (keys name their inputs)."""
        if self.memory is not None:
            self.memory = {key: value for key, value in self.memory.items() if key in self.used}
            return
        wanted: dict[str, dict[str, bytes]] = {}
        for key in self.used:
            data = self.fresh.get(key, self.packed.get(key))
            if data is not None:
                wanted.setdefault(self._pack(key), {})[key] = data
        for name in set(self._packs) | set(wanted):
            entries = wanted.get(name, {})
            if set(entries) == self._packs.get(name, set()) and not any(key in self.fresh for key in entries):
                continue  # exactly what the pack holds already
            self._write(name, entries)
        self.fresh = {}
        try:
            (self.folder / "pages.pack").unlink(missing_ok=True)  # the single pack of earlier versions
        except OSError:
            pass  # a cache folder that cannot be changed (or is not a folder): nothing to remove

    def _write(self, name: str, entries: dict[str, bytes]) -> None:
        path = self.folder / name
        self._forget(name)
        try:
            if not entries:
                path.unlink(missing_ok=True)
                return
            atomic_write(path, pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL))
            stat = path.stat()
        except OSError:
            return  # a read-only or full disk costs the next build its reuse, never this build
        self.packed.update(entries)
        self._packs[name] = set(entries)
        self._stamps[name] = (stat.st_mtime_ns, stat.st_size)


# Zstandard level 1: a rendered page compresses 3x (as zlib's level 1 does) at a fifth of zlib's CPU
# (0.2 s instead of 1.0 s for the 7,962 entries of a 1,000-article build), and reads back twice as fast.
_compressor = zstandard.ZstdCompressor(level=1)
_decompressor = zstandard.ZstdDecompressor()


def _compress(data: bytes) -> bytes:
    return _compressor.compress(data)


def _decompress(data: bytes) -> bytes:
    return _decompressor.decompress(data)
