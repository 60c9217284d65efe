"""Light fallback pages written by deflect/content itself, not built by MkDocs as pages.

A help center in 12 languages with a fifth of its articles translated has three light fallback
pages for every page of its own (3,390 of 4,933 at 400 articles). Each shows its source article's
body, rendered once for the source (``SitePage.body_from``), inside Deflect's small template. As
MkDocs pages they cost their navigation entry, a ``Page`` with its Markdown read and events, MkDocs'
page context and every plugin's page events: about 0.12 ms a page on top of their render. So each
is a :class:`LightFile` instead: in ``files`` like any page (links to its ``.md`` path resolve to its
address, with anchor checks against its source's headings), but not a documentation page, so MkDocs
neither reads nor builds it; deflect/content renders ``deflect-fallback.html`` for it in ``on_env``,
once every page's Markdown is HTML, and writes it as it writes pages (kept when unchanged, else
through the page writer). Other plugins' page events (``on_page_context``, ``on_post_page``) do not
see these pages: ``fallback: full`` makes every fallback page an MkDocs page. A fallback page whose
own links differ from its source's (a link to an article translated into the reader's language) has a
body of its own and stays an MkDocs page with the light template.
"""

from __future__ import annotations

import functools
import posixpath
import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any, cast

import jinja2
from mkdocs import __version__ as mkdocs_version
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_build_datetime, get_relative_url

from ..escaping import escape_page_meta, page_title
from ..site.context import page_context
from ..site.page_source import LIGHT_TEMPLATE
from ..site.plan import SitePage, SitePlan
from .material_theme import Directions, light_context

log = get_plugin_logger(__name__)


class LightFile(File):
    """A light fallback page: its address is a page's (``hr/articles/x.md`` → ``hr/articles/x/``), but
    MkDocs takes it for a media file it does not copy (deflect/content writes it)."""

    def is_documentation_page(self) -> bool:
        return False

    def _get_dest_path(self, use_directory_urls: bool | None = None) -> str:
        """As MkDocs places a Markdown page (``File._get_dest_path`` for a documentation page)."""
        parent, _ = posixpath.split(self.src_uri)
        if use_directory_urls is None:
            use_directory_urls = self.use_directory_urls
        if not use_directory_urls or self.name == "index":
            return posixpath.join(parent, self.name + ".html")
        return posixpath.join(parent, self.name, "index.html")

    dest_uri = functools.cached_property(_get_dest_path)  # (File's is bound to File._get_dest_path)

    def copy_file(self, dirty: bool = False) -> None:
        """Nothing: deflect/content writes the page (MkDocs calls this for every file not a page)."""


def light_file(config: Any, site_path: str) -> LightFile:
    """The file of the light fallback page at ``site_path``."""
    return cast(LightFile, LightFile.generated(config, site_path, content=""))


def anchors_only(present_anchor_ids: set[str] | None) -> Any:
    """What MkDocs reads of a linked page to check a link's ``#anchor`` (``Page.validate_anchor_links``):
    the light page has its source's headings."""
    return SimpleNamespace(present_anchor_ids=present_anchor_ids)


class LightPages:
    """Renders and writes a build's :class:`LightFile` pages, with what deflect/content knows of the build:
    its ``plan``, ``url`` (site path → address), Material's interface language and text direction per language."""

    def __init__(self, plan: SitePlan, url: Callable[[str], str], ui_languages: dict[str, str], directions: Directions,
                 *, serving: bool) -> None:
        self.plan, self.url, self.ui_languages, self.directions, self.serving = plan, url, ui_languages, directions, serving
        self.build_date = get_build_datetime()

    def write(self, env: jinja2.Environment, config: MkDocsConfig, files: Files,
              write: Callable[[str, str, str], None]) -> None:
        """Render every light file of ``files`` and give it to ``write(site path of the output, its file, HTML)``."""
        light = [file for file in files if isinstance(file, LightFile)]
        if not light:
            return
        started, template = time.perf_counter(), env.get_template(LIGHT_TEMPLATE)
        for file in light:
            planned = self.plan.pages[file.src_uri]
            found = files.src_uris.get(planned.body_from or "")
            source = found.page if found is not None else None
            if source is None:  # its source is left out of the build (exclude_docs, draft_docs): so is the copy
                log.info(f"{file.src_uri} is not written: the article it shows, {planned.body_from}, is not built")
                continue
            file.page = anchors_only(source.present_anchor_ids)
            if not file.inclusion.is_included() and not (self.serving and file.inclusion.is_in_serve()):
                continue
            try:
                output = template.render(self.context(file, planned, source, config))
            except Exception as exc:
                raise PluginError(f"Error building page '{file.src_uri}': {exc}") from exc
            write(file.dest_uri, file.abs_dest_path, output)
        log.debug(f"{len(light)} light fallback pages written in {time.perf_counter() - started:.2f} s")

    def context(self, file: File, planned: SitePage, source: Page, config: MkDocsConfig) -> dict[str, Any]:
        """What MkDocs and deflect/content give the light template of an MkDocs page, for ``file``."""
        title = page_title(str(planned.title), from_heading=False)
        meta: dict[str, Any] = {"title": title}
        if planned.description:
            meta["description"] = str(planned.description)
        escape_page_meta(meta)
        canonical_path = self.url(planned.canonical_path or planned.body_from or "")
        site_url = config.site_url or ""
        canonical = site_url.rstrip("/") + "/" + canonical_path if site_url else None
        page = SimpleNamespace(file=file, url=file.url, title=title, meta=meta, canonical_url=canonical, content=None,
                               toc=[], is_homepage=False, active=True)
        deflect = page_context(self.plan, planned, self.url, page_url=file.url, page_title=title or "",
                               canonical_url=canonical, site_url=site_url, site_description=config.site_description or "",
                               ui_lang=self.ui_languages.get(planned.lang, "en"))
        deflect["light"] = light_context(source, page, config, canonical_path,  # type: ignore[arg-type]
                                         self.directions(planned.lang))
        home = SimpleNamespace(url=self.url(f"{planned.lang}/index.md"), title=config.site_name)
        return {"nav": SimpleNamespace(homepage=home, items=[], pages=[]), "base_url": get_relative_url(".", file.url),
                "mkdocs_version": mkdocs_version, "build_date_utc": self.build_date, "config": config,
                "page": page, "deflect": deflect}


class LightWriting:
    """Mixed into deflect/content (its ``config``, ``plan``, ``files``, ``_url``, ``ui_languages``,
    ``directions``, ``serving`` and ``_write_own``): the light pages' part of it."""

    @event_priority(-50)  # after deflect/search's on_env, which lets the search export write into the site folder
    def _write_light_pages(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        """Every light fallback page that shows its source's body as it is (:class:`LightFile`)."""
        me: Any = self
        if me.config.enabled and me.plan is not None:
            LightPages(me.plan, me._url, me.ui_languages, me.directions, serving=me.serving).write(
                env, config, files, me._write_own)
        return None

    def _light_of(self, planned: SitePage, page: Page, config: MkDocsConfig) -> dict[str, Any]:
        """``deflect.light`` of a light page built by MkDocs: one whose links differ from its source's, which
        shows its own body (the others are :class:`LightFile` pages)."""
        me: Any = self
        return light_context(None, page, config, me._url(planned.canonical_path), me.directions(planned.lang))
