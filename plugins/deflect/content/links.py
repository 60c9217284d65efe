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
    """What a ``.md`` link in ``from_file`` points at, or ``None`` when nothing is there.

    Answers are kept per loaded content (the check and the site plan ask the same questions, a
    fallback page its source's): resolving a path asks the file system about every folder in it."""
    memo = center.__dict__.get("_resolved")
    if not isinstance(memo, _Answers) or memo.by_path is not center.by_path or memo.pages is not center.pages:
        memo = center.__dict__["_resolved"] = _Answers(center)
    if (from_file, link_path) not in memo.by_file:  # a document's path is one object: hashed once
        key = (from_file.parent, link_path)
        if key not in memo.by_folder:
            memo.by_folder[key] = _resolve(center, from_file, link_path, memo.real_folders)
        memo.by_file[from_file, link_path] = memo.by_folder[key]
    return memo.by_file[from_file, link_path]


class _Answers:
    """What :func:`resolve` found for one loaded content (its documents and pages as they were)."""

    def __init__(self, center: Content) -> None:
        self.by_path, self.pages = center.by_path, center.pages
        self.by_file: dict[tuple[Path, str], LinkTarget | None] = {}
        self.by_folder: dict[tuple[Path, str], LinkTarget | None] = {}
        self.real_folders: dict[str, str] = {}


def _resolve(center: Content, from_file: Path, link_path: str, real_folders: dict[str, str]) -> LinkTarget | None:
    target = _real_path(os.path.join(from_file.parent, unquote(link_path)), center.by_path, real_folders)
    doc = center.by_path.get(target) or _default_language_version(center, target)
    if doc is not None:
        return LinkTarget(document=doc)
    docs = (center.settings.root / center.settings.docs_dir).resolve()
    try:
        page = target.relative_to(docs).as_posix()
    except ValueError:
        return None
    return LinkTarget(page=page) if page in center.pages else None


def _real_path(joined: str, known: dict[Path, Document], real_folders: dict[str, str]) -> Path:
    """``Path(joined).resolve()``, asking the file system only about the folder when the file is a
    known document: a resolved path names no symbolic link, so the folder's real path plus the file
    name is the file's."""
    folder, name = os.path.split(joined)
    if folder and name not in (".", ".."):
        if folder not in real_folders:
            real_folders[folder] = os.path.realpath(folder)
        candidate = Path(real_folders[folder], name)
        if candidate in known:
            return candidate
    return Path(joined).resolve()


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
