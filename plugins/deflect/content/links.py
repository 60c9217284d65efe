"""Resolve links written between source files to what they point at in the help center.

Authors link from one source file to another with a relative path (``reset-password.md``,
``../../articles/en/return-policy.md``) so links work on GitHub too; the build rewrites them to
the page's place in the site.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from .model import Document, Content


@dataclass(frozen=True)
class LinkTarget:
    """Where a link lands: a content document or a hand-written page of docs_dir."""

    document: Document | None = None
    page: str | None = None
    """Site path of a docs_dir page, e.g. ``en/contact.md``."""

    @property
    def site_path(self) -> str:
        if self.document is not None:
            return self.document.site_path
        assert self.page is not None
        return self.page


def resolve(center: Content, from_file: Path, link_path: str) -> LinkTarget | None:
    """What a ``.md`` link in ``from_file`` points at, or ``None`` when nothing is there."""
    target = (from_file.parent / unquote(link_path)).resolve()
    doc = center.by_path.get(target) or _default_language_version(center, target)
    if doc is not None:
        return LinkTarget(document=doc)
    docs = (center.settings.root / center.settings.docs_dir).resolve()
    try:
        page = target.relative_to(docs).as_posix()
    except ValueError:
        return None
    return LinkTarget(page=page) if page in center.pages else None


def _default_language_version(center: Content, target: Path) -> Document | None:
    """A link to a not-yet-translated file (``articles/hr/x.md``) means its source (``articles/en/x.md``).

    Translators keep link targets as they are; the link starts pointing at the translation as
    soon as it exists, and until then the reader gets the source in their language's site.
    """
    settings = center.settings
    for folder in (settings.articles_dir, settings.faq_dir):
        base = (settings.root / folder).resolve()
        try:
            lang, rest = target.relative_to(base).as_posix().split("/", 1)
        except ValueError:
            continue
        if lang in settings.codes and lang != settings.default_language:
            return center.by_path.get(base / settings.default_language / rest)
    return None


def relative_site_link(from_site_path: str, target: LinkTarget, anchor: str | None) -> str:
    """Link from one site page to another as MkDocs expects it: relative ``.md`` path plus anchor."""
    start = posixpath.dirname(from_site_path) or "."
    path = posixpath.relpath(target.site_path, start)
    anchor = anchor or (target.document.site_anchor if target.document else None)
    return f"{path}#{anchor}" if anchor else path


def is_markdown_link(path: str) -> bool:
    return os.path.splitext(path)[1].lower() == ".md"
