"""What search indexes: one record per published article and per FAQ entry, split into sections
(heading anchor + text) so results can link straight to the matching section."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from html.parser import HTMLParser

import markdown

from deflect.content.model import Document, Content
from deflect.markdown_fast import speed_up_inline
from deflect.search.plaintext import MAX_STEPS, SECTION_TEXT_LIMIT, STEP_CHARS, clean as _clean, simple_sections

EXTENSIONS = ["toc", "attr_list", "md_in_html", "admonition", "tables", "pymdownx.details"]


@dataclass
class Section:
    anchor: str  # "" for the text before the first heading
    heading: str
    text: str
    steps: list[str] = field(default_factory=list)  # the first numbered steps, for instant answers


@dataclass
class SearchDoc:
    id: str  # "<lang>/<category>/<slug>" or "<lang>/faq/<slug>"
    lang: str
    kind: str  # article | troubleshooting | howto | faq
    title: str
    url: str  # relative to the site root, e.g. "hr/account/reset-password/"
    category: str
    category_title: str
    summary: str
    tags: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    internal: bool = False

    @property
    def body(self) -> str:
        return "\n".join(s.text for s in self.sections)

    @property
    def headings(self) -> str:
        return "\n".join(s.heading for s in self.sections if s.heading)


def index_fields(doc: SearchDoc) -> dict[str, str]:
    """The text of each indexed text field of ``doc`` (the one definition of these fields)."""
    return {"title": doc.title, "tags": " ".join(doc.tags) + " " + doc.summary, "headings": doc.headings,
            "body": doc.body}


def page_url(site_path: str, directory_urls: bool = True) -> str:
    """``en/account/reset-password.md`` → ``en/account/reset-password/`` (MkDocs' rule)."""
    stem = site_path[:-3] if site_path.endswith(".md") else site_path
    if stem == "index" or stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/" if directory_urls else stem + ".html"


def search_documents(center: Content, directory_urls: bool = True) -> list[SearchDoc]:
    """Records for every document the current build publishes (never internal ones in a public build)."""
    docs = []
    for doc in center.published_documents():
        docs.append(to_search_doc(center, doc, directory_urls))
    return docs


def to_search_doc(center: Content, doc: Document, directory_urls: bool = True) -> SearchDoc:
    url = page_url(doc.site_path, directory_urls)
    kind = "faq" if doc.is_faq else (doc.article_type.value if doc.article_type else "article")
    sections = extract_sections(doc.body)
    if doc.is_faq:
        url += f"#{doc.slug}"
        sections = [Section(doc.slug, "", " ".join(s.text for s in sections))]
        sections[0].steps = [sections[0].text[:STEP_CHARS * 2]]  # the answer itself
    return SearchDoc(
        id=f"{doc.lang}/{'faq' if doc.is_faq else doc.category}/{doc.slug}", lang=doc.lang, kind=kind,
        title=doc.title, url=url, category=doc.category, category_title=center.category_title(doc.category, doc.lang),
        summary=doc.summary, tags=list(getattr(doc.front, "tags", None) or []), sections=sections,
        internal=doc.is_internal,
    )


def extract_sections(body: str) -> list[Section]:
    """Render Markdown as the site does (heading ids from ``toc``) and split the text by heading. A
    simple body is read from its source instead (``plaintext``: the same sections, a tenth of the time)."""
    simple = simple_sections(body)
    if simple is not None:
        found = [Section(anchor, heading, text, steps) for anchor, heading, text, steps in simple]
    else:
        found = _rendered_sections(body)
    sections = [s for s in found if s.text or s.heading]
    return sections or [Section("", "", "")]


def _rendered_sections(body: str) -> list[Section]:
    """The sections of ``body`` rendered by Python-Markdown, read from the HTML."""
    parser = _SectionParser()
    parser.feed(_markdown_html(body))
    parser.close()
    return parser.finish()


_MARKDOWN = threading.local()


def _markdown_html(body: str) -> str:
    """``markdown.markdown(body, extensions=EXTENSIONS)`` through one Markdown instance per thread,
    reset before each document: setting up the extensions cost a third of converting an article.
    ``reset`` clears what a document leaves behind (stashed HTML, references, the toc's state; heading
    ids are made unique per document); an instance a failed conversion may have left half-way is dropped.
    Its inline step skips the patterns that cannot match (``markdown_fast``: the same HTML)."""
    md = getattr(_MARKDOWN, "md", None) or speed_up_inline(markdown.Markdown(extensions=EXTENSIONS))
    _MARKDOWN.md = None
    html = md.reset().convert(body)
    _MARKDOWN.md = md
    return html


class _SectionParser(HTMLParser):
    HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
    SKIP = {"script", "style"}
    BLOCKS = {"p", "li", "td", "th", "pre", "div", "br", "summary", "details", "blockquote", "tr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: list[Section] = [Section("", "", "")]
        self._parts: list[str] = []
        self._heading: list[str] | None = None
        self._heading_id = ""
        self._skip = 0
        self._list: list[str] = []  # open list tags, innermost last
        self._step: list[str] | None = None  # text of the top-level numbered step being read

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self._skip += 1
        elif tag in self.HEADINGS:
            self._flush()
            self._heading = []
            self._heading_id = dict(attrs).get("id") or ""
        elif tag in self.BLOCKS:
            self._parts.append(" ")
        if tag in ("ol", "ul"):
            self._list.append(tag)
        elif tag == "li" and self._list == ["ol"] and len(self.sections[-1].steps) < MAX_STEPS:
            self._step = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("ol", "ul") and self._list:
            self._list.pop()
        elif tag == "li" and self._step is not None and len(self._list) == 1:
            step = _clean("".join(self._step))
            if step:
                self.sections[-1].steps.append(step[:STEP_CHARS])
            self._step = None
        if tag in self.SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag in self.HEADINGS and self._heading is not None:
            heading = _clean("".join(self._heading))
            self.sections.append(Section(self._heading_id, heading, ""))
            self._heading = None
        elif tag in self.BLOCKS:
            self._parts.append(" ")

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._heading is not None:
            self._heading.append(data)
        else:
            self._parts.append(data)
            if self._step is not None:
                self._step.append(data)

    def _flush(self) -> None:
        text = _clean("".join(self._parts))
        self._parts = []
        current = self.sections[-1]
        current.text = (current.text + " " + text).strip()[:SECTION_TEXT_LIMIT]

    def finish(self) -> list[Section]:
        self._flush()
        return self.sections
