"""Runs a site build's search work in a worker process, so that it uses a second core.

A site build needs three things from search: the index (analysis), each article's related
articles (as early as it can) and the static export (at the end). A :class:`SearchJob`
starts all three in a forked worker while the calling process goes on rendering pages; the worker
sends the related articles back as soon as it has them, then writes the export and reports its
figures. Where processes cannot be forked, the job runs in the calling process, with the same results.
"""
from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deflect.search.related import Related
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
    """The search work of one build: ``build`` makes the search service (it raises the errors the
    caller wants reported in one line, ``errors``), ``related`` is how many related articles per
    article (0: none), ``out`` the folder of the static export."""

    def __init__(self, build: Callable[[], Any], related: int, out: Path,
                 errors: tuple[type[BaseException], ...] = ()) -> None:
        self._build, self._related, self._out, self._errors = build, related, out, errors
        self._process: Any = None
        self._conn: Any = None
        self._service: Any = None
        self._indexed: Indexed | None = None
        self._go: Any = None

    def start(self) -> SearchJob:
        """Start the work in a worker process (or note that it runs here, see :meth:`indexed`)."""
        if os.environ.get(WORKER_ENV, "1") != "0" and "fork" in multiprocessing.get_all_start_methods():
            try:
                context = multiprocessing.get_context("fork")
                self._conn, child = context.Pipe(duplex=False)
                self._go = context.Event()
                self._process = context.Process(target=self._work, args=(child,), daemon=True)
                self._process.start()
                child.close()
            except OSError:  # no processes here (a sandbox, a limit): do the work in this process
                self._process = self._conn = None
        return self

    def release(self) -> None:
        """Let the worker write the export once it has it: a job started before the build cleaned
        its site folder must not write into the folder before that."""
        if self._go is not None:
            self._go.set()

    def indexed(self) -> Indexed:
        """The index's figures and the related articles (waiting for the worker if needed)."""
        if self._indexed is None:
            if self._process is None:
                started = time.perf_counter()
                self._service = self._guarded(self._build)
                related = self._service.related_all(self._related) if self._related else {}
                self._indexed = Indexed(self._service.count, time.perf_counter() - started, related)
            else:
                self._indexed = self._receive("indexed")
        return self._indexed

    def finish(self) -> tuple[ExportStats, float]:
        """Wait for the static export; its figures and the seconds it took."""
        self.release()
        self.indexed()
        if self._process is None:
            started = time.perf_counter()
            stats = self._guarded(lambda: self._service.export(self._out))
            return stats, time.perf_counter() - started
        result = self._receive("exported")
        self._process.join()
        self._conn.close()
        self._process = None
        return result

    def cancel(self) -> None:
        """Stop the worker (the build failed elsewhere); the cache lock dies with it."""
        if self._process is not None:
            self._process.terminate()
            self._process.join()
            self._conn.close()
            self._process = None

    # ----- in the worker -----------------------------------------------------------------------
    def _work(self, conn: Any) -> None:
        try:
            started = time.perf_counter()
            service = self._build()
            related = service.related_all(self._related) if self._related else {}
            conn.send(("indexed", Indexed(service.count, time.perf_counter() - started, related)))
            self._go.wait()
            started = time.perf_counter()
            stats = service.export(self._out)
            conn.send(("exported", (stats, time.perf_counter() - started)))
        except BaseException as exc:  # noqa: BLE001 - every failure reaches the build as one line
            conn.send(("error", _reason(exc, self._errors)))
        finally:
            conn.close()

    def _receive(self, expected: str) -> Any:
        try:
            kind, value = self._conn.recv()
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


def _reason(exc: BaseException, expected: tuple[type[BaseException], ...]) -> str:
    if isinstance(exc, expected):
        return str(exc)
    return f"the search worker failed: {type(exc).__name__}: {exc}"
