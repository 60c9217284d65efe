"""Build the schema.org FAQPage structured data (JSON-LD) of an FAQ page; no MkDocs here."""

from __future__ import annotations

from functools import lru_cache

from ..escaping import Markup, html_json
from .plan import SitePage


def faq_jsonld(page: SitePage) -> Markup:
    """schema.org FAQPage structured data for an FAQ page (``<``, ``>``, ``&`` escaped for a script tag)."""
    data = {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "inLanguage": page.lang,
        "mainEntity": [
            {"@type": "Question", "name": doc.title,
             "acceptedAnswer": {"@type": "Answer",
                                "text": _answer_text(doc.body)}}
            for doc in page.faq_entries
        ],
    }
    return html_json(data)


@lru_cache(maxsize=4096)
def _answer_text(body: str) -> str:
    """An answer's plain text; each FAQ entry is on every language's FAQ page, and ``mkdocs serve``
    rebuilds them all after each save: its Markdown is rendered once per text."""
    from deflect.search.documents import extract_sections

    return " ".join(s.text for s in extract_sections(body) if s.text)
