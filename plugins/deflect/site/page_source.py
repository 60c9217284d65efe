"""Turn a planned page into the Markdown source (front matter + body) MkDocs reads; no MkDocs here."""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from .plan import SitePage

_NOT_YAML = re.compile("[\x7f-\x84\x86-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
"""Characters JSON leaves unescaped that YAML rejects or reads as a line break."""
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
    return "---\n" + front_matter(meta) + "---\n\n" + page.markdown


def front_matter(meta: dict[str, Any]) -> str:
    """``meta`` as YAML: JSON values (a JSON string is a YAML double-quoted one) written ten times
    faster than by ``yaml.safe_dump``, which stays for text JSON leaves as it is but YAML does not."""
    if any(_NOT_YAML.search(value) for value in meta.values() if isinstance(value, str)):
        return yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
    return "".join(f"{key}: {json.dumps(value, ensure_ascii=False)}\n" for key, value in meta.items())
