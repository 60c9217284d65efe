"""Plan the pages of a help-center site from the content model: which pages exist and what each shows.

Every page is addressed by its *site path*, the source URI MkDocs gives it
(``hr/account/reset-password.md``). The plan holds each page's Markdown with links already
pointing at site paths, and the per-page context the theme shows: language switcher, hreflang
alternates, notices, breadcrumbs and a sidebar scoped to the page's category (so a 10,000-article
site does not write its whole navigation into every page). Listing pages (home, categories, the FAQ
index, the language choice) hold only data here: the theme's ``partials/deflect/*.html`` templates
write their markup. Nothing here imports MkDocs.
"""

from __future__ import annotations

import datetime as dt
import posixpath
from dataclasses import dataclass, field
from typing import Any

from ..content.links import LinkTarget, is_markdown_link, relative_site_link, resolve
from ..content.markdown_scan import is_external, rewrite_links
from ..content.model import Document, Content
from ..content.settings import shown_at_own_page
from ..escaping import html_text
from .admonitions import localize_admonitions
from .strings import language_name, text
from ..locales import browser_aliases

POPULAR_COUNT = 6
RECENT_COUNT = 5


@dataclass
class NavEntry:
    """A link in the sidebar or the breadcrumbs."""

    title: str
    site_path: str
    anchor: str | None = None
    active: bool = False
    children: list[NavEntry] = field(default_factory=list)
    badge: str | None = None


@dataclass
class Notice:
    kind: str
    """``fallback``, ``stale`` or ``internal``: the theme styles each."""
    text: str
    link_title: str | None = None
    link_path: str | None = None


@dataclass
class Alternate:
    lang: str
    name: str
    site_path: str
    translated: bool
    """``True`` when the page really exists in that language (hreflang); else a fallback or home."""


@dataclass
class Listed:
    """An article or FAQ entry on a listing page, or a language on the language choice."""

    title: str
    site_path: str
    anchor: str | None = None
    summary: str = ""
    lang: str = ""
    """The language of its text: a fallback's differs from the page's."""
    badge: str | None = None
    """``in English`` when the text is in another language than the page."""


@dataclass
class CategoryCard:
    """A category as the home page and its own page show it."""

    slug: str
    title: str
    description: str
    site_path: str
    icon: str | None
    """An icon of the theme (``material/truck``): ``.icons/<icon>.svg``."""
    count: int
    all_articles: str
    """``All 7 articles`` in the page's language."""


@dataclass
class SitePage:
    """One page of the built site."""

    site_path: str
    lang: str
    role: str
    """``root``, ``home``, ``category``, ``faq``, ``faq_index``, ``article`` or ``page`` (hand-written)."""
    title: str
    markdown: str = ""
    description: str = ""
    category: str | None = None
    document: Document | None = None
    content_lang: str = ""
    notices: list[Notice] = field(default_factory=list)
    canonical_path: str | None = None
    updated: dt.date | None = None
    faq_entries: list[Document] = field(default_factory=list)
    """The entries of an FAQ page (for its FAQPage structured data)."""
    light: bool = False
    """A light fallback page: Deflect's small template, ``noindex``, left out of the sitemap."""
    body_from: str | None = None
    """Site path of the page whose rendered body this page shows as it is (rendered once)."""
    listing: dict[str, Any] = field(default_factory=dict)
    """A listing page's data (``Listed``, ``CategoryCard`` …), which its ``partials/deflect/`` template shows."""


class SitePlan:
    """All generated pages of one build, and the context of every page (generated or not)."""

    def __init__(self, center: Content) -> None:
        self.center = center
        self.settings = center.settings
        self.pages: dict[str, SitePage] = {}
        self._documents = center.published_documents()
        # (kind, translation_key, lang) → the document shown on that language's page.
        self._shown: dict[tuple[str, str, str], Document] = {}
        self._category_entries: dict[tuple[str, str], list[NavEntry]] = {}
        self._own_markdown: dict[str, str] = {}  # an article's Markdown on its own page, by site path
        self._language_names: dict[tuple[str, str], str] = {}
        self._links: dict[tuple[str, str, str | None], str] = {}
        self._grouped: dict[tuple[str, str, str], list[tuple[Document, str]]] | None = None
        self._closed: dict[tuple[str, str], NavEntry] = {}
        self.shared: dict[Any, Any] = {}
        """Template data that many pages show unchanged, made once per build (``site/context.py``)."""
        self._plan()

    # ----- planning -------------------------------------------------------------------------
    def _plan(self) -> None:
        default = self.settings.default_language
        by_key: dict[tuple[str, str], dict[str, Document]] = {}
        for document in self._documents:
            by_key.setdefault((document.kind.value, document.translation_key), {})[document.lang] = document
        for (kind, key), versions in by_key.items():
            for lang in self.settings.codes:
                doc = versions.get(lang)
                if doc is None and self.settings.fallback and default in versions:
                    doc = versions[default]
                if doc is not None:
                    self._shown[(kind, key, lang)] = doc
        for lang in self.settings.codes:
            for (kind, key, page_lang), doc in self._shown.items():
                if page_lang == lang and kind == "article":
                    self._add_article(doc, lang)
            for slug in self.center.categories:
                self._add_category(slug, lang)
                self._add_faq(slug, lang)
            self._add_faq_index(lang)
            self._add_contact(lang)
            self._add_search(lang)
            self._add_home(lang)
        if "index.md" not in self.center.pages:
            self._add_root()

    def _site_path(self, doc: Document, lang: str) -> str:
        """Where ``doc`` appears in ``lang``'s part of the site (``link`` fallback: its own page)."""
        if doc.lang != lang and shown_at_own_page(self.settings.fallback, doc.kind.value == "article"):
            return doc.site_path
        return f"{lang}/{doc.site_path.split('/', 1)[1]}"

    def _add_article(self, doc: Document, lang: str) -> None:
        fallback = doc.lang != lang
        mode = self.settings.fallback
        if fallback and mode == "link":
            return  # listed in lang's pages, linked to its own page
        path = self._site_path(doc, lang)
        page = SitePage(path, lang, "article", doc.title, description=doc.summary, category=doc.category,
                        document=doc, content_lang=doc.lang, updated=_updated(doc))
        page.markdown = self._rewrite(doc, path, lang)
        if not fallback:
            self._own_markdown[doc.site_path] = page.markdown
        page.notices = self._notices(doc, lang)
        if fallback:
            page.canonical_path = doc.site_path
        if fallback and mode == "light":
            page.light = True
            # Source and fallback sit at the same depth, so the source's rendered HTML is valid here
            # whenever its links rewrite to the same relative targets: render it once, show it twice.
            own = self._own_markdown.get(doc.site_path)
            if page.markdown == (own if own is not None else self._rewrite(doc, doc.site_path, doc.lang)):
                page.body_from, page.markdown = doc.site_path, ""
        self.pages[path] = page

    def _notices(self, doc: Document, lang: str) -> list[Notice]:
        notices = []
        source_lang = self.settings.default_language
        source_name = self._language_name(source_lang, lang)
        if doc.is_internal:
            notices.append(Notice("internal", text(lang, "internal")))
        if doc.lang != lang:
            notices.append(Notice("fallback", text(lang, "fallback", language=self._language_name(lang, lang),
                                                   source=self._language_name(doc.lang, lang)),
                                  text(lang, "read_source", source=self._language_name(doc.lang, lang)),
                                  doc.site_path))
        elif self.center.is_stale(doc):
            source = self.center.source_of(doc)
            assert source is not None and source.last_changed is not None
            notices.append(Notice("stale", text(lang, "stale", source=source_name,
                                                date=source.last_changed.date().isoformat()),
                                  text(lang, "read_source", source=source_name), source.site_path))
        return notices

    def _language_name(self, code: str, reader_lang: str) -> str:
        """``code``'s name in the reader's language ("inglise", "engleski"), else as configured."""
        key = (code, reader_lang)  # asked for on every page's notices: Babel's lookup is slow
        if key not in self._language_names:
            self._language_names[key] = language_name(code, reader_lang, self.settings.language(code).name)
        return self._language_names[key]

    def _rewrite(self, doc: Document, page_path: str, lang: str) -> str:
        """Source-relative links → links between site pages, staying in the reader's language."""
        folder = posixpath.dirname(page_path)

        def replace(target: str) -> str | None:
            path, hashed, anchor = target.partition("#")  # as Link(0, target).path and .anchor
            if not path or is_external(target) or not is_markdown_link(path):
                return None
            found = resolve(self.center, doc.abs_path, path)
            if found is None:
                return None
            if found.document is not None:
                shown = self._shown.get((found.document.kind.value, found.document.translation_key, lang))
                if shown is None and found.document.is_internal:
                    return ""  # never leave an internal article's address in a page it is not built for
                if shown is None:
                    return None
                # The link depends on the page's folder only: pages side by side share it.
                key = (folder, self._site_path(shown, lang), (anchor if hashed else None) or shown.site_anchor)
                if key not in self._links:
                    self._links[key] = relative_site_link(page_path, LinkTarget(page=key[1]), key[2])
                return self._links[key]
            return relative_site_link(page_path, found, anchor if hashed else None)

        return localize_admonitions(rewrite_links(doc.body, replace), doc.lang)

    def _entries(self, lang: str, category: str, kind: str = "article") -> list[tuple[Document, str]]:
        if self._grouped is None:  # asked for by every listing and sidebar: sorted once per build
            self._grouped = {}
            for (k, _, page_lang), doc in self._shown.items():
                self._grouped.setdefault((k, page_lang, doc.category), []).append((doc, self._site_path(doc, page_lang)))
            for (_, page_lang, _), docs in self._grouped.items():
                # Pages in the reader's language first, then those shown in the default language.
                docs.sort(key=lambda item: (item[0].lang != page_lang, getattr(item[0].front, "order", None) or 0,
                                            item[0].title.casefold()))
        return list(self._grouped.get((kind, lang, category), []))

    def _listed(self, doc: Document, lang: str, site_path: str, anchor: str | None = None) -> Listed:
        badge = None
        if doc.lang != lang:
            badge = text(lang, "in_language", language=self._language_name(doc.lang, lang))
        return Listed(doc.title, site_path, anchor, doc.summary, doc.lang, badge)

    def _card(self, slug: str, lang: str) -> CategoryCard:
        category = self.center.categories[slug]
        info = category.text(lang, self.settings.default_language)
        count = len(self._entries(lang, slug))
        return CategoryCard(slug, info.title, info.description, f"{lang}/{slug}/index.md", category.icon, count,
                            text(lang, "all_articles", count=count))

    def _faq_entries(self, lang: str, slug: str) -> list[Listed]:
        entries = self._entries(lang, slug, "faq")
        return [self._listed(doc, lang, f"{lang}/{slug}/faq.md", doc.slug) for doc, _ in entries]

    def _add_category(self, slug: str, lang: str) -> None:
        card = self._card(slug, lang)
        path = card.site_path
        articles = [self._listed(doc, lang, doc_path) for doc, doc_path in self._entries(lang, slug)]
        listing = {"category": card, "articles": articles, "faq": self._faq_entries(lang, slug)}
        self.pages[path] = SitePage(path, lang, "category", card.title, description=card.description, category=slug,
                                    content_lang=lang, listing=listing)

    def _add_faq(self, slug: str, lang: str) -> None:
        entries = self._entries(lang, slug, "faq")
        if not entries:
            return
        path = f"{lang}/{slug}/faq.md"
        title = f"{text(lang, 'faq')}: {self.center.category_title(slug, lang)}"
        blocks = []
        for doc, _ in entries:
            answer = self._rewrite(doc, path, lang).strip()
            blocks.append(
                f'<details class="deflect-faq" id="{doc.slug}" markdown="block"{_lang_attr(doc, lang)}>\n'
                f"<summary>{html_text(doc.title)}</summary>\n\n{answer}\n\n</details>\n"
            )
        self.pages[path] = SitePage(path, lang, "faq", title, "\n".join(blocks), category=slug, content_lang=lang,
                                    description=title, faq_entries=[doc for doc, _ in entries])

    def _add_faq_index(self, lang: str) -> None:
        sections = [{"category": self._card(slug, lang), "faq_path": f"{lang}/{slug}/faq.md",
                     "entries": self._faq_entries(lang, slug)} for slug in self.center.categories]
        sections = [section for section in sections if section["entries"]]
        if sections:
            path = f"{lang}/faq.md"
            self.pages[path] = SitePage(path, lang, "faq_index", text(lang, "faq"), content_lang=lang,
                                        description=text(lang, "all_faq"), listing={"sections": sections})

    def _add_home(self, lang: str) -> None:
        path = f"{lang}/index.md"
        # Above this listing, partials/deflect/hero.html shows the title and the large search box.
        listing = {
            "categories": [self._card(slug, lang) for slug in self.center.categories],
            "popular": [self._listed(doc, lang, self._site_path(doc, lang)) for doc in self._popular(lang)],
            "recent": [self._listed(doc, lang, self._site_path(doc, lang)) for doc in self._recent(lang)],
            "faq_path": f"{lang}/faq.md" if f"{lang}/faq.md" in self.pages else None,
            "contact_path": f"{lang}/contact.md",
        }
        self.pages[path] = SitePage(path, lang, "home", text(lang, "help_center"), content_lang=lang,
                                    description=text(lang, "hero_text"), listing=listing)

    def _add_contact(self, lang: str) -> None:
        """The contact page: suggestions as the reader types, then the contact options."""
        path = f"{lang}/contact.md"
        self.pages[path] = SitePage(path, lang, "contact", text(lang, "contact_title"),
                                    f"{text(lang, 'contact_intro')}\n", content_lang=lang,
                                    description=text(lang, "contact_intro"))

    def _add_search(self, lang: str) -> None:
        """The full search results page (``<lang>/search/?q=…``), which the search boxes submit to."""
        path = f"{lang}/search.md"
        self.pages[path] = SitePage(path, lang, "search", text(lang, "search_page_title"), "", content_lang=lang,
                                    description=text(lang, "search_page_title"))

    def _articles_in(self, lang: str) -> list[Document]:
        return [doc for (kind, _, page_lang), doc in self._shown.items() if kind == "article" and page_lang == lang]

    def _popular(self, lang: str) -> list[Document]:
        chosen = []
        for slug in self.settings.popular:
            doc = self._shown.get(("article", slug, lang))
            if doc is not None and not doc.is_internal:
                chosen.append(doc)
        return chosen[:POPULAR_COUNT]

    def _recent(self, lang: str) -> list[Document]:
        dated = [doc for doc in self._articles_in(lang) if doc.published and not doc.is_internal]
        return sorted(dated, key=lambda doc: (doc.published, doc.title), reverse=True)[:RECENT_COUNT]

    def _add_root(self) -> None:
        default = self.settings.default_language
        languages = [Listed(lang.name, f"{lang.code}/index.md", lang=lang.code) for lang in self.settings.languages]
        # Browsers name Tagalog "fil"/"fil-PH" (Filipino): the page's script matches the whole tag, then its
        # language, then a known alias, in the reader's order of preference.
        codes = {code.lower(): code for code in self.settings.codes}
        aliases = browser_aliases(self.settings.codes)  # the language registry's aliases
        listing = {"languages": languages, "codes": codes, "aliases": aliases, "default": default}
        self.pages["index.md"] = SitePage("index.md", default, "root", text(default, "choose_language"),
                                          content_lang=default, listing=listing)

    # ----- per-page context -----------------------------------------------------------------
    def page_for(self, site_path: str) -> SitePage:
        """The plan's page, or a description of a hand-written page of docs_dir."""
        page = self.pages.get(site_path)
        if page is not None:
            return page
        first = site_path.split("/", 1)[0]
        lang = first if first in self.settings.codes else self.settings.default_language
        return SitePage(site_path, lang, "page", "", content_lang=lang)

    def alternates(self, page: SitePage) -> list[Alternate]:
        """The same page in every language: translation, fallback, or that language's home."""
        result = []
        rest = page.site_path.split("/", 1)[1] if "/" in page.site_path else ""
        for lang in self.settings.languages:
            if page.document is not None:
                versions = self.center.versions(page.document)
                candidate = f"{lang.code}/{rest}"
                translated = lang.code in versions and not (versions[lang.code].is_internal and not self.settings.internal)
                exists = candidate in self.pages
            elif page.role == "root":
                candidate, translated, exists = f"{lang.code}/index.md", True, True
            else:
                candidate = f"{lang.code}/{rest}"
                exists = candidate in self.pages or candidate in self.center.pages
                translated = exists
            if not exists:
                candidate, translated = f"{lang.code}/index.md", False
            result.append(Alternate(lang.code, lang.name, candidate, translated))
        return result

    def breadcrumbs(self, page: SitePage) -> list[NavEntry]:
        if page.role in ("root", "home"):
            return []
        crumbs = [NavEntry(text(page.lang, "help_center"), f"{page.lang}/index.md")]
        if page.category and page.role != "category":
            crumbs.append(NavEntry(self.center.category_title(page.category, page.lang), f"{page.lang}/{page.category}/index.md"))
        return crumbs

    def sidebar(self, page: SitePage) -> list[NavEntry]:
        """Categories of the page's language; the page's own category opened, capped in length."""
        lang = page.lang
        entries = []
        for slug in self.center.categories:
            path = f"{lang}/{slug}/index.md"
            if slug != page.category:  # a closed category is the same entry on every page: made once
                if (lang, slug) not in self._closed:
                    self._closed[lang, slug] = NavEntry(self.center.category_title(slug, lang), path)
                entries.append(self._closed[lang, slug])
                continue
            entry = NavEntry(self.center.category_title(slug, lang), path, active=True)
            entry.children = self._category_children(page, lang, slug)
            entries.append(entry)
        if f"{lang}/faq.md" in self.pages:
            entries.append(NavEntry(text(lang, "faq"), f"{lang}/faq.md", active=page.role == "faq_index"))
        entries.append(NavEntry(text(lang, "contact_short"), f"{lang}/contact.md", active=page.role == "contact"))
        return entries

    def _category_children(self, page: SitePage, lang: str, slug: str) -> list[NavEntry]:
        key = (lang, slug)
        if key not in self._category_entries:
            self._category_entries[key] = [
                NavEntry(doc.title, path, badge=doc.lang if doc.lang != lang else None)
                for doc, path in self._entries(lang, slug)
            ]
        all_entries = self._category_entries[key]
        limit = self.settings.sidebar_limit
        shown = all_entries[:limit]
        current = next((e for e in all_entries if e.site_path == page.site_path), None)
        if current is not None and current not in shown:
            shown = [*shown[: limit - 1], current]
        # Every entry but the page's own is the same on each page of the category (and never changed).
        children = [e if e.site_path != page.site_path else NavEntry(e.title, e.site_path, active=True, badge=e.badge)
                    for e in shown]
        if len(all_entries) > len(shown):
            children.append(NavEntry(text(lang, "all_articles", count=len(all_entries)), f"{lang}/{slug}/index.md"))
        if f"{lang}/{slug}/faq.md" in self.pages:
            children.append(NavEntry(text(lang, "faq_short"), f"{lang}/{slug}/faq.md", active=page.role == "faq"))
        return children


def _updated(doc: Document) -> dt.date | None:
    if doc.last_changed:
        return doc.last_changed.date()
    return doc.front.reviewed or doc.published


def _lang_attr(doc: Document, lang: str) -> str:
    return f' lang="{doc.lang}"' if doc.lang != lang else ""
