"""Build the ``deflect`` template context of a page (and of the 404 page) from the plan; no MkDocs here.

URLs come in through ``url``, a function from a site path (``hr/contact.md``) to the address the
build gives that page, so the same code serves any builder that can answer that question.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..content.settings import ContentSettings
from ..feedback_reasons import FEEDBACK_REASONS
from .contact import contact_options
from .jsonld import faq_jsonld
from .plan import CategoryCard, Listed, NavEntry, SitePage, SitePlan
from .strings import strings_for

UrlFor = Callable[[str], str]


def page_context(plan: SitePlan, planned: SitePage, url: UrlFor, *, page_url: str, page_title: str,
                 canonical_url: str | None, site_url: str, site_description: str, ui_lang: str) -> dict[str, Any]:
    """What the theme shows around a page: language, notices, alternates, sidebar, contact, metadata. A
    light fallback page gets what its template shows (:func:`light_page_context`)."""
    shown = light_page_context(plan, planned, url, ui_lang)
    if planned.light:
        return shown
    site_url = site_url.rstrip("/")
    alternates = plan.alternates(planned)
    default = plan.settings.default_language
    hreflang = [{"lang": alt.lang, "href": absolute_url(site_url, url(alt.site_path), page_url)}
                for alt in alternates if alt.translated]
    if len(hreflang) > 1:
        default_alt = next(alt for alt in alternates if alt.lang == default)
        hreflang.append({"lang": "x-default", "href": absolute_url(site_url, url(default_alt.site_path), page_url)})
    else:
        hreflang = []
    return {
        **shown,
        "feedback_reasons": list(FEEDBACK_REASONS),
        "alternates": [
            {"lang": alt.lang, "name": alt.name, "url": url(alt.site_path), "translated": alt.translated,
             "current": alt.lang == planned.lang}
            for alt in alternates
        ],
        "hreflang": hreflang,
        "sidebar": [nav_entry(e, url, planned.site_path, plan.shared) for e in plan.sidebar(planned)],
        "updated": planned.updated.isoformat() if planned.updated else None,
        "guide": bool(planned.document is not None and planned.document.article_type is not None
                      and planned.document.article_type.value == "troubleshooting"),
        "search_url": url(f"{planned.lang}/search.md"),
        "helpful_min": max(1, plan.settings.helpful_min_votes),
        "home_url": url(f"{planned.lang}/index.md"),
        "contact": contact_options(plan.settings.contact, planned.lang, default),
        "jsonld": faq_jsonld(planned) if planned.faq_entries else None,
        "og": {
            "title": planned.title or page_title,
            "description": planned.description or site_description or "",
            "url": canonical_url or (f"{site_url}/{page_url}" if site_url else ""),
            "locale": planned.lang.replace("-", "_"),
            "type": "article" if planned.document is not None else "website",
        },
    }


def light_page_context(plan: SitePlan, planned: SitePage, url: UrlFor, ui_lang: str) -> dict[str, Any]:
    """What every page shows, and all a light fallback page's template (``deflect-fallback.html``) reads:
    language, notices, breadcrumbs and contact link; none of the alternates, sidebar, contact options
    and metadata of a full page (a light page is noindex, with a canonical link to its source). There is
    one for each untranslated article in every other language (3,390 at 12 languages × 400 articles),
    and its page cache key reads its whole context: it holds nothing its template does not read."""
    default = plan.settings.default_language
    return {
        "lang": planned.lang,
        "ui_lang": ui_lang,
        "content_lang": planned.content_lang or planned.lang,
        "role": planned.role,
        "strings": _shared(plan.shared, ("strings", planned.lang), lambda: strings_for(planned.lang)),
        "notices": [{"kind": n.kind, "text": n.text, "link_title": n.link_title, "link_lang": default,
                     "url": url(n.link_path) if n.link_path else None} for n in planned.notices],
        "breadcrumbs": [nav_entry(e, url, shared=plan.shared) for e in plan.breadcrumbs(planned)],
        "contact_url": url(f"{planned.lang}/contact.md"),
    }


def not_found_context(settings: ContentSettings, url: UrlFor) -> dict[str, Any]:
    """The 404 page carries every language's text and links; its script picks one by the address."""
    languages = [{"lang": code, "strings": strings_for(code), "home_url": url(f"{code}/index.md"),
                  "search_url": url(f"{code}/search.md"), "contact_url": url(f"{code}/contact.md")}
                 for code in settings.codes]
    return {"default": settings.default_language, "languages": languages}


def listing_context(planned: SitePage, url: UrlFor) -> dict[str, Any]:
    """A listing page's data as its template reads it: each ``site_path`` becomes ``url`` and each
    ``<name>_path`` becomes ``<name>_url``, the page's address from the site root (with ``#anchor``
    when the entry has one); templates print it with ``| url``, as Material's do."""

    def convert(value: Any) -> Any:
        if isinstance(value, (Listed, CategoryCard)):
            item = {key: convert(field) for key, field in vars(value).items() if key != "site_path"}
            anchor = getattr(value, "anchor", None)
            item["url"] = url(value.site_path) + (f"#{anchor}" if anchor else "")
            return item
        if isinstance(value, list):
            return [convert(item) for item in value]
        if isinstance(value, dict):
            return {(key[:-5] + "_url" if key.endswith("_path") else key):
                    (url(item) if key.endswith("_path") and item else convert(item)) for key, item in value.items()}
        return value

    return convert(planned.listing)


def nav_entry(entry: NavEntry, url: UrlFor, current: str | None = None,
              shared: dict[Any, Any] | None = None) -> dict[str, Any]:
    """A sidebar or breadcrumb link as the templates read it (``current`` marks the page itself).
    With ``shared`` (the plan's), a plain link (not the page's, nothing below it) is made once per build."""
    if shared is not None and not entry.children and not entry.active and entry.site_path != current:
        return _shared(shared, ("nav", entry.title, entry.site_path), lambda: nav_entry(entry, url))
    return {
        "title": entry.title, "url": url(entry.site_path), "active": entry.active,
        "current": entry.site_path == current,
        "children": [nav_entry(child, url, current, shared) for child in entry.children],
    }


def _shared(memo: dict[Any, Any], key: tuple[str, ...], make: Callable[[], Any]) -> Any:
    """What ``make`` returns, made once per build (``memo`` is the plan's ``shared``): template data many
    pages show as it is (read only, never changed by a template), such as a language's interface strings
    or a link in every sidebar."""
    if key not in memo:
        memo[key] = make()
    return memo[key]


def absolute_url(site_url: str, url: str, page_url: str) -> str:
    """``url`` under ``site_url``, or, without a site URL, relative to the page at ``page_url``."""
    if site_url:
        return f"{site_url}/{url}"
    # Without site_url, hreflang links stay relative to the current page.
    depth = page_url.count("/") if page_url else 0
    return "../" * depth + url
