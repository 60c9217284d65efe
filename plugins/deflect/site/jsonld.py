"""Build the schema.org FAQPage structured data (JSON-LD) of an FAQ page; no MkDocs here."""

from __future__ import annotations

from ..escaping import Markup, html_json
from .plan import SitePage


def faq_jsonld(page: SitePage) -> Markup:
    """schema.org FAQPage structured data for an FAQ page (``<``, ``>``, ``&`` escaped for a script tag)."""
    from deflect.search.documents import extract_sections

    data = {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "inLanguage": page.lang,
        "mainEntity": [
            {"@type": "Question", "name": doc.title,
             "acceptedAnswer": {"@type": "Answer",
                                "text": " ".join(s.text for s in extract_sections(doc.body) if s.text)}}
            for doc in page.faq_entries
        ],
    }
    return html_json(data)
