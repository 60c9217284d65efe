"""Related-article lists put into article pages after they are written: the page gets its list in
its slot, the same whether the search work ran in a worker (split between processes) or in the
build's own process."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import copy_example

from deflect.mkdocs_plugins.build import build_site
from deflect.site.outputs import KeptOutputs, digest
from deflect.search import service, split
from deflect.search.background import WORKER_ENV
from deflect.site.related_fill import CLOSE, OPEN, fill, fill_pages, fill_text
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


def test_a_kept_page_with_the_same_list_is_not_read(tmp_path: Path) -> None:
    """``fill_pages`` skips a page only when the site's outputs keep its file as the last build left it
    and that build's fill put in the same list: otherwise it is read and filled."""
    page = tmp_path / "a.html"
    page.write_text(f"<p>{OPEN}{CLOSE}</p>", encoding="utf-8")
    kept = KeptOutputs(None, site=tmp_path, active=True)
    assert fill_pages([(page, "a.html", LIST)], kept) == (1, 1)  # not kept: read and filled
    assert kept.fills == {"a.html": digest(LIST.encode())}
    kept.kept, kept.filled = {"a.html"}, dict(kept.fills)
    page.write_text("changed behind the manifest's back: never a kept page", encoding="utf-8")
    assert fill_pages([(page, "a.html", LIST)], kept) == (0, 0)  # kept, same list: not even read
    page.write_text(f"<p>{OPEN}{LIST}{CLOSE}</p>", encoding="utf-8")
    assert fill_pages([(page, "a.html", "<p>other</p>")], kept) == (1, 1)  # kept, another list: filled
    assert page.read_text(encoding="utf-8") == f"<p>{OPEN}<p>other</p>{CLOSE}</p>"
    kept.kept = set()
    assert fill_pages([(page, "a.html", "<p>other</p>")], kept) == (1, 0)  # written again: read, found filled
    assert fill_pages([(page, "a.html", "<p>other</p>")], None) == (1, 0)


def test_a_page_filled_on_its_way_is_the_file_fill_makes_and_is_not_read_again(tmp_path: Path) -> None:
    """``fill_text`` on a page's output, encoded as MkDocs writes it, is what ``fill`` makes of its file
    (the last slot, markers in the text left alone, characters beyond UTF-8's reach as references);
    ``fill_pages`` then skips the page, yet notes its fill for the next build's kept outputs."""
    output = f"<article><p>{OPEN}kept{CLOSE}</p>\n{OPEN}{CLOSE}</article><footer>é \udcff</footer>"
    listing = LIST.replace("B", "B ž")
    page = tmp_path / "a.html"
    page.write_bytes(output.encode("utf-8", errors="xmlcharrefreplace"))
    assert fill(page, listing)
    filled = fill_text(output, listing)
    assert filled is not None and filled.encode("utf-8", errors="xmlcharrefreplace") == page.read_bytes()
    assert fill_text("<p>no slot</p>", listing) is None
    page.write_text("not read: a read would find no slot and change nothing", encoding="utf-8")
    kept = KeptOutputs(None, site=tmp_path, active=True)
    assert fill_pages([(page, "a.html", listing)], kept, {"a.html": listing}) == (0, 0)
    assert kept.fills == {"a.html": digest(listing.encode())}
    assert fill_pages([(page, "a.html", LIST)], kept, {"a.html": listing}) == (1, 0)  # another list: read


@pytest.mark.slow
def test_a_warm_build_in_place_reads_only_pages_whose_list_or_bytes_changed(tmp_path: Path,
                                                                           caplog: pytest.LogCaptureFixture) -> None:
    project = tmp_path / "project"
    project.mkdir()
    config = copy_example(project)
    site = tmp_path / "site"

    early = [0]

    def build() -> tuple[int, int, int]:
        caplog.clear()
        with caplog.at_level("INFO", logger="mkdocs"):
            build_site(config, site, quiet=True)
        found = re.search(r"related articles of (\d+) pages \((\d+) read, (\d+) written\), (\d+) of them given "
                          r"theirs as they were written", caplog.text)
        assert found, caplog.text
        early[0] = int(found[4])
        return int(found[1]), int(found[2]), int(found[3])

    pages, read, written = build()
    # Cold: a page written once the lists are here gets its list on the way; every other page is read.
    assert pages > 50 and read + early[0] == pages and written <= read
    assert build() == (pages, 0, 0)  # nothing changed: no page is read
    article = project / "articles" / "en" / "reset-password.md"
    article.write_text(article.read_text(encoding="utf-8").replace("\n## ", "\nPasskey recovery codes and backup email.\n\n## ", 1),
                       encoding="utf-8")
    _, read, written = build()
    # The edited page (written again: it gets its list on its way, or is read once written), and those
    # whose list changed; the rest is neither read nor filled on its way (kept as it was).
    assert 1 <= read + early[0] < pages // 4 and written <= read
    build_site(config, tmp_path / "cold", quiet=True)
    assert_same_site(site, tmp_path / "cold")


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
    monkeypatch.setattr(split, "cores", lambda: 3)
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
