"""`mkdocs serve`: how long a saved edit to one article takes to go live, read from the serve log.

    python bench/serve.py               # the example help center of this repository, 3 edits
    python bench/serve.py --edits 5     # more edits
    python bench/serve.py --project DIR # another Deflect project (a copy is edited, never DIR itself)
    python bench/serve.py --new-words   # each edit brings English words the help center never used

The project is copied into a temporary folder, ``mkdocs serve`` starts on a free port, and after
the first build one English article is edited (a sentence appended) a few times, waiting for each
rebuild. Per edit the script prints the time from the save to MkDocs' "Reloading browsers" log
line (what an author waits for), the rebuild itself ("Building documentation..." → "Reloading
browsers") and the CPU seconds the serve process used for it (stable on a busy machine, where
wall-clock time also counts waiting for a core; the search worker's CPU is not included).
With ``--new-words`` each appended sentence carries dictionary words the help center has not
used before (the search side then looks them up in the lemma dictionaries).
"""

from __future__ import annotations

import os
import queue
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from _sites import copy_project

REPO = Path(__file__).resolve().parent.parent
TICK = os.sysconf("SC_CLK_TCK")
NEW_WORDS = ("marmalade lighthouse", "tangerine accordion", "volcanoes harpsichord", "walrus lanterns",
             "orchards gondolas")
"""Dictionary words absent from the example help center, two per edit (--new-words)."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def wait_for(lines: queue.Queue, text: str, timeout: float) -> float:
    """Perf-counter time at which a log line containing ``text`` arrived."""
    deadline = time.perf_counter() + timeout
    while True:
        left = deadline - time.perf_counter()
        if left <= 0:
            raise SystemExit(f"no {text!r} in the serve log after {timeout:.0f}s")
        try:
            when, line = lines.get(timeout=left)
        except queue.Empty:
            continue
        if line is None:
            raise SystemExit("mkdocs serve stopped")
        if "ERROR" in line or "Traceback" in line:
            print(line, file=sys.stderr, end="")
        if text in line:
            return when


def main(argv: list[str]) -> int:
    edits, project, new_words = 3, REPO, False
    args = iter(argv)
    for arg in args:
        if arg == "--new-words":
            new_words = True
        elif arg == "--edits":
            edits = int(next(args, "3"))
        elif arg == "--project":
            project = Path(next(args, ".")).resolve()
        else:
            print(__doc__, file=sys.stderr)
            return 2
    work = Path(tempfile.mkdtemp(prefix="deflect-serve-"))
    copy_project(project, work)
    article = sorted((work / "articles" / "en").glob("*.md"))[0]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO / "plugins"), os.environ.get("PYTHONPATH")]))}
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--livereload",
                             "-a", f"127.0.0.1:{port}", "-f", str(work / "mkdocs.yml")],
                            cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue = queue.Queue()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put((time.perf_counter(), line))
        lines.put((time.perf_counter(), None))

    threading.Thread(target=read, daemon=True).start()
    rows = []
    try:
        started = time.perf_counter()
        served = wait_for(lines, "Serving on", 900)
        print(f"[serve] first build and start: {served - started:.1f}s", file=sys.stderr)
        time.sleep(1.0)
        for n in range(1, edits + 1):
            cpu_before = cpu_seconds(proc.pid)
            with open(article, "a", encoding="utf-8") as handle:
                extra = f" It mentions {NEW_WORDS[(n - 1) % len(NEW_WORDS)]}." if new_words else ""
                handle.write(f"\nEdit {n} of the serve benchmark.{extra}\n")
            saved = time.perf_counter()
            building = wait_for(lines, "Building documentation", 300)
            live = wait_for(lines, "Reloading browsers", 300)
            cpu = cpu_seconds(proc.pid) - cpu_before
            rows.append((n, live - saved, live - building, cpu))
            print(f"[serve] edit {n}: live {live - saved:.2f}s after the save (rebuild {live - building:.2f}s, "
                  f"{cpu:.2f}s CPU)", file=sys.stderr)
            time.sleep(1.0)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(work, ignore_errors=True)
    print(f"| edit | save → live s | rebuild s | CPU s |\n|---:|---:|---:|---:|")
    for n, live, rebuild, cpu in rows:
        print(f"| {n} | {live:.2f} | {rebuild:.2f} | {cpu:.2f} |")
    load = os.getloadavg()
    print(f"\nEdited {article.relative_to(work)}; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
          f"on {os.cpu_count()} CPUs.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
