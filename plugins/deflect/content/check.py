"""``deflect check``: everything an author can get wrong, as ``path:line: message``."""

from __future__ import annotations

from dataclasses import dataclass, field

from .guides import check_guide
from .links import is_markdown_link, resolve
from .markdown_scan import find_anchors, find_links, find_too_deep, prose_line_numbers
from .model import Document, Content
from .problems import Problem, error, markup_in_plain_text, warning
from .scaffold import PLACEHOLDER_LINES, PLACEHOLDER_SUMMARY
from .schema import ArticleType, Audience


@dataclass
class CheckReport:
    """The outcome of a check: problems sorted by file and line, plus coverage numbers."""

    problems: list[Problem]
    documents: int
    translated: dict[str, int] = field(default_factory=dict)
    sources: int = 0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors


def check_report(center: Content, problems: list[Problem]) -> CheckReport:
    """The check of loaded content: ``problems`` (the loader's and :func:`check_help_center`'s, and any
    other file's) sorted once, plus how many default-language articles each language translates."""
    settings = center.settings
    unique = sorted(set(problems), key=lambda p: (p.path, p.line, p.message))
    sources = [d for d in center.documents if d.lang == settings.default_language and not d.is_faq and not d.is_internal]
    translated = {
        lang: sum(1 for d in sources if lang in center.versions(d))
        for lang in settings.codes if lang != settings.default_language
    }
    return CheckReport(unique, len(center.documents), translated, len(sources))


def check_help_center(center: Content) -> list[Problem]:
    """Cross-document checks on loaded content (per-file problems come from the loader)."""
    problems: list[Problem] = []
    for doc in center.documents:
        problems += _check_category(center, doc)
        problems += _check_plain_text(doc)
        problems += _check_links(center, doc)
        problems += _check_translation(center, doc)
        problems += _check_review(center, doc)
        problems += _check_steps(doc)
        problems += _check_placeholders(doc)
    problems += _check_duplicate_translations(center)
    problems += _check_pages(center)
    problems += _check_required_translations(center)
    return problems


def blocking(problems: list[Problem]) -> list[Problem]:
    """Problems that stop every build, ``--strict`` or not (``Problem.fatal``), sorted and unique."""
    return sorted({p for p in problems if p.fatal}, key=lambda p: (p.path, p.line, p.message))


def refusal(problems: list[Problem], audience: str) -> str | None:
    """Why the site must not be built (the first 20 blocking problems), or None when it may be."""
    fatal = blocking(problems)
    if not fatal:
        return None
    shown = "\n".join(p.format() for p in fatal[:20])
    more = f"\n… and {len(fatal) - 20} more" if len(fatal) > 20 else ""
    return (f"the {audience} site is not built, because publishing it "
            f"would leak internal content or the content cannot be read safely:\n{shown}{more}")


def _check_duplicate_translations(center: Content) -> list[Problem]:
    """A second translation into one language would silently replace the first (same slug is
    already a 'duplicate slug' error from the loader)."""
    problems = []
    for doc, first in center.duplicates.items():
        if doc.slug == first.slug:
            continue
        line = doc.source.line_of("translation_of") if doc.front.translation_of else 1
        problems.append(error(doc.rel_path, line,
                              f"second {doc.lang} translation of '{doc.translation_key}' (first: {first.rel_path}): "
                              "keep one file per language and delete or merge the other", fatal=True))
    return problems


def _check_category(center: Content, doc: Document) -> list[Problem]:
    if not center.categories or doc.category in center.categories:
        return []
    known = ", ".join(center.categories)
    return [error(doc.rel_path, doc.source.line_of("category"),
                  f"unknown category '{doc.category}' (defined in {center.settings.articles_dir}/categories.yml: {known})")]


def _check_plain_text(doc: Document) -> list[Problem]:
    problems = []
    for key in ("title", "summary"):
        message = markup_in_plain_text(key, getattr(doc.front, key, None))
        if message:
            problems.append(error(doc.rel_path, doc.source.line_of(key), message))
    return problems


def _check_links(center: Content, doc: Document) -> list[Problem]:
    problems = []
    for link in find_links(doc.body):
        line = doc.body_line(link.line)
        if link.is_external or link.is_image:
            continue
        if not link.path:
            if link.anchor and link.anchor not in doc.anchors:
                problems.append(error(doc.rel_path, line, f"broken anchor '#{link.anchor}': no such heading or id in this file"))
            continue
        if not is_markdown_link(link.path):
            continue
        target = resolve(center, doc.abs_path, link.path)
        if target is None:
            problems.append(error(doc.rel_path, line, f"broken link '{link.target}': no such article, FAQ entry or page"))
            continue
        if target.document is not None:
            if target.document.is_internal and not doc.is_internal:
                problems.append(_internal_link(center, doc.rel_path, line, link.path))
                continue
            anchors = target.document.anchors
        else:
            anchors = find_anchors(center.pages[target.page or ""].read_text(encoding="utf-8", errors="replace"))
        if link.anchor and link.anchor not in anchors:
            problems.append(error(doc.rel_path, line, f"broken anchor '#{link.anchor}' in link to '{link.path}'"))
    return problems


def _check_pages(center: Content) -> list[Problem]:
    """Hand-written pages of docs_dir are public in a public build: they must not point at
    internal content either (the build does not rewrite their links, so the slug would stay),
    and are rendered like articles, so they get the same depth limits."""
    problems = []
    for path in center.pages.values():
        rel = path.relative_to(center.settings.root).as_posix()
        text = path.read_text(encoding="utf-8", errors="replace")
        too_deep = find_too_deep(text)
        if too_deep is not None:
            problems.append(error(rel, too_deep[0], too_deep[1], fatal=True))
            continue
        for link in find_links(text):
            if link.is_external or not link.path or not is_markdown_link(link.path):
                continue
            target = resolve(center, path, link.path)
            if target is not None and target.document is not None and target.document.is_internal:
                problems.append(_internal_link(center, rel, link.line, link.path))
    return problems


def _internal_link(center: Content, rel: str, line: int, target: str) -> Problem:
    # The public build must not publish even the address of internal content; agents' pages may link.
    return error(rel, line, f"link to internal article '{target}' from a public page: readers cannot open it",
                 fatal=not center.settings.internal)


def _check_translation(center: Content, doc: Document) -> list[Problem]:
    settings = center.settings
    if doc.lang == settings.default_language:
        return []
    source = center.source_of(doc)
    line = doc.source.line_of("translation_of") if doc.front.translation_of else 1
    if doc.front.original:
        return _check_original(doc, source, settings.default_language)
    if source is None:
        expected = f"{'faq' if doc.is_faq else settings.articles_dir}/{settings.default_language}/{doc.translation_key}.md"
        how = "fix translation_of" if doc.front.translation_of else "give it the same file name as its source, or set translation_of"
        return [error(doc.rel_path, line, f"translation without a source: {expected} does not exist ({how})")]
    problems = []
    for key in ("category", "audience"):
        mine, theirs = getattr(doc.front, key), getattr(source.front, key)
        if key == "audience" and not doc.declares_audience:
            continue  # inherited from the source
        if key == "audience" and source.is_internal and doc.front.audience is not Audience.INTERNAL:
            problems.append(error(doc.rel_path, doc.source.line_of(key),
                                  f"audience '{_value(mine)}' on a translation of an internal article "
                                  f"({source.rel_path}): a translation cannot widen the audience; "
                                  "remove 'audience' (it is inherited) or set it to internal", fatal=True))
        elif mine != theirs:
            problems.append(error(doc.rel_path, doc.source.line_of(key),
                                  f"{key} '{_value(mine)}' differs from the source's '{_value(theirs)}' ({source.rel_path})"))
    if center.is_stale(doc):
        assert source.last_changed is not None and doc.last_changed is not None
        problems.append(warning(doc.rel_path, 1,
                                f"translation is out of date: {source.rel_path} changed on {source.last_changed:%Y-%m-%d}, "
                                f"after this translation ({doc.last_changed:%Y-%m-%d})"))
    return problems


def _check_original(doc: Document, source: Document | None, default: str) -> list[Problem]:
    """``original: true``: an article first written in this language, which must not also claim a source."""
    line = doc.source.line_of("original")
    if doc.front.translation_of:
        return [error(doc.rel_path, line, "'original: true' and 'translation_of' contradict each other: "
                                          "remove one (a translation has a source, an original has none)")]
    if source is not None:
        return [error(doc.rel_path, line, f"'original: true', but {source.rel_path} has the same file name, so this "
                                          f"file is its {doc.lang} translation: remove 'original' or rename the file")]
    return []


def _value(value: object) -> str:
    return str(getattr(value, "value", value))


def _check_required_translations(center: Content) -> list[Problem]:
    problems = []
    required = center.settings.required_languages
    for doc in center.documents:
        if doc.lang != center.settings.default_language or doc.is_internal:
            continue
        versions = center.versions(doc)
        for lang in required:
            if lang not in versions:
                problems.append(error(doc.rel_path, 1, f"missing translation into '{lang}' (required in mkdocs.yml)"))
    return problems


def _check_review(center: Content, doc: Document) -> list[Problem]:
    due = doc.review_due(center.settings.review_every_days)
    today = center.settings.today
    if due is None or due >= today:
        return []
    return [warning(doc.rel_path, doc.source.line_of("reviewed"),
                    f"review overdue since {due:%Y-%m-%d} (last reviewed {doc.front.reviewed:%Y-%m-%d}): "
                    "check the text and update 'reviewed'")]


def _check_steps(doc: Document) -> list[Problem]:
    """Troubleshooting guides (every language): at least two steps, answers that lead to existing
    steps, every step reachable, no loop without a way out, a final contact step (see guides.py)."""
    if doc.article_type is not ArticleType.TROUBLESHOOTING:
        return []
    return check_guide(doc)


def _check_placeholders(doc: Document) -> list[Problem]:
    """Text that ``deflect new`` wrote for the author, left unchanged: an error in a public page (it
    cannot be published); a warning in an internal draft (``deflect gaps --draft``), which agents finish."""
    report = warning if doc.is_internal else error
    problems = []
    if getattr(doc.front, "summary", None) == PLACEHOLDER_SUMMARY:
        problems.append(report(doc.rel_path, doc.source.line_of("summary"),
                               "the summary is still the placeholder from 'deflect new': write one sentence for the reader"))
    if not any(line in doc.body for line in PLACEHOLDER_LINES):
        return problems
    prose = prose_line_numbers(doc.body)  # a line quoted in a code block is an example, not a leftover
    for number, line in enumerate(doc.body.splitlines(), 1):
        if line.strip() in PLACEHOLDER_LINES and number in prose:
            problems.append(report(doc.rel_path, doc.body_line(number),
                                   "placeholder text from 'deflect new' is still here: replace it with the real text"))
    return problems
