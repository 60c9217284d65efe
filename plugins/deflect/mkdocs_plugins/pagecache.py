"""Reuse of unchanged pages across builds (``mkdocs build`` and ``serve``): MkDocs side of ``site.pagecache``.

* Markdown → HTML (``page.render``) is keyed on the page's final Markdown, its address and the build key,
  and used only if every site file the render looked up for a link is found as it was then (adding an
  article re-renders only the pages linking to it); its log lines are logged again and its links to
  anchors kept, so ``--strict`` and anchor checks fail warm as they do cold.
* template → output is keyed on everything the template reads from the page (title, HTML, toc, neighbours,
  canonical URL, meta …) and from the context plugins add (notices, sidebar, related articles, search …).
Both steps of the pages a page helper took (``page_helper.py``) answer from the entries it sent. The build
key: Deflect's code, the rendering libraries' versions, ``mkdocs.yml`` as written and as resolved (``!ENV``
values, what plugins added); for templates, also the theme templates' contents.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from ..site.pagecache import (SHARED_ENTRIES, LogRecorder, MemoryBytecode, PageCache, SharedDigests, code_fingerprint,
                              make_key, nav_link, stable_json, theme_fingerprint, toc_list)
from .markdown_reuse import MarkdownReuse
from .page_helper import Split

CONFIG_KEYS = ("site_name", "site_url", "site_description", "site_author", "copyright", "use_directory_urls",
               "repo_url", "repo_name", "edit_uri", "extra", "extra_css", "extra_javascript", "extra_templates",
               "markdown_extensions", "mdx_configs", "validation", "not_in_nav", "draft_docs")
CONTEXT_SKIPPED = ("config", "page", "pages", "build_date_utc")
"""Context entries left out of a page's key: the config is in the build key, the page is keyed field by
field, and no page template prints the list of all pages or the build date."""
FILE_READING_EXTENSIONS = ("pymdownx.snippets", "markdown_include", "mdx_include")
"""Markdown extensions that read other files: with one of them, Markdown is always rendered."""


def config_fingerprint(config: MkDocsConfig) -> str:
    """``mkdocs.yml`` as written and as resolved (environment values, what plugins added), hooks' code."""
    digest = hashlib.sha256()
    if config.config_file_path and Path(config.config_file_path).is_file():
        digest.update(Path(config.config_file_path).read_bytes())
    theme = {key: value for key, value in config.theme.items() if key != "custom_dir"}
    resolved = {key: config.get(key) for key in CONFIG_KEYS}
    plugins = {name: dict(getattr(plugin, "config", {})) for name, plugin in config.plugins.items()}  # (hooks: modules)
    digest.update(stable_json([theme, resolved, plugins]))
    hooks = config.hooks.values() if isinstance(config.hooks, Mapping) else config.hooks or []
    for hook in hooks:
        source = getattr(hook, "__file__", None)
        if source and Path(source).is_file():
            digest.update(Path(source).read_bytes())
    return digest.hexdigest()


class PageReuse:
    """One project's page cache, wired into a build: call :meth:`start_build` in ``on_nav``, :meth:`reuse_html`
    in ``on_page_markdown``, :meth:`wrap_templates` in ``on_env`` and :meth:`finish` in ``on_post_build``."""

    def __init__(self, folder: Path, *, serve: bool) -> None:
        self.cache, self.bytecode = PageCache(folder, in_memory=serve), (MemoryBytecode() if serve else None)
        self.build_key, self.theme_key, self.render_markdown = "", "", False
        self.shared, self.markdown = SharedDigests(), MarkdownReuse()
        self.split = Split(self.cache, serving=serve)  # a page helper on the second core (page_helper.py)

    @classmethod
    def kept(cls, current: PageReuse | None, folder: Path, *, serve: bool) -> PageReuse:
        """``current`` if it serves ``folder`` (``mkdocs serve`` keeps its memory), else a new one."""
        return current if current is not None and current.cache.folder == folder else cls(folder, serve=serve)

    def start_build(self, config: MkDocsConfig, files: Files, nav: Any = None) -> None:
        self.build_key = make_key(code_fingerprint(), config_fingerprint(config))
        self.theme_key = theme_fingerprint(config.theme.dirs)  # Markdown does not read the templates
        self.render_markdown = any(str(name) in FILE_READING_EXTENSIONS for name in config.markdown_extensions)
        self.shared, self.markdown = SharedDigests(), MarkdownReuse()
        self.cache.start()
        self.split.begin(config, files, nav)

    def reuse_html(self, page: Page) -> None:
        """Make ``page.render`` answer from the cache when this Markdown was rendered here."""
        if self.render_markdown:
            return
        original = page.render

        def render(config: MkDocsConfig, files: Files) -> None:
            key = make_key("html", self.build_key, page.file.src_uri, page.markdown or "")
            cached = self.split.markdown.get(page, key)
            try:
                if cached is not None and _restore(page, files, cached):
                    return
            except Exception:  # noqa: BLE001 - an entry of an unexpected shape: render again
                pass
            replay, lookups = LogRecorder(), {}
            find = files.get_file_from_path

            def looked_up(path: str) -> Any:
                lookups[path] = _found(found := find(path))
                return found

            logger = logging.getLogger("mkdocs")
            logger.addHandler(replay)
            files.get_file_from_path = looked_up  # type: ignore[method-assign]
            try:
                with self.markdown.rendering():
                    original(config, files)
            finally:
                logger.removeHandler(replay)
                del files.get_file_from_path
            anchors = {file.src_uri: links for file, links in (page.links_to_anchors or {}).items()}
            self.cache.put(key, (page.content or "", page.toc, page._title_from_render, page.present_anchor_ids,
                                 anchors, replay.records, lookups))

        page.render = render  # type: ignore[method-assign]

    def output_key(self, context: dict[str, Any], page: Page, template: str) -> str:
        """Everything a page template reads, besides the build key."""
        fields = {
            "url": page.url, "src": page.file.src_uri, "title": str(page.title), "meta": page.meta,
            "canonical": page.canonical_url, "toc": toc_list(page.toc), "previous": nav_link(page.previous_page),
            "next": nav_link(page.next_page), "parent": nav_link(page.parent), "edit": page.edit_url,
            "ancestors": [nav_link(item) for item in page.ancestors], "homepage": page.is_homepage,
        }
        rest = {name: value for name, value in context.items() if name not in CONTEXT_SKIPPED}
        if isinstance(rest.get("deflect"), dict):
            rest["deflect"] = {name: self.shared.digest(value) if name in SHARED_ENTRIES else value
                               for name, value in rest["deflect"].items()}
        return make_key("page", self.build_key, self.theme_key, template, page.content or "", stable_json(fields),
                        stable_json(rest))

    def wrap_templates(self, env: Any, names: tuple[str, ...]) -> None:
        """Page templates answer from the cache when a page's key was rendered before; a template is
        loaded (and compiled) only when some page misses."""
        if self.bytecode is not None:
            env.bytecode_cache = self.bytecode
        self.split.templates_begin(env, names)
        original = env.get_template
        reuse = self

        class Cached:
            def __init__(self, name: str, parent: Any, globals: Any) -> None:
                self.name, self.args, self._template = name, (parent, globals), None

            @property
            def template(self) -> Any:
                if self._template is None:
                    self._template = original(self.name, *self.args)
                return self._template

            def render(self, context: dict[str, Any]) -> str:
                page = context.get("page")
                if page is None:
                    return str(self.template.render(context))
                key = reuse.output_key(context, page, self.name)
                output = reuse.split.templates.get(page, key)
                if not isinstance(output, str):
                    output = str(self.template.render(context))
                    reuse.cache.put(key, output)
                return output

            def __getattr__(self, name: str) -> Any:
                return getattr(self.template, name)

        def get_template(name: Any, parent: Any = None, globals: Any = None) -> Any:
            # Only MkDocs asks for a page template by name alone; extends/include pass a parent.
            return Cached(name, parent, globals) if parent is None and name in names else original(name, parent, globals)

        env.get_template = get_template

    def finish(self) -> int:
        """Prune what this build did not use; the number of steps it reused."""
        self.split.end()
        self.cache.finish()
        return self.cache.hits


def _found(file: Any) -> tuple[str, str] | None:
    """What a link to a site file renders from: the file's address and whether it is built."""
    return (file.url, str(file.inclusion)) if file is not None else None


def _restore(page: Page, files: Files, cached: tuple[Any, ...]) -> bool:
    """Give ``page`` its cached render, if every file its links looked up is still as it was."""
    content, toc, title, anchors, links, records, lookups = cached
    known = files.src_uris  # a path spelt as a file's own src_uri needs no PurePath (slow at 4,000 lookups)
    if any(_found(known.get(path) or files.get_file_from_path(path)) != found for path, found in lookups.items()):
        return False
    targets = {}
    for src_uri, found in links.items():
        file = known.get(src_uri) or files.get_file_from_path(src_uri)
        if file is not None:
            targets[file] = found
    for name, level, message in records:
        logging.getLogger(name).log(level, message)
    page.content, page.toc, page._title_from_render, page.present_anchor_ids = content, toc, title, anchors
    page.links_to_anchors = targets
    return True
