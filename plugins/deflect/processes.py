"""What forked helper processes (the search worker's, the page helper) share, whether a core is free
for one, how a build's process exits, and how long work says how far it is."""
from __future__ import annotations

import atexit
import gc
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_QUICK_EXIT: list[bool] = []
PROGRESS_ENV = "DEFLECT_PROGRESS_EVERY"
PROGRESS_EVERY = 10.0
"""Long work (a pass over 1,000 pages or more, loading 1,000 files or more) says how far it is every
this many seconds (``DEFLECT_PROGRESS_EVERY``; 0 turns it off): a cold build of 10,000 articles
spends two minutes in its page passes and ten seconds loading its 20,000 files."""
PROGRESS_MIN_ITEMS = 1000


def progress_every(items: int) -> float:
    """Seconds between progress lines for work over ``items`` items (0.0: too few, or turned off)."""
    if items < PROGRESS_MIN_ITEMS:
        return 0.0
    try:
        return max(0.0, float(os.environ.get(PROGRESS_ENV, PROGRESS_EVERY)))
    except ValueError:
        return PROGRESS_EVERY


class Progress:
    """Says ``"<what>: N of T <unit> (P%), S s in"`` through ``say`` at most every :func:`progress_every`
    seconds while :meth:`tick` is called with the number of items done (nothing for small work, or
    without ``say``: ``on`` is then False, so a caller can skip working out how far it is)."""

    def __init__(self, what: str, total: int, unit: str, say: Callable[[str], None] | None) -> None:
        self.what, self.total, self.unit, self.say = what, total, unit, say
        self.every = progress_every(total) if say is not None else 0.0
        self.started = self.reported = time.monotonic()

    @property
    def on(self) -> bool:
        return bool(self.every)

    def tick(self, done: int) -> None:
        if not self.every or self.say is None:
            return
        now = time.monotonic()
        if now - self.reported >= self.every:
            self.reported = now
            done = min(done, self.total)
            self.say(f"{self.what}: {done:,} of {self.total:,} {self.unit} ({100 * done // max(1, self.total)}%), "
                     f"{now - self.started:.0f} s in")

    def finish(self) -> None:
        """The work is done: large work says so, with its seconds (once)."""
        if self.every and self.say is not None:
            self.every = 0.0
            self.say(f"{self.what}: {self.total:,} {self.unit} in {time.monotonic() - self.started:.1f} s")


_OCCUPYING: dict[int, Callable[[], bool]] = {}  # a process of this build's → whether it still keeps a core busy


def occupies_a_core(busy: Callable[[], bool]) -> Callable[[], None]:
    """Note a process of this build that keeps a core busy while ``busy()`` (the search worker); the
    function returned forgets it (a build's end, a cancelled worker)."""
    key = id(busy)
    _OCCUPYING[key] = busy

    def forget() -> None:
        _OCCUPYING.pop(key, None)

    return forget


def core_free() -> bool:
    """Whether a core would idle beside this process and the build's processes that keep one busy now.
    A page helper forked while none is free takes CPU from the process that decides the build's end:
    at 12 languages x 400 articles the search worker ends last, and page helpers made the build 0.4 s
    slower; at 1,000 articles in 4 languages the pages end last, and a helper forked once the worker
    is done makes it 0.5 s faster."""
    return cores() > 1 + sum(1 for busy in list(_OCCUPYING.values()) if busy())


class CpuUse:
    """Whether process ``pid`` has kept a core busy lately (Linux: its CPU time in ``/proc``, sampled at
    most every ``every`` seconds): a worker sleeping on the disk (the kernel holding back the writes of a
    10,000-article build) or on another process uses none. Elsewhere it always counts as busy."""

    def __init__(self, pid: int, every: float = 0.25, share: float = 0.5) -> None:
        self.pid, self.every, self.share = pid, every, share
        self._last: tuple[float, float] | None = None  # (monotonic time, CPU seconds) of the last sample
        self._busy = True

    def busy(self) -> bool:
        """The answer of the last sample; ``/proc`` is read only when the next one is due (a build asks on
        every page a helper could take)."""
        now = time.monotonic()
        if self._last is not None and now - self._last[0] < self.every:
            return self._busy
        cpu = _cpu_seconds(self.pid)
        if cpu is None:
            return True
        if self._last is not None:
            self._busy = (cpu - self._last[1]) >= self.share * (now - self._last[0])
        self._last = (now, cpu)
        return self._busy


def _cpu_seconds(pid: int) -> float | None:
    """The user and system CPU seconds of process ``pid`` (None: not known here)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()  # after the command's name, which may hold spaces
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def end_with_parent(parent: int, signum: int) -> None:
    """In a forked process: get ``signum`` when ``parent`` dies, however it dies (Linux's
    PR_SET_PDEATHSIG); if it died before the request, the signal comes at once. Elsewhere nothing."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signum)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the caller's other ways of ending it still hold
        return
    if os.getppid() != parent:
        os.kill(os.getpid(), signum)


def timeline_entry(who: str, event: str, origin: float | None = None) -> str:
    """One line of a build's timeline (``mkdocs build -v``): seconds since ``origin`` (a
    ``time.perf_counter()``, when known), this process's CPU seconds, who and what."""
    at = f"{time.perf_counter() - origin:6.2f}s " if origin is not None else ""
    return f"timeline {at}(CPU {time.process_time():5.1f}s) {who}: {event}"


def quick_exit() -> None:
    """Make this process's exit skip the cycle collector's last passes over every object a build left
    (``gc.freeze`` at exit: the objects are still freed, only not searched for cycles first). After a
    cold 1,000-article build the interpreter took 0.8-1.1 s to exit, 0.15-0.2 s this way. Registered
    once; harmless in a process that goes on (a test run, ``mkdocs serve``): it acts only at exit."""
    if not _QUICK_EXIT:
        _QUICK_EXIT.append(True)
        atexit.register(gc.freeze)


FULL_COLLECTIONS_OFF = 1 << 30
"""The oldest generation's threshold while a build's page passes pause its collections."""
_full_collections: list[tuple[int, int, int]] = []  # the thresholds to go back to, while paused


def pause_full_collections() -> None:
    """Stop the cycle collector's passes over everything the process holds (the oldest generation),
    keeping the young generations' (which free the cycles a page's render leaves), until
    :func:`resume_full_collections`. A build keeps its content, its plan and every page with its render:
    each full pass searched more of them for cycles it did not find; at 10,000 articles 21 such passes
    took 8.6 s of the build process's CPU, its critical path, and without them its peak memory was the
    same. deflect/content pauses them for a build (``on_config`` to the end of ``on_post_build``)."""
    if not _full_collections:
        before = gc.get_threshold()
        _full_collections.append(before)
        gc.set_threshold(before[0], before[1], FULL_COLLECTIONS_OFF)


def resume_full_collections() -> None:
    """Back to the thresholds :func:`pause_full_collections` found (unless something else changed them since)."""
    if _full_collections:
        before = _full_collections.pop()
        current = gc.get_threshold()
        if current[2] == FULL_COLLECTIONS_OFF:
            gc.set_threshold(current[0], current[1], before[2])


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for work that makes millions of containers and no cycles
    (loading the content, analysing and exporting the search index): each collection of the oldest generation searches
    everything the process holds, seven of them in a cold 12-language build, 1.6 s of the search
    side's CPU with the younger generations' (they found no garbage worth it)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()

