"""``deflect/search``: replaces Material's search with Deflect's multilingual static search.

A thin adapter: the core (``deflect.search``) builds the Whoosh index and the static export;
this plugin wires them into the build, the theme and each article's related-articles list. The
search work runs in a worker process from ``on_config`` (``deflect.search.background``) while MkDocs
renders the pages. No page waits for it: each article is written with an empty related-articles
slot, which ``on_post_build`` fills (``deflect.site.related_fill``) when the worker has sent the
lists, while it writes the export (split by language between processes), which is awaited last. A
page's output never depends on when the lists arrived, so it stays reusable when they change.
``mkdocs build -v`` logs the timeline of both processes.
"""
from __future__ import annotations

import logging
import os
from contextlib import suppress
from pathlib import Path
from typing import Any

from mkdocs.config.config_options import ExtraScriptValue
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from deflect.mkdocs_plugins.config import SearchConfig
from deflect.mkdocs_plugins.preview import COLLECTOR_ENV
from deflect.mkdocs_plugins.related_slots import RelatedSlots
from deflect.content.model import Content
from deflect.content.settings import SettingsError
from deflect.helpcenter import HelpCenter
from deflect.search.options import SearchOptions
from deflect.search.background import SearchJob, SearchJobError, keep_numeric_loaded
from deflect.search.service import CacheBusy, GlossaryError, PageConfigs, SearchService, SynonymError
from deflect.site.related_fill import slot_doc_id

log = logging.getLogger("mkdocs.plugins.deflect.search")
SEARCH_SCRIPT = "assets/deflect/search.js"
CONTACT_SCRIPT = "assets/deflect/contact.js"


class SearchPlugin(BasePlugin[SearchConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.center: Content | None = None
        self.job: SearchJob | None = None
        self.related: dict[str, list[tuple[str, str, str]]] | None = None
        self._per_lang: PageConfigs | None = None  # what the page context needs of each language, once
        self.slots: RelatedSlots | None = None  # this build's article pages and their lists (from on_env)
        self.serving = False  # mkdocs serve (on_startup)

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Defined so that ``mkdocs serve`` keeps this plugin object across rebuilds."""
        self.serving = command == "serve"

    @event_priority(100)  # before deflect/content reads the content, on one core: the other reads dictionaries
    def _prefetch(self, config: MkDocsConfig) -> None:
        options = getattr(config.plugins.get("deflect/content"), "config", None)
        if self.config.enabled and options is not None:
            with suppress(SettingsError):  # deflect/content reports it
                HelpCenter.from_options(config.config_file_path, config.docs_dir, options).prefetch_dictionaries()

    def _on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return None
        for other in ("search", "material/search"):
            if other in config.plugins:
                raise PluginError(f"deflect/search replaces Material's search: remove '{other.split('/')[-1]}'"
                                  " from 'plugins' in mkdocs.yml")
        if "deflect/content" not in config.plugins:
            raise PluginError("deflect/search needs deflect/content: list '- deflect/content' before it in 'plugins'")
        override = os.environ.get(COLLECTOR_ENV, "").strip()
        if override:  # deflect preview (or a deployment) names the collector for this build
            self.config.collector_url = override
        try:
            SearchOptions.from_mapping(self.config)  # the checks the CLI makes
        except SettingsError as exc:
            raise PluginError(f"deflect/search: {exc}") from exc
        scripts = [str(script) for script in config.extra_javascript]
        if SEARCH_SCRIPT not in scripts:
            module = ExtraScriptValue(SEARCH_SCRIPT)
            module.type = "module"  # it imports its parts (search-*.js) and is deferred
            config.extra_javascript.append(module)
        if CONTACT_SCRIPT not in scripts:  # waits for search (deflect:search-ready) when it loads first
            config.extra_javascript.append(CONTACT_SCRIPT)
        self._start(config)  # the content is loaded (deflect/content comes first): the plan and Markdown need no index
        return config

    on_config = CombinedEvent(_prefetch, _on_config)

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        if self.config.enabled and (self.job is None or self.center is not _content(config)):
            self._start(config)  # deflect/content is listed after this plugin: its content is loaded only now
        if self.job is not None:
            self.job.note("on_files")
        return None

    def _start(self, config: MkDocsConfig) -> None:
        if self.job is not None:  # a build that failed before on_post_build (mkdocs serve), or stale content
            self.job.cancel()
        center = self.center = _content(config)
        self.job, self.related, self.slots = None, None, None
        self._per_lang = PageConfigs(center, self.config.collector_url) if center is not None else None
        if center is not None:
            self.job = SearchJob(lambda helpers: SearchService.build(center, synonyms_file=self.config.synonyms,
                                                                     glossary_file=self.config.glossary,
                                                                     helpers=helpers,
                                                                     directory_urls=config.use_directory_urls),
                                 self.config.related, Path(config.site_dir) / "search",
                                 errors=(SynonymError, GlossaryError, CacheBusy), trace=log.debug,
                                 progress=log.info).start()

    # The override is ignored: the context carries keys (deflect, Material's) that MkDocs's TemplateContext lacks.
    def on_page_context(self, context: dict[str, Any], *, page: Page, config: MkDocsConfig,  # type: ignore[override]
                        nav: Navigation) -> dict[str, Any] | None:
        if self.center is None or self._per_lang is None:
            return None
        deflect = context.get("deflect") or {}
        if deflect.get("light"):
            return None  # a light fallback page has no search box and no related articles: its template reads none of it
        lang = deflect.get("lang") or self.center.settings.default_language
        base = get_relative_url(".", page.url or ".")
        doc_id = slot_doc_id(page.file.src_uri, lang) if self.config.related else ""
        if doc_id and self.slots is not None:
            self.slots.slots[page.file.dest_uri] = (doc_id, page.url, lang)
            if len(self.slots.slots) == 1 and self.job is not None:
                self.job.note("first article rendered")
        context["deflect_search"] = {
            "config": self._per_lang.json(lang, base if base.endswith("/") else base + "/"),
            "strings": self._per_lang.shared(lang)["strings"],
            "related_slot": bool(doc_id),
        }
        return context

    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        if self._per_lang is not None and self.config.related:  # env renders the related-articles lists
            self.slots = RelatedSlots(env, self._per_lang, self.job)
        if self.job is not None:
            self.job.release()  # the site folder is cleaned (and set up) by now: the export may write into it
        return None

    @event_priority(-110)  # after deflect/content decided to write the file (-100): a kept file is filled in place
    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str | None:
        return self.slots.fill_output(page.file.dest_uri, output) if self.slots is not None else None

    def _fill_slots(self, config: MkDocsConfig, related: dict[str, list[tuple[str, str, str]]]) -> None:
        """Related lists into the written pages that lack theirs (while the worker writes the export);
        one whose list is already there is not written again, nor read when it got it as it was written
        or the content plugin kept its file as it was (``site.related_fill.fill_pages``)."""
        slots, self.slots = self.slots, None
        if slots is None or not slots.slots:
            return
        read, written = slots.fill_files(Path(config.site_dir), related,
                                         getattr(config.plugins.get("deflect/content"), "kept_outputs", None))
        log.info(f"deflect/search: related articles of {len(slots.slots)} pages ({read} read, {written} written), "
                 f"{len(slots.at_write)} of them given theirs as they were written")

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if self.job is None:
            return
        self.job.note("on_post_build: the pages are written")
        try:  # the worker sends them (none when 'related' is 0) before the export
            indexed = self.job.indexed()
        except SearchJobError as exc:
            self.job = None
            raise PluginError(f"deflect/search: {exc}") from exc
        log.info(f"deflect/search: indexed {indexed.count} documents in {indexed.seconds:.1f}s")
        self.related = indexed.related
        self._fill_slots(config, indexed.related)
        self.job.note("related articles filled in")
        job, self.job = self.job, None
        try:
            stats, seconds = job.finish()
        except SearchJobError as exc:
            raise PluginError(f"deflect/search: {exc}") from exc
        log.info(f"deflect/search: wrote the static index ({stats.files} files, {stats.bytes / 1024:.0f} KB, "
                 f"{stats.terms} terms, {stats.forms} word forms) in {seconds:.1f}s")
        if self.serving:
            keep_numeric_loaded()  # the next rebuild's worker forks from here

    def on_build_error(self, *, error: Exception) -> None:
        if self.job is not None:
            self.job.cancel()
            self.job = None


def _content(config: MkDocsConfig) -> Content | None:
    return getattr(config.plugins["deflect/content"], "center", None)
