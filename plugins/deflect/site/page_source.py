"""Turn a planned page into the Markdown source (front matter + body) MkDocs reads; no MkDocs here."""

from __future__ import annotations

from typing import Any

import yaml

from .plan import SitePage

FULL_WIDTH_ROLES = ("root", "home", "search", "contact")
"""Pages that read as a help center's front, not as documentation: no left menu, no table of contents."""


def page_source(page: SitePage) -> str:
    """The page's Markdown with its front matter: title, description, hidden parts, template."""
    meta: dict[str, Any] = {"title": page.title}
    if page.role in FULL_WIDTH_ROLES:
        meta["hide"] = ["navigation", "toc"]
    if page.light:
        meta["template"] = "deflect-fallback.html"
    if page.description:
        meta["description"] = page.description
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n\n" + page.markdown
