"""Splits a static export by language between processes, so that a build's last seconds use every core.

A build's search worker writes the static export after the index, usually when the build's main
process has finished its pages and waits: one core idles. Each language's part of the export
(:func:`deflect.search.static.export_files` with ``languages``) depends only on the index, so
processes forked from the worker (they share its memory) and the worker itself take the languages
one at a time from a shared queue until none is left: a language that costs more (the one whose
articles changed) does not hold up the others. The parts' files, per-language states and memo
entries are then joined: the files equal those of one process's export byte for byte.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from deflect.search.engine import SearchIndex
from deflect.search.static import ExportState, Memo, export_files, joined

Start = Callable[[Callable[[], Any]], Callable[[], Any]]
"""Starts work in a process forked now and returns the function that waits for its value."""


def export_split(index: SearchIndex, synonyms: dict[str, list[list[str]]],
                 progress: Callable[[str], None] | None, *, analyses: dict[str, list], memo: Memo,
                 state: ExportState, previous: dict[str, tuple[str, bytes]] | None = None,
                 start: Start | None = None, processes: int = 0) -> dict[str, tuple[str, bytes]]:
    """``export_files`` of ``index`` (same arguments) in ``processes`` processes (0: one per core;
    this one and helpers made with ``start``). ``memo`` and ``state`` end as after one export."""
    languages = list(index.languages)
    helpers = min(processes or _cores(), len(languages)) - 1 if start is not None else 0
    if helpers < 1 or len(languages) > 256:
        return export_files(index, synonyms, progress, analyses=analyses, previous=previous, memo=memo, state=state)
    queue, feed = os.pipe()  # one byte per language: a read of one byte takes one language (atomic)
    os.write(feed, bytes(range(len(languages))))
    os.close(feed)

    def take() -> dict[str, tuple[Any, ...]]:
        done = {}
        while taken := os.read(queue, 1):
            lang = languages[taken[0]]
            done[lang] = (export_files(index, synonyms, progress, analyses=analyses, previous=previous, memo=memo,
                                       state=state, languages=[lang]), state.langs[lang])
        return done

    def helper() -> tuple[Any, ...]:  # in a forked copy of memo and state: what the export added to them
        done = take()
        kept = [key for key, value in memo.used.items() if memo.saved.get(key) is value]
        fresh = {key: value for key, value in memo.used.items() if memo.saved.get(key) is not value}
        return done, kept, fresh

    assert start is not None
    try:
        waits = [start(helper) for _ in range(helpers)]
        parts = take()
        for wait in waits:
            done, kept, fresh = wait()
            parts.update(done)
            memo.used.update({key: memo.saved[key] for key in kept})  # the saved objects: memo.changed stays False
            memo.used.update(fresh)
    finally:
        os.close(queue)
    if progress:
        progress(f"search index: the parts of {len(languages)} languages joined")
    state.langs.update((lang, parts[lang][1]) for lang in languages)
    for lang in set(state.langs) - set(languages):
        del state.langs[lang]
    return joined([parts[lang][0] for lang in languages])


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
