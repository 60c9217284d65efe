"""A build's pages on two cores: a forked *page helper* takes them from the end of the build's order
while the build's process takes them from the start, until the two meet.

The build's process (*main*) goes through items ``0 … count-1`` in order, calling :meth:`SplitRun.reach`
before each. The helper, a fork of main made while main is on some item, claims items one at a time
from the last one down; a claim and a reach are decided under one lock over two shared numbers (the
next item main takes, the lowest item the helper took), so every item is main's or the helper's,
never both. The helper's ``work(item)`` returns what it rendered for the item as page-cache entries
(key → packed value); they come back through a pipe in batches and a reader thread in main hands
them to ``adopt`` (into main's page cache) as they arrive. Reaching an item the helper took waits
until its entries are here; main then looks its steps up in the cache as usual: a key it computes
that the helper did not make (any input different) is rendered by main. So the helper changes what
main renders, never what a page becomes. A helper that fails or dies leaves its items to main (a
failed item comes back with no entries; a dead helper's pipe ends). Nothing here knows MkDocs; the
content loader (``content.loader``) splits a cold load's parsing of files the same way.
"""

from __future__ import annotations

import gc
import logging
import mmap
import multiprocessing
import os
import pickle
import signal
import struct
import threading
import time
import warnings
from collections.abc import Callable
from typing import Any

from deflect.processes import end_with_parent

HELPER_ENV = "DEFLECT_PAGE_HELPER"
"""``0``: never fork a page helper (``exit``: a helper that ends after its first claim, for tests)."""
MIN_ENV = "DEFLECT_PAGE_HELPER_MIN"
MIN_PAGES = 100
"""A helper is forked only when at least this many pages remain after the one main is on (and at
least ``min(MIN_PAGES, 16)`` of the pages so far missed the cache, half of them or more): forking a
large build process and warming the helper up cost a few tenths of a second, which 100 uncached
pages repay several times; a warm build or a ``mkdocs serve`` rebuild that misses a few pages
never forks one."""
BATCH = 16
"""Pages per message from the helper (it sends what it has at once when it can claim no more)."""
_BOUNDS = struct.Struct("qq")  # (next item main takes, lowest item the helper took)


NICE = 10
"""The helper's scheduling niceness: it is forked only while a core is free (``processes.core_free``),
but other work may come to want that core later (another build, the search worker's helpers): it then
gets little CPU, and a whole core when one is idle."""


def helper_allowed() -> bool:
    return os.environ.get(HELPER_ENV, "1") != "0" and hasattr(os, "fork")


def min_pages() -> int:
    try:
        return max(1, int(os.environ.get(MIN_ENV, "")))
    except ValueError:
        return MIN_PAGES


def worth_a_helper(seen: int, missed: int, remaining: int) -> bool:
    """Whether the pages left are enough, and the cache missing enough of them, to fork a helper."""
    least = min_pages()
    return remaining >= least and missed >= min(least, 16) and 2 * missed >= seen


class SplitRun:
    """Items ``0 … count-1`` shared with a helper process; main is on item ``current``.
    ``prepare()`` runs first thing in the helper; ``work(item)`` renders an item there."""

    def __init__(self, count: int, current: int, prepare: Callable[[], None],
                 work: Callable[[int], dict[str, bytes]], adopt: Callable[[dict[str, bytes]], None]) -> None:
        self.count, self._prepare, self._work, self._adopt = count, prepare, work, adopt
        self._bounds = mmap.mmap(-1, _BOUNDS.size)  # shared with the helper (anonymous, MAP_SHARED)
        _BOUNDS.pack_into(self._bounds, 0, current, count)
        self._lock = multiprocessing.get_context("fork").Lock()
        self._done: set[int] = set()
        self._ended = False
        self._cond = threading.Condition()
        self.taken = 0  # items main found the helper had taken
        self.waited = 0.0  # seconds main waited for them
        self.report: tuple[int, int, float] | None = None  # the helper's (items, items with entries, CPU s)
        self.ended_at = 0.0  # when the helper's last message came (time.perf_counter())
        self.pid = 0

    def start(self) -> bool:
        """Fork the helper; False (and no helper) if this process cannot fork."""
        read, write = os.pipe()
        parent = os.getpid()
        gc.freeze()  # neither process's collections write to the objects they share (copying them)
        try:
            self.pid = os.fork()
        except OSError:
            os.close(read)
            os.close(write)
            gc.unfreeze()
            return False
        if self.pid == 0:
            code = 1
            try:
                os.close(read)
                code = self._helper(write, parent)
            finally:
                os._exit(code)
        os.close(write)
        self._reader = threading.Thread(target=self._read, args=(read,), name="deflect-page-helper", daemon=True)
        self._reader.start()
        return True

    def reach(self, item: int) -> bool:
        """Main is about to take ``item``: True if it is main's to render; else waits for the helper's
        entries (False, entries adopted, or True if the helper ended without them)."""
        if self._ended and not self._done:
            return True
        if not self._lock.acquire(timeout=2.0):  # the helper died holding it: everything is main's
            self._give_up()
            return True
        try:
            mine, low = _BOUNDS.unpack_from(self._bounds, 0)
            if item < low:
                _BOUNDS.pack_into(self._bounds, 0, max(mine, item + 1), low)
                return True
        finally:
            self._lock.release()
        started = time.perf_counter()
        with self._cond:
            while item not in self._done and not self._ended:
                self._cond.wait()
            found = item in self._done
        self.waited += time.perf_counter() - started
        self.taken += found
        return not found

    def helper_share(self) -> int:
        """How many items the helper has taken so far (a progress figure: read without the lock)."""
        return self.count - _BOUNDS.unpack_from(self._bounds, 0)[1] if self.pid else 0

    def finish(self) -> None:
        """Main went through every item: the helper ends (it is killed if it has not), and is reaped."""
        if not self.pid:
            return
        self._reader.join(timeout=5.0)
        if self._reader.is_alive():
            self._give_up()
        self._reader.join()
        os.waitpid(self.pid, 0)
        self.pid = 0
        gc.unfreeze()

    def _give_up(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        with self._cond:
            self._ended = True
            self._cond.notify_all()

    def _read(self, fd: int) -> None:
        try:
            with os.fdopen(fd, "rb") as pipe:
                while True:
                    try:
                        kind, value = pickle.load(pipe)
                    except (EOFError, OSError, pickle.UnpicklingError):
                        return
                    if kind == "end":
                        self.report, self.ended_at = value, time.perf_counter()
                        continue
                    for _, entries in value:
                        self._adopt(entries)
                    with self._cond:
                        self._done.update(item for item, _ in value)
                        self._cond.notify_all()
        finally:
            with self._cond:
                self._ended = True
                self._cond.notify_all()

    # ----- in the helper ---------------------------------------------------------------------
    def _helper(self, fd: int, parent: int) -> int:
        end_with_parent(parent, signal.SIGKILL)
        os.nice(NICE)  # the cores main and the search worker leave idle: never slower than main alone
        _silence_logging()  # main logs what the helper's renders logged when it uses them
        self._prepare()
        test_exit = os.environ.get(HELPER_ENV) == "exit"
        batch: list[tuple[int, dict[str, bytes]]] = []
        done = with_entries = 0
        with os.fdopen(fd, "wb") as pipe:
            while True:
                with self._lock:
                    mine, low = _BOUNDS.unpack_from(self._bounds, 0)
                    item = low - 1
                    if item >= mine:
                        _BOUNDS.pack_into(self._bounds, 0, mine, item)
                if item < mine:
                    break
                if test_exit:
                    return 1
                try:
                    entries = self._work(item)
                except Exception:  # noqa: BLE001 - main renders it and reports what goes wrong
                    entries = {}
                done, with_entries = done + 1, with_entries + bool(entries)
                batch.append((item, entries))
                if len(batch) >= BATCH:
                    _send(pipe, ("pages", batch))
                    batch = []
            _send(pipe, ("pages", batch))
            _send(pipe, ("end", (done, with_entries, time.process_time())))
        return 0


def _send(pipe: Any, message: Any) -> None:
    pickle.dump(message, pipe, protocol=pickle.HIGHEST_PROTOCOL)
    pipe.flush()


def _silence_logging() -> None:
    """The helper prints nothing: each logger loses its handlers (a render's recorder is added later),
    and Python's warnings are ignored (main shows them when it renders a page, as without a helper)."""
    warnings.simplefilter("ignore")
    for logger in [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]:
        if isinstance(logger, logging.Logger):
            logger.handlers = []
    logging.getLogger().addHandler(logging.NullHandler())
