"""``deflect/content``: merge articles and FAQ entries into a multilingual Material site.

Routes MkDocs events to the core: content is loaded in ``on_config``, pages are planned and
added in ``on_files``, and each page gets its language, notices, alternates and scoped sidebar
in ``on_page_context``.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from ..content import Content, Problem, SettingsError
from ..content.check import refusal
from ..escaping import escape_page_meta, page_title
from ..helpcenter import HelpCenter
from ..cachefiles import cache_folder
from ..processes import pause_full_collections, quick_exit
from ..site.contact import contact_problem
from ..site.context import not_found_context, page_context
from ..site.page_source import page_source
from ..site.plan import SitePlan
from ..site.sitemap import sitemap_entries, write_sitemap
from .config import ContentConfig
from .light_pages import LightWriting, light_file
from .material_theme import prepare_environment, set_up_material
from .outputs import OutputReuse
from .pagecache import PageReuse
from .preview import watch_sources
from .theme_pages import render_listings

log = get_plugin_logger(__name__)


class ContentPlugin(OutputReuse, LightWriting, BasePlugin[ContentConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.center: Content | None = None
        self.plan: SitePlan | None = None
        self.files: Files | None = None
        self.urls: dict[str, str] = {}
        self.metas: dict[str, dict[str, Any]] = {}  # the meta of generated pages whose source has none
        self.ui_languages: dict[str, str] = {}
        self.page_cache: PageReuse | None = None
        self.serving = False

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Defined so that ``mkdocs serve`` keeps this plugin (and its page cache's memory) across rebuilds."""
        self.serving = command == "serve"
        quick_exit()

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return None
        self.center, self.plan, self.files = None, None, None
        pause_full_collections()  # until the end of on_post_build (or on_build_error): see processes.py
        if config.theme.name != "material":
            raise PluginError("deflect/content needs the Material theme: set 'theme: name: material' in mkdocs.yml")
        settings = (project := self._project(config)).settings
        contact = contact_problem(settings.contact, settings.codes, config.extra.get("contact"))
        if contact:
            raise PluginError(contact)  # a bad contact option stops the build here
        self.center, problems = project.content, project.problems
        _report(problems)
        refused = refusal(problems, settings.audience)
        if refused:
            raise PluginError(f"deflect/content: {refused}")
        self.ui_languages = set_up_material(config, settings)
        folder = cache_folder(settings.root, settings.audience, "pages")  # mkdocs serve: in memory only
        self.page_cache = PageReuse.kept(self.page_cache, folder, serve=self.serving)
        return config

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        """``mkdocs serve`` rebuilds when articles, FAQ entries or categories change."""
        folders = self.center.settings.source_folders() if self.center is not None else []
        watch_sources(server, folders, [config.docs_dir, config.config_file_path or ""])
        return server

    def _project(self, config: MkDocsConfig) -> HelpCenter:
        try:
            return HelpCenter.from_options(config.config_file_path, config.docs_dir, self.config, log.info)
        except SettingsError as exc:
            raise PluginError(f"deflect/content: {exc}") from exc

    def _add_pages(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        if not self.config.enabled or self.center is None:
            return None
        self.plan, self.metas = SitePlan(self.center), {}
        for site_path, page in self.plan.pages.items():
            if files.get_file_from_path(site_path) is not None:
                log.info(f"{config.docs_dir}/{site_path} replaces the generated page at that address")
                continue
            if page.light and page.body_from:  # written by deflect/content, not built by MkDocs (light_pages.py)
                files.append(light_file(config, site_path))
                continue
            source, meta = page_source(page)
            files.append(File.generated(config, site_path, content=source))
            if meta is not None:
                self.metas[site_path] = meta
        return files

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation | None:
        self.files, self.urls = files, {file.src_uri: file.url for file in files}  # _url: a dict, not a Path per call
        if self.page_cache is not None and self.config.enabled:
            self.page_cache.start_build(config, files, nav)
        return None

    @event_priority(100)  # the meta MkDocs did not parse is there before any plugin reads it
    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        if page.file.src_uri in self.metas:
            page.meta = self.metas.pop(page.file.src_uri)
        if self.page_cache is not None and self.config.enabled:
            self.page_cache.reuse_html(page)
        return None

    def _write_sitemap(self, *, config: MkDocsConfig) -> None:
        """Replace MkDocs' sitemap with one listing every page with its language alternates."""
        if self.plan is None or self.files is None:
            return
        pages = [(file.src_uri, file.url) for file in self.files.documentation_pages()]
        write_sitemap(Path(config.site_dir), sitemap_entries(self.plan, pages, config.site_url or "", self._url))
        if self.page_cache is not None:
            log.info(f"{self.page_cache.finish()} unchanged page steps reused from .deflect/")

    def _prepare_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        """Before any template runs: listing pages' HTML from Deflect's templates, titles and descriptions escaped."""
        if not self.config.enabled:
            return None
        self.directions = prepare_environment(env, config, self.ui_languages)  # (light pages' text direction)
        if self.page_cache is not None:
            self.page_cache.wrap_templates(env, ("main.html",))  # (not LIGHT_TEMPLATE: see page_source)
        for file in files.documentation_pages():
            page = file.page
            if page is None:
                continue
            from_heading = "title" not in page.meta and bool(getattr(page, "_title_from_render", None))
            page.title = page_title(page.title, from_heading=from_heading)
            escape_page_meta(page.meta)
        render_listings(env, self.plan, files, config, self._url)
        return env

    # The override is ignored: the context carries keys (deflect, Material's) that MkDocs's TemplateContext lacks.
    def on_page_context(  # type: ignore[override]
        self, context: dict[str, Any], *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> dict[str, Any] | None:
        if self.plan is None or self.files is None:
            return None
        planned = self.plan.page_for(page.file.src_uri)
        context["deflect"] = page_context(
            self.plan, planned, self._url, page_url=page.url, page_title=page.title, canonical_url=page.canonical_url,
            site_url=config.site_url or "", site_description=config.site_description or "",
            ui_lang=self.ui_languages.get(planned.lang, "en"))
        home = SimpleNamespace(url=self._url(f"{planned.lang}/index.md"), title=config.site_name)
        context["nav"] = SimpleNamespace(homepage=home, items=[], pages=[])
        if planned.canonical_path and config.site_url:
            page.canonical_url = config.site_url.rstrip("/") + "/" + self._url(planned.canonical_path)
        if planned.light and planned.canonical_path is not None:  # a light page with a body of its own
            context["deflect"]["light"] = self._light_of(planned, page, config)
        return context

    def on_template_context(self, context: TemplateContext, *, template_name: str,
                            config: MkDocsConfig) -> TemplateContext | None:
        """The 404 page carries every language's text and links; its script picks one by the address."""
        if template_name != "404.html" or self.plan is None or self.files is None:
            return None
        context["deflect_404"] = not_found_context(self.plan.settings, self._url)  # type: ignore[typeddict-unknown-key]
        return context

    def _url(self, site_path: str) -> str:
        assert self.files is not None
        if site_path in self.urls:
            return self.urls[site_path]
        file = self.files.get_file_from_path(site_path)  # a path spelt otherwise, or no such page
        return file.url if file is not None else site_path

    on_env = CombinedEvent(_prepare_env, LightWriting._write_light_pages)
    on_files = CombinedEvent(OutputReuse._restore_outputs, _add_pages)
    on_post_build = CombinedEvent(OutputReuse._flush_pages, _write_sitemap, OutputReuse._finish_outputs, OutputReuse._collect_again)


def _report(problems: list[Problem]) -> None:
    """Content errors are warnings (so ``--strict`` fails); review and staleness notes are info."""
    for problem in sorted(set(problems), key=lambda p: (p.path, p.line)):
        (log.warning if problem.is_error else log.info)(problem.format())
