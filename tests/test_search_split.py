"""A build's search work split by language between processes (``deflect.search.split``): the
analyses and the static export equal one process's, cold and warm (files, cache, export state and
memo); a helper's failure reaches the build as one line; helpers end with the worker."""

from __future__ import annotations

import itertools
import os
import pickle
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import forms_of
from deflect.helpcenter import HelpCenter
from deflect.search import service, split
from deflect.search.cache import AnalysisCache
from deflect.search.background import Helper, SearchJob, SearchJobError
from deflect.search.service import SearchService
from deflect.search.static import load_export
from test_incremental_build import NEW_WORD, assert_same_site, copy_project


def _start(work: Any) -> Any:
    return Helper(work).result


@pytest.mark.slow
@pytest.mark.parametrize("fork", ["early", "late"])
def test_split_analysis_and_export_equal_one_process_cold_and_warm(fork: str, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Helpers forked before the first language, or late (a core found idle only at every third
    check): a late helper has this process's earlier work in its memory, and gives back only its own."""
    monkeypatch.setattr(split, "cores", lambda: 3)  # this process and two helpers, whatever the machine
    monkeypatch.setattr(service, "MIN_SPLIT", 1)  # the example has few documents
    exported = split.export_files

    def slow_export(*args: Any, **options: Any) -> Any:
        # A warm language's export can take less than a helper's start: then this process takes every
        # language before a helper reads the queue (right for a build, which is then done sooner). Each
        # language takes a quarter of a second here, so that the helpers' part is exercised every time.
        if options.get("languages"):
            time.sleep(0.25)
        return exported(*args, **options)

    monkeypatch.setattr(split, "export_files", slow_export)
    project = copy_project(tmp_path / "project")
    log = tmp_path / "progress.log"

    def progress(message: str) -> None:  # called in the helpers too: a file sees every process
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()} {message}\n")

    def export(name: str, **options: Any) -> None:
        content = HelpCenter.open(project, history=False).content
        built = SearchService.build(content, cache_dir=tmp_path / f"cache-{name}", helpers=options.get("helpers"))
        built.export(tmp_path / name, **options)

    reset = project / "articles" / "en" / "reset-password.md"
    for step in ("cold", "warm"):
        if step == "warm":  # a new word: the edited language's export redoes its expansions
            reset.write_text(reset.read_text(encoding="utf-8") + f"\nThe {NEW_WORD} light blinks.\n", encoding="utf-8")
        log.unlink(missing_ok=True)
        export("one")
        ticks = itertools.count()
        idle = (lambda: next(ticks) % 3 == 2) if fork == "late" else None
        export("split", progress=progress, helpers=split.Helpers(_start, idle))
        assert_same_site(tmp_path / "split", tmp_path / "one")
        lines = [line.split() for line in log.read_text(encoding="utf-8").splitlines() if " documents, " in line]
        assert len({line[0] for line in lines}) >= 2, step  # languages were exported in more than one process
        assert sorted(line[3] for line in lines) == ["en:", "et:", "hr:", "tl:"], step  # a line per language
        # The joined per-language state and memo are one process's: the next export reuses the same work.
        version = AnalysisCache(tmp_path / "cache-one").version
        one, parts = (load_export(tmp_path / f"cache-{name}", version) for name in ("one", "split"))
        assert one.files == parts.files and one.state.langs == parts.state.langs and one.state.langs, step
        memos = [pickle.loads((tmp_path / f"cache-{name}" / "memo.pickle").read_bytes()) for name in ("one", "split")]
        assert memos[0] == memos[1], step
        caches = [AnalysisCache(tmp_path / f"cache-{name}") for name in ("one", "split")]
        analyses = [{key: pickle.loads(data) for key, data in cache.entries.items()} for cache in caches]
        assert analyses[0] == analyses[1] and caches[0].extras.keys() == caches[1].extras.keys(), step


def test_helpers_start_only_while_a_core_idles_and_languages_wait() -> None:
    """``each_language`` forks a helper before it takes a language, only while ``idle()`` and while two
    languages or more wait (the one it takes, one for the helper); a helper forked late gives back what
    its own languages made, not what this process made before it forked."""
    languages = ["en", "hr", "et", "tl", "de", "fi"]
    pids: dict[str, int] = {}

    def work(lang: str) -> None:
        pids[lang] = os.getpid()

    def returned(langs: list[str]) -> dict[str, int]:
        return {lang: pids[lang] for lang in langs}

    forked: list[int] = []

    def start(job: Any) -> Any:
        forked.append(len(pids))  # how many languages this process had taken by then
        return Helper(job).result

    never = split.each_language(languages, work, split.Helpers(start, lambda: False), 1, returned)
    assert never == [] and forked == [] and set(pids.values()) == {os.getpid()}  # a busy core: no helper

    pids.clear()
    checks = iter([False, False, False])  # idle from the fourth language on
    late = split.each_language(languages, work, split.Helpers(start, lambda: next(checks, True)), 1, returned)
    assert forked == [3] and len(late) == 1
    assert set(late[0]) | set(pids) == set(languages) and not set(late[0]) & {"en", "hr", "et"}
    assert all(pid != os.getpid() for pid in late[0].values())

    pids.clear()
    forked.clear()
    assert split.each_language(["en"], work, split.Helpers(start), 1, returned) == [] and forked == []  # one waits


def _bug() -> None:
    raise KeyError("lang")


def test_a_helper_failure_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(SearchJobError, match=r"^a search helper failed: KeyError: 'lang'$"):
        Helper(_bug).result()
    with pytest.raises(SearchJobError, match=r"^a search helper stopped unexpectedly \(exit code -9\)$"):
        Helper(lambda: os.kill(os.getpid(), signal.SIGKILL)).result()
    assert Helper(lambda: {"en": b"\x00" * 100_000}).result() == {"en": b"\x00" * 100_000}


class _Service:
    """What a SearchJob needs of a search service; its export hands work to a helper."""

    count = 1

    def __init__(self, work: Any) -> None:
        self.work = work

    def related_all(self, limit: int) -> dict:
        return {}

    def export(self, out: Path, progress: Any = None, *, helpers: Any = None) -> Any:
        return helpers.start(self.work)()


def test_a_helper_failure_reaches_the_build_as_its_own_line(tmp_path: Path) -> None:
    job = SearchJob(lambda helpers: _Service(_bug), 5, tmp_path / "search").start()
    with pytest.raises(SearchJobError, match=r"^a search helper failed: KeyError: 'lang'$"):
        job.finish()


@pytest.mark.parametrize("end", ["cancel", "kill"])
def test_helpers_end_with_the_worker(end: str, tmp_path: Path) -> None:
    """A cancelled worker ends its helpers; so does a worker killed outright (SIGKILL runs none of
    its code), so that no helper keeps the cache lock."""
    pid_file = tmp_path / "helper.pid"

    def endless() -> None:
        pid_file.write_text(str(os.getpid()))
        while True:
            time.sleep(0.05)

    job = SearchJob(lambda helpers: _Service(endless), 5, tmp_path / "search").start()
    job.release()
    job.indexed()
    for _ in range(200):
        if pid_file.exists() and pid_file.read_text():
            break
        time.sleep(0.05)
    helper = int(pid_file.read_text())
    if end == "kill":
        os.kill(job._process.pid, signal.SIGKILL)
    job.cancel()
    for _ in range(100):
        if not _running(helper):
            break
        time.sleep(0.05)
    else:
        pytest.fail(f"helper {helper} still runs after the worker ended ({end})")


def _running(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie nobody reaped yet has ended)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


def test_a_helper_gives_back_the_lemma_dictionaries_it_read() -> None:
    """The analysis helpers send the dictionaries they read whole back to the worker, whose export
    (expansions) needs them whole: they answer as the dictionary read here."""
    from deflect.search import lemmas
    from deflect.search.analysis import known_dictionaries, seed_dictionaries

    read_here = lemmas.load("hbs")
    del lemmas._whole["hbs"]

    def analyse() -> Any:
        lemmas.load("hbs")  # as the helper's analysis of Croatian reads it
        return known_dictionaries(["hr"])

    found = Helper(analyse).result()
    assert set(found) == {"hbs"} and "hbs" not in lemmas._whole
    seed_dictionaries(found)
    adopted = lemmas.whole("hbs")
    assert adopted is found["hbs"] and isinstance(adopted, lemmas.Dictionary)
    assert adopted.lemmas() == read_here.lemmas()
    some = set(read_here.lemmas()[::97])
    assert forms_of(adopted, some) == forms_of(read_here, some)
    for form in (b"lozinke", b"kompjutorskog", b"no-such-form"):
        assert adopted.get(form) == read_here.get(form)
