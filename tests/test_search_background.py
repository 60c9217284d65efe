"""The search worker of a site build: its failures reach the build as one line, in a worker
process and in the build's own process alike."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, copy_example

from deflect.search.background import WORKER_ENV, SearchJob, SearchJobError


def _bad_synonyms(helpers: object) -> None:
    raise ValueError("search/synonyms.yml:3: expected a list of synonym groups")


def _bug(helpers: object) -> None:
    raise KeyError("lang")


def _killed(helpers: object) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


@pytest.mark.parametrize("worker", ["1", "0"])
def test_an_expected_error_is_its_own_message(worker: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(WORKER_ENV, worker)
    job = SearchJob(_bad_synonyms, 5, tmp_path / "search", errors=(ValueError,)).start()
    with pytest.raises(SearchJobError, match=r"^search/synonyms.yml:3: expected a list of synonym groups$"):
        job.indexed()
    job.cancel()


def test_an_unexpected_error_in_the_worker_names_its_type(tmp_path: Path) -> None:
    job = SearchJob(_bug, 5, tmp_path / "search", errors=(ValueError,)).start()
    with pytest.raises(SearchJobError, match=r"^the search worker failed: KeyError: 'lang'$"):
        job.finish()


def test_a_worker_that_dies_gives_its_exit_code(tmp_path: Path) -> None:
    job = SearchJob(_killed, 5, tmp_path / "search").start()
    with pytest.raises(SearchJobError, match=r"stopped unexpectedly \(exit code -9\)"):
        job.indexed()


class _LargeRelated:
    """A search service whose related articles fill the pipe many times over."""

    count = 1

    def related_all(self, per_article: int) -> dict[str, list[str]]:
        return {f"en/page-{n}/": [f"en/related-{n}-{k}/" for k in range(per_article)] for n in range(20_000)}

    def export(self, out: Path, note: object = None, helpers: object = None) -> str:
        out.mkdir(parents=True)
        (out / "written").write_text("yes", encoding="utf-8")
        return "stats"


def _large_related(helpers: object) -> _LargeRelated:
    return _LargeRelated()


def test_the_worker_writes_the_export_before_the_build_asks_for_the_index(tmp_path: Path) -> None:
    """The index message is read as soon as it is sent: a large one no longer holds the worker
    (and the export) until the pages are done."""
    import time
    job = SearchJob(_large_related, 5, tmp_path / "search").start()
    job.release()
    deadline = time.monotonic() + 120
    while not (tmp_path / "search" / "written").exists():
        assert time.monotonic() < deadline, "the worker never got to the export"
        time.sleep(0.05)
    assert len(job.indexed().related) == 20_000
    assert job.finish()[0] == "stats"


class _Exporting:
    """A search service whose export reports a line per language, as ``static.export_files`` does."""

    count = 1

    def related_all(self, per_article: int) -> dict[str, list[str]]:
        return {}

    def export(self, out: Path, progress: Any = None, helpers: object = None) -> str:
        for lang in ("en", "hr"):
            progress(f"search index {lang}: 3 documents, 7 terms, 9 forms, 2 shards")
        return "stats"


def _exporting(helpers: object) -> _Exporting:
    return _Exporting()


@pytest.mark.parametrize("worker", ["1", "0"])
def test_the_exports_progress_reaches_the_builds_progress_and_timeline(worker: str, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Each language's export line goes to ``progress`` (the build logs it at INFO) and on the
    timeline (``trace``, debug), from the worker as from the build's own process."""
    monkeypatch.setenv(WORKER_ENV, worker)
    heard = tmp_path / "heard.log"

    def write(kind: str) -> Any:
        def hear(message: str) -> None:  # a file: the worker is another process
            with open(heard, "a", encoding="utf-8") as handle:
                handle.write(f"{kind} {message}\n")
        return hear

    job = SearchJob(_exporting, 0, tmp_path / "search", trace=write("trace"), progress=write("progress")).start()
    assert job.finish()[0] == "stats"
    lines = heard.read_text(encoding="utf-8").splitlines()
    assert [line for line in lines if line.startswith("progress")] == [
        f"progress search index {lang}: 3 documents, 7 terms, 9 forms, 2 shards" for lang in ("en", "hr")]
    assert sum(line.startswith("trace") and "search index hr: 3 documents" in line for line in lines) == 1


_BUILDS = """
import sys
from mkdocs.commands.build import build
from mkdocs.config import load_config

def loaded(command, site):
    config = load_config(sys.argv[1], site_dir=site)
    config.plugins.on_startup(command=command, dirty=False)
    build(config)
    return "numpy" in sys.modules

print(loaded("build", sys.argv[2]), loaded("serve", sys.argv[3]), "scipy" in sys.modules)
"""


@pytest.mark.slow
def test_numpy_loads_in_the_worker_and_stays_loaded_between_serve_rebuilds(tmp_path: Path) -> None:
    """A build's single-core start does not load it: its search worker does. ``mkdocs serve`` loads it
    after its first build, where every later rebuild's worker is forked. No build loads scipy."""
    folder = tmp_path / "p"
    folder.mkdir()
    config = copy_example(folder)
    env = {**os.environ, "PYTHONPATH": str(REPO / "plugins"), "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run([sys.executable, "-c", _BUILDS, str(config), str(tmp_path / "built"), str(tmp_path / "served")],
                          env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["False", "True", "False"]


class _Gated:
    """A search service whose build and export each wait for a file to appear (``gate``)."""

    count = 1

    def __init__(self, gate: Path) -> None:
        self.gate = gate
        _wait_for(gate / "build")

    def related_all(self, per_article: int) -> dict[str, list[str]]:
        return {}

    def export(self, out: Path, note: object = None, helpers: object = None) -> str:
        _wait_for(self.gate / "export")
        return "stats"


def _wait_for(path: Path) -> None:
    """Keep a core busy (as the worker's work does) until ``path`` exists."""
    import time
    deadline = time.monotonic() + 60
    while not path.exists() and time.monotonic() < deadline:
        sum(range(20_000))


def _until(condition: Any) -> bool:
    import time
    deadline = time.monotonic() + 30
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_the_worker_keeps_a_core_busy_only_while_it_works(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """While the worker analyses or exports, a two-core machine has no core free for a page helper;
    while it waits for the build to release the site folder, and once it is done, it has."""
    # (and while it sleeps: tests/test_page_helper.py checks processes.CpuUse)
    from deflect import processes

    monkeypatch.setattr(processes, "cores", lambda: 2)
    job = SearchJob(lambda helpers: _Gated(tmp_path), 0, tmp_path / "search").start()
    try:
        assert not processes.core_free(), "analysing"
        (tmp_path / "build").touch()
        assert _until(processes.core_free), "the index sent, the worker waits for the release"
        job.release()
        assert _until(lambda: not processes.core_free()), "exporting"
        (tmp_path / "export").touch()
        assert job.finish()[0] == "stats"
        assert processes.core_free()
    finally:
        job.cancel()
    assert processes.core_free()
