"""Splits a build's search work by language between processes, when a core would otherwise idle.

A build's search worker analyses the new documents and writes the static export while the build's
main process renders pages (with a page helper on the second core): both cores are busy, and a
process forked to share the search work would only add its costs (the fork's copied memory, sending
its results back: 2.6 s of CPU and 0.9 s of a 400-article, 12-language build). Once the main process
has nothing left but to wait for the search (:class:`Helpers`' ``idle``), a core is free: a language's
analyses and its part of the export depend on nothing another language's work makes, so the worker
forks helpers then, which share its memory, and they and the worker take the remaining languages one
at a time from a shared queue until none is left (:func:`each_language`): a language that costs more
(more documents, or the one whose articles changed) does not hold up the others. What the helpers
made is then joined into the worker's state: the files equal those of one process's work byte for
byte, and the cache holds the same entries.
"""
from __future__ import annotations

import array
import fcntl
import os
import termios
from collections.abc import Callable
from typing import Any

from deflect.processes import cores
from deflect.search.engine import SearchIndex
from deflect.search.static import ExportState, Memo, export_files, joined

Start = Callable[[Callable[[], Any]], Callable[[], Any]]
"""Starts work in a process forked now and returns the function that waits for its value."""


class Helpers:
    """How the search work may use other processes: ``start`` forks one for some work now (see
    :data:`Start`), ``idle()`` says whether a core would go unused meanwhile (by default, always)."""

    def __init__(self, start: Start, idle: Callable[[], bool] | None = None) -> None:
        self.start = start
        self.idle = idle or (lambda: True)


def helpers_for(helpers: Helpers | None, languages: int, processes: int = 0) -> int:
    """How many helpers at most to fork for the work of ``languages`` languages in ``processes``
    processes in all (0: one per core): none without ``helpers``, and one language at least each."""
    if helpers is None or languages > 256:  # the queue holds a language's number in one byte
        return 0
    return max(0, min(processes or cores(), languages) - 1)


def each_language(languages: list[str], work: Callable[[str], object], helpers: Helpers, most: int,
                  returned: Callable[[list[str]], Any]) -> list[Any]:
    """``work(lang)`` for every language, in this process and up to ``most`` helpers, each taking the
    next language until none is left; a helper is forked (``helpers.start``) before this process takes
    a language, while more are waiting and ``helpers.idle()``. What ``returned(langs)`` gives in each
    helper once it is done, given the languages it took (what their work made that this process
    needs), helper by helper."""
    queue, feed = os.pipe()  # one byte per language: a read of one byte takes one language (atomically)
    os.write(feed, bytes(range(len(languages))))
    os.close(feed)
    waits: list[Callable[[], Any]] = []
    mine: list[str] = []  # the languages this process took
    forking = [True]  # in this process, not in its helpers

    def take() -> None:
        while True:
            if forking[0] and len(waits) < most and _waiting(queue) > 1 and helpers.idle():
                waits.append(helpers.start(helper))
            taken = os.read(queue, 1)
            if not taken:
                return
            mine.append(languages[taken[0]])
            work(mine[-1])

    def helper() -> Any:  # forked from take(): the languages taken so far are this process's
        forking[0] = False
        mine.clear()
        take()
        return returned(mine)

    try:
        take()
        return [wait() for wait in waits]
    finally:
        os.close(queue)


def _waiting(queue: int) -> int:
    """How many languages the queue still holds (the bytes waiting in its pipe)."""
    count = array.array("i", [0])
    fcntl.ioctl(queue, termios.FIONREAD, count)
    return count[0]


def export_split(index: SearchIndex, synonyms: dict[str, list[list[str]]],
                 progress: Callable[[str], None] | None, *, analyses: dict[str, list], memo: Memo,
                 state: ExportState, previous: dict[str, tuple[str, bytes]] | None = None,
                 helpers: Helpers | None = None, processes: int = 0, keys: dict[str, list[str]] | None = None,
                 stamps: dict[str, str] | None = None) -> dict[str, tuple[str, bytes]]:
    """``export_files`` of ``index`` (same arguments), split by language between processes (see
    :func:`each_language`); ``memo`` and ``state`` end as after one export, ``state`` without the
    languages the index no longer has."""
    languages = list(index.languages)
    for lang in set(state.langs) - set(languages):  # the state of a language the site no longer has
        del state.langs[lang]
    most = helpers_for(helpers, len(languages), processes)
    if helpers is None or not most:
        return export_files(index, synonyms, progress, analyses=analyses, previous=previous, memo=memo, state=state,
                            keys=keys, stamps=stamps)
    for source in sorted({table.source for table in index.cross.values() if table.docs}):
        index.term_weights(source)  # every language with untranslated articles reads them: once, before the forks
    parts: dict[str, tuple[dict[str, tuple[str, bytes]], Any]] = {}
    added: dict[str, list[str]] = {}  # per language: the memo entries its export used first

    def part(lang: str) -> None:
        before = set(memo.used)
        files = export_files(index, synonyms, progress, analyses=analyses, previous=previous, memo=memo,
                             state=state, keys=keys, stamps=stamps, languages=[lang])
        parts[lang] = files, state.langs[lang]
        added[lang] = [key for key in memo.used if key not in before]

    def made(langs: list[str]) -> tuple[Any, ...]:  # in a helper: its parts, and what its exports added to the memo
        used = [key for lang in langs for key in added[lang]]  # (the rest came from the worker, which has it)
        kept = [key for key in used if memo.saved.get(key) is memo.used[key]]
        fresh = {key: memo.used[key] for key in used if memo.saved.get(key) is not memo.used[key]}
        return {lang: parts[lang] for lang in langs}, kept, fresh

    for done, kept, fresh in each_language(languages, part, helpers, most, made):
        parts.update(done)
        memo.used.update({key: memo.saved[key] for key in kept})  # the saved objects: memo.changed stays False
        memo.used.update(fresh)
    state.langs.update((lang, parts[lang][1]) for lang in languages)
    if progress:
        progress(f"search index: the parts of {len(languages)} languages joined")
    return joined([parts[lang][0] for lang in languages])
