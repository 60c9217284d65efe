"""Load a help center's content from disk into the content model.

Layout (see README): ``articles/<lang>/**/<slug>.md``, ``faq/<lang>/**/<slug>.md`` and
``articles/categories.yml``. A translation has the same file name as its source, or names it in
``translation_of``. Nothing here raises on bad content: every problem is returned with its
``path:line`` and the unusable file is left out.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..processes import Progress, collector_paused
from .frontmatter import (SourceText, adopt_parsed, parsed_count, parsed_entry, parsed_on_disk, read_text,
                          split_front_matter)
from .history import load_history
from .markdown_scan import find_too_deep, scan_entry
from .model import Category, CategoryText, Document, DocumentKind, Content
from .problems import Problem, error, markup_in_plain_text
from .scancache import adopt as adopt_scan, scans_on_disk
from .schema import ICON_RE, SLUG_RE, ArticleFrontMatter, FaqFrontMatter, validate_front_matter
from .settings import ContentSettings

if TYPE_CHECKING:
    from deflect.site.page_helper import SplitRun

CATEGORIES_FILE = "categories.yml"
RESERVED_SLUGS = {"index", "faq"}

_Job = tuple[Path, str, DocumentKind, str, type]  # a file: its path, relative path, kind, language, schema
HELPER_MIN_FILES = 300
"""A load forks a helper (two cores) when at least this many files were not parsed by an earlier load:
forking costs a few hundredths of a second, a file's parse and scan about half a millisecond."""
_helped: list[int] = [0]  # files the last load's helper parsed (see last_helped)


def load_help_center(settings: ContentSettings, *, with_history: bool = True, cache_dir: Path | None = None,
                     progress: Callable[[str], None] | None = None) -> tuple[Content, list[Problem]]:
    """Read all content below ``settings.root``; return the model and every problem found. With
    ``cache_dir`` (a build's ``.deflect/``), front matter parsed and bodies scanned by earlier builds
    are reused: each body's one scan (``markdown_scan.scan``), which the check and the site plan read,
    is made here, so it is saved too. ``progress`` hears how far a load of 1,000 files or more is
    (``processes.Progress``)."""
    with collector_paused(), parsed_on_disk(cache_dir / "frontmatter.pickle" if cache_dir is not None else None), \
            scans_on_disk(cache_dir / "scans.pickle" if cache_dir is not None else None):
        return _load(settings, with_history, progress)


def _load(settings: ContentSettings, with_history: bool,
          progress: Callable[[str], None] | None = None) -> tuple[Content, list[Problem]]:
    from deflect.locales import use_site  # here: the registry reads its files with this package's YAML loader

    problems: list[Problem] = use_site(settings.root, settings.codes)
    root = settings.root
    categories, category_problems = load_categories(settings)
    problems += category_problems
    history = load_history(root, [settings.articles_dir, settings.faq_dir]) if with_history else {}

    steps: list[list[Problem] | _Job] = []  # in order: a folder's problems, then its files
    for kind, folder, model in (
        (DocumentKind.ARTICLE, settings.articles_dir, ArticleFrontMatter),
        (DocumentKind.FAQ, settings.faq_dir, FaqFrontMatter),
    ):
        base = root / folder
        if not base.is_dir():
            if kind is DocumentKind.ARTICLE:
                problems.append(error(folder, 1, f"missing folder '{folder}/': create it with one folder per language"))
            continue
        steps.append(_stray_entries(base, folder, settings))
        for lang in settings.codes:
            lang_dir = base / lang
            if not lang_dir.is_dir():
                steps.append([error(
                    f"{folder}/{lang}", 1,
                    f"missing language folder '{folder}/{lang}/' for language '{lang}' listed in mkdocs.yml: "
                    f"create it (it may stay empty) or remove '{lang}' from languages",
                )])
                continue
            steps += [(path, path.relative_to(root).as_posix(), kind, lang, model)
                      for path in sorted(lang_dir.rglob("*.md"), key=lambda path: path.parts)]

    documents: list[Document] = []
    jobs = [step for step in steps if isinstance(step, tuple)]
    helper = _parsing_helper(jobs)
    ticker = Progress("loading content", len(jobs), "files", progress)
    number = 0
    try:
        for step in steps:
            if isinstance(step, list):
                problems += step
                continue
            if ticker.on:  # (the helper's share is a read of shared memory: only when it is said)
                ticker.tick(number + (helper.helper_share() if helper is not None else 0))
            if helper is not None:
                helper.reach(number)  # a file the helper took: its parse and scan are remembered here
            number += 1
            path, rel, kind, lang, schema = step
            doc, doc_problems = _load_document(path, rel, kind, lang, schema, settings)
            problems += doc_problems
            if doc is not None:
                doc.history = history.get(rel)
                documents.append(doc)
    finally:
        if helper is not None:
            helper.finish()
            _helped[0] = helper.taken

    ticker.finish()
    problems += _check_slugs(documents)
    center = Content(settings=settings, categories=categories, documents=documents, pages=_docs_pages(settings))
    return center, problems


def last_helped() -> int:
    """How many files the last load in this process left to its helper (0: it forked none)."""
    return _helped[0]


def _parsing_helper(jobs: list[_Job]) -> SplitRun | None:
    """A forked process that parses and scans ``jobs`` from the last one down while this one goes from
    the first (``deflect.site.page_helper.SplitRun``): its results are remembered here as they come,
    so this process's own ``_load_document`` finds them made. None when there are too few new files
    (a warm build: the parses are remembered) or no fork; a helper that fails leaves its files here."""
    from deflect.site.page_helper import SplitRun, helper_allowed  # noqa: F811 - a fork helper, loaded when used

    _helped[0] = 0
    if not helper_allowed() or len(jobs) - parsed_count() < HELPER_MIN_FILES:
        return None

    def work(item: int) -> dict[str, bytes]:
        path, rel = jobs[item][:2]
        text, _ = read_text(path, rel)
        if text is None:
            return {}
        front = parsed_entry(text, rel)
        source = front[1][0]
        found = scan_entry(source.body) if source is not None and source.body else None
        return {"": pickle.dumps((front, found), protocol=pickle.HIGHEST_PROTOCOL)}

    def adopt(entries: dict[str, bytes]) -> None:
        for data in entries.values():
            front, found = pickle.loads(data)
            adopt_parsed(*front)
            if found is not None:
                adopt_scan(*found)

    run = SplitRun(len(jobs), 0, lambda: None, work, adopt)
    return run if run.start() else None


def _load_document(
    path: Path, rel: str, kind: DocumentKind, lang: str, model: type, settings: ContentSettings
) -> tuple[Document | None, list[Problem]]:
    text, problems = read_text(path, rel)
    if text is None:
        return None, problems
    source, problems = split_front_matter(text, rel)
    if source is None:
        return None, problems
    too_deep = find_too_deep(source.body)
    if too_deep is not None:
        # Rendering it would crash or stall every build and search index: leave the file out, stop the build.
        line, message = too_deep
        return None, problems + [error(rel, source.body_line + line - 1, message, fatal=True)]
    front, schema_problems = validate_front_matter(model, source, rel)
    problems += schema_problems
    if front is None:
        return None, problems
    assert isinstance(front, (ArticleFrontMatter, FaqFrontMatter))  # ``model`` is one of the two
    slug = path.stem
    if not SLUG_RE.match(slug):
        problems.append(error(rel, 1, f"file name '{path.name}' must be a slug: lowercase letters, digits and hyphens"))
        return None, problems
    if slug in RESERVED_SLUGS and kind is DocumentKind.ARTICLE:
        problems.append(error(rel, 1, f"'{slug}' is reserved for generated pages: rename the file"))
        return None, problems
    key = front.translation_of or slug
    if lang == settings.default_language and front.translation_of:
        problems.append(error(rel, source.line_of("translation_of"),
                              "translation_of is only for translations; this file is in the default language"))
        key = slug
    doc = Document(kind=kind, lang=lang, slug=slug, rel_path=rel, abs_path=path, front=front,
                   source=source, translation_key=key)
    if not source.body.strip():
        problems.append(error(rel, source.body_line, "the text below the front matter is empty"))
    return doc, problems


def _stray_entries(base: Path, folder: str, settings: ContentSettings) -> list[Problem]:
    problems = []
    for entry in sorted(base.iterdir()):
        if entry.is_dir() and entry.name not in settings.codes and not entry.name.startswith("."):
            problems.append(error(
                f"{folder}/{entry.name}", 1,
                f"folder '{entry.name}' is not a language listed in mkdocs.yml ({', '.join(settings.codes)})",
            ))
        elif entry.is_file() and entry.suffix == ".md":
            problems.append(error(
                f"{folder}/{entry.name}", 1,
                f"file is outside a language folder: move it to {folder}/{settings.default_language}/",
            ))
    return problems


def _check_slugs(documents: list[Document]) -> list[Problem]:
    """Two files of one kind and language with the same slug would share a URL."""
    problems = []
    seen: dict[tuple[DocumentKind, str, str], Document] = {}
    for doc in documents:
        key = (doc.kind, doc.lang, doc.slug)
        first = seen.get(key)
        if first is not None:
            problems.append(error(doc.rel_path, 1, f"duplicate slug '{doc.slug}': {first.rel_path} has the same file name"))
        else:
            seen[key] = doc
    return problems


def _docs_pages(settings: ContentSettings) -> dict[str, Path]:
    docs = settings.root / settings.docs_dir
    if not docs.is_dir():
        return {}
    return {path.relative_to(docs).as_posix(): path for path in docs.rglob("*.md")}


def load_categories(settings: ContentSettings) -> tuple[dict[str, Category], list[Problem]]:
    """Read ``articles/categories.yml``: category slug → titles and descriptions per language."""
    rel = f"{settings.articles_dir}/{CATEGORIES_FILE}"
    path = settings.root / rel
    if not path.is_file():
        return {}, [error(rel, 1, "missing categories file: list each category with a title per language")]
    text, problems = read_text(path, rel)
    if text is None:
        return {}, problems
    source, problems = split_front_matter("---\n" + text + "\n---\n", rel)
    if source is None:
        # The wrapper adds one line at the top; messages must still point at the real line.
        return {}, [replace(p, line=max(p.line - 1, 1)) for p in problems]
    categories: dict[str, Category] = {}
    for slug, value in source.meta.items():
        line = source.line_of(slug) - 1
        slug = str(slug)
        if not SLUG_RE.match(slug):
            problems.append(error(rel, line, f"category '{slug}' must be a slug: lowercase letters, digits and hyphens"))
            continue
        if not isinstance(value, dict):
            problems.append(error(rel, line, f"category '{slug}' needs a mapping: icon and a title per language"))
            continue
        texts, icon = _category_texts(slug, value, source, settings, rel, problems)
        categories[slug] = Category(slug=slug, texts=texts, icon=icon, line=line)
    if not categories:
        problems.append(error(rel, 1, "no categories defined"))
    return categories, problems


def _category_texts(
    slug: str, value: dict[str, Any], source: SourceText, settings: ContentSettings, rel: str, problems: list[Problem]
) -> tuple[dict[str, CategoryText], str | None]:
    texts: dict[str, CategoryText] = {}
    icon = value.get("icon")
    for key, entry in value.items():
        line = source.line_of(slug, str(key)) - 1
        if key == "icon":
            # The home page includes the theme file .icons/<icon>.svg, so only an icon name gets through.
            if not isinstance(entry, str) or not ICON_RE.match(entry):
                problems.append(error(rel, line, f"category '{slug}': icon must be an icon name such as 'material/truck'"))
                icon = None
            continue
        if key not in settings.codes:
            problems.append(error(rel, line, f"category '{slug}': '{key}' is neither 'icon' nor a language in mkdocs.yml"))
            continue
        if isinstance(entry, str):
            texts[key] = CategoryText(entry)
        elif isinstance(entry, dict) and isinstance(entry.get("title"), str):
            texts[key] = CategoryText(entry["title"], str(entry.get("description") or ""))
            for stray in sorted(map(str, entry.keys() - {"title", "description"})):
                # {description: Sign in, keep it safe} parses "keep it safe" as a key of its own.
                problems.append(error(rel, line, f"category '{slug}': '{key}' has an unknown key '{stray}'; only title "
                                                 "and description are allowed. Text with a comma inside {…} must be "
                                                 "quoted: description: \"Sign in, keep it safe\""))
        else:
            problems.append(error(rel, line, f"category '{slug}': '{key}' needs a title (text)"))
            continue
        for name in ("title", "description"):
            message = markup_in_plain_text(f"{key} {name}", getattr(texts[key], name))
            if message:
                problems.append(error(rel, line, f"category '{slug}': {message}"))
    if settings.default_language not in texts:
        problems.append(error(rel, source.line_of(slug) - 1,
                              f"category '{slug}' has no title in the default language '{settings.default_language}'"))
    return texts, icon
