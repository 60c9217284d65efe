"""Interface text in the reader's language: admonition titles, language names, the root redirect."""
from __future__ import annotations

from pathlib import Path

import pytest

from deflect.site.admonitions import localize_admonitions
from deflect.site.strings import language_name


def test_untitled_admonitions_get_a_title_in_the_page_language() -> None:
    source = '!!! note\n    Body.\n\n```\n!!! tip\n```\n???+ warning inline end\n!!! tip "Own title"\n!!! unknown-kind\n'
    result = localize_admonitions(source, "hr").split("\n")
    assert result[0] == '!!! note "Napomena"'
    assert result[4] == "!!! tip", "a code block is left alone"
    assert result[6] == '???+ warning inline end "Upozorenje"'
    assert result[7] == '!!! tip "Own title"', "an author's title wins"
    assert result[8] == "!!! unknown-kind"
    assert localize_admonitions(source, "xx") == source, "a language without titles keeps Markdown's"


@pytest.mark.parametrize(("code", "reader", "expected"), [
    ("en", "et", "inglise"), ("en", "hr", "engleski"), ("en", "tl", "Ingles"), ("hr", "en", "Croatian"),
    ("en", "xx", "English (configured)"),
])
def test_language_names_are_in_the_readers_language(code: str, reader: str, expected: str) -> None:
    assert language_name(code, reader, "English (configured)") == expected


@pytest.mark.slow
def test_translated_pages_show_translated_labels(site_dir: Path) -> None:
    def html(path: str) -> str:
        return (site_dir / path / "index.html").read_text(encoding="utf-8")

    hr_articles = [p for p in (site_dir / "hr").glob("*/*/index.html")
                   if 'lang="hr"' in p.read_text(encoding="utf-8") and "admonition-title" in p.read_text(encoding="utf-8")]
    assert hr_articles
    for page in hr_articles:
        text = page.read_text(encoding="utf-8")
        if 'data-deflect-notice="fallback"' in text:
            continue
        for english in (">Note<", ">Tip<", ">Warning<"):
            assert english not in text, page
    assert "inglise keeles" in html("et/orders")
    assert "keeles English" not in html("et/orders")
    assert "engleski" in html("hr/orders")


@pytest.mark.slow
@pytest.mark.parametrize(("locale", "expected"), [("fil-PH", "/tl/"), ("fil", "/tl/"), ("hr-HR", "/hr/"),
                                                  ("de-DE", "/en/")])
def test_root_redirects_to_the_browser_language(browser: object, site_url: str, locale: str, expected: str) -> None:
    context = browser.new_context(locale=locale)  # type: ignore[attr-defined]
    try:
        page = context.new_page()
        page.goto(site_url)
        page.wait_for_url(f"**{expected}")
        assert page.url.endswith(expected)
    finally:
        context.close()


@pytest.mark.slow
def test_home_pages_show_whole_category_descriptions(site_dir: Path) -> None:
    """A description with commas is shown whole, in every language (it was cut at the first comma)."""
    import yaml

    categories = yaml.safe_load((Path(__file__).parent.parent / "articles" / "categories.yml").read_text("utf-8"))
    for lang in ("en", "hr", "et", "tl"):
        home = (site_dir / lang / "index.html").read_text(encoding="utf-8")
        for info in categories.values():
            description = info[lang]["description"] if lang in info else None
            if description and "," in description:
                assert description in home.replace("&#x27;", "'"), (lang, description)
