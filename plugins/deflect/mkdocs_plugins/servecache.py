"""Reuse of unchanged pages between the rebuilds of one ``mkdocs serve`` session.

MkDocs rebuilds the whole site after every saved file. Between two rebuilds almost every page
gets the same Markdown and the same template context, so both steps can be skipped:

* Markdown → HTML is remembered per page, keyed on the page's Markdown, its address, the set of
  site files (a link's target may appear or vanish) and the configuration file;
* template → page output is remembered per page, keyed on everything the page template reads
  from the page and from Deflect's context (title, HTML, table of contents, neighbours, canonical
  URL, notices, sidebar, related articles …) plus the theme files' modification times.

Used only by ``mkdocs serve`` (the plugin objects live across its rebuilds); ``mkdocs build``
always renders everything, so a built site never depends on this cache.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import jinja2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

# A serve session is short; this bounds memory if an author edits the same site for hours.
MAX_ENTRIES = 20_000


class _MemoryBytecode(jinja2.BytecodeCache):
    """Compiled templates kept in memory: MkDocs makes a new Jinja environment for every rebuild."""

    def __init__(self) -> None:
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self.store.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()


class ServeCache:
    """Rendered Markdown and page outputs of the previous rebuilds, by content key."""

    def __init__(self) -> None:
        self.html: dict[str, tuple[str, Any, str | None, set[str] | None]] = {}
        self.output: dict[str, str] = {}
        self.build_key = ""
        self.hits = 0
        self.bytecode = _MemoryBytecode()

    def start_build(self, config: MkDocsConfig, files: Files) -> None:
        """Fingerprint what every page depends on: the config file, the theme files, the file set."""
        digest = hashlib.sha256()
        if config.config_file_path and os.path.isfile(config.config_file_path):
            digest.update(Path(config.config_file_path).read_bytes())
        for folder in config.theme.dirs:
            for path in sorted(Path(folder).rglob("*.html")):
                digest.update(f"{path}:{path.stat().st_mtime_ns}".encode())
        for file in files:
            digest.update(file.src_uri.encode() + b"\0")
        self.build_key = digest.hexdigest()
        self.hits = 0
        for store in (self.html, self.output):
            if len(store) > MAX_ENTRIES:
                store.clear()

    def _key(self, *parts: str) -> str:
        digest = hashlib.sha256(self.build_key.encode())
        for part in parts:
            digest.update(b"\0" + part.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def reuse_html(self, page: Page, markdown: str) -> None:
        """Skip ``page.render`` when this Markdown was rendered at this address before."""
        key = self._key(page.file.src_uri, markdown)
        cached = self.html.get(key)
        if cached is None:
            original = page.render

            def render(config: MkDocsConfig, files: Files) -> None:
                original(config, files)
                self.html[key] = (page.content or "", page.toc, page._title_from_render, page.present_anchor_ids)

            page.render = render  # type: ignore[method-assign]
            return

        def cached_render(config: MkDocsConfig, files: Files) -> None:
            page.content, page.toc, page._title_from_render, page.present_anchor_ids = cached
            page.links_to_anchors = None  # anchors were checked when the page was first rendered

        self.hits += 1
        page.render = cached_render  # type: ignore[method-assign]

    def output_key(self, context: dict[str, Any], page: Page) -> str:
        """Everything Deflect's page templates read that can differ from one rebuild to the next."""
        def url(other: Any) -> list[str] | None:
            return [other.url, str(other.title)] if other is not None else None

        parts = {
            "url": page.url, "title": str(page.title), "meta": page.meta, "canonical": page.canonical_url,
            "toc": [[item.id, item.title, item.level, [[c.id, c.title] for c in item.children]] for item in page.toc],
            "previous": url(page.previous_page), "next": url(page.next_page), "edit": page.edit_url,
            "deflect": context.get("deflect"), "search": context.get("deflect_search"),
        }
        return self._key(page.content or "", json.dumps(parts, sort_keys=True, default=str))

    def wrap_template(self, env: Any, names: tuple[str, ...]) -> None:
        """Page templates answer from the cache when a page's key was rendered before."""
        if getattr(env, "_deflect_serve_cache", None) is self:
            return
        env.bytecode_cache = self.bytecode
        original = env.get_template
        cache = self

        class Cached:
            def __init__(self, template: Any) -> None:
                self.template = template

            def render(self, context: dict[str, Any]) -> str:
                page = context.get("page")
                if page is None:
                    return self.template.render(context)
                key = cache.output_key(context, page) + self.template.name
                output = cache.output.get(key)
                if output is None:
                    output = cache.output[key] = self.template.render(context)
                else:
                    cache.hits += 1
                return output

            def __getattr__(self, name: str) -> Any:
                return getattr(self.template, name)

        def get_template(name: Any, parent: Any = None, globals: Any = None) -> Any:
            template = original(name, parent, globals)
            # Only MkDocs asks for a page template by name alone; extends/include pass a parent.
            return Cached(template) if parent is None and name in names else template

        env.get_template = get_template
        env._deflect_serve_cache = self
