"""``deflect/content``: merge articles and FAQ entries into a multilingual Material site.

Routes MkDocs events to the core: content is loaded in ``on_config``, pages are planned and
added in ``on_files``, and each page gets its language, notices, alternates and scoped sidebar
in ``on_page_context``.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import yaml
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from ..content import HelpCenter, Problem, load_help_center
from ..content.check import blocking, check_help_center
from ..content.settings import ContentSettings, SettingsError, settings_from_options
from ..escaping import Markup, html_json, html_text, page_title
from ..feedback_reasons import FEEDBACK_REASONS
from ..site.plan import NavEntry, SitePage, SitePlan
from ..site.strings import strings_for
from .config import ContentConfig
from .servecache import ServeCache

log = get_plugin_logger(__name__)
THEME_DIR = Path(__file__).resolve().parent.parent / "theme"
REQUIRED_EXTENSIONS = ("attr_list", "md_in_html", "admonition", "pymdownx.details")


class ContentPlugin(BasePlugin[ContentConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.center: HelpCenter | None = None
        self.plan: SitePlan | None = None
        self.files: Files | None = None
        self.ui_languages: dict[str, str] = {}
        self.serve_cache: ServeCache | None = None

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Defined so that ``mkdocs serve`` keeps this plugin object across rebuilds; there, unchanged
        pages are reused from the previous rebuild (see ``servecache``)."""
        self.serve_cache = ServeCache() if command == "serve" else None

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return None
        self.center, self.plan, self.files = None, None, None
        if config.theme.name != "material":
            raise PluginError("deflect/content needs the Material theme: set 'theme: name: material' in mkdocs.yml")
        settings = self._settings(config)
        _check_contact(config, settings.contact, settings.codes)  # a bad contact option stops the build here
        self.center, problems = load_help_center(settings)
        problems += check_help_center(self.center)
        _report(problems)
        fatal = blocking(problems)
        if fatal:
            shown = "\n".join(p.format() for p in fatal[:20])
            more = f"\n… and {len(fatal) - 20} more" if len(fatal) > 20 else ""
            raise PluginError(f"deflect/content: the {settings.audience} site is not built, because publishing it "
                              f"would leak internal content or the content cannot be read safely:\n{shown}{more}")
        self.ui_languages = {lang.code: _material_language(config, lang.code) for lang in settings.languages}
        config.theme.dirs.insert(1 if config.theme.custom_dir else 0, str(THEME_DIR))
        config.theme["language"] = self.ui_languages[settings.default_language]
        config.extra_css.insert(0, "assets/deflect/deflect.css")
        if "assets/deflect/guide.js" not in config.extra_javascript:
            config.extra_javascript.append("assets/deflect/guide.js")
        if "assets/deflect/feedback.js" not in config.extra_javascript:
            config.extra_javascript.append("assets/deflect/feedback.js")
        if "assets/deflect/helpcenter.js" not in config.extra_javascript:
            config.extra_javascript.append("assets/deflect/helpcenter.js")
        config.extra.setdefault("alternate", [{"name": lang.name, "link": f"{lang.code}/", "lang": lang.code}
                                              for lang in settings.languages])
        for name in REQUIRED_EXTENSIONS:
            if name not in config.markdown_extensions:
                config.markdown_extensions.append(name)
        if not any(str(ext).startswith("pymdownx.emoji") for ext in config.markdown_extensions):
            from material.extensions import emoji

            config.markdown_extensions.append("pymdownx.emoji")
            config.mdx_configs["pymdownx.emoji"] = {"emoji_index": emoji.twemoji, "emoji_generator": emoji.to_svg}
        return config

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        """``mkdocs serve`` rebuilds when articles, FAQ entries or categories change."""
        if self.center is not None:
            settings = self.center.settings
            for folder in (settings.articles_dir, settings.faq_dir):
                path = settings.root / folder
                if path.is_dir():
                    server.watch(str(path))
            synonyms = settings.root / "search"
            if synonyms.is_dir():
                server.watch(str(synonyms))
        return server

    def _settings(self, config: MkDocsConfig) -> ContentSettings:
        root = Path(config.config_file_path).resolve().parent if config.config_file_path else Path.cwd()
        docs_dir = os.path.relpath(config.docs_dir, root)
        try:
            return settings_from_options(root, self.config, docs_dir)
        except SettingsError as exc:
            raise PluginError(f"deflect/content: {exc}") from exc

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        if not self.config.enabled or self.center is None:
            return None
        self.plan = SitePlan(self.center)
        for site_path, page in self.plan.pages.items():
            if files.get_file_from_path(site_path) is not None:
                log.info(f"{config.docs_dir}/{site_path} replaces the generated page at that address")
                continue
            files.append(File.generated(config, site_path, content=_page_source(page)))
        return files

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation | None:
        self.files = files
        if self.serve_cache is not None and self.config.enabled:
            self.serve_cache.start_build(config, files)
        return None

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        if self.serve_cache is not None and self.config.enabled:
            self.serve_cache.reuse_html(page, markdown)
        return None

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Replace MkDocs' sitemap with one listing every page with its language alternates."""
        if self.plan is None or self.files is None:
            return
        site_url = (config.site_url or "").rstrip("/")
        urls = []
        for file in self.files.documentation_pages():
            planned = self.plan.page_for(file.src_uri)
            if planned.light:
                continue  # noindex: the source article is listed, with its real alternates
            url = "" if file.url in ("./", ".") else file.url
            entry: dict[str, Any] = {"loc": f"{site_url}/{url}",
                                     "lastmod": planned.updated.isoformat() if planned.updated else None,
                                     "alternates": []}
            alternates = [alt for alt in self.plan.alternates(planned) if alt.translated]
            if len(alternates) > 1:
                entry["alternates"] = [(alt.lang, f"{site_url}/{self._url(alt.site_path)}") for alt in alternates]
            urls.append(entry)
        write_sitemap(Path(config.site_dir), urls)
        if self.serve_cache is not None:
            log.info(f"deflect/content: {self.serve_cache.hits} unchanged page steps reused from the previous rebuild")

    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        """Every page's title and description become escaped HTML text before any template runs.

        MkDocs' Jinja environment does not autoescape, and Material prints ``page.title``,
        ``page.meta.title`` and ``page.meta.description`` as they are (in the header, the h1, the
        footer links of neighbouring pages), so the values themselves are made safe here.
        """
        if not self.config.enabled:
            return None
        if self.serve_cache is not None:
            self.serve_cache.wrap_template(env, ("main.html", "deflect-fallback.html"))
        for file in files.documentation_pages():
            page = file.page
            if page is None:
                continue
            self._share_anchors(page, files)
            from_heading = "title" not in page.meta and bool(getattr(page, "_title_from_render", None))
            page.title = page_title(page.title, from_heading=from_heading)
            for key in ("title", "description"):
                if isinstance(page.meta.get(key), str) and not isinstance(page.meta[key], Markup):
                    page.meta[key] = html_text(page.meta[key])
        return env

    def _share_anchors(self, page: Page, files: Files) -> None:
        """A light page that shows its source's HTML has the source's anchors (links to them are valid)."""
        planned = self.plan.pages.get(page.file.src_uri) if self.plan is not None else None
        if planned is None or not planned.body_from:
            return
        source = files.get_file_from_path(planned.body_from)
        if source is not None and source.page is not None and source.page.present_anchor_ids is not None:
            page.present_anchor_ids = set(source.page.present_anchor_ids)

    # The override is ignored: the context carries keys (deflect, Material's) that MkDocs's TemplateContext lacks.
    def on_page_context(  # type: ignore[override]
        self, context: dict[str, Any], *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> dict[str, Any] | None:
        if self.plan is None or self.files is None:
            return None
        planned = self.plan.page_for(page.file.src_uri)
        context["deflect"] = self._context(planned, page, config)
        home = f"{planned.lang}/index.md"
        context["nav"] = SimpleNamespace(homepage=SimpleNamespace(url=self._url(home), title=config.site_name),
                                         items=[], pages=[])
        if planned.canonical_path and config.site_url:
            page.canonical_url = config.site_url.rstrip("/") + "/" + self._url(planned.canonical_path)
        if planned.light:
            context["deflect"]["light"] = self._light(planned, page, config)
        return context

    def _light(self, planned: SitePage, page: Page, config: MkDocsConfig) -> dict[str, Any]:
        """What the light fallback template shows: the source's body (rendered once), its canonical."""
        assert self.files is not None and planned.canonical_path is not None
        body = page.content or ""
        if planned.body_from:
            source = self.files.get_file_from_path(planned.body_from)
            # Pages are all rendered to HTML before the first template runs, so the source's is ready.
            if source is not None and source.page is not None and source.page.content is not None:
                body = source.page.content
        canonical = page.canonical_url or _absolute("", self._url(planned.canonical_path), page)
        return {"body": Markup(body), "has_title": "<h1" in body, "canonical": canonical,
                "stylesheets": [*_material_stylesheets(), *(str(css) for css in config.extra_css)]}

    def _context(self, planned: SitePage, page: Page, config: MkDocsConfig) -> dict[str, Any]:
        assert self.plan is not None
        site_url = (config.site_url or "").rstrip("/")
        alternates = self.plan.alternates(planned)
        default = self.plan.settings.default_language
        hreflang = [{"lang": alt.lang, "href": _absolute(site_url, self._url(alt.site_path), page)}
                    for alt in alternates if alt.translated]
        if len(hreflang) > 1:
            default_alt = next(alt for alt in alternates if alt.lang == default)
            hreflang.append({"lang": "x-default", "href": _absolute(site_url, self._url(default_alt.site_path), page)})
        else:
            hreflang = []
        return {
            "lang": planned.lang,
            "ui_lang": self.ui_languages.get(planned.lang, "en"),
            "content_lang": planned.content_lang or planned.lang,
            "role": planned.role,
            "strings": strings_for(planned.lang),
            "feedback_reasons": list(FEEDBACK_REASONS),
            "notices": [
                {"kind": n.kind, "text": n.text, "link_title": n.link_title, "link_lang": default,
                 "url": self._url(n.link_path) if n.link_path else None}
                for n in planned.notices
            ],
            "alternates": [
                {"lang": alt.lang, "name": alt.name, "url": self._url(alt.site_path), "translated": alt.translated,
                 "current": alt.lang == planned.lang}
                for alt in alternates
            ],
            "hreflang": hreflang,
            "breadcrumbs": [self._entry(e) for e in self.plan.breadcrumbs(planned)],
            # A light fallback page has no sidebar: building it was a third of the page context's cost.
            "sidebar": [] if planned.light else [self._entry(e, planned.site_path)
                                                 for e in self.plan.sidebar(planned)],
            "updated": planned.updated.isoformat() if planned.updated else None,
            "guide": bool(planned.document is not None and planned.document.article_type is not None
                          and planned.document.article_type.value == "troubleshooting"),
            "contact_url": self._url(f"{planned.lang}/contact.md"),
            "search_url": self._url(f"{planned.lang}/search.md"),
            "helpful_min": max(1, self.plan.settings.helpful_min_votes),
            "home_url": self._url(f"{planned.lang}/index.md"),
            "contact": _contact_options(self.plan.settings.contact, planned.lang, default),
            "jsonld": _faq_jsonld(planned) if planned.faq_entries else None,
            "og": {
                "title": planned.title or page.title,
                "description": planned.description or config.site_description or "",
                "url": page.canonical_url or (f"{site_url}/{page.url}" if site_url else ""),
                "locale": planned.lang.replace("-", "_"),
                "type": "article" if planned.document is not None else "website",
            },
        }

    def on_template_context(self, context: TemplateContext, *, template_name: str,
                            config: MkDocsConfig) -> TemplateContext | None:
        """The 404 page carries every language's text and links; its script picks one by the address."""
        if template_name != "404.html" or self.plan is None or self.files is None:
            return None
        settings = self.plan.settings
        languages = [{"lang": code, "strings": strings_for(code), "home_url": self._url(f"{code}/index.md"),
                      "search_url": self._url(f"{code}/search.md"), "contact_url": self._url(f"{code}/contact.md")}
                     for code in settings.codes]
        context["deflect_404"] = {"default": settings.default_language, "languages": languages}  # type: ignore[typeddict-unknown-key]
        return context

    def _entry(self, entry: NavEntry, current: str | None = None) -> dict[str, Any]:
        return {
            "title": entry.title, "url": self._url(entry.site_path), "active": entry.active,
            "current": entry.site_path == current,
            "children": [self._entry(child, current) for child in entry.children],
        }

    def _url(self, site_path: str) -> str:
        assert self.files is not None
        file = self.files.get_file_from_path(site_path)
        return file.url if file is not None else site_path


def write_sitemap(site_dir: Path, urls: list[dict[str, Any]]) -> None:
    from xml.sax.saxutils import escape, quoteattr

    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">']
    for entry in urls:
        lines.append(f"  <url>\n    <loc>{escape(entry['loc'])}</loc>")
        if entry["lastmod"]:
            lines.append(f"    <lastmod>{entry['lastmod']}</lastmod>")
        for lang, href in entry["alternates"]:
            lines.append(f'    <xhtml:link rel="alternate" hreflang={quoteattr(lang)} href={quoteattr(href)}/>')
        lines.append("  </url>")
    lines.append("</urlset>\n")
    data = "\n".join(lines).encode("utf-8")
    (site_dir / "sitemap.xml").write_bytes(data)
    (site_dir / "sitemap.xml.gz").write_bytes(gzip.compress(data, mtime=0))


def _check_contact(config: MkDocsConfig, options: Any, codes: list[str]) -> None:
    """The ``contact`` option: in its one place, hours only for known languages, chat a web address."""
    if config.extra.get("contact"):
        raise PluginError("extra.contact in mkdocs.yml has moved: put email, phone, chat and hours under the "
                          "'contact' option of deflect/content, the one place every page takes them from")
    options = options or {}
    unknown = set(options) - {"email", "phone", "chat", "hours"}
    if unknown:
        raise PluginError(f"deflect/content: contact has unknown key(s) {', '.join(sorted(map(str, unknown)))}; "
                          "use email, phone, chat, hours")
    hours = options.get("hours")
    if isinstance(hours, dict) and (set(hours) - set(codes)):
        raise PluginError(f"deflect/content: contact.hours has unknown language(s) "
                          f"{', '.join(sorted(map(str, set(hours) - set(codes))))}: use {', '.join(codes)}")
    chat = str(options.get("chat") or "")
    if chat and not chat.lower().startswith(("https://", "http://")):
        # The chat link is an href: a javascript: URL would run when a reader clicks it.
        raise PluginError(f"deflect/content: contact.chat must be a web address starting with https://, got {chat!r}")


def _contact_options(options: Any, lang: str, default: str) -> dict[str, str]:
    """The ``contact`` option of deflect/content for a page in ``lang``: email, phone, chat, hours."""
    options = options or {}
    hours = options.get("hours")
    if isinstance(hours, dict):
        hours = hours.get(lang) or hours.get(default) or ""
    found = {"email": options.get("email"), "phone": options.get("phone"), "chat": options.get("chat"), "hours": hours}
    return {key: str(value).strip() for key, value in found.items() if value and str(value).strip()}


def _faq_jsonld(page: SitePage) -> Markup:
    """schema.org FAQPage structured data for an FAQ page (``<``, ``>``, ``&`` escaped for a script tag)."""
    from deflect.search.documents import extract_sections

    data = {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "inLanguage": page.lang,
        "mainEntity": [
            {"@type": "Question", "name": doc.title,
             "acceptedAnswer": {"@type": "Answer",
                                "text": " ".join(s.text for s in extract_sections(doc.body) if s.text)}}
            for doc in page.faq_entries
        ],
    }
    return html_json(data)


FULL_WIDTH_ROLES = ("root", "home", "search", "contact")
"""Pages that read as a help center's front, not as documentation: no left menu, no table of contents."""


def _page_source(page: SitePage) -> str:
    meta: dict[str, Any] = {"title": page.title}
    if page.role in FULL_WIDTH_ROLES:
        meta["hide"] = ["navigation", "toc"]
    if page.light:
        meta["template"] = "deflect-fallback.html"
    if page.description:
        meta["description"] = page.description
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n\n" + page.markdown


def _absolute(site_url: str, url: str, page: Page) -> str:
    if site_url:
        return f"{site_url}/{url}"
    # Without site_url, hreflang links stay relative to the current page.
    depth = page.url.count("/") if page.url else 0
    return "../" * depth + url


def _material_stylesheets() -> list[str]:
    """Material's own stylesheets (their names carry a hash of the installed version)."""
    from material import templates

    folder = Path(templates.__file__).parent / "assets" / "stylesheets"
    return [f"assets/stylesheets/{path.name}" for path in sorted(folder.glob("main.*.min.css"))]


def _material_language(config: MkDocsConfig, code: str) -> str:
    """Material's translation for ``code`` (``hr``), or the nearest it has, or English."""
    from material import templates

    folder = Path(templates.__file__).parent / "partials" / "languages"
    for candidate in (code, code.split("-")[0]):
        if (folder / f"{candidate}.html").is_file():
            return candidate
    log.info(f"Material has no interface translation for '{code}': English is used for its buttons")
    return "en"


def _report(problems: list[Problem]) -> None:
    """Content errors are warnings (so ``--strict`` fails); review and staleness notes are info."""
    for problem in sorted(set(problems), key=lambda p: (p.path, p.line)):
        if problem.is_error:
            log.warning(problem.format())
        else:
            log.info(problem.format())
