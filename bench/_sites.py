"""The sites the benchmarks measure: copies of a Deflect project, ``mkdocs build`` with its search
timings caught, the config edits the generated projects need, a local static HTTP server, and the
progress lines."""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def progress(message: str) -> None:
    print(f"[search-bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


PROJECT_PARTS = ("mkdocs.yml", "articles", "faq", "docs", "overrides", "search")
"""What a Deflect project is made of (its sources and configuration, not its site or cache)."""


def copy_project(source: Path, target: Path, also: tuple[str, ...] = ()) -> Path:
    """A copy of the Deflect project in ``source`` (its :data:`PROJECT_PARTS` that exist, and the
    top-level entries ``also``) in ``target``, which may exist already: one ``copytree`` that leaves out
    every other top-level entry (a site, the ``.deflect/`` cache, ``.git``). The tests copy the example
    through it too (``tests/conftest.py``)."""
    keep, top = {*PROJECT_PARTS, *also}, os.path.abspath(source)
    shutil.copytree(source, target, dirs_exist_ok=True, ignore=lambda folder, names: [
        name for name in names if name not in keep and os.path.abspath(folder) == top])
    return target


# ----- building --------------------------------------------------------------------------------

# Runs ``mkdocs build`` like the CLI does, plus two measurements: ``-q`` silences INFO logs, so
# deflect/search's own INFO lines (its index timings) get a handler of their own; and the hooks of
# Material's search plugin are timed (printed at exit). Nothing else about the build changes.
_BUILD_WRAPPER = r"""
import logging, sys
log = logging.getLogger("mkdocs.plugins.deflect.search")
log.setLevel(logging.INFO)
handler = logging.StreamHandler(sys.stderr)
handler.setFormatter(logging.Formatter("DEFLECT-BENCH %(message)s"))
log.addHandler(handler)
log.propagate = False
try:  # time Material's search plugin hooks (its share of the build)
    import atexit, time
    from material.plugins.search.plugin import SearchPlugin
    spent = [0.0]
    def timed(method):
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                spent[0] += time.perf_counter() - start
        return wrapper
    for name in ("on_config", "on_page_context", "on_post_build"):
        setattr(SearchPlugin, name, timed(getattr(SearchPlugin, name)))
    atexit.register(lambda: spent[0] and print(f"MATERIAL-SEARCH-TIME {spent[0]:.3f}", file=sys.stderr))
except ImportError:
    pass
from mkdocs.__main__ import cli
sys.argv[0] = "mkdocs"
cli()
"""

INDEXED_RE = re.compile(r"DEFLECT-BENCH deflect/search: indexed (\d+) documents in ([\d.]+)s")
WROTE_RE = re.compile(r"DEFLECT-BENCH deflect/search: wrote the static index \(([^)]*)\) in ([\d.]+)s")
MATERIAL_RE = re.compile(r"MATERIAL-SEARCH-TIME ([\d.]+)")


@dataclass
class Build:
    seconds: float
    log: str


def mkdocs_build(config: Path, site: Path) -> Build:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _BUILD_WRAPPER, "build", "-q", "-f", str(config), "-d", str(site)],
                          env=env, capture_output=True, text=True, cwd=config.parent)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
        raise SystemExit(f"mkdocs build failed for {config} (exit {proc.returncode})")
    return Build(seconds, proc.stderr)


def deflect_index_seconds(build: Build) -> tuple[float, str]:
    indexed = INDEXED_RE.search(build.log)
    wrote = WROTE_RE.search(build.log)
    if not indexed or not wrote:
        raise SystemExit("deflect/search's timing lines are missing from the build log:\n" + build.log[-2000:])
    note = f"{indexed.group(1)} docs indexed in {indexed.group(2)}s; static index {wrote.group(1)} in {wrote.group(2)}s"
    return float(indexed.group(2)) + float(wrote.group(2)), note


def material_index_seconds(build: Build) -> float:
    match = MATERIAL_RE.search(build.log)
    if not match:
        raise SystemExit("the timing of Material's search plugin is missing from the build log:\n" + build.log[-2000:])
    return float(match.group(1))


def ensure_deflect_search(config: Path) -> None:
    """The generated Deflect project must list deflect/search right after deflect/content."""
    data = config.read_text(encoding="utf-8")
    if re.search(r"^\s*-\s*deflect/search\b", data, re.M):
        return
    lines = data.split("\n")
    start = next(i for i, line in enumerate(lines) if re.match(r"\s*-\s*deflect/content\b", line))
    indent = len(lines[start]) - len(lines[start].lstrip())
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) > indent):
        end += 1
    lines.insert(end, " " * indent + "- deflect/search")
    config.write_text("\n".join(lines), encoding="utf-8")


def without_search(config: Path) -> Path:
    """A copy of a plain Material mkdocs.yml without the search plugin (same docs_dir)."""
    text = config.read_text(encoding="utf-8")
    new = re.sub(r"^plugins:\n(\s+- search\n)", "plugins: []\n", text, flags=re.M)
    if new == text:
        raise SystemExit(f"{config}: could not find 'plugins:\\n  - search' to remove")
    out = config.with_name("mkdocs-nosearch.yml")
    out.write_text(new, encoding="utf-8")
    return out


# ----- serving ---------------------------------------------------------------------------------


class _QuietHandler(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: with Nagle's algorithm on, the browser's delayed
    # ACK would add ~40 ms to every keep-alive response, which no real static host does.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class StaticServer:
    """A static HTTP server for one folder, in a daemon thread."""

    def __init__(self, directory: Path) -> None:
        handler = functools.partial(_QuietHandler, directory=str(directory))
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def __enter__(self) -> StaticServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
