"""Runs a site build's search work in a worker process, so that it uses a second core.

A site build needs three things from search: the index (analysis), each article's related
articles (as early as it can) and the static export (at the end). A :class:`SearchJob`
starts all three in a forked worker while the calling process goes on rendering pages; the worker
sends the related articles back as soon as it has them, then writes the export and reports its
figures. Once the calling process has nothing left but to wait for it (:meth:`SearchJob.indexed`,
:meth:`SearchJob.finish`), its core is free: the worker then forks :class:`Helper` processes that
analyse and export some of the remaining languages (``deflect.search.split``).
Where processes cannot be forked, the job runs in the calling process, with the same results.

Every step can be put on a timeline (``trace``, the build's debug log): seconds since the job was
made, the CPU seconds of the process that took it, and which process.
"""
from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deflect.processes import CpuUse, end_with_parent, occupies_a_core, timeline_entry
from deflect.search import lemmas
from deflect.search.related import Related
from deflect.search.split import Helpers
from deflect.search.static import ExportStats

WORKER_ENV = "DEFLECT_SEARCH_WORKER"
"""Set to ``0`` to run the search work in the build's own process."""


class SearchJobError(RuntimeError):
    """The search work failed: ``str()`` is the one-line reason (the worker's error message)."""


@dataclass
class Indexed:
    """What the build learns once the index exists: the documents, the time it took and the related articles."""

    count: int
    seconds: float
    related: Related


class SearchJob:
    """The search work of one build: ``build(helpers)`` makes the search service (it raises the errors
    the caller wants reported in one line, ``errors``; ``helpers`` forks helpers in the worker, and is
    None in the calling process), ``related`` is how many related articles per article (0: none),
    ``out`` the folder of the static export, ``progress`` what hears of the export's progress."""

    def __init__(self, build: Callable[[Helpers | None], Any], related: int, out: Path,
                 errors: tuple[type[BaseException], ...] = (), trace: Callable[[str], None] | None = None,
                 progress: Callable[[str], None] | None = None) -> None:
        self._build, self._related, self._out, self._errors = build, related, out, errors
        self._trace, self._origin, self._pid = trace, time.perf_counter(), os.getpid()
        self._progress = progress
        self._process: Any = None
        self._conn: Any = None
        self._service: Any = None
        self._indexed: Indexed | None = None
        self._go: Any = None
        self._resting: Any = None
        self._use: CpuUse | None = None
        self._waiting: Any = None  # set once this process only waits for the worker: its core is free
        self._reader: threading.Thread | None = None
        self._first: tuple[str, Any] = ("eof", None)
        self._forget: Callable[[], None] = lambda: None  # what stops counting the worker's core as busy

    def report(self, message: str) -> None:
        """The export's progress (a line per language, from whichever process exports it): to
        ``progress`` and on the timeline."""
        if self._progress is not None:
            self._progress(message)
        self.note(message)

    def note(self, event: str) -> None:
        """Put ``event`` on the build's timeline (``trace``), if any."""
        if self._trace is not None:
            who = "main" if os.getpid() == self._pid else f"search {os.getpid()}"
            self._trace(timeline_entry(who, event, self._origin))

    def start(self) -> SearchJob:
        """Start the work in a worker process (or note that it runs here, see :meth:`indexed`)."""
        if os.environ.get(WORKER_ENV, "1") != "0" and "fork" in multiprocessing.get_all_start_methods():
            try:
                context = multiprocessing.get_context("fork")
                self._conn, child = context.Pipe(duplex=False)
                self._go = context.Event()
                self._resting = context.Event()  # set while the worker only waits for the go
                self._waiting = context.Event()
                self._process = context.Process(target=self._work, args=(child,), daemon=True)
                self._process.start()
                child.close()
                lemmas.leave_prefetch()  # the worker takes it
                # The worker's first message (the index, the related articles) is read as soon as it
                # is sent: a large one would fill the pipe, and the worker would wait for the pages
                # to be done before it could start the export.
                self._reader = threading.Thread(target=self._read_first, name="deflect-search-reader", daemon=True)
                self._reader.start()
                self._use = CpuUse(self._process.pid)
                self._forget = occupies_a_core(self._working)  # (no page helper while it works)
            except OSError:  # no processes here (a sandbox, a limit): do the work in this process
                self._process = self._conn = None
        return self

    def _working(self) -> bool:
        """Whether the worker keeps a core busy now: it runs, is not waiting for :meth:`release`, and
        used half a core or more lately (:class:`~deflect.processes.CpuUse`)."""
        process, use = self._process, self._use
        if process is None or use is None or not process.is_alive() or self._resting.is_set():
            return False
        return use.busy()  # not while the kernel holds back its writes, say

    def release(self) -> None:
        """Let the worker write the export once it has it: a job started before the build cleaned
        its site folder must not write into the folder before that."""
        if self._go is not None and not self._go.is_set():
            self.note("site folder ready: the export may write")
            self._go.set()

    def indexed(self) -> Indexed:
        """The index's figures and the related articles (waiting for the worker if needed). Called once
        this process has nothing left to do but the search's last steps: from here on, the worker may
        fork helpers for the work that remains (:meth:`waits`)."""
        self.waits()
        if self._indexed is None:
            if self._process is None:
                started = time.perf_counter()
                self._take_prefetched()
                self._service = self._guarded(lambda: self._build(None))
                related = self._service.related_all(self._related) if self._related else {}
                self._indexed = Indexed(self._service.count, time.perf_counter() - started, related)
            else:
                self.note("waiting for the index")
                self._indexed = self._receive("indexed")
            self.note("index and related articles here")
        return self._indexed

    def indexed_if_here(self) -> Indexed | None:
        """:meth:`indexed` if the worker has sent it already, without waiting (None otherwise, or when
        the work runs in this process, where it waits for :meth:`indexed`)."""
        if self._indexed is None and self._reader is not None and not self._reader.is_alive():
            status, message = self._first
            if status == "message" and message[0] == "indexed":
                self._indexed = self._receive("indexed")
                self.note("index and related articles here, while the pages are written")
        return self._indexed

    def waits(self) -> None:
        """Tell the worker that this process only waits for it from now on, so that a helper it forks
        would find a core free (``split.Helpers.idle``)."""
        if self._waiting is not None and not self._waiting.is_set():
            self.note("waiting for the search: its helpers may use this core")
            self._waiting.set()

    def finish(self) -> tuple[ExportStats, float]:
        """Wait for the static export; its figures and the seconds it took."""
        self.waits()
        self.release()
        self.indexed()
        if self._process is None:
            started = time.perf_counter()
            stats = self._guarded(lambda: self._service.export(self._out, self.report))
            return stats, time.perf_counter() - started
        self.note("waiting for the export")
        result = self._receive("exported")
        self._forget()
        self._process.join()
        self._conn.close()
        self._process = None
        self.note("export done, worker joined")
        return result

    def cancel(self) -> None:
        """Stop the worker (the build failed elsewhere); the cache lock dies with it."""
        if self._process is not None:
            self._forget()
            self._process.terminate()
            self._process.join()
            if self._reader is not None:  # it ends with the worker's end of the pipe
                self._reader.join()
                self._reader = None
            self._conn.close()
            self._process = None

    def _take_prefetched(self) -> None:
        """Before the analysis: the lemma dictionaries a prefetch read while the build loaded its content."""
        kept = lemmas.take_prefetched()
        if kept:
            self.note(f"dictionaries read by the prefetch: {', '.join(kept)}")

    # ----- in the worker -----------------------------------------------------------------------
    def _work(self, conn: Any) -> None:
        code = 1
        # No cycle collection in the worker (nor its helpers, which inherit this): it makes millions of
        # containers and next to no cycles, and ends with os._exit. Paused only around its steps, the
        # collector still searched all it had made at the first allocations after each (0.6 s of CPU
        # at 12 languages × 400 articles; 1.6 s with no pause at all).
        gc.disable()
        try:
            signal.signal(signal.SIGTERM, _end_helpers)  # cancel(): the helpers end with the worker
            _worker_conns.append(conn)
            self.note("worker started")
            self._take_prefetched()
            started = time.perf_counter()
            helpers = Helpers(self._helper, self._waiting.is_set)
            service = self._build(helpers)
            self.note("analysed")
            related = service.related_all(self._related) if self._related else {}
            conn.send(("indexed", Indexed(service.count, time.perf_counter() - started, related)))
            self.note("index and related articles sent")
            if not self._go.is_set():
                self._resting.set()
                self._go.wait()
                self._resting.clear()
            started = time.perf_counter()
            stats = service.export(self._out, self.report, helpers=helpers)
            conn.send(("exported", (stats, time.perf_counter() - started)))
            self.note("export written")
            code = 0
        except BaseException as exc:  # noqa: BLE001 - every failure reaches the build as one line
            conn.send(("error", _reason(exc, self._errors)))
        finally:
            for helper in list(_helpers):  # left running by a failure: their work is not needed
                helper.cancel()
            conn.close()
            # Ended here, not by returning: the worker's objects (the whole index) would be freed one
            # by one first, 2.2 s after a cold 10,000-article build, which the build waits for.
            for stream in (sys.stdout, sys.stderr):
                if stream is not None:
                    stream.flush()
            os._exit(code)

    def _helper(self, work: Callable[[], Any]) -> Callable[[], Any]:
        def traced() -> Any:
            self.note("helper started")
            value = work()
            self.note("helper done")
            return value
        return Helper(traced).result

    def _read_first(self) -> None:
        try:
            self._first = ("message", self._conn.recv())
        except (EOFError, OSError):
            self._first = ("eof", None)
        except BaseException as exc:  # noqa: BLE001 - e.g. no memory for a large message: one line, in the build
            self._first = ("failed", f"the search worker's message could not be read: {type(exc).__name__}: {exc}")

    def _next(self) -> tuple[str, Any]:
        """The worker's next message (EOFError: it stopped)."""
        if self._reader is not None:
            self._reader.join()
            self._reader = None
            status, message = self._first
            if status == "eof":
                raise EOFError
            if status == "failed":
                self.cancel()
                raise SearchJobError(message)
            return message
        return self._conn.recv()

    def _receive(self, expected: str) -> Any:
        try:
            kind, value = self._next()
        except (EOFError, OSError):
            self._process.join()
            code = self._process.exitcode
            self._process = None
            raise SearchJobError(f"the search worker stopped unexpectedly (exit code {code})") from None
        if kind == "error":
            self.cancel()
            raise SearchJobError(value)
        if kind != expected:  # a protocol mix-up: never silently take one message for another
            self.cancel()
            raise SearchJobError(f"the search worker sent {kind!r} where {expected!r} was expected")
        return value

    def _guarded(self, work: Callable[[], Any]) -> Any:
        try:
            return work()
        except self._errors as exc:
            raise SearchJobError(str(exc)) from exc


class Helper:
    """``work`` in a process forked from this one, to use another core; :meth:`result` waits for
    its value (pickled back). Forked from the search worker, which runs no other threads."""

    def __init__(self, work: Callable[[], Any]) -> None:
        self._conn, child = multiprocessing.Pipe(duplex=False)
        # Objects made so far are left out of garbage collection: a collection in either process
        # would write to every object they share, copying all of this process's memory.
        gc.freeze()
        # A SIGTERM (the worker cancelled) waits until the helper is known to _end_helpers.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
        try:
            parent = os.getpid()
            self._pid = os.fork()
            if self._pid == 0:  # the helper: send the value or the one-line reason, and never return
                code = 1
                try:
                    signal.signal(signal.SIGTERM, signal.SIG_DFL)
                    end_with_parent(parent, signal.SIGTERM)  # a killed worker leaves no helper holding the lock
                    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
                    _helpers.clear()
                    self._conn.close()
                    for conn in _worker_conns:  # the worker's pipe to the build is the worker's alone
                        conn.close()
                    try:  # pickled here, so that a value that cannot be sent is reported too
                        data = pickle.dumps(("done", work()), protocol=pickle.HIGHEST_PROTOCOL)
                    except BaseException as exc:  # noqa: BLE001 - every failure reaches the build as one line
                        data = pickle.dumps(("error", _reason(exc, (), "a search helper")))
                    child.send_bytes(data)
                    code = 0
                finally:
                    os._exit(code)
            _helpers.append(self)
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
        child.close()

    def result(self) -> Any:
        """The value of ``work``; SearchJobError if it failed or its process died."""
        try:
            kind, value = self._conn.recv()
        except (EOFError, OSError):
            kind, value = "error", f"a search helper stopped unexpectedly (exit code {self._wait()})"
        else:
            self._wait()
        if kind == "error":
            raise SearchJobError(value)
        return value

    def cancel(self) -> None:
        """End the helper (the work it was doing is not needed any more)."""
        if self._pid:
            os.kill(self._pid, signal.SIGTERM)
            self._wait()

    def _wait(self) -> int:
        pid, self._pid = self._pid, 0
        self._conn.close()
        _helpers[:] = [helper for helper in _helpers if helper is not self]
        return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) if pid else 0


_helpers: list[Helper] = []  # this process's running helpers
_worker_conns: list[Any] = []  # in the worker: its pipe to the build (closed in its helpers)


def keep_numeric_loaded() -> None:
    """Load numpy in this process. A build leaves it to its search worker (not loaded at its start), but
    ``mkdocs serve`` forks a worker for every rebuild, which would load it each time: after its first
    build, it is loaded where the workers fork."""
    import numpy  # noqa: F401


def _end_helpers(signum: int, frame: Any) -> None:
    """The search worker was told to stop: its helpers stop too, then it does (as the signal would)."""
    for helper in list(_helpers):
        helper.cancel()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def _reason(exc: BaseException, expected: tuple[type[BaseException], ...], who: str = "the search worker") -> str:
    if isinstance(exc, (*expected, SearchJobError)):  # a helper's reason is already one line
        return str(exc)
    return f"{who} failed: {type(exc).__name__}: {exc}"
