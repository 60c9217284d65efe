"""Deflect's own interface text in each language (Material translates its own parts).

A language missing here falls back to English key by key; add a block to support another one.
"""

from __future__ import annotations

from typing import Any

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "help_center": "Help center",
        "hero_title": "How can we help?",
        "hero_text": "Answers to common questions, step-by-step guides and troubleshooting.",
        "categories": "Browse by topic",
        "popular": "Popular articles",
        "recent": "New articles",
        "faq": "Frequently asked questions",
        "faq_short": "FAQ",
        "all_faq": "All frequently asked questions",
        "all_articles": "All {count} articles",
        "articles_count": "{count} articles",
        "article_count_one": "1 article",
        "fallback": "This article is not available in {language} yet. You are reading the {source} version.",
        "stale": "This translation may be out of date: the {source} version was updated on {date}.",
        "read_source": "Read the {source} version",
        "internal": "Internal article: for support agents only. Do not share with customers.",
        "updated": "Updated",
        "in_language": "in {language}",
        "choose_language": "Choose your language",
        "home": "Home",
        "contact": "Still need help? Contact us",
        "steps": "Steps",
        "no_articles": "There are no articles in this category yet.",
    },
    "hr": {
        "help_center": "Centar za pomoć",
        "hero_title": "Kako vam možemo pomoći?",
        "hero_text": "Odgovori na česta pitanja, vodiči korak po korak i rješavanje problema.",
        "categories": "Pregled po temama",
        "popular": "Popularni članci",
        "recent": "Novi članci",
        "faq": "Često postavljana pitanja",
        "faq_short": "Česta pitanja",
        "all_faq": "Sva često postavljana pitanja",
        "all_articles": "Svi članci ({count})",
        "articles_count": "Broj članaka: {count}",
        "article_count_one": "1 članak",
        "fallback": "Ovaj članak još nije dostupan na jeziku: {language}. Čitate verziju na jeziku: {source}.",
        "stale": "Ovaj prijevod možda nije ažuran: izvorna verzija ({source}) izmijenjena je {date}.",
        "read_source": "Pročitajte izvornu verziju ({source})",
        "internal": "Interni članak: samo za agente podrške. Ne dijelite ga s korisnicima.",
        "updated": "Ažurirano",
        "in_language": "jezik: {language}",
        "choose_language": "Odaberite jezik",
        "home": "Početna",
        "contact": "Još vam treba pomoć? Kontaktirajte nas",
        "steps": "Koraci",
        "no_articles": "U ovoj kategoriji još nema članaka.",
    },
    "et": {
        "help_center": "Abikeskus",
        "hero_title": "Kuidas saame aidata?",
        "hero_text": "Vastused korduma kippuvatele küsimustele, juhendid ja tõrkeotsing.",
        "categories": "Sirvi teemade kaupa",
        "popular": "Populaarsed artiklid",
        "recent": "Uued artiklid",
        "faq": "Korduma kippuvad küsimused",
        "faq_short": "KKK",
        "all_faq": "Kõik korduma kippuvad küsimused",
        "all_articles": "Kõik artiklid ({count})",
        "articles_count": "Artikleid: {count}",
        "article_count_one": "1 artikkel",
        "fallback": "See artikkel pole veel keeles {language} saadaval. Loete versiooni keeles {source}.",
        "stale": "See tõlge võib olla aegunud: algversiooni ({source}) muudeti {date}.",
        "read_source": "Lugege algversiooni ({source})",
        "internal": "Sisemine artikkel: ainult klienditoe töötajatele. Ärge jagage klientidega.",
        "updated": "Uuendatud",
        "in_language": "keeles {language}",
        "choose_language": "Valige keel",
        "home": "Avaleht",
        "contact": "Vajate veel abi? Võtke meiega ühendust",
        "steps": "Sammud",
        "no_articles": "Selles kategoorias pole veel artikleid.",
    },
    "tl": {
        "help_center": "Help center",
        "hero_title": "Paano ka namin matutulungan?",
        "hero_text": "Mga sagot sa karaniwang tanong, mga gabay na sunud-sunod at pag-aayos ng problema.",
        "categories": "Mag-browse ayon sa paksa",
        "popular": "Mga sikat na artikulo",
        "recent": "Mga bagong artikulo",
        "faq": "Mga madalas itanong",
        "faq_short": "FAQ",
        "all_faq": "Lahat ng madalas itanong",
        "all_articles": "Lahat ng artikulo ({count})",
        "articles_count": "{count} artikulo",
        "article_count_one": "1 artikulo",
        "fallback": "Wala pang bersyon sa {language} ang artikulong ito. Binabasa mo ang bersyon sa {source}.",
        "stale": "Maaaring luma na ang salin na ito: binago ang bersyon sa {source} noong {date}.",
        "read_source": "Basahin ang bersyon sa {source}",
        "internal": "Internal na artikulo: para lamang sa mga support agent. Huwag ibahagi sa mga customer.",
        "updated": "Na-update",
        "in_language": "sa {language}",
        "choose_language": "Piliin ang wika",
        "home": "Home",
        "contact": "Kailangan mo pa ng tulong? Makipag-ugnayan sa amin",
        "steps": "Mga hakbang",
        "no_articles": "Wala pang artikulo sa kategoryang ito.",
    },
}


def text(lang: str, key: str, **values: Any) -> str:
    """Interface text ``key`` in ``lang`` (English when missing), with ``{placeholders}`` filled."""
    template = STRINGS.get(lang, {}).get(key) or STRINGS["en"][key]
    return template.format(**values) if values else template


def strings_for(lang: str) -> dict[str, str]:
    """All interface text for ``lang`` (for templates), English filling the gaps."""
    return {**STRINGS["en"], **STRINGS.get(lang, {})}
