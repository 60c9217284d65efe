"""Pages rendered on the second core: the MkDocs side of ``site.page_helper``.

MkDocs renders a build's pages in two passes, each in the order of ``files.documentation_pages()``:
Markdown → HTML for every page (``_populate_page``), then the template of every page
(``_build_page``). Each pass is a :class:`Phase` of the page cache: when the pass misses the cache
enough (a cold build, a new theme, not a warm build or a ``serve`` rebuild of a few pages) and a core
is free (``processes.core_free``: not while the search worker keeps the second one busy), it forks
a page helper that renders the pass's pages from the last one down, through the same MkDocs steps
and plugin events as main, stopping where main is, and sends its cache entries back. Main still
runs every event of every page; only its Markdown render and its template render answer from the
entries, by keys main computes, so the site is byte for byte what a build without a helper makes,
and the log records a render made are logged by main when it uses the entry (exactly once).
``DEFLECT_PAGE_HELPER=0`` turns helpers off; ``mkdocs build -v`` puts them on the build's timeline.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Sequence
from typing import Any

from mkdocs.commands.build import _populate_page, get_context
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from ..processes import Progress, core_free, timeline_entry
from ..site.page_helper import SplitRun, helper_allowed, worth_a_helper
from ..site.pagecache import PageCache

log = logging.getLogger("mkdocs.plugins.deflect.pages")


class Phase:
    """One pass over the pages (``name``: what it renders) with its helper, if it forks one;
    ``render(file)`` runs the pass's steps for one page in the helper."""

    def __init__(self, cache: PageCache, name: str, files: Sequence[File], render: Callable[[File], None] | None,
                 trace: Callable[[str], None]) -> None:
        self.cache, self.name, self.files, self.render, self.trace = cache, name, files, render, trace
        self.index = {file.src_uri: number for number, file in enumerate(files)}
        self.seen = self.missed = 0
        self.run: SplitRun | None = None
        self.helped_before = 0  # the cache's count of lookups adopted entries answered, when the helper started
        self.allowed = render is not None and helper_allowed()
        # A pass over 1,000 pages or more says how far it is (the helper's share from the end included)
        self.progress = Progress(f"pages, {name} pass", len(files), "pages", lambda said: log.info(f"deflect: {said}"))

    def get(self, page: Page, key: str) -> Any | None:
        """The cache's value for ``key`` of ``page`` (waiting for the helper if it took the page)."""
        number = self.index.get(page.file.src_uri)
        if number is None:
            return self.cache.get(key)
        if self.progress.on:
            self.progress.tick(number + 1 + (self.run.helper_share() if self.run is not None else 0))
        if self.run is not None:
            self.run.reach(number)
        value = self.cache.get(key)
        self.seen += 1
        if value is None:
            self.missed += 1
            if self.allowed and worth_a_helper(self.seen, self.missed, len(self.files) - number - 1) and core_free():
                self._start(number)
        return value

    def _start(self, number: int) -> None:
        self.allowed = False
        run = SplitRun(len(self.files), number + 1, self._prepare, self._work, self.cache.adopt)
        if run.start():
            self.run, self.helped_before = run, self.cache.helped
            self.trace(f"page helper {run.pid} started: {self.name} of pages {number + 2}-{len(self.files)}, "
                       "from the last one down")

    def _prepare(self) -> None:
        """First thing in the helper: look things up plainly, and collect what is rendered."""
        self.allowed, self.run = False, None
        self.cache.outbox = {}
        for file in self.files:
            if file.page is not None:
                file.page.active = False  # main was building one when it forked

    def _work(self, number: int) -> dict[str, bytes]:
        assert self.render is not None
        file = self.files[number]
        self.render(file)
        # Its folder too (main writes the page): making folders is slow on some filesystems (0.8 ms each)
        os.makedirs(os.path.dirname(file.abs_dest_path), exist_ok=True)
        return self.cache.take()

    def finish(self) -> None:
        """Main is through the pass: the helper ends; what it did goes on the timeline."""
        self.progress.finish()
        run, self.run, self.allowed = self.run, None, False
        if run is None:
            return
        pid = run.pid
        run.finish()
        done, useful, cpu = run.report or (0, 0, 0.0)
        ended = f", it ended {time.perf_counter() - run.ended_at:.2f}s before main" if run.ended_at else ""
        self.trace(f"page helper {pid}: {self.name} of {done} pages rendered there "
                   f"({useful} new, CPU {cpu:.1f}s{ended}); main took {run.taken} of them from it, "
                   f"{self.cache.helped - self.helped_before} answered by its renders (waited {run.waited:.2f}s)")


class Split:
    """The two passes of each build of a page cache: ``markdown`` from :meth:`begin` (``on_nav``),
    ``templates`` from :meth:`templates_begin` (``on_env``, after the first pass) to :meth:`end`."""

    def __init__(self, cache: PageCache, *, serving: bool) -> None:
        self.cache, self.serving = cache, serving
        self.markdown = self.templates = Phase(cache, "", [], None, _untraced)  # no pass yet: no helper
        self.args: tuple[Any, Files, Navigation | None, Callable[[str], None]] | None = None

    def begin(self, config: Any, files: Files, nav: Navigation | None) -> None:
        self.end()  # a build that failed (mkdocs serve) may have left one
        self.args = (config, files, nav, _timeline(config))
        self.markdown = self.templates = markdown_phase(self.cache, config, files, self.serving, self.args[3])

    def templates_begin(self, env: Any, names: tuple[str, ...]) -> None:
        """The template pass begins: a helper renders the pages whose template is one of ``names`` (those the
        page cache keeps, through which its renders reach the build)."""
        self.markdown.finish()
        self.templates = Phase(self.cache, "", [], None, _untraced)
        if self.args is not None:
            self.templates = template_phase(self.cache, *self.args[:3], env, self.serving, self.args[3], names)

    def end(self) -> None:
        """The build is done, or failed: no helper is left."""
        self.markdown.finish()
        self.templates.finish()


def _untraced(event: str) -> None:
    """The trace of a placeholder phase (no pass yet), which never forks a helper: nothing to note."""


def _timeline(config: Any) -> Callable[[str], None]:
    """Notes on the search job's timeline (``mkdocs build -v``), or on the debug log."""
    job = getattr(config.plugins.get("deflect/search"), "job", None)
    return job.note if job is not None else lambda event: log.debug(timeline_entry("main", event))


def markdown_phase(cache: PageCache, config: Any, files: Files, serving: bool, trace: Callable[[str], None]) -> Phase:
    """Markdown → HTML of every page, as MkDocs' first pass does it (its events, then ``page.render``)."""
    pages = files.documentation_pages(inclusion=_inclusion(serving))

    def render(file: File) -> None:
        if file.page is None and file.inclusion.is_not_in_nav():
            Page(None, file, config)
        if file.page is not None:
            _populate_page(file.page, config, files)

    return Phase(cache, "Markdown", pages, render, trace)


def template_phase(cache: PageCache, config: Any, files: Files, nav: Navigation | None, env: Any, serving: bool,
                   trace: Callable[[str], None], names: tuple[str, ...] = ("main.html",)) -> Phase:
    """The template of every page whose template is one of ``names`` (those kept in the page cache), as
    MkDocs' second pass renders it (its context, then the template), without writing: main writes every
    page, and renders the others itself."""
    pages = files.documentation_pages(inclusion=_inclusion(serving))

    def render(file: File) -> None:
        page = file.page
        if page is None or nav is None or file.inclusion.is_excluded():
            return  # a draft's template shows a marker main adds: main renders it
        name = page.meta.get("template", "main.html")
        if name not in names:
            return  # not kept in the page cache (a light fallback page's): a render here would not reach main
        config._current_page = page
        page.active = True
        try:
            context = get_context(nav, pages, config, page)
            template = env.get_template(name)
            context = config.plugins.on_page_context(context, page=page, config=config, nav=nav)
            template.render(context)
        finally:
            page.active = False
            config._current_page = None

    return Phase(cache, "templates", pages, render if nav is not None else None, trace)


def _inclusion(serving: bool) -> Callable[[InclusionLevel], bool]:
    return InclusionLevel.is_in_serve if serving else InclusionLevel.is_included
