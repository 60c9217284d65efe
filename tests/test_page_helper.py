"""Pages rendered on the second core (``site.page_helper``, ``mkdocs_plugins/page_helper.py``): a forked
helper takes pages from the end while the build takes them from the start; every page is rendered
once, by one of them, and the site, the log and ``--strict`` are as without a helper, also when the
helper dies."""

from __future__ import annotations

import filecmp
import logging
import os
import re
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import copy_example, make_help_center

from deflect.mkdocs_plugins.build import BuildFailed, build_site
from deflect import processes
from deflect.markdown_fast import FAST_ENV, FastInlineProcessor
from deflect.search import lemmas
from deflect.search.analysis import PREFETCH_ENV
from deflect.site.page_helper import HELPER_ENV, MIN_ENV, SplitRun


@pytest.fixture(autouse=True)
def spare_core(monkeypatch: pytest.MonkeyPatch) -> None:
    """A core to spare beside the search worker, whatever the machine: page helpers fork as soon as a
    pass is worth one (the tests of the rule for two cores set ``cores`` themselves)."""
    monkeypatch.setattr(processes, "cores", lambda: 3)


def split(count: int, kill_at: int | None = None) -> tuple[list[int], dict[str, bytes], SplitRun]:
    """Main goes through ``count`` items (a little slower than the helper); the helper kills itself
    at item ``kill_at``."""
    adopted: dict[str, bytes] = {}

    def work(item: int) -> dict[str, bytes]:
        if item == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(0.001)
        return {f"k{item}": str(item).encode()}

    run = SplitRun(count, 1, lambda: None, work, adopted.update)
    assert run.start()
    mine = [0]
    for item in range(1, count):
        if run.reach(item):
            mine.append(item)
            time.sleep(0.002)
    run.finish()
    return mine, adopted, run


def test_every_item_is_rendered_once_by_main_or_the_helper() -> None:
    mine, adopted, run = split(120)
    helped = sorted(int(key[1:]) for key in adopted)
    assert helped and mine and not set(mine) & set(helped)
    assert sorted(mine + helped) == list(range(120))
    assert helped == list(range(helped[0], 120))  # the helper's share is the end, main's the start
    assert run.taken == len(helped) and run.report is not None and run.report[0] == len(helped)


def test_items_a_killed_helper_did_not_send_are_main_s() -> None:
    mine, adopted, run = split(120, kill_at=100)
    helped = {int(key[1:]) for key in adopted}
    assert 100 in mine and not helped & set(mine) and sorted(set(mine) | helped) == list(range(120))
    assert run.report is None  # it never said it was done


def example(folder: Path) -> Path:
    folder.mkdir()
    return copy_example(folder)


def build(config: Path, site: Path, caplog: pytest.LogCaptureFixture) -> str:
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="mkdocs"), caplog.at_level(logging.DEBUG, logger="deflect.search"):
        build_site(config, site, quiet=True)
    return caplog.text


def taken(log: str) -> int:
    """Pages main took from page helpers, by the build's timeline; each must have been answered by the
    helper's render (a key main computes differently, say after a change in MkDocs' page steps, would
    make main render the page again: the site stays right, the helper's work is lost)."""
    pairs = [(int(took), int(answered)) for took, answered in
             re.findall(r"main took (\d+) of them from it, (\d+) answered by its renders", log)]
    assert all(took == answered for took, answered in pairs), pairs
    return sum(took for took, _ in pairs)


def same_tree(one: Path, other: Path) -> None:
    compared = filecmp.dircmp(one, other)
    assert not compared.left_only and not compared.right_only and not compared.funny_files
    _, mismatch, errors = filecmp.cmpfiles(one, other, compared.common_files, shallow=False)
    assert not mismatch and not errors, mismatch
    for folder in compared.common_dirs:
        same_tree(one / folder, other / folder)


@pytest.mark.slow
def test_a_site_built_with_page_helpers_and_the_other_speed_ups_is_the_site_built_without(
        tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    """Also the other cold-build speed-ups: the lemma dictionaries read while the content loads, and
    Python-Markdown's inline step without the pattern calls that cannot match (``markdown_fast``)."""
    monkeypatch.setenv(MIN_ENV, "1")
    # a machine's first build: a dictionary the machine's cache keeps is left to the worker (no prefetch)
    monkeypatch.setenv("DEFLECT_MACHINE_CACHE", str(tmp_path / "machine"))
    runs: list[int] = []
    original_run = FastInlineProcessor.run

    def counted_run(self: FastInlineProcessor, *args: Any, **kwargs: Any) -> Any:
        runs.append(1)
        return original_run(self, *args, **kwargs)

    monkeypatch.setattr(FastInlineProcessor, "run", counted_run)
    helped_config = example(tmp_path / "helped")
    plain_config = example(tmp_path / "plain")
    held = {code: lemmas._whole.pop(code) for code in ("en", "hbs", "et", "tl") if code in lemmas._whole}
    for code in ("en", "hbs", "et", "tl"):
        lemmas._prefetched.pop(code, None)
    try:  # (as in a fresh process: none held by this test process)
        log = build(helped_config, tmp_path / "helped-site", caplog)
    finally:
        lemmas._whole.update(held)
    # Both passes had one, and it did a share (from 2 to 105 pages a pass, by the machine's load: light
    # fallback pages leave no Markdown entry to take)
    assert len(re.findall(r"page helper \d+ started", log)) == 2 and taken(log) >= 5
    # a machine's first cold build also reads its lemma dictionaries in another process while its content loads
    assert "reading the lemma dictionaries en, hbs, et, tl in another process" in log
    # the build's pages went through the fast inline loop: those main rendered (the helper's runs are in
    # another process), about half of the example's ~100 pages with text (light fallback pages run none)
    assert len(runs) > 20
    runs.clear()
    for switch in (HELPER_ENV, PREFETCH_ENV, FAST_ENV):
        monkeypatch.setenv(switch, "0")
    log = build(plain_config, tmp_path / "plain-site", caplog)
    assert "page helper" not in log and "reading the lemma dictionaries" not in log and not runs
    same_tree(tmp_path / "helped-site", tmp_path / "plain-site")
    for switch in (HELPER_ENV, PREFETCH_ENV, FAST_ENV):
        monkeypatch.delenv(switch)
    log = build(helped_config, tmp_path / "warm-site", caplog)  # every page from the cache: no helper
    assert "page helper" not in log and "reading the lemma dictionaries" not in log  # all read before
    same_tree(tmp_path / "helped-site", tmp_path / "warm-site")


@pytest.mark.slow
def test_a_helper_that_dies_leaves_its_pages_to_the_build(
        tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MIN_ENV, "1")
    monkeypatch.setenv(HELPER_ENV, "exit")  # it ends right after taking its first page
    config = example(tmp_path / "p")
    log = build(config, tmp_path / "died", caplog)
    assert "page helper" in log and taken(log) == 0
    monkeypatch.setenv(HELPER_ENV, "0")
    build(config, tmp_path / "plain", caplog)  # warm: the pages the dead helper left are cached as main rendered them
    same_tree(tmp_path / "died", tmp_path / "plain")


NOTES = 400  # the helper renders about a tenth of the pages on a busy machine, the 19 generated ones first


@pytest.mark.slow
def test_warnings_of_pages_the_helper_rendered_are_logged_once_and_strict_fails(
        tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    """Hand-written pages with broken links, so many that the helper, which starts from the last page
    (the generated ones come after the docs folder's), renders some of them."""
    monkeypatch.setenv(MIN_ENV, "1")
    logs = {}
    for name, helper in (("helped", "1"), ("plain", "0")):
        monkeypatch.setenv(HELPER_ENV, helper)
        config = make_help_center(tmp_path / name)
        for number in range(NOTES):
            (tmp_path / name / "docs" / f"note-{number:03}.md").write_text(
                f"# Note {number}\n\nSee [gone](gone-{number}.md).\n", encoding="utf-8")
        caplog.clear()
        with caplog.at_level(logging.DEBUG, logger="mkdocs"), pytest.raises(BuildFailed, match=f"Aborted with {NOTES} warn"):
            build_site(config, tmp_path / f"{name}-site", quiet=True, strict=True)
        logs[name] = caplog.text
    pages = re.search(r"page helper \d+ started: Markdown of pages \d+-(\d+)", logs["helped"])
    assert pages is not None and taken(logs["helped"]) > int(pages.group(1)) - NOTES  # it rendered notes
    for number in range(NOTES):
        warning = f"Doc file 'note-{number:03}.md' contains a link 'gone-{number}.md', but the target is not found"
        assert logs["helped"].count(warning) == 1 and logs["plain"].count(warning) == 1


def test_a_core_is_free_unless_the_build_s_busy_processes_take_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(processes, "cores", lambda: 2)
    working = [True]
    assert processes.core_free()
    forget = processes.occupies_a_core(lambda: working[0])
    try:
        assert not processes.core_free(), "this process and the worker take both cores"
        working[0] = False
        assert processes.core_free(), "a worker that waits (or has ended) leaves its core"
        working[0] = True
        monkeypatch.setattr(processes, "cores", lambda: 3)
        assert processes.core_free()
    finally:
        forget()
    monkeypatch.setattr(processes, "cores", lambda: 2)
    assert processes.core_free()


def test_a_process_keeps_a_core_busy_while_it_uses_one() -> None:
    """A worker that computes keeps its core; one that sleeps (on the disk, on a lock) does not."""
    import subprocess
    import sys

    spin = subprocess.Popen([sys.executable, "-c", "import time\nend = time.time() + 30\nwhile time.time() < end: pass"])
    rest = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        uses = {name: processes.CpuUse(proc.pid, every=0.2) for name, proc in (("spin", spin), ("rest", rest))}
        assert all(use.busy() for use in uses.values()), "busy until a first interval says otherwise"
        time.sleep(0.3)
        assert uses["spin"].busy() and not uses["rest"].busy()
    finally:
        spin.kill()
        rest.kill()


@pytest.mark.slow
def test_no_page_helper_without_a_free_core(tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A pass worth a helper forks none while no core is free (``processes.core_free``: on two cores,
    while the search worker works, which the worker's tests check), and the site is the same."""
    monkeypatch.setenv(MIN_ENV, "1")
    monkeypatch.setattr(processes, "cores", lambda: 1)
    log = build(example(tmp_path / "p"), tmp_path / "site", caplog)
    assert "page helper" not in log and "main: on_post_build" in log
    monkeypatch.setattr(processes, "cores", lambda: 3)
    log = build(example(tmp_path / "q"), tmp_path / "helped", caplog)
    assert len(re.findall(r"page helper \d+ started", log)) == 2
    same_tree(tmp_path / "site", tmp_path / "helped")


def test_a_cold_load_parses_on_two_cores_and_finds_what_one_core_finds(tmp_path: Path, monkeypatch) -> None:
    """``content.loader``: a forked helper parses and scans files from the last one down; the content and
    every problem (bad YAML, bad UTF-8, a body too deep to render, a bad slug) come out as without it."""
    from deflect.content import frontmatter, loader, scancache
    from deflect.helpcenter import HelpCenter

    config = copy_example(tmp_path / "site")
    root = config.parent
    faq = sorted((root / "faq" / "en").rglob("*.md"))[-1]  # the helper's end of the order
    (faq.parent / "broken-yaml.md").write_text("---\ntitle: [unclosed\n---\nText.\n", encoding="utf-8")
    (faq.parent / "not-utf8.md").write_bytes(b"---\ntitle: Caf\xe9\n---\nText.\n")
    (faq.parent / "too-deep.md").write_text("---\ntitle: Deep\n---\n" + ">" * 600 + " quoted\n", encoding="utf-8")
    (faq.parent / "Bad_Slug.md").write_text("---\ntitle: Bad slug\n---\nText.\n", encoding="utf-8")
    monkeypatch.setattr(loader, "HELPER_MIN_FILES", 50)

    def load() -> tuple[list[tuple[str, str, str, object]], list[str]]:
        frontmatter._PARSED.clear()
        scancache.forget()
        settings = HelpCenter.open(config).settings
        content, problems = loader.load_help_center(settings)
        docs = [(doc.rel_path, doc.front.model_dump_json(), doc.body, scancache._MEMO.get(
            ("body", scancache._DIGESTS[doc.body]))) for doc in content.documents]
        return docs, [str(problem) for problem in problems]

    monkeypatch.setenv(HELPER_ENV, "0")
    alone = load()
    assert loader.last_helped() == 0
    monkeypatch.setenv(HELPER_ENV, "1")
    helped = load()
    assert loader.last_helped() >= 1  # the helper did take files (its share depends on the machine's load: 9 seen)
    assert helped == alone
    assert len(alone[0]) > 150 and any("broken-yaml.md" in problem for problem in alone[1])
    assert any("not-utf8.md" in problem for problem in alone[1]) and any("too-deep.md" in p for p in alone[1])


@pytest.mark.slow
def test_a_long_pass_over_many_pages_says_how_far_it_is(
        tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each page pass of a large build logs its progress (pages done, the helper's share from the end
    included, of all) every few seconds, and so does loading its content; a small build says nothing."""
    from deflect import processes

    config = example(tmp_path / "p")
    log = build(config, tmp_path / "quiet", caplog)
    assert "pass:" not in log and "loading content" not in log  # the example's pages: no progress
    monkeypatch.setattr(processes, "PROGRESS_MIN_ITEMS", 10)  # as a large build: every page reports
    monkeypatch.setenv(processes.PROGRESS_ENV, "0.000001")
    monkeypatch.setenv(MIN_ENV, "1")
    log = build(config, tmp_path / "loud", caplog)
    for name in ("Markdown", "templates"):
        found = [(int(done.replace(",", "")), int(total.replace(",", ""))) for done, total in
                 re.findall(rf"deflect: pages, {name} pass: ([\d,]+) of ([\d,]+) pages \(\d+%\), \d+ s in", log)]
        assert len(found) > 50, name
        assert all(done <= total for done, total in found) and found[-1][0] == found[-1][1], found[-3:]
        assert re.search(rf"deflect: pages, {name} pass: {found[-1][1]:,} pages in \d+\.\d s", log), name
    loaded = [(int(done.replace(",", "")), int(total.replace(",", ""))) for done, total in
              re.findall(r"deflect: loading content: ([\d,]+) of ([\d,]+) files \(\d+%\), \d+ s in", log)]
    files = len(list((config.parent / "articles").rglob("*.md")) + list((config.parent / "faq").rglob("*.md")))
    assert len(loaded) > 50 and all(total == files and done < total for done, total in loaded), loaded[-3:]
    assert [done for done, _ in loaded] == sorted(done for done, _ in loaded)
    assert re.search(rf"deflect: loading content: {files:,} files in \d+\.\d s", log)
    monkeypatch.setenv(processes.PROGRESS_ENV, "0")  # turned off
    off = build(config, tmp_path / "off", caplog)
    assert "pass:" not in off and "loading content" not in off


HOOK = '''
import gc, json, os
seen = []

def on_page_markdown(markdown, page, config, files):
    seen.append(gc.get_threshold()[2])

def on_page_context(context, page, config, nav):
    seen.append(gc.get_threshold()[2])

def on_post_page(output, page, config):
    seen.append(gc.get_threshold()[2])

def on_post_build(config):
    with open(os.environ["DEFLECT_TEST_SEEN"], "w") as handle:
        json.dump(seen, handle)
'''


@pytest.mark.slow
def test_the_page_passes_make_no_full_collection_and_leave_the_collector_as_it_was(
        tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    """While its pages are rendered, a build's process collects only young cycles (the full passes
    searched every page kept so far, 8.6 s of a 10,000-article build); before and after, and after a
    failed build, the cycle collector is as it was. The project has MkDocs hooks (modules among the
    plugins, without plugin options: the page cache's key once failed on them)."""
    import gc
    import json

    from deflect.processes import FULL_COLLECTIONS_OFF

    config = example(tmp_path / "p")
    (tmp_path / "hook.py").write_text(HOOK, encoding="utf-8")
    config.write_text(config.read_text(encoding="utf-8") + f"\nhooks:\n  - {tmp_path / 'hook.py'}\n", encoding="utf-8")
    monkeypatch.setenv("DEFLECT_TEST_SEEN", str(tmp_path / "seen.json"))
    before = gc.get_threshold()
    try:
        gc.set_threshold(before[0], before[1], 7)  # the thresholds a build must leave as it found them
        build(config, tmp_path / "site", caplog)
        seen = json.loads((tmp_path / "seen.json").read_text(encoding="utf-8"))
        assert len(seen) > 300 and set(seen) == {FULL_COLLECTIONS_OFF}  # every page, every step
        assert gc.get_threshold() == (before[0], before[1], 7)
        # A build that fails (--strict and a broken link) leaves it as it was too
        (tmp_path / "p" / "docs" / "broken.md").write_text("# Broken\n\nSee [gone](gone.md).\n", encoding="utf-8")
        with pytest.raises(BuildFailed):
            build_site(config, tmp_path / "failed", quiet=True, strict=True)
        assert gc.get_threshold() == (before[0], before[1], 7)
        # ... and one that stops in on_config (MkDocs runs on_config inside the build: on_build_error)
        text = config.read_text(encoding="utf-8")
        assert "name: material" in text
        config.write_text(text.replace("name: material", "name: mkdocs", 1), encoding="utf-8")
        with pytest.raises(BuildFailed):  # (deflect/content needs the Material theme)
            build_site(config, tmp_path / "unconfigured", quiet=True)
        assert gc.get_threshold() == (before[0], before[1], 7)
    finally:
        gc.set_threshold(*before)
