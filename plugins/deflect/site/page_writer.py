"""Page files written by a small process beside the build, as MkDocs would write them.

Creating a page's folder and file is the kernel's work (a new inode each), in the build's own
process, which is the cold build's critical path: the search worker and the page helper keep the
other core busy until about its end. It costs 0.1-0.7 ms a file, more where the file system must
step over inodes deleted shortly before (ext4 without a journal checks each one: a site folder
emptied and built again). A build writes 4 to 5 files per article at 12 languages.

:class:`PageWriter` starts ``python -m deflect.site.page_writer`` (the interpreter and this
module alone: no fork of the large build process, whose memory would then be copied as it
changes) and hands it each page's path and bytes through a pipe, which costs the build a copy of
the bytes; the writer makes the folders and writes the files, in order, as
``mkdocs.utils.write_file`` does. :meth:`PageWriter.close` waits until every file is written. A
write that fails stops the writer, and the error, naming the file, is raised by the next
:meth:`~PageWriter.put` or by :meth:`~PageWriter.close`. ``DEFLECT_PAGE_WRITER=0``: no writer
(MkDocs writes every page itself).
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys

WRITER_ENV = "DEFLECT_PAGE_WRITER"
AFTER = 32
"""Pages a build writes itself before it starts a writer: a warm build writes a few pages, which are
not worth starting a process for."""
_HEADER = struct.Struct("<II")  # path length, data length (bytes)
_PIPE_SIZE = 1 << 20  # room for a few dozen pages while the writer makes a folder
_F_SETPIPE_SZ = 1031  # Linux


class PageWriteError(OSError):
    """A page file could not be written: its path and the reason."""


def writer_allowed() -> bool:
    return os.environ.get(WRITER_ENV, "1") != "0" and sys.platform != "win32"


class PageWriter:
    """The writer process of one build (started at once)."""

    def __init__(self) -> None:
        self.sent = 0
        # -P: not the working folder's modules; -S: no site packages (this package's folder is the path)
        self._process = subprocess.Popen([sys.executable, "-P", "-S", "-m", __name__], stdin=subprocess.PIPE,
                                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                          env={**os.environ, "PYTHONPATH": _package_parent()})
        assert self._process.stdin is not None
        self._fd = self._process.stdin.fileno()
        try:
            import fcntl

            fcntl.fcntl(self._fd, _F_SETPIPE_SZ, _PIPE_SIZE)
        except (ImportError, OSError):
            pass  # the default pipe (64 KB): the build waits a little more often

    def put(self, path: str, data: bytes) -> None:
        """Have ``data`` written to the file at ``path`` (making its folder)."""
        encoded = path.encode("utf-8", "surrogateescape")
        try:
            _write_all(self._fd, [_HEADER.pack(len(encoded), len(data)), encoded, data])
        except OSError:  # the writer ended: a failed write (its error), or it was killed
            raise self._failure() from None
        self.sent += 1

    def close(self) -> int:
        """Wait for every file given to be written; their number. Raises a failed write's error."""
        process = self._process
        if process.stdin is not None and not process.stdin.closed:
            try:
                process.stdin.close()
            except OSError:
                pass
        report = process.stdout.read() if process.stdout is not None else b""
        code = process.wait()
        if code != 0 or report.strip() != str(self.sent).encode():
            raise self._failure(report)
        return self.sent

    def abandon(self) -> None:
        """The build failed: the writer ends (what it was given is written)."""
        try:
            self.close()
        except PageWriteError:
            pass

    def _failure(self, report: bytes | None = None) -> PageWriteError:
        process = self._process
        if report is None:
            report = process.stdout.read() if process.stdout is not None else b""
            process.wait()
        message = report.decode("utf-8", "replace").strip()
        if not message or message.isdigit():
            message = f"the page writer stopped (exit status {process.returncode})"
        return PageWriteError(message)


def _package_parent() -> str:
    """The folder holding the ``deflect`` package this module belongs to (for ``-m`` in the writer)."""
    parent = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    extra = os.environ.get("PYTHONPATH")
    return os.pathsep.join([parent, extra]) if extra else parent


def _write_all(fd: int, parts: list[bytes]) -> None:
    views = [memoryview(part) for part in parts if part]
    while views:
        written = os.writev(fd, views)  # (POSIX: no writer elsewhere, see writer_allowed)
        while views and written >= len(views[0]):
            written -= len(views[0])
            views.pop(0)
        if views and written:
            views[0] = views[0][written:]


def serve(source: int, report: int) -> int:
    """The writer's loop: records from ``source`` until its end; the number of files written goes to
    ``report`` (or the first error, after which nothing more is written)."""
    folders: set[str] = set()
    written = 0
    with os.fdopen(source, "rb", buffering=_PIPE_SIZE) as stream:
        while header := stream.read(_HEADER.size):
            if len(header) < _HEADER.size:
                break
            path_size, data_size = _HEADER.unpack(header)
            path = os.fsdecode(stream.read(path_size))
            data = stream.read(data_size)
            if len(data) < data_size:
                break  # the build ended mid-page: its next build writes it
            try:
                folder = os.path.dirname(path)
                if folder not in folders:
                    os.makedirs(folder, exist_ok=True)
                    folders.add(folder)
                with open(path, "wb") as file:
                    file.write(data)
            except OSError as exc:
                os.write(report, f"could not write {path}: {exc.strerror or exc}".encode())
                return 1
            written += 1
    os.write(report, str(written).encode())
    return 0


if __name__ == "__main__":
    sys.exit(serve(sys.stdin.fileno(), sys.stdout.fileno()))
