"""Page files written by a process beside the build (``site.page_writer``): the same files as MkDocs
writes, a failed write named and stopping the build, and no writer left behind."""

from __future__ import annotations

import logging
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import copy_example

from deflect.mkdocs_plugins import outputs
from deflect.site import page_writer
from deflect.mkdocs_plugins.build import BuildFailed, build_site
from deflect.site.page_writer import WRITER_ENV, PageWriteError, PageWriter


def writer_processes() -> list[int]:
    """This test process's children that run the page writer."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        if b"deflect.site.page_writer" in cmdline and int(stat.rsplit(")", 1)[1].split()[1]) == os.getpid():
            found.append(int(pid))
    return found


def test_the_writer_writes_each_page_with_its_bytes_and_folders(tmp_path: Path) -> None:
    writer = PageWriter()
    pages = {tmp_path / "en" / "reset-password" / "index.html": "<p>Lozinka & šifra</p>".encode(),
             tmp_path / "hr" / "čćž" / "index.html": b"",  # an empty file is a file too
             tmp_path / "index.html": bytes(range(256)) * 3000}  # larger than a pipe holds at once
    for path, data in pages.items():
        writer.put(str(path), data)
    assert writer.close() == 3
    assert {path: path.read_bytes() for path in pages} == pages
    assert not writer_processes()


def test_a_failed_write_names_the_file_and_stops_the_writer(tmp_path: Path) -> None:
    (tmp_path / "en").write_text("a file where a folder must be")
    writer = PageWriter()
    writer.put(str(tmp_path / "ok" / "index.html"), b"first")
    writer.put(str(tmp_path / "en" / "reset" / "index.html"), b"second")
    writer.put(str(tmp_path / "after" / "index.html"), b"third")
    with pytest.raises(PageWriteError, match=r"could not write .*/en/reset/index\.html: Not a directory"):
        writer.close()
    assert (tmp_path / "ok" / "index.html").read_bytes() == b"first"
    assert not (tmp_path / "after").exists()  # nothing after the failure
    assert not writer_processes()


def test_a_writer_that_was_killed_is_reported_not_waited_for(tmp_path: Path) -> None:
    writer = PageWriter()
    writer.put(str(tmp_path / "a.html"), b"a")
    writer._process.kill()
    writer._process.wait()
    with pytest.raises(PageWriteError, match="the page writer stopped"):
        for number in range(200):  # the pipe takes some pages before it reports the end
            writer.put(str(tmp_path / f"{number}.html"), b"x" * 65536)
        writer.close()


def build(config: Path, site: Path, caplog: pytest.LogCaptureFixture) -> str:
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="mkdocs"):
        build_site(config, site, quiet=True)
    return caplog.text


@pytest.mark.slow
def test_a_site_written_by_the_writer_is_the_site_mkdocs_writes(
        tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    written = build(copy_example(tmp_path / "a"), tmp_path / "written", caplog)
    assert "the page writer wrote" in written and "Page skipped" not in written
    monkeypatch.setenv(WRITER_ENV, "0")
    plain = build(copy_example(tmp_path / "b"), tmp_path / "plain", caplog)
    assert "page writer" not in plain
    pages = sorted(path.relative_to(tmp_path / "plain") for path in (tmp_path / "plain").rglob("*"))
    assert len(pages) > 300
    assert sorted(path.relative_to(tmp_path / "written") for path in (tmp_path / "written").rglob("*")) == pages
    for page in pages:
        if (tmp_path / "plain" / page).is_file():
            assert (tmp_path / "written" / page).read_bytes() == (tmp_path / "plain" / page).read_bytes(), page
    assert not writer_processes()


@pytest.mark.slow
def test_a_page_that_cannot_be_written_fails_the_build_with_its_path(
        tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outputs, "AFTER", 0)  # the writer writes every page, the first ones too
    config = copy_example(tmp_path)
    site = tmp_path / "site"
    build(config, site, caplog)
    last = site / "en" / "orders" / "order-confirmation-missing" / "index.html"
    assert last.is_file()
    shutil.rmtree(tmp_path / ".deflect" / "outputs-public")  # every page is written again
    last.unlink()
    last.mkdir()  # a folder where the page goes: kept through MkDocs' clean, as a user's file would be
    with pytest.raises(BuildFailed) as failed:
        build(config, site, caplog)
    assert f"could not write {last}" in str(failed.value) + caplog.text
    assert not writer_processes()


@pytest.mark.slow
def test_a_writer_that_cannot_start_leaves_the_pages_to_mkdocs_and_is_tried_once(
        tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    started: list[list[str]] = []
    real_popen = page_writer.subprocess.Popen

    def popen(args: list[str], *rest: Any, **options: Any) -> Any:
        if "deflect.site.page_writer" in args:
            started.append(list(args))
        return real_popen(args, *rest, **options)

    monkeypatch.setattr(page_writer.subprocess, "Popen", popen)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-such-python"))  # the start fails for real
    log = build(copy_example(tmp_path / "a"), tmp_path / "unstarted", caplog)
    assert len(started) == 1 and "page writer wrote" not in log
    monkeypatch.undo()
    monkeypatch.setenv(WRITER_ENV, "0")
    build(copy_example(tmp_path / "b"), tmp_path / "plain", caplog)
    pages = sorted(path.relative_to(tmp_path / "plain") for path in (tmp_path / "plain").rglob("*"))
    assert sorted(path.relative_to(tmp_path / "unstarted") for path in (tmp_path / "unstarted").rglob("*")) == pages
    for page in pages:
        if (tmp_path / "plain" / page).is_file():
            assert (tmp_path / "unstarted" / page).read_bytes() == (tmp_path / "plain" / page).read_bytes(), page
