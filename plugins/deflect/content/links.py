"""Resolve links written between source files to what they point at in the help center.

Authors link from one source file to another with a relative path (``reset-password.md``,
``../../articles/en/return-policy.md``) so links work on GitHub too; the build rewrites them to
the page's place in the site.
"""

from __future__ import annotations

import functools
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
        self.real_folders: dict[str, Path] = {}


def _resolve(center: Content, from_file: Path, link_path: str, real_folders: dict[str, Path]) -> LinkTarget | None:
    target = _real_path(os.path.join(from_file.parent, unquote(link_path)), center.by_path, real_folders)
    doc = center.by_path.get(target) or _default_language_version(center, target, real_folders)
    if doc is not None:
        return LinkTarget(document=doc)
    docs = _real_folder(center.settings.root / center.settings.docs_dir, real_folders)
    try:
        page = target.relative_to(docs).as_posix()
    except ValueError:
        return None
    return LinkTarget(page=page) if page in center.pages else None


def _real_path(joined: str, known: dict[Path, Document], real_folders: dict[str, Path]) -> Path:
    """``Path(joined).resolve()``, asking the file system about each folder once: unless the file
    itself is a symbolic link, its real path is its folder's plus its name (a known document's
    resolved path names no link, so that is not even asked)."""
    folder, name = os.path.split(joined)
    if folder and name not in (".", ".."):
        candidate = _real_folder(folder, real_folders) / name
        if candidate in known or not os.path.islink(candidate):
            return candidate
    return Path(joined).resolve()


def _real_folder(folder: str | Path, real_folders: dict[str, Path]) -> Path:
    key = str(folder)
    if key not in real_folders:
        real_folders[key] = Path(os.path.realpath(key))
    return real_folders[key]


def _default_language_version(center: Content, target: Path, real_folders: dict[str, Path]) -> Document | None:
    """A link to a not-yet-translated file (``articles/hr/x.md``) means its source (``articles/en/x.md``).

    Translators keep link targets as they are; the link starts pointing at the translation as
    soon as it exists, and until then the reader gets the source in their language's site.
    """
    settings = center.settings
    for folder in (settings.articles_dir, settings.faq_dir):
        base = _real_folder(settings.root / folder, real_folders)
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
    path = _relpath(target.site_path, start)
    anchor = anchor or (target.document.site_anchor if target.document else None)
    return f"{path}#{anchor}" if anchor else path


def _relpath(path: str, start: str) -> str:
    """``posixpath.relpath`` of two site paths, without its two ``os.getcwd()`` calls when both are
    plain relative paths (no empty, ``.`` or ``..`` part), which is what site paths are."""
    folder, slash, name = path.rpartition("/")
    if name not in ("", ".", ".."):
        prefix = _folder_prefix(folder if slash else None, start)
        if prefix is not None:
            return prefix + name
    parts, start_parts = path.split("/"), ([] if start == "." else start.split("/"))
    if any(part in ("", ".", "..") for part in (*parts, *start_parts)):
        return posixpath.relpath(path, start)
    common = _common(parts, start_parts)
    return "/".join([".."] * (len(start_parts) - common) + parts[common:]) or "."


@functools.lru_cache(maxsize=4096)
def _folder_prefix(folder: str | None, start: str) -> str | None:
    """What :func:`_relpath` puts before the name of a file in ``folder`` (``../billing/``; ``None``: a
    bare name), worked out once per pair of folders; None when the file's name could matter (``start``
    is below ``folder``) or a path is not plain."""
    parts, start_parts = ([] if folder is None else folder.split("/")), ([] if start == "." else start.split("/"))
    if any(part in ("", ".", "..") for part in (*parts, *start_parts)):
        return None
    common = _common(parts, start_parts)
    if common == len(parts) and len(start_parts) > common:
        return None
    return "/".join([".."] * (len(start_parts) - common) + parts[common:] + [""])


def _common(parts: list[str], start_parts: list[str]) -> int:
    """How many leading parts two paths share."""
    common = 0
    for mine, theirs in zip(parts, start_parts):
        if mine != theirs:
            break
        common += 1
    return common


def is_markdown_link(path: str) -> bool:
    return os.path.splitext(path)[1].lower() == ".md"
