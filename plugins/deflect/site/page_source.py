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


LIGHT_TEMPLATE = "deflect-fallback.html"
"""A light fallback page's template: small, rendered again on every build (a page-cache entry of its
output, and the key that finds it, cost more than the render; see deflect/content's ``on_env``)."""


def page_source(page: SitePage) -> tuple[str, dict[str, Any] | None]:
    """The Markdown MkDocs reads for the page, and the meta (title, description, hidden parts,
    template) the plugin gives the page itself, or ``None`` when the source carries it as front matter.

    MkDocs parses every source's front matter with PyYAML, a large share of reading 4,000 generated
    pages. A source that starts with an empty line has no front matter for MkDocs and reads as its
    text with the leading empty lines removed, as it does after front matter, so the plugin sets
    ``page.meta`` to the very dict the YAML would give (tested: the two builds are byte-identical).
    MkDocs' plain reading turns ``\\r`` into line breaks: such a text keeps its front matter."""
    meta: dict[str, Any] = {"title": _plain(page.title)}
    if page.role in FULL_WIDTH_ROLES:
        meta["hide"] = ["navigation", "toc"]
    if page.light:
        meta["template"] = LIGHT_TEMPLATE
    if page.description:
        meta["description"] = _plain(page.description)
    if "\r" in page.markdown:
        return "---\n" + front_matter(meta) + "---\n\n" + page.markdown, None
    return "\n" + page.markdown, meta


def _plain(value: Any) -> Any:
    """A string as YAML would read it back: a plain ``str`` (never ``Markup``, which is not escaped again)."""
    return str(value) if isinstance(value, str) else value


def front_matter(meta: dict[str, Any]) -> str:
    """``meta`` as YAML: JSON values (a JSON string is a YAML double-quoted one) written ten times
    faster than by ``yaml.safe_dump``, which stays for text JSON leaves as it is but YAML does not."""
    if any(_NOT_YAML.search(value) for value in meta.values() if isinstance(value, str)):
        return yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
    return "".join(f"{key}: {json.dumps(value, ensure_ascii=False)}\n" for key, value in meta.items())
