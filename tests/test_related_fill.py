"""Related-article lists put into article pages after they are written: the page gets its list in
its slot, the same whether the search work ran in a worker (split between processes) or in the
build's own process."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import copy_example

from deflect.mkdocs_plugins.build import build_site
from deflect.search import service, split
from deflect.search.background import WORKER_ENV
from deflect.site.related_fill import CLOSE, OPEN, fill
from test_incremental_build import assert_same_site

LIST = '<nav class="deflect-related"><ul><li><a href="../b/">B</a></li></ul></nav>'


def test_fill_puts_the_list_in_the_last_slot_only(tmp_path: Path) -> None:
    page = tmp_path / "index.html"
    # An author wrote the markers into the article's text: only the template's slot (the last) is filled.
    text = f"<article><p>{OPEN}kept{CLOSE}</p>\n{OPEN}{CLOSE}</article><footer>é</footer>"
    page.write_text(text, encoding="utf-8")
    assert fill(page, LIST)
    assert page.read_text(encoding="utf-8") == f"<article><p>{OPEN}kept{CLOSE}</p>\n{OPEN}{LIST}{CLOSE}</article><footer>é</footer>"
    assert not fill(page, LIST)  # already there: the file is not written again
    assert fill(page, "")
    assert page.read_text(encoding="utf-8") == text


def test_fill_leaves_pages_without_a_slot_alone(tmp_path: Path) -> None:
    page = tmp_path / "index.html"
    page.write_text("<p>no slot</p>", encoding="utf-8")
    assert not fill(page, LIST) and page.read_text(encoding="utf-8") == "<p>no slot</p>"
    assert not fill(tmp_path / "missing.html", LIST)


@pytest.mark.slow
def test_related_lists_are_filled_in_with_and_without_the_worker(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "project"
    project.mkdir()
    copy_example(project)
    # In the build's own process the search work runs when the pages are written.
    monkeypatch.setenv(WORKER_ENV, "0")
    build_site(project / "mkdocs.yml", tmp_path / "in-place", quiet=True)
    # With the worker on a cold cache, beside the page rendering, and its analysis and export split
    # between it and two helpers (deflect.search.split), whatever the machine's cores.
    monkeypatch.setenv(WORKER_ENV, "1")
    monkeypatch.setattr(split, "_cores", lambda: 3)
    monkeypatch.setattr(service, "MIN_SPLIT", 1)  # the analysis too, though the example has few documents
    for cache in (project / ".deflect").iterdir():
        if cache.is_dir():
            for path in sorted(cache.rglob("*"), reverse=True):
                path.unlink() if path.is_file() else path.rmdir()
    build_site(project / "mkdocs.yml", tmp_path / "worker", quiet=True)
    assert_same_site(tmp_path / "worker", tmp_path / "in-place")
    page = (tmp_path / "worker" / "en" / "account" / "reset-password" / "index.html").read_text(encoding="utf-8")
    slot = re.search(re.escape(OPEN) + "(.*?)" + re.escape(CLOSE), page, re.S)
    assert slot is not None and 'class="deflect-related"' in slot.group(1) and slot.group(1).count("<li>") >= 1
