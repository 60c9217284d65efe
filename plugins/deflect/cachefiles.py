"""The ``.deflect/`` folder beside mkdocs.yml: where each cache lives, and the atomic writes and
the lock that let several processes share it.

Several processes use one cache at a time (two builds, ``mkdocs serve``, ``deflect search`` and
``deflect gaps``), so every change happens under an exclusive lock (``flock``; released by the
kernel when a process dies, so a crash never leaves a stale lock), and files are written to a
temporary name in the same folder and renamed into place, so a reader never sees a half-written file.
"""
from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

log = logging.getLogger("deflect.cache")
"""Not under ``mkdocs``: a cache that cannot be written slows the next build, and must not fail a
``--strict`` one (Python prints the warning on stderr when nothing else handles it)."""
LOCK_TIMEOUT = float(os.environ.get("DEFLECT_LOCK_TIMEOUT", "600"))
FILE_MODE = 0o644
"""Mode of every file the cache and the export write: a site must stay readable by the web server
(set explicitly: reading the process umask means changing it, which races with other threads)."""
class CacheBusy(RuntimeError):
    """Another process held the cache lock longer than the timeout."""


CACHE_DIR = ".deflect"
"""The folder, next to mkdocs.yml, of every cache a build keeps (front matter, search, pages)."""


MACHINE_CACHE_ENV = "DEFLECT_MACHINE_CACHE"


def machine_folder(kind: str) -> Path | None:
    """Deflect's cache on this machine (not of one help center) for ``kind``: what is derived from
    installed packages alone (the lemma dictionaries' indexes), shared by every help center and every
    build, as Python keeps bytecode. ``$DEFLECT_MACHINE_CACHE`` (a folder, or ``off``), else
    ``$XDG_CACHE_HOME/deflect``, else ``~/.cache/deflect``. None when it is turned off or no home
    folder is known."""
    chosen = os.environ.get(MACHINE_CACHE_ENV)
    if chosen is not None:
        return None if chosen.strip().lower() in ("", "off", "0", "no", "false") else Path(chosen) / kind
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError:  # no home folder
            return None
    return Path(base) / "deflect" / kind


def cache_folder(root: Path, audience: str, kind: str = "search") -> Path:
    """The ``kind`` cache (``search`` or ``pages``) of the help center in ``root`` for one audience
    (``public`` or ``internal``)."""
    return root / CACHE_DIR / f"{kind}-{audience}"


@contextmanager
def locked(folder: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold the exclusive lock of the cache ``folder`` (waiting up to ``timeout`` seconds)."""
    path = folder / "lock"
    limit = LOCK_TIMEOUT if timeout is None else timeout
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle = open(path, "a+b")
    except OSError as exc:  # a cache that cannot be made (its place is a file, a read-only project): nothing
        _warn_unwritable(folder, exc)  # will be written there, so there is nothing to guard
        yield
        return
    with handle:
        started = time.monotonic()
        while not _try_lock(handle):
            if time.monotonic() - started > limit:
                raise CacheBusy(f"{path}: another Deflect process (a build, 'mkdocs serve', 'deflect search' or "
                                f"'deflect gaps') has held the cache for over {limit:.0f} s; wait for it to "
                                "finish, or set DEFLECT_LOCK_TIMEOUT to wait longer")
            time.sleep(0.05)
        try:
            yield
        finally:
            _unlock(handle)


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(handle) -> bool:  # type: ignore[no-untyped-def]
        try:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def _unlock(handle) -> None:  # type: ignore[no-untyped-def]
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _try_lock(handle) -> bool:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False

    def _unlock(handle) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(temp, FILE_MODE)  # mkstemp makes the file private
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def read_pickle(path: Path) -> object:
    """The object pickled in ``path``; None when the file is missing or damaged (a cache file: what it
    kept is computed again)."""
    try:
        return pickle.loads(path.read_bytes())
    except Exception:  # noqa: BLE001 - any damage, whatever unpickling raises
        return None


_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)


def write_new(path: str | Path, data: bytes) -> os.stat_result | None:
    """Create ``path`` holding ``data`` (mode ``FILE_MODE``) and return its status, unless it exists
    (None). Written in place, as MkDocs writes pages: a new file has no earlier bytes that a reader
    could need, and a temporary file and a rename cost as much again on some file systems. A
    failed write removes the file."""
    try:
        fd = os.open(path, _NEW_FILE, FILE_MODE)
    except FileExistsError:
        return None
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, FILE_MODE)  # the mode os.open gave is narrowed by the umask
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        info = os.fstat(fd)
    except BaseException:
        os.close(fd)
        os.unlink(path)
        raise
    os.close(fd)
    return info


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write ``data`` unless ``path`` holds exactly these bytes (its mtime then stays); True if written.
    An existing file is replaced atomically (:func:`atomic_write`)."""
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except OSError:
        pass
    atomic_write(path, data)
    return True


def code_digest(folder: Path, names: Iterable[str], *versions: str) -> str:
    """A hash of the source files ``names`` in ``folder`` and of ``versions`` (library versions,
    format numbers): results saved under it are dropped when the code that made them changes."""
    digest = hashlib.sha256()
    for text in versions:
        digest.update(text.encode() + b"\0")
    for name in names:
        digest.update(name.encode() + b"\0" + (folder / name).read_bytes())
    return digest.hexdigest()


_WARNED: set[Path] = set()


def save_or_warn(path: Path, data: bytes) -> bool:
    """Write a cache file (:func:`atomic_write`); when it cannot be written (a read-only project, a full
    disk, a damaged cache folder), warn once per folder and go on: the build never depends on its
    cache, the next one only loses the reuse. Whether it was written."""
    try:
        atomic_write(path, data)
        return True
    except OSError as exc:
        _warn_unwritable(path.parent, exc)
        return False


def _warn_unwritable(folder: Path, exc: OSError) -> None:
    """Warn, once per cause, that a cache cannot be written in ``folder``: a place on its path taken by
    a file (``.deflect`` made a file) is named as the cause, so every cache below it, in this process
    or another, warns about the same place; a folder inside one already warned about warns no more."""
    cause = next((place for place in (folder, *folder.parents) if place.exists() and not place.is_dir()), None)
    if cause is not None:
        folder, reason = cause, "it is a file, not a folder"
    else:
        reason = exc.strerror or str(exc)
    if folder not in _WARNED and not _WARNED.intersection(folder.parents):
        _WARNED.add(folder)
        log.warning(f"deflect: cannot write the cache in {folder} ({reason}): "
                    "the build goes on, and the next one cannot reuse its work")


@contextmanager
def memo_on_disk(path: Path | None, version: Callable[[], str], memo: dict[Any, Any], used: set[Any]) -> Iterator[None]:
    """Entries of the in-memory ``memo`` saved at ``path`` by an earlier process are put back (when
    saved by the same ``version`` of the code), and the entries ``used`` in the ``with`` block are
    saved there at its end, only when they differ from what was read (a missing or damaged file
    reads as nothing saved; a read-only project costs the next process its reuse, never this one:
    :func:`save_or_warn`)."""
    if path is None:
        yield
        return
    saved: dict[Any, Any] = {}
    try:
        written, saved = pickle.loads(path.read_bytes())
        if written != version() or not isinstance(saved, dict):
            saved = {}
    except Exception:  # noqa: BLE001 - missing, old or damaged: compute again
        saved = {}
    for key, value in saved.items():
        memo.setdefault(key, value)
    used.clear()
    yield
    kept = {key: memo[key] for key in used if key in memo}
    if kept.keys() != saved.keys():
        save_or_warn(path, pickle.dumps((version(), kept), protocol=pickle.HIGHEST_PROTOCOL))
