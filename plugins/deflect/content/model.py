"""The content model: articles, FAQ entries, categories and their translations."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property
from pathlib import Path

from .frontmatter import SourceText
from .history import FileHistory
from .markdown_scan import Heading, find_anchors, find_headings
from .schema import ArticleFrontMatter, ArticleType, Audience, FaqFrontMatter
from .settings import ContentSettings


class DocumentKind(str, Enum):
    ARTICLE = "article"
    FAQ = "faq"


@dataclass
class CategoryText:
    title: str
    description: str = ""


@dataclass
class Category:
    """A group of articles with a landing page, titled per language."""

    slug: str
    texts: dict[str, CategoryText]
    icon: str | None = None
    line: int = 1

    def text(self, lang: str, default_lang: str) -> CategoryText:
        return self.texts.get(lang) or self.texts.get(default_lang) or CategoryText(self.slug.replace("-", " ").title())


@dataclass(eq=False)
class Document:
    """One article or FAQ entry in one language, as read from its Markdown file."""

    kind: DocumentKind
    lang: str
    slug: str
    rel_path: str
    """Path relative to the project root, POSIX style, as shown in messages."""
    abs_path: Path
    front: ArticleFrontMatter | FaqFrontMatter
    source: SourceText
    history: FileHistory | None = None
    translation_key: str = ""
    """Slug of the default-language document this one translates (its own slug for sources)."""
    inherits_internal: bool = False
    """Its source is internal, so this translation is too, whatever its own front matter says."""

    @property
    def title(self) -> str:
        return self.front.title

    @property
    def summary(self) -> str:
        return self.front.summary or ""

    @property
    def category(self) -> str:
        return self.front.category

    @property
    def is_internal(self) -> bool:
        """Internal by its own front matter or by its source's: a translation never widens the audience."""
        return self.front.audience is Audience.INTERNAL or self.inherits_internal

    @property
    def declares_audience(self) -> bool:
        """``audience:`` is written in the front matter (else it is inherited, or public for a source)."""
        return "audience" in self.source.meta

    @property
    def is_faq(self) -> bool:
        return self.kind is DocumentKind.FAQ

    @property
    def article_type(self) -> ArticleType | None:
        return getattr(self.front, "type", None)

    @property
    def body(self) -> str:
        return self.source.body

    @property
    def published(self) -> dt.date | None:
        """Front matter ``published``, else the date of the file's first Git commit."""
        if self.front.published:
            return self.front.published
        return self.history.first_commit.date() if self.history else None

    @property
    def last_changed(self) -> dt.datetime | None:
        return self.history.last_commit if self.history else None

    @property
    def site_path(self) -> str:
        """Source URI of the page in the built site (``en/account/reset-password.md``)."""
        if self.is_faq:
            return f"{self.lang}/{self.category}/faq.md"
        return f"{self.lang}/{self.category}/{self.slug}.md"

    @property
    def site_anchor(self) -> str | None:
        """FAQ entries share a page; each has its own anchor on it."""
        return self.slug if self.is_faq else None

    @cached_property
    def headings(self) -> list[Heading]:
        return find_headings(self.body)

    @cached_property
    def anchors(self) -> set[str]:
        return find_anchors(self.body)

    def body_line(self, line_in_body: int) -> int:
        """File line of a line counted within the body."""
        return self.source.body_line + line_in_body - 1

    def review_due(self, default_days: int) -> dt.date | None:
        if not self.front.reviewed:
            return None
        return self.front.reviewed + dt.timedelta(days=self.front.review_every or default_days)


@dataclass
class Content:
    """All content of one help center, loaded and cross-linked."""

    settings: ContentSettings
    categories: dict[str, Category] = field(default_factory=dict)
    documents: list[Document] = field(default_factory=list)
    pages: dict[str, Path] = field(default_factory=dict)
    """Hand-written pages of docs_dir: site path → absolute path."""

    def __post_init__(self) -> None:
        self._index()

    def _index(self) -> None:
        real_folders: dict[Path, Path] = {}
        self.by_path: dict[Path, Document] = {_real_path(doc.abs_path, real_folders): doc for doc in self.documents}
        self.by_slug: dict[tuple[DocumentKind, str, str], Document] = {}
        self.translations: dict[tuple[DocumentKind, str], dict[str, Document]] = {}
        self.duplicates: dict[Document, Document] = {}
        """A document that would take the place of an earlier one → that earlier one: a second file
        with the same slug, or a second translation into one language. Never published."""
        for doc in self.documents:
            first = self.by_slug.setdefault((doc.kind, doc.lang, doc.slug), doc)
            if first is doc:
                first = self.translations.setdefault((doc.kind, doc.translation_key), {}).setdefault(doc.lang, doc)
            if first is not doc:
                self.duplicates[doc] = first
        default = self.settings.default_language
        for doc in self.documents:
            source = self.by_slug.get((doc.kind, default, doc.translation_key))
            doc.inherits_internal = (doc.lang != default and source is not None and source is not doc
                                     and source.front.audience is Audience.INTERNAL)

    def published_documents(self) -> list[Document]:
        """Exactly the documents that get a page in the current build (the site and its search index
        are made from this list): internal ones only in an internal build, never a duplicate, and FAQ
        entries only in a known category (FAQ pages exist per category)."""
        return [doc for doc in self.documents
                if (self.settings.internal or not doc.is_internal) and doc not in self.duplicates
                and (not doc.is_faq or doc.category in self.categories)]

    def versions(self, doc: Document) -> dict[str, Document]:
        """Every language version of ``doc`` (including itself), by language code."""
        return self.translations.get((doc.kind, doc.translation_key), {doc.lang: doc})

    def source_of(self, doc: Document) -> Document | None:
        """The default-language document that ``doc`` translates (``None`` for sources and orphans)."""
        if doc.lang == self.settings.default_language:
            return None
        return self.versions(doc).get(self.settings.default_language)

    def is_stale(self, doc: Document) -> bool:
        """A translation whose source changed after the translation's last commit."""
        source = self.source_of(doc)
        if source is None or doc.last_changed is None or source.last_changed is None:
            return False
        return source.last_changed > doc.last_changed

    def category_title(self, slug: str, lang: str) -> str:
        category = self.categories.get(slug)
        if category is None:
            return slug.replace("-", " ").title()
        return category.text(lang, self.settings.default_language).title


def _real_path(path: Path, real_folders: dict[Path, Path]) -> Path:
    """``path.resolve()``, asking the file system about each folder once: unless the file itself is a
    symbolic link, its real path is its folder's plus its name."""
    if path.name in ("", ".", "..") or os.path.islink(path):
        return path.resolve()
    folder = path.parent
    real = real_folders.get(folder)
    if real is None:
        real = real_folders[folder] = folder.resolve()
    return real / path.name
