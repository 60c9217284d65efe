"""Deflect's own interface text in the reader's language (Material translates its own parts).

The texts live in the language registry (``deflect/locales/<code>.yml``, and a site's own
``locales/<code>.yml``); a language missing there falls back to English key by key.
"""

from __future__ import annotations

from typing import Any

from babel import Locale, UnknownLocaleError

from deflect.locales import own_strings, string, strings


def text(lang: str, key: str, **values: Any) -> str:
    """Interface text ``key`` in ``lang`` (English when missing), with ``{placeholders}`` filled."""
    template = string(lang, key)
    return template.format(**values) if values else template


def language_name(code: str, reader_lang: str, fallback: str | None = None) -> str:
    """The name of language ``code`` as a reader of ``reader_lang`` says it ("inglise" in Estonian).

    A ``language_name_<code>`` string wins (CLDR's Filipino names are English ones); then CLDR via
    Babel; then ``fallback`` (the name in the site's configuration), then the code itself.
    """
    override = own_strings(reader_lang).get(f"language_name_{code}")
    if override:
        return override
    try:
        name = Locale.parse(reader_lang.replace("-", "_")).languages.get(code)
    except (UnknownLocaleError, ValueError):
        name = None
    return name or fallback or code


def admonition_title(kind: str, lang: str) -> str | None:
    """The default title of a ``!!! kind`` block in ``lang``, or None when Deflect has none."""
    return own_strings(lang).get(f"admonition_{kind.lower()}")


def strings_for(lang: str) -> dict[str, str]:
    """All interface text for ``lang`` (for templates), English filling the gaps."""
    return strings(lang)
