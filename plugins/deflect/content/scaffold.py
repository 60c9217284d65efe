"""``deflect new``: start an article, troubleshooting guide or FAQ entry that already passes the check."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Protocol

import yaml
from markdown.extensions.toc import slugify

from .loader import RESERVED_SLUGS, load_categories
from .model import Content, DocumentKind
from .settings import ContentSettings

KINDS = ("article", "troubleshooting", "howto", "faq")

_BODIES = {
    "article": """Start with one or two sentences that answer the question right away.

## What you need {#before}

- The Orrin app, signed in to your account

## Steps {#steps}

1. Open the app and tap **Profile**.
2. Describe each step in the reader's words, naming buttons in **bold**.

## Related {#related}

Link to articles that help next, e.g. `[Title](other-article.md)`.
""",
    "howto": """Say in one sentence what the reader will have done at the end.

## Before you start {#before}

- What the reader needs

## Do it {#steps}

1. First step.
2. Second step.
""",
    "troubleshooting": """Say which symptom this guide fixes. Start at the first step and follow the answers.

## Check the first thing {#first}

What to look at, and how.

**Does it work now?**

- **Yes** → [Done](#solved)
- **No** → [Try the next thing](#second)

## Try the next thing {#second}

What to do next.

**Does it work now?**

- **Yes** → [Done](#solved)
- **No** → [Still not working?](#contact)

## Done {#solved}

Glad it works again.

## Still not working? {#contact}

Contact support and tell us which steps you tried.
""",
    "faq": "Answer in one to four sentences, then link to the article with the details.\n",
}


PLACEHOLDER_SUMMARY = "One sentence that tells the reader what this article helps them do."
PLACEHOLDER_LINES = (
    "Start with one or two sentences that answer the question right away.",
    "Describe each step in the reader's words, naming buttons in **bold**.",
    "Link to articles that help next, e.g. `[Title](other-article.md)`.",
    "Say in one sentence what the reader will have done at the end.",
    "- What the reader needs",
    "Say which symptom this guide fixes. Start at the first step and follow the answers.",
    "What to look at, and how.",
    "Answer in one to four sentences, then link to the article with the details.",
)
"""Lines of the scaffold that only tell the author what to write: ``deflect check`` refuses them
until they are replaced, so a file straight from ``deflect new`` cannot be published."""


class Project(Protocol):
    """A help center whose content is read only when asked for (``deflect.helpcenter.HelpCenter``): a new
    file needs the loaded content only to find the translations of its source."""

    settings: ContentSettings

    @property
    def content(self) -> Content: ...


class ScaffoldError(ValueError):
    """The file cannot be created; the message says why and how to fix it."""


MAX_SLUG = 80
"""Longest slug ``new`` makes from a title: a readable URL, and far below file-name limits."""


def slug_for(title: str, kind: str) -> str:
    """The file name (without ``.md``) for a new document titled ``title``; ``""`` when none can be made.

    Cut at a word boundary to :data:`MAX_SLUG` characters, and never a name ``check`` reserves
    for generated pages (``index`` → ``index-article``).
    """
    # slugify keeps underscores and edge hyphens ("snake_case", "Hello -"), which are not valid slugs.
    slug = re.sub(r"[^a-z0-9]+", "-", slugify(title, "-")).strip("-")
    if len(slug) > MAX_SLUG:
        cut = slug[: MAX_SLUG + 1]
        words = cut.rsplit("-", 1)[0] if "-" in cut else ""
        # One very long word: cut inside it rather than keep a slug of a word or two.
        slug = words if len(words) >= MAX_SLUG // 2 else slug[:MAX_SLUG].strip("-")
    if kind != "faq" and slug in RESERVED_SLUGS:
        slug = f"{slug}-{'article' if kind == 'article' else kind}"
    return slug


def _refuse_clashes(project: Project, kind: DocumentKind, folder: str, lang: str, slug: str,
                    translation_of: str | None) -> None:
    """Files ``check`` would reject next to the new one: the same name in a subfolder (duplicate
    slug), or another translation of the same source into ``lang`` (as the loader paired them)."""
    settings = project.settings
    base = settings.root / folder / lang
    if not base.is_dir():
        return
    same = next(iter(sorted(base.rglob(f"{slug}.md"))), None)
    if same is not None:
        raise ScaffoldError(f"{same.relative_to(settings.root).as_posix()} already has the file name '{slug}.md': "
                            "pick another title or edit that file")
    other = project.content.translations.get((kind, translation_of), {}).get(lang) if translation_of else None
    if other is not None:
        raise ScaffoldError(f"{other.rel_path} is already the {lang} translation of '{translation_of}': "
                            "edit that file instead")


def scaffold(
    project: Project, kind: str, title: str, *, lang: str | None = None, category: str | None = None,
    today: dt.date | None = None, translation_of: str | None = None,
) -> Path:
    """Write a new, valid content file into ``project`` and return its path."""
    settings = project.settings
    if kind not in KINDS:
        raise ScaffoldError(f"unknown kind {kind!r}: use one of {', '.join(KINDS)}")
    lang = lang or settings.default_language
    if lang not in settings.codes:
        raise ScaffoldError(f"unknown language {lang!r}: use one of {', '.join(settings.codes)} (see mkdocs.yml)")
    title = title.strip()
    if not title:
        raise ScaffoldError("the title is empty: give the title the reader will see, e.g. \"Reset your password\"")
    if translation_of:
        if lang == settings.default_language:
            raise ScaffoldError(f"--translation-of needs --lang: a translation is written in another language than "
                                f"{settings.default_language}")
        folder = settings.faq_dir if kind == "faq" else settings.articles_dir
        source = settings.root / folder / settings.default_language / f"{translation_of}.md"
        if not source.is_file():
            raise ScaffoldError(f"no {settings.default_language} {kind} {translation_of!r} to translate "
                                f"({source.relative_to(settings.root)} does not exist)")
        slug = translation_of  # same file name: the translation is found without translation_of
    else:
        slug = slug_for(title, kind)
    original = lang != settings.default_language and not translation_of
    if original and slug:
        folder = settings.faq_dir if kind == "faq" else settings.articles_dir
        twin = settings.root / folder / settings.default_language / f"{slug}.md"
        if twin.is_file():
            raise ScaffoldError(f"{twin.relative_to(settings.root).as_posix()} has the same file name: to translate it, "
                                f"run again with --translation-of {slug}; to write a new {lang} original, change the title")
    if not slug:
        raise ScaffoldError(f"cannot make a file name from {title!r} (only letters a-z and digits are used): "
                            "write a translation with --translation-of SLUG, or add a few Latin letters to the title")
    categories, _ = load_categories(settings)
    document_kind = DocumentKind.FAQ if kind == "faq" else DocumentKind.ARTICLE
    if category is None and translation_of:
        loaded = project.content.by_slug.get((document_kind, settings.default_language, translation_of))
        category = loaded.category if loaded is not None else None
    if category is None:
        raise ScaffoldError(f"choose a category with --category: {', '.join(categories) or 'none defined yet'}")
    if categories and category not in categories:
        raise ScaffoldError(f"unknown category {category!r}: use one of {', '.join(categories)}")
    folder = settings.faq_dir if kind == "faq" else settings.articles_dir
    path = settings.root / folder / lang / f"{slug}.md"
    if path.exists():
        raise ScaffoldError(f"{path.relative_to(settings.root)} already exists: pick another title or edit that file")
    _refuse_clashes(project, document_kind, folder, lang, slug, translation_of)
    today = today or settings.today
    meta: dict[str, object] = {"title": title}
    if kind != "faq":
        meta["summary"] = PLACEHOLDER_SUMMARY
        meta["type"] = "article" if kind == "article" else kind
    if original:
        meta["original"] = True  # written in this language first: check needs no default-language source
    meta.update({"category": category, "tags": [], "topics": [], "audience": "public", "owner": "team-support",
                 "reviewed": today, "review_every": "12 months"})
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, default_flow_style=None)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{front}---\n{_BODIES[kind]}", encoding="utf-8")
    return path
