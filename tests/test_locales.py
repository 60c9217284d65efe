"""The language registry: locales/<code>.yml files, a site's own, defaults, and a fifth language added
to a copy of the example by configuration alone."""
from __future__ import annotations

import functools
import http.server
import json
import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import copy_example, make_help_center, run_check, write

from browser_fixtures import _QuietHandler, needs_chromium
from deflect import locales
from deflect.cli import main
from deflect.locales.registry import read_language
from deflect.search.static import client_constants
from deflect.search.analysis import analyzer_for
from deflect.site.strings import admonition_title, strings_for, text


@pytest.fixture(autouse=True)
def shipped_registry() -> Iterator[None]:
    """Each test leaves the shipped registry active, whatever site it loaded."""
    yield
    locales.use_site(Path("/nonexistent"), [])


def test_shipped_languages_have_every_string_and_their_analysis() -> None:
    english = locales.strings("en")
    for code in ("hr", "et", "tl"):
        assert set(locales.own_strings(code)) >= set(english), code
    assert locales.analysis("hr").simplemma == "hbs" and locales.analysis("hr").snowball == "serbian"
    assert locales.analysis("fil") == locales.analysis("tl"), "fil is an alias of tl"
    assert locales.analysis_rules("tl")["affixes"]["prefixes"][0] == "nakikipag"
    assert "on" in locales.analysis_rules("en")["stop"], "a quoted YAML word is a word, not true"
    assert client_constants("hr")["fold"]["đ"] == "d"
    assert client_constants("tl")["affixes"] == locales.analysis_rules("tl")["affixes"]


def test_a_language_not_in_the_registry_takes_simplemma_and_snowball_defaults() -> None:
    german = locales.analysis("de")
    assert (german.snowball, german.simplemma, german.stop_words) == ("german", "de", frozenset())
    assert analyzer_for("de").term("rechnungen") == analyzer_for("de").term("Rechnung".lower())
    assert locales.analysis("pt-BR").simplemma == "pt", "a regional code takes its language's dictionary"
    assert (locales.analysis("xx").snowball, locales.analysis("xx").simplemma) == (None, None)
    assert text("de", "search_button") == "Search", "English fills in, key by key"
    assert admonition_title("note", "de") is None


def test_a_site_adds_and_overrides_languages_in_its_own_locales_folder(center: Path) -> None:
    write(center, "locales/hr.yml", "strings:\n  search_button: Nađi\n")
    write(center, "locales/sl.yml", "analysis:\n  stop_words: [in, je]\nstrings:\n  search_button: Išči\n")
    problems = locales.use_site(center, ["en", "hr", "sl"])
    assert strings_for("hr")["search_button"] == "Nađi"
    assert strings_for("hr")["home"] == "Početna", "the shipped strings stay under an override"
    assert text("sl", "search_button") == "Išči" and text("sl", "home") == "Home"
    assert locales.analysis("sl").stop_words == {"in", "je"} and locales.analysis("sl").simplemma == "sl"
    assert [(p.path, p.is_error) for p in problems] == [("locales/sl.yml", False)]
    assert "94 interface strings missing for language 'sl'" in problems[0].message


@pytest.mark.parametrize(("source", "line", "message"), [
    ("analysis:\n  snowball: germn\n", 2, "snowball 'germn' is not a Snowball stemmer"),
    ("analysis:\n  simplemma: zz\n", 2, "simplemma 'zz' is not a simplemma dictionary"),
    ("analysis:\n  stop_words: [der, on]\n", 2, "stop_words must be a list of words: quote"),
    ("strings:\n  home: Start\n  search_other: '{n} Treffer'\n", 3, "'search_other' uses {n}, which Deflect does not"),
    ("strings:\n  search_button: [Suchen]\n", 2, "'search_button' must be a text"),
    ("colour: blue\n", 1, "unknown key 'colour'"),
    ("strings: [a\n", 2, "invalid YAML"),
    ("analysis:\n  affixes: {prefixes: [ge], min_stem: 0}\n", 2, "min_stem must be a whole number"),
])
def test_mistakes_in_a_language_file_are_errors_with_their_line(tmp_path: Path, source: str, line: int,
                                                                 message: str) -> None:
    path = write(tmp_path, "de.yml", source)
    entry, issues = read_language(path, "locales/de.yml", locales.strings("en"))
    assert entry is None
    assert [(found_line, is_error) for found_line, _, is_error in issues] == [(line, True)]
    assert message in issues[0][1]


def test_check_reports_a_bad_site_language_file_and_a_language_without_strings(tmp_path: Path) -> None:
    center = tmp_path
    make_help_center(center, languages=("en", "hr", "de"))
    write(center, "locales/hr.yml", "strings:\n  serch_button: Traži\n")
    run = run_check(center)
    assert run.find("locales/hr.yml:2: warning: strings: unknown key 'serch_button' (a typo?)")
    missing = run.find("locales/de.yml:1: warning: no interface strings for language 'de'")
    assert len(missing) == 1, run.lines


def test_the_content_guide_documents_every_key_of_a_language_file(tmp_path: Path) -> None:
    from deflect.locales.registry import AFFIX_KEYS, ANALYSIS_KEYS, TOP_KEYS

    guide = (Path(__file__).parent.parent / "CONTENT_GUIDE.md").read_text(encoding="utf-8")
    section = guide[guide.index("### Languages (`locales/<code>.yml`)"):]
    section = section[:section.index("\n### ", 10)]
    for key in (*TOP_KEYS, *ANALYSIS_KEYS, *AFFIX_KEYS):
        assert f"`{key}`" in section, key
    example = section[section.index("```yaml\n") + 8:]
    path = write(tmp_path, "de.yml", example[:example.index("```")])
    entry, issues = read_language(path, "locales/de.yml", locales.strings("en"))
    assert entry is not None and not issues, issues


# ---------------------------------------------------------------------------- a fifth language

GERMAN_ARTICLE = """\
---
title: Eine Rechnung oder Quittung herunterladen
summary: Zu jeder Bestellung gibt es eine Rechnung als PDF in Ihrem Konto, auf Wunsch mit Firmenangaben.
type: article
category: orders
audience: public
owner: team-orders
reviewed: 2026-05-12
published: 2025-03-19
---

Zu jeder Bestellung stellen wir eine Rechnung mit ausgewiesener Mehrwertsteuer aus, sobald das Paket
unser Lager verlässt. Bis dahin dient die Bestätigungsmail als Beleg.

## Die Rechnung herunterladen {#download}

1. Melden Sie sich im Webshop an und öffnen Sie **Konto** > **Bestellungen**.
2. Wählen Sie die Bestellung.
3. Tippen Sie auf **Rechnung herunterladen**. Sie wird als PDF gespeichert.

## Für ein Unternehmen kaufen {#company}

Kreuzen Sie an der Kasse **Ich kaufe für ein Unternehmen** an und geben Sie Firmenname, Anschrift und
Umsatzsteuer-Identifikationsnummer ein. Sie stehen dann auf der Rechnung.
"""
ARTICLE = "de/orders/download-invoice/"
# Forms a reader types that the German article never uses: a plural, and a participle whose
# lemma (kaufen) only the dictionary knows (Snowball leaves "gekauft" alone).
INFLECTED = ("Rechnungen", "gekauft")


@pytest.fixture(scope="module")
def fifth(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, list[str]]]:
    """A copy of the example with German added in mkdocs.yml and one translated article, built:
    (project root, site folder, the build's log lines)."""
    from deflect.mkdocs_plugins.build import build_site

    root = tmp_path_factory.mktemp("fifth")
    config = copy_example(root)
    source = config.read_text(encoding="utf-8")
    assert "        - code: tl\n          name: Tagalog\n" in source
    config.write_text(source.replace("        - code: tl\n          name: Tagalog\n",
                                     "        - code: tl\n          name: Tagalog\n"
                                     "        - code: de\n          name: Deutsch\n"), encoding="utf-8")
    write(root, "articles/de/download-invoice.md", GERMAN_ARTICLE)
    (root / "faq" / "de").mkdir()
    records: list[str] = []
    handler = logging.Handler(logging.INFO)
    handler.emit = lambda record: records.append(record.getMessage())  # type: ignore[method-assign]
    logger = logging.getLogger("mkdocs")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        build_site(config, root / "site", quiet=True)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    yield root, root / "site", records


@pytest.mark.slow
def test_a_fifth_language_is_built_by_configuration_alone(fifth: tuple[Path, Path, list[str]]) -> None:
    root, site, log = fifth
    page = (site / ARTICLE / "index.html").read_text(encoding="utf-8")
    assert '<html lang="de"' in page
    assert "Rechnung oder Quittung herunterladen" in page
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    entry = sitemap[sitemap.index(f"/{ARTICLE}</loc>"):]
    entry = entry[:entry.index("</url>")]
    assert f'hreflang="de" href="https://help.orrinhome.example/{ARTICLE}"' in entry
    assert 'hreflang="en" href="https://help.orrinhome.example/en/orders/download-invoice/"' in entry
    manifest = json.loads((site / "search" / "manifest.json").read_text(encoding="utf-8"))
    assert "de" in manifest["languages"]
    warnings = [line for line in log if "no interface strings for language 'de'" in line]
    assert len(warnings) == 1, "the build log says it once, not per page"
    assert run_check(root).find("locales/de.yml:1: warning: no interface strings for language 'de'")


@pytest.mark.slow
@pytest.mark.parametrize("query", INFLECTED)
def test_deflect_search_finds_the_fifth_language_article_by_an_inflected_form(
        fifth: tuple[Path, Path, list[str]], query: str) -> None:
    root, _, _ = fifth
    assert query.lower() not in GERMAN_ARTICLE.lower()
    result = CliRunner().invoke(main, ["search", "--config", str(root / "mkdocs.yml"), "--lang", "de", "--json", query])
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)["results"]
    assert hits and hits[0]["url"].startswith(ARTICLE) and hits[0]["lang"] == "de", hits


@pytest.fixture(scope="module")
def fifth_url(fifth: tuple[Path, Path, list[str]]) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler,
                                                                                 directory=str(fifth[1])))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@needs_chromium
@pytest.mark.slow
def test_the_browser_search_finds_the_fifth_language_article_by_inflected_forms(page: object, fifth_url: str) -> None:
    from test_search_browser import results_for

    for query in INFLECTED:
        results = results_for(page, fifth_url, "de", query)
        assert results and results[0].startswith(ARTICLE), (query, results[:5])


def test_a_new_registry_drops_the_analyzers_and_the_words_they_kept(center: Path) -> None:
    """The analyzers (and each one's word memo, which the cross-language copies read through
    ``Analyzer.word``) follow the active registry: a site's own stop word is skipped at once."""
    before = analyzer_for("hr")
    assert before.word("lozinka") == ("lozinka", before.term("lozinka"))
    write(center, "locales/hr.yml", "analysis:\n  stop_words: [lozinka]\n")
    locales.use_site(center, ["hr"])
    assert analyzer_for("hr") is not before
    assert analyzer_for("hr").word("lozinka") is None and analyzer_for("hr").word("Lozinke") is not None
