"""Output files kept across builds into one site folder: a warm build rewrites only the pages whose
bytes changed and deletes what it no longer makes, leaving the folder as a cold build leaves it.

MkDocs empties the site folder before every build (``clean_directory``: it leaves only top-level
names that start with a dot) and writes every page again. :class:`KeptOutputs` works around that
in three steps (the MkDocs adapter, ``mkdocs_plugins/outputs.py``, calls them):

1. :meth:`~KeptOutputs.begin`, before the clean: the folder's top-level entries are renamed aside
   under dot-names (a few renames, whatever the folder holds), and a probe file records the build's
   start on the file system's own clock. The clean deletes the probe; a probe still there later
   means no clean ran (``--dirty``), and then no file is deleted in step 3.
2. :meth:`~KeptOutputs.restore`, after the clean: the entries get their names back.
   :meth:`~KeptOutputs.unchanged` then tells, for each page, whether the file at its address holds
   exactly its new bytes: the manifest of the build that wrote the file records its digest, size,
   mtime and inode, so a file edited, replaced or deleted since is written again.
   :meth:`~KeptOutputs.filled_as` tells, for a kept page, whether a step after the writing (the
   related-articles fill) would put in what that build's already did.
3. :meth:`~KeptOutputs.finish`: every file older than the probe that was neither kept nor lies in
   a folder its writer keeps exact itself (the search export) is deleted, with the folders it
   leaves empty; then the manifest of this build is recorded (``.deflect/outputs-<audience>/``,
   one small file per site folder; in memory only under ``mkdocs serve``).

Anything unexpected (no site folder yet, a name clash, a read-only or full disk) turns a step
into nothing, which leaves MkDocs' own behaviour: every page is written. Output is never lost:
a page is skipped only when the file it would write is on disk, unchanged, with those bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..cachefiles import atomic_write

ASIDE = ".deflect-kept-"
"""Prefix of the names entries wait under while MkDocs cleans the folder (it keeps dot-names)."""
PROBE = "deflect-build-started"
"""Not a dot-name, so that the clean deletes it: proof that the clean ran."""
FORMAT = 1
KEPT_DAYS = 30
"""A manifest of a site folder not built for this long is deleted (``serve --clean`` makes a folder per run)."""


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=20).hexdigest()


def manifest_name(site: Path) -> str:
    """The manifest file of the site folder ``site`` (one per folder: builds into two folders at once)."""
    return hashlib.sha256(str(site.resolve()).encode("utf-8", "surrogatepass")).hexdigest()[:24] + ".json"


def _stamp(stat: os.stat_result) -> list[int]:
    return [stat.st_size, stat.st_mtime_ns, stat.st_ino]


@dataclass
class KeptOutputs:
    """One site folder's outputs across builds. ``manifest`` None: kept in memory only (``mkdocs serve``)."""

    manifest: Path | None
    site: Path = Path()
    entries: dict[str, list] = field(default_factory=dict)  # page path → [digest, size, mtime_ns, inode]
    filled: dict[str, str] = field(default_factory=dict)  # page path → digest of what the last build's fill put in
    fills: dict[str, str] = field(default_factory=dict)  # the same, this build's (see filled_as)
    pages: dict[str, str] = field(default_factory=dict)  # this build's pages → digest
    kept: set[str] = field(default_factory=set)
    moved: list[str] = field(default_factory=list)
    started_ns: int | None = None
    sweep: bool = False
    active: bool = False

    def begin(self, site: Path, docs: Path) -> None:
        """Before MkDocs cleans ``site``: read the last manifest, put the folder's entries aside."""
        self.site, self.pages, self.kept, self.moved, self.fills = site, {}, set(), [], {}
        self.started_ns, self.sweep, self.active = None, False, True
        if self.manifest is not None:
            self.entries, self.filled = self._read()
        site, docs = site.resolve(), docs.resolve()
        if not site.is_dir() or site.is_relative_to(docs) or docs.is_relative_to(site):
            return
        try:
            for entry in os.scandir(site):  # a build killed between begin and restore left these
                if entry.name.startswith(ASIDE):
                    _remove(Path(entry.path))
            self.started_ns = _clock_tick(site / PROBE)
            for entry in sorted(os.scandir(site), key=lambda e: e.name):
                if not entry.name.startswith(".") and entry.name != PROBE:
                    os.rename(entry.path, site / (ASIDE + entry.name))
                    self.moved.append(entry.name)
        except OSError:  # read-only, or changed under us: MkDocs cleans as usual
            self._put_back(clashes_removed=False)
            (site / PROBE).unlink(missing_ok=True)
            self.moved, self.started_ns = [], None

    def restore(self) -> None:
        """After the clean: the entries put aside get their names back (or, on a clash, go)."""
        if not self.active or self.started_ns is None:
            return
        if (self.site / PROBE).exists():  # no clean ran (--dirty): MkDocs keeps old files, so do we
            (self.site / PROBE).unlink(missing_ok=True)
            self._put_back(clashes_removed=False)
            return
        self.sweep = self._put_back(clashes_removed=True) > 0

    def _put_back(self, *, clashes_removed: bool) -> int:
        restored = 0
        for name in self.moved:
            aside, path = self.site / (ASIDE + name), self.site / name
            try:
                if not os.path.lexists(path):
                    os.rename(aside, path)
                    restored += 1
                elif clashes_removed:
                    _remove(aside)
            except OSError:
                pass  # the per-file checks of unchanged() and finish() never trust what is not there
        self.moved = [name for name in self.moved if os.path.lexists(self.site / (ASIDE + name))]
        return restored

    def abandon(self) -> None:
        """The build failed: entries still put aside get their names back, as they were."""
        if self.active and self.moved:
            self._put_back(clashes_removed=True)
        if self.started_ns is not None:
            (self.site / PROBE).unlink(missing_ok=True)
        self.active = False

    def unchanged(self, rel: str, data: bytes) -> bool:
        """Whether the page at ``rel`` (a path in the site) is on disk as the last build left it from
        this same ``data``. The file may differ from ``data`` by what the end of that build put in
        (each article's related-articles slot, filled again at the end of this build), so it is
        compared by the last build's output digest and the file's stamp, not by its size."""
        if not self.active:
            return False
        self.pages[rel] = new = digest(data)
        entry = self.entries.get(rel)
        if entry is None or entry[0] != new:
            return False
        try:
            if _stamp((self.site / rel).stat()) != entry[1:]:
                return False
        except OSError:
            return False
        self.kept.add(rel)
        return True

    def filled_as(self, rel: str, fill: str) -> bool:
        """Whether the page at ``rel``, kept (:meth:`unchanged`), already holds what a step after the
        writing (the related-articles fill) puts in as ``fill`` (a digest): the last build's fill put it
        there, and the file's stamp, recorded after that fill, is unchanged. Notes ``fill`` as this
        build's, which the caller then makes true when the answer is no."""
        self.fills[rel] = fill
        return rel in self.kept and self.filled.get(rel) == fill

    def finish(self, exact_folders: tuple[str, ...] = ()) -> int:
        """Delete what this build neither wrote nor kept (except in ``exact_folders``, kept exact by
        their writers), record the manifest; the number of files deleted."""
        if not self.active:
            return 0
        self.active = False
        try:
            removed = _sweep(self.site, self.started_ns, self.kept, exact_folders) if self.sweep else 0
        except OSError:
            removed = 0  # what is left is older than the next build's start: it sweeps it
        entries = {}
        for rel, page_digest in self.pages.items():
            try:
                entries[rel] = [page_digest, *_stamp((self.site / rel).stat())]
            except OSError:
                continue  # empty output: MkDocs wrote no file
        self.entries = entries
        self.filled = {rel: fill for rel, fill in self.fills.items() if rel in entries}
        if self.manifest is not None:
            try:
                atomic_write(self.manifest, json.dumps({"format": FORMAT, "site": str(self.site.resolve()),
                                                        "pages": entries, "filled": self.filled}).encode())
            except OSError:
                pass  # a stale manifest is harmless: a file whose stamp differs is written again
            _prune(self.manifest)
        return removed

    def _read(self) -> tuple[dict[str, list], dict[str, str]]:
        """The last manifest's entries and fills (a manifest without fills: every page is filled again)."""
        try:
            data = json.loads(self.manifest.read_bytes()) if self.manifest is not None else {}
            pages = data["pages"] if data.get("format") == FORMAT else {}
            entries = {rel: entry for rel, entry in pages.items() if isinstance(entry, list) and len(entry) == 4}
            filled = data.get("filled", {}) if entries else {}
            return entries, {rel: fill for rel, fill in filled.items() if rel in entries and isinstance(fill, str)}
        except (OSError, ValueError, AttributeError, KeyError, TypeError):
            return {}, {}  # missing or damaged: every page is written


def _clock_tick(probe: Path) -> int:
    """Write ``probe`` and wait until its time moves on (file times tick coarsely, 4 ms here, 2 s on
    FAT): every file older than the time returned was written before the call, every newer one after."""
    probe.write_bytes(b"")
    first, deadline = probe.stat().st_mtime_ns, time.monotonic() + 3
    while (now := probe.stat().st_mtime_ns) <= first:
        if time.monotonic() > deadline:
            raise OSError(f"{probe}: the file time does not move on")
        time.sleep(0.001)
        os.utime(probe)
    return now


def _prune(manifest: Path) -> None:
    limit = time.time() - KEPT_DAYS * 86400
    for other in manifest.parent.glob("*.json"):
        try:
            if other != manifest and other.stat().st_mtime < limit:
                other.unlink()
        except OSError:
            continue


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


def _sweep(site: Path, started_ns: int | None, kept: set[str], exact_folders: tuple[str, ...]) -> int:
    """Delete files under ``site`` older than ``started_ns`` and not in ``kept``, then the folders
    that leaves empty (a cold build makes none). Top-level dot-names stay, as MkDocs' clean leaves them."""
    if started_ns is None:
        return 0
    return _sweep_folder(str(site), "", started_ns, kept, skip=exact_folders)[0]


def _sweep_folder(path: str, rel: str, started_ns: int, kept: set[str], skip: tuple[str, ...] = ()) -> tuple[int, bool]:
    """(files deleted, whether the folder is left empty)."""
    removed, left = 0, 0
    with os.scandir(path) as entries:
        for entry in entries:
            name = rel + entry.name
            if not rel and (entry.name.startswith(".") or entry.name in skip):
                left += 1
            elif entry.is_dir(follow_symlinks=False):
                count, empty = _sweep_folder(entry.path, name + "/", started_ns, kept)
                removed += count
                if empty:
                    os.rmdir(entry.path)
                else:
                    left += 1
            elif name not in kept and entry.stat(follow_symlinks=False).st_mtime_ns < started_ns:
                os.unlink(entry.path)
                removed += 1
            else:
                left += 1
    return removed, left == 0
