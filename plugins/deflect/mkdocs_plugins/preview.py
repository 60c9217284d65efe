"""``deflect preview``: the whole product on its embedded defaults, from one command.

The collector (``deflect serve``, SQLite) runs as a child process, and the site is served by
``mkdocs serve`` with live reload in this process — the same build as ``deflect build`` — with
``collector_url`` pointed at that collector, so the feedback widget shows and votes reach the
database that ``deflect feedback`` reads. ``watch_sources`` makes any ``mkdocs serve`` of a help
center (this one or one started directly) watch its content and notice a save quickly.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

DB_ENV = "DEFLECT_DB"
"""``deflect serve`` reads its database URL from here when ``--db`` is not given; ``preview`` sets it."""
POLL_SECONDS = 0.15
"""How often ``mkdocs serve`` looks for saved files (MkDocs: every 0.5 s, so a save waited 0.25 s on average)."""
COLLECTOR_ENV = "DEFLECT_COLLECTOR_URL"
"""When set, the ``collector_url`` of every build (``deflect/search`` reads it); ``preview`` sets it."""


class PreviewFailed(RuntimeError):
    """The preview could not start; the message says why."""


def start_collector(db_url: str, host: str, port: int, site_origin: str) -> subprocess.Popen[bytes]:
    """``deflect serve`` in a child process, answering once it is up (or :class:`PreviewFailed`)."""
    # The database URL (it may hold a password) goes through the environment: any local user can read a
    # process's arguments.
    command = [sys.executable, "-c", "from deflect.cli import main; main()", "serve",
               "--host", host, "--port", str(port), "--origin", site_origin]
    if host in ("127.0.0.1", "localhost"):
        # A browser may open the site as localhost or 127.0.0.1: both are the reader's own machine.
        command += ["--origin", site_origin.replace("127.0.0.1", "localhost"),
                    "--origin", site_origin.replace("localhost", "127.0.0.1")]
    process = subprocess.Popen(command, env={**os.environ, DB_ENV: db_url})
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise PreviewFailed(f"the collector stopped at start (exit {process.returncode}): see the lines above")
        try:
            with urllib.request.urlopen(f"http://{host}:{port}/healthz", timeout=1):
                return process
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    stop(process)
    raise PreviewFailed(f"the collector did not answer on http://{host}:{port}/ within 30 s")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a child process: politely, then for sure."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def watch_sources(server: Any, folders: list[Path], already_watched: list[str]) -> None:
    """Watch the content ``folders`` and re-watch what MkDocs watches (``already_watched``), all
    polled every ``POLL_SECONDS``: a few hundred small files are cheap to look at."""
    observer = getattr(server, "observer", None)
    if observer is not None and hasattr(observer, "_timeout"):
        observer._timeout = POLL_SECONDS  # watchdog's polling emitters take the observer's timeout when scheduled
        for path in already_watched:
            if os.path.abspath(path) in getattr(server, "_watched_paths", {}):
                server.unwatch(path)
                server.watch(path)
    for folder in folders:
        server.watch(str(folder))


def preview(config_file: Path, *, host: str, port: int, collector_port: int, db_url: str) -> None:
    """Run the collector and ``mkdocs serve`` together until Ctrl+C (or SIGTERM)."""
    from mkdocs.commands.serve import serve

    site = f"http://{host}:{port}"
    collector_url = f"http://{host}:{collector_port}"
    collector = start_collector(db_url, host, collector_port, site)
    os.environ[COLLECTOR_ENV] = collector_url
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")

    def interrupted(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # mkdocs serve shuts down cleanly on Ctrl+C; treat SIGTERM alike

    logger = logging.getLogger("mkdocs")
    if not logger.handlers:  # show "Serving on …" and rebuilds, as `mkdocs serve` does
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)-8s-  %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    previous = signal.signal(signal.SIGTERM, interrupted)
    from ..collector.store import parse_db_url

    shown = parse_db_url(db_url).shown  # never print a PostgreSQL password
    print(f"collector: {collector_url} (database {shown}); help center: {site}/  (Ctrl+C stops both)",
          file=sys.stderr, flush=True)
    try:
        serve(str(config_file), livereload=True, dev_addr=f"{host}:{port}")
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        stop(collector)
