"""Render the listing pages (home, categories, FAQ index, language choice) with the theme's templates.

The plan (``deflect.site.plan``) decides what a listing page shows; ``partials/deflect/<name>.html``
writes it. The templates render in the build's own Jinja environment, so a file at the same path in
the site's ``theme.custom_dir`` replaces Deflect's, as for Material's partials. A heading with an
``id`` joins the page's table of contents and gets the permalink the site's ``toc`` settings ask for.
Deflect's templates (these and every other file of its theme folder) are compiled with autoescape.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from markdown.extensions.toc import nest_toc_tokens
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.toc import get_toc
from mkdocs.utils import get_relative_url

from ..site.context import listing_context
from ..site.plan import SitePlan
from ..site.strings import strings_for
from .material_theme import THEME_DIR

LISTING_TEMPLATES = {"home": "partials/deflect/home.html", "category": "partials/deflect/category.html",
                     "faq_index": "partials/deflect/faq-index.html", "root": "partials/deflect/languages.html"}
# Material's interface-text macros, printed by Material's own templates: they stay as Material writes them.
NOT_AUTOESCAPED = frozenset({"partials/language.html"})
_HEADING_RE = re.compile(r"<h([1-6])(\s[^>]*)?>(.*?)</h\1\s*>", re.S | re.I)
_ID_RE = re.compile(r"""\sid\s*=\s*["']([^"']+)["']""", re.I)
_TAG_RE = re.compile(r"<[^>]*>")


def render_listings(env: Any, plan: SitePlan | None, files: Files, config: MkDocsConfig,
                    url: Callable[[str], str]) -> None:
    """Give each generated listing page its HTML and table of contents (before any page template runs)."""
    autoescape_deflect_templates(env)
    for site_path, planned in (plan.pages if plan is not None else {}).items():
        name = LISTING_TEMPLATES.get(planned.role)
        file = files.get_file_from_path(site_path)
        if name is None or file is None or file.page is None or file.generated_by is None:
            continue  # not a listing, or a page of docs_dir took its address
        page = file.page
        body = env.get_template(name).render(
            listing=listing_context(planned, url), strings=strings_for(planned.lang), lang=planned.lang,
            page=page, config=config, base_url=get_relative_url(".", page.url))
        page.content, tokens = with_permalinks(body, config.mdx_configs.get("toc") or {})
        page.toc = get_toc(nest_toc_tokens(tokens))
        page.present_anchor_ids = {html.unescape(found) for found in _ID_RE.findall(page.content)}


def autoescape_deflect_templates(env: Any) -> None:
    """Compile every template of Deflect's theme folder (or a site's file at the same path) with autoescape."""
    names = {path.relative_to(THEME_DIR).as_posix() for path in THEME_DIR.rglob("*.html")} - NOT_AUTOESCAPED
    previous = env.autoescape

    def autoescape(name: str | None) -> bool:
        return name in names or bool(previous(name) if callable(previous) else previous)

    env.autoescape = autoescape


def with_permalinks(body: str, toc: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """``body`` with a permalink in each heading that has an ``id`` (as the ``toc`` extension's
    ``permalink`` option asks), and those headings as table-of-contents tokens."""
    tokens: list[dict[str, Any]] = []
    permalink = toc.get("permalink")

    def heading(match: re.Match[str]) -> str:
        found = _ID_RE.search(match.group(2) or "")
        if found is None:
            return match.group(0)
        anchor, inner = found.group(1), match.group(3)
        tokens.append({"level": int(match.group(1)), "id": html.unescape(anchor),
                       "name": _TAG_RE.sub("", inner).strip(), "html": inner})
        if not permalink:
            return match.group(0)
        symbol = "&para;" if permalink is True else html.escape(str(permalink))
        title = toc.get("permalink_title", "Permanent link")
        link = (f'<a class="{html.escape(toc.get("permalink_class", "headerlink"))}" href="#{anchor}"'
                + (f' title="{html.escape(title)}"' if title else "") + f">{symbol}</a>")
        inner = link + inner if toc.get("permalink_leading") else inner + link
        return f"<h{match.group(1)}{match.group(2) or ''}>{inner}</h{match.group(1)}>"

    return _HEADING_RE.sub(heading, body), tokens
