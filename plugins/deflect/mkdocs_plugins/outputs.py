"""Unchanged output files survive a rebuild: the MkDocs side of ``site.outputs`` (``mkdocs build`` and ``serve``).

A mixin of the content plugin. Its hooks run around everyone else's: the folder's entries are put
aside first thing in ``on_pre_build`` (before MkDocs' clean) and get their names back first thing in
``on_files`` (before the search worker starts writing into ``search/``); a page is compared with its
file last thing in ``on_post_page`` (after every plugin changed its output) and, when equal, its
output becomes empty, which makes MkDocs skip the write; the stale files go last thing in
``on_post_build``, after the sitemap and the search export are written. Past a build's first pages,
the pages to write go to the page writer (``site.page_writer``) at the very end of ``on_post_page``,
again as an empty output for MkDocs, and the build waits for the writer first thing in ``on_post_build``.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import CombinedEvent, event_priority, get_plugin_logger
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.utils import write_file

from ..cachefiles import cache_folder
from ..processes import resume_full_collections
from ..site.outputs import KeptOutputs, manifest_name
from ..site.page_writer import AFTER, PageWriteError, PageWriter, writer_allowed

log = get_plugin_logger(__name__)
EXACT_FOLDERS = {"deflect/search": "search"}
"""Folders a plugin keeps holding exactly its files (rewriting only changed ones): left to it."""


class _KeptPages(logging.Filter):
    """Drops MkDocs' "Page skipped … Generated empty output." for the pages kept as they were or given to the writer."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        return not self.messages or record.getMessage() not in self.messages


class OutputReuse:
    """Mixed into the content plugin (its ``center``, ``serving`` and ``config.enabled`` tell what to do)."""

    kept_outputs: KeptOutputs | None = None
    _kept_filter: _KeptPages | None = None
    _writer: PageWriter | None = None
    _written_here = 0  # pages of this build to write before a writer started (MkDocs wrote the first AFTER)
    _writer_failed = False  # no writer could be started this build: MkDocs writes the rest
    _encoded: tuple[str, bytes] | None = None  # the last page's output, and its bytes (encoded once)

    @event_priority(100)
    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        center = getattr(self, "center", None)
        if center is None or not self.config.enabled:  # type: ignore[attr-defined]
            self.kept_outputs = None
            return
        site = Path(config.site_dir)
        if getattr(self, "serving", False):  # one temporary folder per server: kept in memory
            if self.kept_outputs is None or self.kept_outputs.manifest is not None or self.kept_outputs.site != site:
                self.kept_outputs = KeptOutputs(None)
        else:
            folder = cache_folder(center.settings.root, center.settings.audience, "outputs")
            self.kept_outputs = KeptOutputs(folder / manifest_name(site))
        self._drop_filter()  # one left by a build that ended without on_post_build or on_build_error
        self._close_writer(abandon=True)
        self._written_here, self._writer_failed = 0, False
        self._kept_filter = _KeptPages()
        logging.getLogger("mkdocs.commands.build").addFilter(self._kept_filter)
        self.kept_outputs.begin(site, Path(config.docs_dir))

    @event_priority(100)
    def _restore_outputs(self, files: Files, *, config: MkDocsConfig) -> None:
        if self.kept_outputs is not None:
            self.kept_outputs.restore()

    @event_priority(-100)
    def _keep_output(self, output: str, *, page: Page, config: MkDocsConfig) -> str | None:
        if self.kept_outputs is None or not output.strip():
            return None
        data = output.encode("utf-8", errors="xmlcharrefreplace")  # as MkDocs writes it
        self._encoded = (output, data)  # the writer's bytes too, unless a later plugin changes the page
        if not self.kept_outputs.unchanged(page.file.dest_uri, data):
            return None
        return self._skipped(page)

    @event_priority(-10_000)  # last: after deflect/search fills the related-articles slot (-110), and any plugin
    def _write_output(self, output: str, *, page: Page, config: MkDocsConfig) -> str | None:
        """Past the first pages of a build, the page writer (``site.page_writer``) writes each page's
        file instead of MkDocs: the same bytes, off this process."""
        if self._kept_filter is None or not output.strip():
            return None
        writer = self._page_writer()
        if writer is None:
            return None
        encoded, self._encoded = self._encoded, None
        data = encoded[1] if encoded is not None and encoded[0] is output else None
        self._put(writer, page.file.abs_dest_path,
                  data if data is not None else output.encode("utf-8", errors="xmlcharrefreplace"))
        return self._skipped(page)

    def _page_writer(self) -> PageWriter | None:
        """The page writer for the next page to write, started past a build's first pages (None: the
        caller writes the page: one of the first, none could start, or ``DEFLECT_PAGE_WRITER=0``)."""
        if self._writer is None:
            self._written_here += 1
            if self._written_here <= AFTER or self._writer_failed or not writer_allowed():
                return None
            try:
                self._writer = PageWriter()
            except OSError:
                self._writer_failed = True  # no process to start (tried once): MkDocs writes the rest
                return None
        return self._writer

    def _put(self, writer: PageWriter, path: str, data: bytes) -> None:
        try:
            writer.put(path, data)
        except PageWriteError as exc:
            self._writer = None
            raise PluginError(f"deflect/content: {exc}") from exc

    def _write_own(self, rel: str, path: str, output: str) -> None:
        """Write a page the plugin made itself (``rel`` in the site, at ``path``) as MkDocs' pages are:
        not at all when its file holds these bytes already, else through the page writer."""
        data = output.encode("utf-8", errors="xmlcharrefreplace")
        if self.kept_outputs is not None and self.kept_outputs.unchanged(rel, data):
            return
        writer = self._page_writer() if self._kept_filter is not None else None
        if writer is not None:
            self._put(writer, path, data)
        else:
            write_file(data, path)

    on_post_page = CombinedEvent(_keep_output, _write_output)

    def _skipped(self, page: Page) -> str:
        """The empty output that makes MkDocs write nothing for ``page``, its log line filtered out."""
        assert self._kept_filter is not None
        self._kept_filter.messages.add(f"Page skipped: '{page.file.src_uri}'. Generated empty output.")
        return ""

    @event_priority(100)  # first: the related-articles fill and the manifest read the written files
    def _flush_pages(self, *, config: MkDocsConfig) -> None:
        try:
            self._close_writer()
        except PageWriteError as exc:
            raise PluginError(f"deflect/content: {exc}") from exc

    def _close_writer(self, *, abandon: bool = False) -> None:
        writer, self._writer = self._writer, None
        if writer is None:
            return
        if abandon:
            writer.abandon()
        else:
            log.debug(f"deflect: the page writer wrote {writer.close()} pages (MkDocs the {AFTER} before them)")

    @event_priority(-100)
    def _finish_outputs(self, *, config: MkDocsConfig) -> None:
        kept = self.kept_outputs
        if kept is None or not kept.active:
            self._drop_filter()
            return
        exact = tuple(folder for name, folder in EXACT_FOLDERS.items() if _ran(config, name))
        removed = kept.finish(exact)
        self._drop_filter()
        log.info(f"{len(kept.kept)} pages kept as they were in {config.site_dir}, {len(kept.pages) - len(kept.kept)} "
                 f"written, {removed} stale files removed")

    @event_priority(-100)  # after every other plugin's on_post_build: a full collection then searches the whole build
    def _collect_again(self, *, config: MkDocsConfig) -> None:
        resume_full_collections()  # (paused in on_config: processes.pause_full_collections)

    def on_build_error(self, *, error: Exception) -> None:
        resume_full_collections()
        self._close_writer(abandon=True)
        if self.kept_outputs is not None:
            self.kept_outputs.abandon()
        self._drop_filter()
        reuse = getattr(self, "page_cache", None)  # no page helper outlives a failed build
        if reuse is not None:
            reuse.split.end()

    def _drop_filter(self) -> None:
        if self._kept_filter is not None:
            logging.getLogger("mkdocs.commands.build").removeFilter(self._kept_filter)
            self._kept_filter = None


def _ran(config: MkDocsConfig, name: str) -> bool:
    """Whether plugin ``name`` is enabled and took part in this build (it then wrote its folder)."""
    plugin: Any = config.plugins.get(name)
    return plugin is not None and bool(plugin.config.get("enabled", True)) and getattr(plugin, "center", None) is not None
