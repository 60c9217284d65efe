"""Splits a build's search work by language between processes, so that it uses every core.

A build's search worker analyses the new documents and writes the static export while the build's
main process renders pages, and the main process usually finishes first: one core idles. A
language's analyses and its part of the export depend on nothing another language's work makes,
so processes forked from the worker (they share its memory) and the worker itself take the
languages one at a time from a shared queue until none is left (:func:`each_language`): a language
that costs more (more documents, or the one whose articles changed) does not hold up the others.
What the helpers made is then joined into the worker's state: the files equal those of one
process's work byte for byte, and the cache holds the same entries.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from deflect.search.engine import SearchIndex
from deflect.search.static import ExportState, Memo, export_files, joined

Start = Callable[[Callable[[], Any]], Callable[[], Any]]
"""Starts work in a process forked now and returns the function that waits for its value."""


def helpers_for(start: Start | None, languages: int, processes: int = 0) -> int:
    """How many helpers to fork for the work of ``languages`` languages in ``processes`` processes
    in all (0: one per core): none without ``start``, and one language at least each."""
    if start is None or languages > 256:  # the queue holds a language's number in one byte
        return 0
    return max(0, min(processes or _cores(), languages) - 1)


def each_language(languages: list[str], work: Callable[[str], object], start: Start, helpers: int,
                  returned: Callable[[], Any]) -> list[Any]:
    """``work(lang)`` for every language, in this process and ``helpers`` processes made with
    ``start``, each taking the next language until none is left; what ``returned()`` gives in each
    helper once it is done (what its work made that this process needs), helper by helper."""
    queue, feed = os.pipe()  # one byte per language: a read of one byte takes one language (atomically)
    os.write(feed, bytes(range(len(languages))))
    os.close(feed)

    def take() -> None:
        while taken := os.read(queue, 1):
            work(languages[taken[0]])

    def helper() -> Any:
        take()
        return returned()

    try:
        waits = [start(helper) for _ in range(helpers)]
        take()
        return [wait() for wait in waits]
    finally:
        os.close(queue)


def export_split(index: SearchIndex, synonyms: dict[str, list[list[str]]],
                 progress: Callable[[str], None] | None, *, analyses: dict[str, list], memo: Memo,
                 state: ExportState, previous: dict[str, tuple[str, bytes]] | None = None,
                 start: Start | None = None, processes: int = 0, keys: dict[str, list[str]] | None = None,
                 stamps: dict[str, str] | None = None) -> dict[str, tuple[str, bytes]]:
    """``export_files`` of ``index`` (same arguments), split by language between processes (see
    :func:`helpers_for`); ``memo`` and ``state`` end as after one export, ``state`` without the
    languages the index no longer has."""
    languages = list(index.languages)
    for lang in set(state.langs) - set(languages):  # the state of a language the site no longer has
        del state.langs[lang]
    helpers = helpers_for(start, len(languages), processes)
    if start is None or not helpers:
        return export_files(index, synonyms, progress, analyses=analyses, previous=previous, memo=memo, state=state,
                            keys=keys, stamps=stamps)
    parts: dict[str, tuple[dict[str, tuple[str, bytes]], Any]] = {}

    def part(lang: str) -> None:
        files = export_files(index, synonyms, progress, analyses=analyses, previous=previous, memo=memo,
                             state=state, keys=keys, stamps=stamps, languages=[lang])
        parts[lang] = files, state.langs[lang]

    def made() -> tuple[Any, ...]:  # in a helper: its parts, and what its exports added to the memo
        kept = [key for key, value in memo.used.items() if memo.saved.get(key) is value]
        fresh = {key: value for key, value in memo.used.items() if memo.saved.get(key) is not value}
        return parts, kept, fresh

    for done, kept, fresh in each_language(languages, part, start, helpers, made):
        parts.update(done)
        memo.used.update({key: memo.saved[key] for key in kept})  # the saved objects: memo.changed stays False
        memo.used.update(fresh)
    state.langs.update((lang, parts[lang][1]) for lang in languages)
    if progress:
        progress(f"search index: the parts of {len(languages)} languages joined")
    return joined([parts[lang][0] for lang in languages])


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
