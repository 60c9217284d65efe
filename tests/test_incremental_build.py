"""Incremental builds: a build on a warm ``.deflect/`` cache after edits equals a cold build of
the same tree, byte for byte, and processes sharing the cache never crash."""

from __future__ import annotations

import gzip
import os
import pickle
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import copy_example

from deflect.helpcenter import HelpCenter
from deflect.mkdocs_plugins.build import BuildFailed, build_site
from deflect.cachefiles import locked
from deflect.search.engine import AnalysedIndex, SearchIndex
from deflect.search.service import SearchService
from deflect.search.static import load_export, save_export

ROOT = Path(__file__).resolve().parent.parent
NEW_WORD = "glimmerwick"
NEW_ARTICLE = """\
---
title: Pair a smart door lock
summary: Add an Orrin door lock to your home with the app and check that it reports its state.
type: howto
category: devices
tags: [lock, pairing]
reviewed: 2026-10-01
---
Keep the lock within three metres of the hub while you pair it.

## Pair the lock {#pair}

1. Open the app and choose **Add device**.
2. Press the lock's pairing button until the light blinks blue.

## If pairing fails {#fails}

Take the batteries out for ten seconds and try again.
"""


def copy_project(target: Path) -> Path:
    """The example help center (``conftest.copy_example``) plus its ticket exports, in ``target``."""
    copy_example(target, also=("examples",))
    return target


def site_files(site: Path) -> dict[str, bytes]:
    return {path.relative_to(site).as_posix(): path.read_bytes() for path in sorted(site.rglob("*")) if path.is_file()}


def assert_same_site(warm: Path, cold: Path) -> None:
    warm_files, cold_files = site_files(warm), site_files(cold)
    assert sorted(warm_files) == sorted(cold_files)
    different = [rel for rel in cold_files if warm_files[rel] != cold_files[rel]]
    assert not different, f"{len(different)} files differ from the cold build, e.g. {different[:5]}"


def search_text(site: Path) -> str:
    """Every file of the static search index, decompressed."""
    parts = []
    for path in sorted((site / "search").rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            parts.append((gzip.decompress(data) if path.suffix == ".gz" else data).decode("utf-8"))
    return "\n".join(parts)


def related_links(site: Path) -> set[str]:
    """The hrefs of every page's related-articles list."""
    links = set()
    for page in site.rglob("*.html"):
        for block in re.findall(r"<nav class=\"deflect-related\".*?</nav>", page.read_text(encoding="utf-8"), re.S):
            links.update(re.findall(r'href="([^"]+)"', block))
    return links


def edit_tree(project: Path) -> None:
    """Edit, add, rename and delete articles (keeping every link valid)."""
    reset = project / "articles" / "en" / "reset-password.md"
    reset.write_text(reset.read_text(encoding="utf-8") + f"\nIf the {NEW_WORD} icon shows, sign out first.\n",
                     encoding="utf-8")
    (project / "articles" / "en" / "pair-a-smart-lock.md").write_text(NEW_ARTICLE, encoding="utf-8")
    (project / "articles" / "en" / "marketing-emails.md").rename(project / "articles" / "en" / "stop-marketing-emails.md")
    cookies = project / "articles" / "en" / "cookies-and-tracking.md"
    cookies.write_text(cookies.read_text(encoding="utf-8").replace("(marketing-emails.md)", "(stop-marketing-emails.md)"),
                       encoding="utf-8")
    for path in (project / "articles").glob("*/place-an-order.md"):
        path.unlink()
    exchange = project / "articles" / "en" / "exchange-an-item.md"
    exchange.write_text(re.sub(r"\[([^]]+)\]\(place-an-order\.md\)", r"\1", exchange.read_text(encoding="utf-8")),
                        encoding="utf-8")


@pytest.mark.slow
def test_incremental_build_equals_cold_build(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    config = project / "mkdocs.yml"
    before = tmp_path / "before"
    build_site(config, before, quiet=True)  # fills the cache
    assert "place-an-order" in (before / "sitemap.xml").read_text(encoding="utf-8")
    assert "place-an-order" in (before / "en" / "orders" / "index.html").read_text(encoding="utf-8")
    assert "place-an-order" in search_text(before)
    assert any("place-an-order" in link for link in related_links(before))

    edit_tree(project)
    warm = tmp_path / "warm"
    build_site(config, warm, quiet=True)
    shutil.rmtree(project / ".deflect")
    cold = tmp_path / "cold"
    build_site(config, cold, quiet=True)
    assert_same_site(warm, cold)

    # The edits reached the site; the deleted article is gone from every list and the index.
    assert NEW_WORD in search_text(warm)
    assert (warm / "en" / "devices" / "pair-a-smart-lock" / "index.html").is_file()
    assert "pair-a-smart-lock" in search_text(warm)
    assert (warm / "en" / "privacy" / "stop-marketing-emails" / "index.html").is_file()
    assert not (warm / "en" / "privacy" / "marketing-emails").exists()
    assert "/marketing-emails/" not in search_text(warm)
    assert not list(warm.rglob("place-an-order"))
    assert "place-an-order" not in (warm / "sitemap.xml").read_text(encoding="utf-8")
    assert "place-an-order" not in search_text(warm)
    assert not any("place-an-order" in link for link in related_links(warm))
    for lang in ("en", "hr", "et", "tl"):
        assert "place-an-order" not in (warm / lang / "orders" / "index.html").read_text(encoding="utf-8")
    for page in warm.rglob("*.html"):
        assert "place-an-order" not in page.read_text(encoding="utf-8"), page


@pytest.mark.slow
def test_warm_and_cold_search_answer_the_same_and_unchanged_shards_keep_their_mtime(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    out = tmp_path / "search"
    HelpCenter.open(project, history=False).search_service.export(out)
    before = {path: (path.stat().st_mtime_ns, path.read_bytes()) for path in out.rglob("*") if path.is_file()}

    edit_tree(project)
    edited = HelpCenter.open(project, history=False)
    center, warm = edited.content, edited.search_service
    warm.export(out)
    cold = SearchService.build(center, cache_dir=tmp_path / "fresh-cache")
    cold.export(tmp_path / "cold-search")
    assert site_files(out) == site_files(tmp_path / "cold-search")
    for query in ("reset password", NEW_WORD, "lozinka", "smart lock pairing", "place an order"):
        assert warm.search(query) == cold.search(query)
    assert warm.search(NEW_WORD)[0].url.startswith("en/account/reset-password/")

    kept = changed = 0
    for path, (mtime, data) in before.items():
        if not path.exists():
            continue
        if path.read_bytes() == data:
            assert path.stat().st_mtime_ns == mtime, path
            kept += 1
        else:
            changed += 1
    assert kept and changed  # the check above could fail both ways
    assert {path.stat().st_mode & 0o777 for path in out.rglob("*.gz")} == {0o644}  # readable by a web server


@pytest.mark.slow
def test_each_warm_export_equals_a_cold_export_and_owns_every_file_it_keeps(tmp_path: Path) -> None:
    """The export reuses the last export's per-term work, files and on-disk state: after an edit, an
    added article, a deletion (which renumbers documents) and a stale file of its own, the search
    folder equals a cold export's, file list and bytes, and ``stats.written`` names every file in it,
    kept or written (a site-folder reuse that deletes unreported files must not lose one)."""
    project = copy_project(tmp_path / "project")
    out = tmp_path / "search"
    HelpCenter.open(project, history=False).search_service.export(out)
    (out / "en" / "t" / "zzzz.json.gz").write_bytes(b"left by an older build")
    reset = project / "articles" / "en" / "reset-password.md"

    def edit() -> None:
        reset.write_text(reset.read_text(encoding="utf-8") + f"\nThe {NEW_WORD} light blinks twice.\n", encoding="utf-8")

    def add() -> None:
        (project / "articles" / "en" / "pair-a-smart-lock.md").write_text(NEW_ARTICLE, encoding="utf-8")

    def delete() -> None:
        edit_tree(project)  # renames and deletes too (documents after them move to other numbers)

    for n, step in enumerate((edit, add, delete)):
        step()
        stats = HelpCenter.open(project, history=False).search_service.export(out)
        cold = tmp_path / f"cold{n}"
        SearchService.build(HelpCenter.open(project, history=False).content,
                            cache_dir=tmp_path / f"fresh{n}").export(cold)
        assert_same_site(out, cold)
        assert sorted(stats.written) == sorted(site_files(out)), step.__name__
    text = search_text(tmp_path)  # the folder ``search`` in tmp_path
    assert NEW_WORD in text and "pair-a-smart-lock" in text
    assert "place-an-order" not in text


@pytest.mark.slow
def test_a_warm_export_reads_only_changed_analyses_and_equals_a_cold_one(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The export keeps what it needs of each document (its postings' sections and excerpts, its
    surface-form votes, its result card) and whole languages whose documents are unchanged: after a
    one-article edit it reads the analyses of the edited document (and of the copies the edit
    changed) only, and after a title change, an edit of a translated article and a synonyms edit the
    folder still equals a cold export's, byte for byte."""
    from deflect.search import cache as search_cache

    project = copy_project(tmp_path / "project")
    out = tmp_path / "search"
    HelpCenter.open(project, history=False).search_service.export(out)
    reset = project / "articles" / "en" / "reset-password.md"
    read: list[str] = []
    rest = search_cache.DocAnalysis.__getattr__

    def counting(self, name: str) -> object:  # the export data of a document analysed earlier was read
        if "_rest" in self.__dict__:
            read.append(self.doc.url)
        return rest(self, name)

    monkeypatch.setattr(search_cache.DocAnalysis, "__getattr__", counting)

    def text() -> None:
        reset.write_text(reset.read_text(encoding="utf-8") + f"\nThe {NEW_WORD} light blinks twice.\n", encoding="utf-8")

    def title() -> None:  # every shard showing the article's result card changes, not only its own terms'
        reset.write_text(reset.read_text(encoding="utf-8").replace("title: Reset your password",
                                                                   "title: Reset a forgotten password"), encoding="utf-8")

    def translated() -> None:
        for path in (project / "articles").glob("*/track-your-order.md"):
            path.write_text(path.read_text(encoding="utf-8") + "\nOrrin 7.\n", encoding="utf-8")

    def synonyms() -> None:
        path = project / "search" / "synonyms.yml"
        path.write_text(path.read_text(encoding="utf-8").replace("  - [parcel, package, shipment]",
                                                                 "  - [parcel, package, shipment, consignment]"),
                        encoding="utf-8")

    for n, step in enumerate((text, title, translated, synonyms)):
        step()
        read.clear()
        service = HelpCenter.open(project, history=False).search_service
        total = sum(map(len, (service.analyses or {}).values()))
        service.export(out)
        if step is text:
            # The edited article was analysed now; of the others only the few whose postings the edit
            # moved are read (each used to be read for every term).
            assert len(read) < total / 10, read
        cold = tmp_path / f"cold{n}"
        SearchService.build(HelpCenter.open(project, history=False).content, cache_dir=tmp_path / f"fresh{n}").export(cold)
        assert_same_site(out, cold)
    text = search_text(tmp_path)  # the folder ``search`` in tmp_path
    assert "Reset a forgotten password" in text and "consignment" in text


@pytest.mark.slow
def test_two_builds_and_gaps_and_search_share_one_cache(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    edit_tree(project)  # sources the cache has never seen
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    cli = [sys.executable, "-m", "deflect.cli"]
    commands = {
        "build 1": [*cli, "build", "--site-dir", str(tmp_path / "site1")],
        "build 2": [*cli, "build", "--site-dir", str(tmp_path / "site2")],
        "gaps": [*cli, "gaps", "--tickets", "examples/tickets.csv"],
        "search": [*cli, "search", NEW_WORD],
    }
    running = {name: subprocess.Popen(command, cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True) for name, command in commands.items()}
    results = {name: (proc.wait(timeout=900), *proc.communicate()) for name, proc in running.items()}
    for name, (code, stdout, stderr) in results.items():
        assert code == 0, f"{name} failed:\n{stderr[-3000:]}"
        assert "Traceback" not in stderr, name
    assert "reset-password" in results["search"][1]

    shutil.rmtree(project / ".deflect")
    build_site(project / "mkdocs.yml", tmp_path / "cold", quiet=True)
    assert_same_site(tmp_path / "site1", tmp_path / "cold")
    assert_same_site(tmp_path / "site2", tmp_path / "cold")


def test_a_cache_held_too_long_gives_a_clear_error(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "DEFLECT_LOCK_TIMEOUT": "1"}
    with locked(project / ".deflect" / "search-public"):
        proc = subprocess.run([sys.executable, "-m", "deflect.cli", "search", "password"], cwd=project, env=env,
                              capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "has held the cache for over 1 s" in proc.stderr
    assert "DEFLECT_LOCK_TIMEOUT" in proc.stderr


def test_a_damaged_cache_is_rebuilt(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    first = HelpCenter.open(project, history=False).search("reset password")
    folder = project / ".deflect" / "search-public"
    (folder / "analysis.pickle").write_bytes(b"not a pickle")
    for generation in folder.glob("index-*"):
        for segment in generation.rglob("*.seg"):
            segment.write_bytes(b"")
    assert HelpCenter.open(project, history=False).search("reset password") == first


@contextmanager
def read_only(folders: list[Path]) -> Iterator[None]:
    """No file can be added to, replaced in or removed from ``folders`` while in the block: by mode
    bits for a normal user, by the immutable attribute for root (whom mode bits do not stop)."""
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", *map(str, folders)], check=True)
    else:
        for folder in folders:
            folder.chmod(0o555)
    try:
        yield
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", *map(str, folders)], check=True)
        else:
            for folder in folders:
                folder.chmod(0o755)


@pytest.mark.slow
def test_a_read_only_cache_slows_the_build_and_warns_once_per_folder(tmp_path: Path,
                                                                      caplog: pytest.LogCaptureFixture) -> None:
    """A project whose ``.deflect/`` cannot be written (a read-only checkout of a built project) builds
    an edited tree as a cold build does; a cache folder that cannot be written is warned about once."""
    project = copy_project(tmp_path / "project")
    config = project / "mkdocs.yml"
    build_site(config, tmp_path / "first", quiet=True)
    _replace(project / "articles" / "en" / "reset-password.md", "\n## ", "\nA sentence about passkeys.\n\n## ")
    cache = project / ".deflect"
    with read_only([cache, *(path for path in cache.rglob("*") if path.is_dir())]), \
            caplog.at_level("WARNING", logger="deflect.cache"):
        build_site(config, tmp_path / "warm", quiet=True)
    warned = [record.getMessage() for record in caplog.records if record.name == "deflect.cache"]
    # (the search cache's warning comes from the search worker, another process)
    assert f"cannot write the cache in {cache} " in " ".join(warned), warned
    assert len(warned) == len(set(warned)), "once per folder"
    shutil.rmtree(cache)
    build_site(config, tmp_path / "cold", quiet=True)
    assert_same_site(tmp_path / "warm", tmp_path / "cold")


@pytest.mark.slow
def test_a_cache_place_taken_by_a_file_only_warns(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A ``.deflect`` that is a regular file (no cache can be made at all) builds the same site as a
    working cache, with a warning; before, the lock and the page packs failed the build."""
    project = copy_project(tmp_path / "project")
    config = project / "mkdocs.yml"
    build_site(config, tmp_path / "cached", quiet=True)
    shutil.rmtree(project / ".deflect")
    (project / ".deflect").write_text("not a folder\n", encoding="utf-8")
    with caplog.at_level("WARNING", logger="deflect.cache"):
        build_site(config, tmp_path / "uncached", quiet=True)
    warned = [record.getMessage() for record in caplog.records if record.name == "deflect.cache"]
    # one warning, naming the cause, not one per cache folder below it
    assert len(warned) == 1 and f"cannot write the cache in {project / '.deflect'} (it is a file" in warned[0], warned
    assert (project / ".deflect").read_text(encoding="utf-8") == "not a folder\n"
    assert_same_site(tmp_path / "uncached", tmp_path / "cached")


def test_weights_from_cached_analysis_equal_whoosh_bm25f(tmp_path: Path) -> None:
    """The build computes term weights from cached analyses instead of a Whoosh index: the same
    floats in the same order, or related articles, the static index and ticket matching would change."""
    center = HelpCenter.open(ROOT, history=False).content
    settings = center.settings
    service = SearchService.build(center, cache_dir=tmp_path / "cache")
    entries = [entry for group in (service.analyses or {}).values() for entry in group]
    docs = [entry.doc for entry in entries]
    analysed = AnalysedIndex([(entry.doc, entry.fields) for entry in entries], settings.codes, {},
                             lambda: pytest.fail("term weights must not need the Whoosh index"))
    whoosh = SearchIndex.build(docs, tmp_path / "index", settings.codes)
    assert analysed.languages == whoosh.languages
    for lang in whoosh.languages:
        records, weights = whoosh.term_weights(lang)
        assert analysed.term_weights(lang)[0] == records
        ours = analysed.term_weights(lang)[1]
        assert list(ours) == list(weights)
        assert all(list(ours[term].items()) == list(per_doc.items()) for term, per_doc in weights.items())


def test_a_glossary_edit_reaches_the_cross_tables_of_a_warm_cache(tmp_path: Path) -> None:
    """A language's cross table derives from the whole corpus and the glossary, not only the untranslated
    documents: a warm cache must not serve a table made with the old glossary."""
    project = copy_project(tmp_path / "project")
    center = HelpCenter.open(project, history=False).content
    query = NEW_WORD  # in no article: only the glossary can make a Croatian query of it find one
    assert SearchService.build(center).search(query, "hr") == []
    glossary = project / "search" / "glossary.yml"
    glossary.write_text(glossary.read_text(encoding="utf-8").replace(
        "  factory reset: [", f"  factory reset: [{NEW_WORD}, ", 1), encoding="utf-8")
    warm = SearchService.build(center)
    cold = SearchService.build(center, cache_dir=tmp_path / "fresh-cache")
    assert warm.fingerprint == cold.fingerprint
    assert warm.search(query, "hr")[0].id == "en/troubleshooting/factory-reset"
    assert warm.search(query, "hr") == cold.search(query, "hr")


def _git(project: Path, *args: str, date: str | None = None) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com"}
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
    subprocess.run(["git", *args], cwd=project, env=env, check=True, capture_output=True)


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _edit_title(project: Path) -> None:
    _replace(project / "articles" / "en" / "reset-password.md", "title: Reset your password",
             "title: Reset a forgotten password")


def _add_rename_delete(project: Path) -> None:
    edit_tree(project)


def _source_then_translation(project: Path) -> None:
    """The English source changes (its translations turn stale), then one translation catches up."""
    _replace(project / "articles" / "en" / "create-account.md", "\n## ", "\nA new first line.\n\n## ")
    _git(project, "commit", "-qam", "source", date="2026-11-01T10:00:00")
    hr = project / "articles" / "hr" / "create-account.md"
    hr.write_text(hr.read_text(encoding="utf-8") + "\nNovi redak.\n", encoding="utf-8")
    _git(project, "commit", "-qam", "translation", date="2026-11-02T10:00:00")


def _edit_categories(project: Path) -> None:
    _replace(project / "articles" / "categories.yml", 'title: "Orders and payments"', 'title: "Orders and paying"')


def _edit_config(project: Path) -> None:
    _replace(project / "mkdocs.yml", "accent: deep orange", "accent: indigo")


def _override_partial(project: Path) -> None:
    _replace(project / "overrides" / "partials" / "copyright.html", "(a fictional company)", "(an invented company)")


@pytest.mark.slow
@pytest.mark.parametrize("steps", [
    (_edit_title, _source_then_translation, _edit_categories),
    (_add_rename_delete, _edit_config, _override_partial),
], ids=["title-translation-categories", "add-rename-delete-config-partial"])
def test_warm_page_cache_equals_a_cold_build_after_each_edit(tmp_path: Path, steps: tuple,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    """After each edit, a build that reuses ``.deflect/pages-*`` (into a fresh site folder) equals,
    byte for byte, a build of the same tree whose page cache was deleted."""
    project = copy_project(tmp_path / "project")
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    _git(project, "commit", "-qm", "start", date="2026-10-01T10:00:00")
    config = project / "mkdocs.yml"
    build_site(config, tmp_path / "first", quiet=True)
    pages = project / ".deflect" / "pages-public"
    for n, step in enumerate(steps):
        step(project)
        caplog.clear()
        with caplog.at_level("INFO", logger="mkdocs"):
            build_site(config, tmp_path / f"warm{n}", quiet=True)
        reused = [int(m) for m in re.findall(r"(\d+) unchanged page steps reused", caplog.text)]
        if step is not _edit_config:  # a new mkdocs.yml may change every page: nothing is reused
            assert reused and reused[0] > 0, f"{step.__name__}: nothing was reused"
        shutil.rmtree(pages)
        build_site(config, tmp_path / f"cold{n}", quiet=True)
        assert_same_site(tmp_path / f"warm{n}", tmp_path / f"cold{n}")
    warm = tmp_path / f"warm{len(steps) - 1}"
    if _edit_categories in steps:
        assert "Orders and paying" in (warm / "en" / "orders" / "index.html").read_text(encoding="utf-8")
        stale_hr = (tmp_path / "warm1" / "hr" / "account" / "create-account" / "index.html").read_text(encoding="utf-8")
        assert "Reset a forgotten password" in (warm / "en" / "account" / "create-account" / "index.html").read_text(
            encoding="utf-8")  # a neighbour's sidebar shows the new title
        assert "deflect-notice--stale" not in stale_hr  # the translation caught up with its source
        stale_et = (tmp_path / "warm1" / "et" / "account" / "create-account" / "index.html").read_text(encoding="utf-8")
        assert "deflect-notice--stale" in stale_et
    if _override_partial in steps:
        assert "(an invented company)" in (warm / "en" / "index.html").read_text(encoding="utf-8")


_CACHE_PROBE = r"""
import sys
from pathlib import Path
from deflect.helpcenter import HelpCenter
from deflect.search.cache import AnalysisCache
project = HelpCenter.open(Path(sys.argv[1]), history=False)
project.search_service  # builds (or reuses) the search cache
print(AnalysisCache(project.cache_dir).version, len(AnalysisCache(project.cache_dir).entries))
"""


def test_the_search_cache_is_reused_by_the_next_process(tmp_path: Path) -> None:
    """A cache written by one process is valid in the next, whatever its string hashing: the
    version key must not depend on the iteration order of sets (PYTHONHASHSEED differs per process)."""
    project = copy_project(tmp_path / "project")
    runs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT / "plugins")}
        proc = subprocess.run([sys.executable, "-c", _CACHE_PROBE, str(project)], env=env, capture_output=True,
                              text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        runs.append(proc.stdout.split())
    assert runs[0][0] == runs[1][0], "the cache version changed between two processes"
    assert int(runs[1][1]) > 0


_DICTIONARY_PROBE = r"""
import sys
from pathlib import Path
from deflect.helpcenter import HelpCenter
from deflect.search.analysis import _lemma_dictionary
project = HelpCenter.open(Path(sys.argv[1]), history=False)
project.search_service
print(_lemma_dictionary.cache_info().currsize)
"""


def test_an_edit_made_of_known_words_loads_no_lemma_dictionary(tmp_path: Path) -> None:
    """Words worked out by earlier builds are kept (``words.pickle``): an edit that repeats words the
    help center already has is analysed without loading any language's dictionary (about 1 s each),
    and one with a new word looks it up without loading a whole dictionary (``lemmas-*.pickle``)."""
    project = copy_project(tmp_path / "project")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "plugins")}

    def loaded() -> int:
        proc = subprocess.run([sys.executable, "-c", _DICTIONARY_PROBE, str(project)], env=env,
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        return int(proc.stdout.split()[-1])

    assert loaded() > 0  # the cold build analyses everything
    article = project / "articles" / "en" / "reset-password.md"
    body = article.read_text(encoding="utf-8")
    article.write_text(body + "\n" + body.split("---", 2)[2].strip().splitlines()[-1] + "\n", encoding="utf-8")
    assert loaded() == 0
    # A word no build saw is looked up word by word, in every language (the untranslated article's
    # copies), through the dictionaries' block indexes the cold build kept: still no dictionary loaded.
    article.write_text(body + f"\nThe {NEW_WORD} screen stays dark.\n", encoding="utf-8")
    assert loaded() == 0
    folder = project / ".deflect" / "search-public"
    (folder / "words.pickle").unlink()
    for index in folder.glob("lemmas-*.pickle"):
        index.unlink()
    article.write_text(body, encoding="utf-8")
    assert loaded() > 0  # without the kept words and indexes the same edit needs the dictionaries


def _stamps(site: Path) -> dict[str, tuple[int, int]]:
    """Each file's (mtime, inode): both stay when a file is not written again."""
    return {path.relative_to(site).as_posix(): (path.stat().st_mtime_ns, path.stat().st_ino)
            for path in site.rglob("*") if path.is_file()}


@pytest.mark.slow
def test_a_warm_build_into_its_own_site_folder_writes_only_changed_pages(tmp_path: Path,
                                                                         caplog: pytest.LogCaptureFixture) -> None:
    """Rebuilt in place (the same site folder), the site equals a build into an empty folder after
    each edit, although unchanged pages are not written again; files changed, deleted or added by
    hand in the site folder are put right, as a cold build would; ``--strict`` still fails."""
    project = copy_project(tmp_path / "project")
    config, site = project / "mkdocs.yml", tmp_path / "site"
    build_site(config, site, quiet=True)
    before = _stamps(site)
    edited, kept, tampered, deleted = ("en/account/reset-password/index.html", "en/orders/place-an-order/index.html",
                                       "hr/index.html", "et/returns/index.html")
    _replace(project / "articles" / "en" / "reset-password.md", "\n## ", "\nA sentence added in the test.\n\n## ")
    with open(site / tampered, "a", encoding="utf-8") as handle:
        handle.write("<!-- edited by hand -->")
    (site / deleted).unlink()
    (site / "stray.txt").write_text("left by hand", encoding="utf-8")
    (site / "en" / "gone" / "old").mkdir(parents=True)
    (site / "en" / "gone" / "old" / "index.html").write_text("an old page", encoding="utf-8")
    with caplog.at_level("INFO", logger="mkdocs"):
        build_site(config, site, quiet=True)
    after = _stamps(site)
    assert after[kept] == before[kept] and after[edited] != before[edited]
    unchanged = [rel for rel in after if rel.endswith(".html") and after[rel] == before.get(rel)]
    assert len(unchanged) > 200, "unchanged pages were written again"
    assert "Page skipped" not in caplog.text
    assert re.search(r"deflect: \d{3} pages kept as they were in .*, 3 written, 2 stale files removed", caplog.text)
    assert not (site / "stray.txt").exists() and not (site / "en" / "gone").exists()
    assert not [path for path in site.iterdir() if path.name.startswith(".")]
    build_site(config, tmp_path / "fresh0", quiet=True)
    assert_same_site(site, tmp_path / "fresh0")

    edit_tree(project)  # an article edited, one added, one renamed, one deleted
    build_site(config, site, quiet=True)
    assert not (site / "en" / "privacy" / "marketing-emails").exists()
    build_site(config, tmp_path / "fresh1", quiet=True)
    assert_same_site(site, tmp_path / "fresh1")

    _edit_config(project)  # every page changes
    (project / "docs" / "about.md").write_text("# About\n\nSee [a missing page](gone.md).\n", encoding="utf-8")
    with pytest.raises(BuildFailed, match="strict"):
        build_site(config, site, strict=True, quiet=True)
    (project / "docs" / "about.md").unlink()
    build_site(config, site, quiet=True)
    assert not (site / "about").exists()
    shutil.rmtree(project / ".deflect")
    build_site(config, tmp_path / "cold", quiet=True)
    assert_same_site(site, tmp_path / "cold")


@pytest.mark.slow
def test_an_export_made_by_other_code_lends_none_of_its_gzip_bytes(tmp_path: Path) -> None:
    """After an upgrade (another code version in ``static.pickle``), the export compresses every
    file again: the folder equals a cold export's, even where the old code compressed the same JSON
    differently (as gzip level 9 did)."""
    import pickle
    import zlib

    project = copy_project(tmp_path / "project")
    out = tmp_path / "search"
    HelpCenter.open(project, history=False).search_service.export(out)
    [path] = (project / ".deflect").glob("*/static.pickle")
    last = load_export(path.parent, pickle.loads(path.read_bytes())[0])
    assert last.files is not None and last.state.langs
    level9 = {rel: gzip.compress(zlib.decompress(packed, 47), compresslevel=9, mtime=0)
              for rel, (_, packed) in last.files.items() if rel.endswith(".gz")}
    assert any(level9[rel] != packed for rel, (_, packed) in last.files.items() if rel in level9)  # they differ
    for lang_state in last.state.langs.values():  # the other code's files, kept as it kept them
        lang_state.files = {rel: (inputs, digest, level9[rel]) for rel, (inputs, digest, _) in lang_state.files.items()}
    last.state.version = "other code"
    save_export(path.parent, "", last.files, last.state, replace(last, stamps={}))
    (project / "articles" / "en" / "reset-password.md").write_text(
        (project / "articles" / "en" / "reset-password.md").read_text(encoding="utf-8") + "\nOne more line.\n",
        encoding="utf-8")
    HelpCenter.open(project, history=False).search_service.export(out)
    cold = tmp_path / "cold"
    SearchService.build(HelpCenter.open(project, history=False).content, cache_dir=tmp_path / "fresh").export(cold)
    assert_same_site(out, cold)


@pytest.mark.slow
def test_an_edit_rewrites_only_the_export_state_of_the_languages_it_changes(tmp_path: Path) -> None:
    """The export keeps each language's state (its documents' votes, terms and files) in a file of
    its own: editing a Croatian article rewrites Croatian's and the list, not the others', and the
    next export still equals a cold one."""
    project = copy_project(tmp_path / "project")
    out = tmp_path / "search"
    HelpCenter.open(project, history=False).search_service.export(out)
    [top] = (project / ".deflect").glob("*/static.pickle")
    states = {path.name: path.stat().st_mtime_ns for path in top.parent.glob("static-*.pickle")}
    assert set(states) == {f"static-{lang}.pickle" for lang in ("en", "hr", "et", "tl")}
    article = project / "articles" / "hr" / "payment-methods.md"
    article.write_text(article.read_text(encoding="utf-8") + f"\nSvjetlo {NEW_WORD} treperi.\n", encoding="utf-8")
    HelpCenter.open(project, history=False).search_service.export(out)
    assert {name for name, mtime in states.items() if (top.parent / name).stat().st_mtime_ns != mtime} == {
        "static-hr.pickle"}
    cold = tmp_path / "cold"
    SearchService.build(HelpCenter.open(project, history=False).content, cache_dir=tmp_path / "fresh").export(cold)
    assert_same_site(out, cold)
    last = load_export(top.parent, pickle.loads(top.read_bytes())[0])
    assert last.fingerprint and sorted(last.state.langs) == ["en", "et", "hr", "tl"]


def _bm25f_loops(docs: list[dict[str, list[str]]]) -> dict[str, dict[int, float]]:
    """The weights as the build computed them before they were worked out as arrays: a loop per posting."""
    import math
    from collections import Counter, defaultdict

    from whoosh.util.numeric import byte_to_length, length_to_byte

    from deflect.search.engine import BM25_B, BM25_K1, FIELD_BOOSTS, TEXT_FIELDS

    count, weights = len(docs), defaultdict(dict)
    for field in TEXT_FIELDS:
        boost, postings, lengths, total = FIELD_BOOSTS[field], defaultdict(list), [], 0
        for number, fields in enumerate(docs):
            total += len(fields[field])
            lengths.append(byte_to_length(length_to_byte(len(fields[field]))))
            for term, frequency in Counter(fields[field]).items():
                postings[term].append((number, frequency))
        average = total / (count or 1) or 1
        norms = [BM25_K1 * ((1 - BM25_B) + BM25_B * length / average) for length in lengths]
        for term in sorted(postings, key=lambda t: t.encode("utf-8")):
            idf = math.log(count / (len(postings[term]) + 1)) + 1
            for number, frequency in postings[term]:
                weight = frequency * boost
                score = idf * ((weight * (BM25_K1 + 1)) / (weight + norms[number]))
                weights[term][number] = weights[term].get(number, 0.0) + score * boost
    return weights


@pytest.mark.parametrize("seed", range(6))
def test_weights_as_arrays_equal_a_loop_per_posting_in_value_and_order(seed: int) -> None:
    """``bm25f_weights`` on varied corpora (empty fields, a term in one field only, words whose UTF-8 order
    differs from their code point order): the same floats, in the same order
    of terms and of documents per term, as the loops it replaced, which the Whoosh test above pins."""
    import random

    from deflect.search.engine import TEXT_FIELDS, bm25f_weights

    rng = random.Random(seed)
    words = ["a", "ab", "z", "é", "ž", "ǆ", "ﬁ", "račun", "paket", "x" * 40, "ℌ", "𝔸"]
    docs = [{field: [rng.choice(words[:rng.randint(1, len(words))]) for _ in range(rng.choice([0, 0, 1, 3, 12, 60]))]
             for field in TEXT_FIELDS} for _ in range(rng.randint(0, 40))]
    expected, got = _bm25f_loops(docs), bm25f_weights(docs)
    assert list(got) == list(expected)
    assert all(list(got[term].items()) == list(per_doc.items()) for term, per_doc in expected.items())
    assert bm25f_weights([]) == {} and bm25f_weights([dict.fromkeys(TEXT_FIELDS, [])]) == {}
