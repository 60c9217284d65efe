"""Hostile front matter and configuration never become markup or script in the built site.

One help center in ``tmp_path`` carries ``<img src=x onerror=…>`` in every plain-text field an
author or a site owner writes (titles, summaries, tags, an FAQ question, category titles and
descriptions, a language name, the site name) in English and Croatian. The built site is checked
file by file (HTML, JSON, XML, the gzip search shards), then in Chromium, then with ``deflect check``.
"""

from __future__ import annotations

import functools
import gzip
import html
import http.server
import json
import re
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from browser_fixtures import CHROMIUM, _QuietHandler
from conftest import RECENT, article, make_help_center, run_check, write
from deflect.escaping import html_markup, json_bytes, json_text, page_title
from deflect.mkdocs_plugins.build import BuildFailed, build_site

PAYLOAD = "<img src=x onerror=alert(1)>"
RAW = "<img src=x onerror="
"""What must never reach any output file as it is."""
ESCAPED = html.escape(PAYLOAD, quote=True)
TITLE = f"{PAYLOAD} Zebrafish Q&A <b>care</b>"
HR_TITLE = "Zebrica <img src=x onerror=alert(6)> Q&A hr_fish **x**"
EN_ONLY = "Only in English <img src=x onerror=alert(23)> & <b>bold</b>"
"""An article without a Croatian translation: its light fallback page in /hr/ is written by Deflect, not MkDocs."""
FAQ_QUESTION = "Is </script><img src=x onerror=alert(4)> zebrafish **food**{: onmouseover=alert(17) } safe?"
CATEGORIES = """\
account:
  icon: 'material/account <img src=x onerror=alert(14)>'
  en: {title: 'Account <img src=x onerror=alert(7)>', description: 'Keep it safe "><img src=x onerror=alert(8)>'}
  hr:
    title: 'Račun <img src=x onerror=alert(9)>'
    description: "Opis <img src=x onerror=alert(10)> **x**{: onmouseover=alert(16) }\\n{: onmouseover=alert(18) }"
orders:
  en: {title: Orders}
  hr: {title: Narudžbe}
"""
BODY = ("Zebrafish need a password reset link, sent by email, when the password is lost.\n\n"
        "## Reset link {#link}\n\nAsk for a reset link and choose a new password.\n\n"
        "## Paste `<img src=x onerror=alert(22)>` as code {#code}\n\nCode in a heading is text too.\n")


def _quote(text: str) -> str:
    """``text`` as a single-quoted YAML scalar."""
    return "'" + text.replace("'", "''") + "'"


@pytest.fixture(scope="module")
def hostile_center(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    config = make_help_center(root, options="popular: [hostile, reset-password]")
    text = config.read_text(encoding="utf-8")
    text = text.replace("site_name: Test Help Center", "site_name: 'Test <img src=x onerror=alert(11)> Center'")
    text = text.replace("name: Hrvatski", "name: 'Hrvatski <img src=x onerror=alert(12)>'")
    # Material's footer links print the neighbouring pages' titles.
    text = text.replace("  name: material\n", "  name: material\n  features: [navigation.footer]\n")
    config.write_text(text + "  - deflect/search\nsite_url: https://help.example/\n"
                      "site_description: 'Help <img src=x onerror=alert(13)>'\n", encoding="utf-8")
    write(root, "articles/categories.yml", CATEGORIES)
    write(root, "articles/en/hostile.md", article(
        _quote(TITLE), summary=_quote('Zebrafish care "><img src=x onerror=alert(2)> & more {: onmouseover=alert(19) }'),
        extra=f"tags: [{_quote('<img src=x onerror=alert(5)>')}, zebrafish]\npublished: {RECENT}", body=BODY))
    write(root, "articles/hr/hostile.md", article(
        _quote(HR_TITLE), summary=_quote("Sažetak <img src=x onerror=alert(3)>"), body="Lozinka za zebrice.\n"))
    write(root, "articles/en/english-only.md", article(
        _quote(EN_ONLY), summary=_quote("Summary <img src=x onerror=alert(24)> & more"),
        body="Zebrafish text.\n\n## Part `<img src=x onerror=alert(25)>` {#part}\n\nMore.\n"))
    write(root, "faq/en/hostile-question.md",
          f"---\ntitle: {_quote(FAQ_QUESTION)}\ncategory: account\n---\nYes, zebrafish food is safe.\n")
    # Hand-written pages: a title from front matter, and one MkDocs takes from the first heading.
    write(root, "docs/en/about.md", "---\ntitle: 'About <img src=x onerror=alert(20)>'\n---\n\nAbout us.\n")
    write(root, "docs/en/terms.md", "# Terms `<img src=x onerror=alert(21)>` & Q&amp;A\n\nTerms.\n")
    return root


@pytest.fixture(scope="module")
def hostile_site(hostile_center: Path) -> Path:
    """The hostile help center built without ``--strict`` (as when ``deflect check`` is skipped)."""
    site = hostile_center / "site"
    build_site(hostile_center / "mkdocs.yml", site, quiet=True)
    return site


def _text(path: Path) -> str:
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data.decode("utf-8")


def _read(site: Path, rel: str) -> str:
    return (site / rel / "index.html").read_text(encoding="utf-8")


class _Elements(HTMLParser):
    """Every start tag a browser would create from a page, with its attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


# ----- pure functions --------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "found"), [
    ("Reset your password", None), ("1 < 2 and 3 > 2", None), ("I <3 Orrin", None), ("Q&A", None),
    ("a<b", "<b>"), (PAYLOAD, "<img>"), ("text </b>", "</b>"), ("<!-- hidden -->", "<!>"),
    ("<svg/onload=alert(1)>", "<svg>"),
])
def test_html_markup_finds_what_a_browser_would_parse(text: str, found: str | None) -> None:
    assert html_markup(text) == found


def test_page_title_escapes_front_matter_once_and_heading_titles_without_double_escaping() -> None:
    assert page_title("Q&A <b>", from_heading=False) == "Q&amp;A &lt;b&gt;"
    # MkDocs keeps entities in a title it takes from a heading's rendered HTML.
    assert page_title("Q &amp; A &lt;b&gt;", from_heading=True) == "Q &amp; A &lt;b&gt;"
    once = page_title("Q&A", from_heading=False)
    assert page_title(once, from_heading=False) is once


def test_json_text_cannot_close_a_script_element() -> None:
    text = json_text({"name": "</script><b>&"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"name": "</script><b>&"}


def test_json_bytes_are_json_texts_bytes_and_cannot_close_a_script_element() -> None:
    """The search export's fast JSON (orjson) writes what json_text writes, escapes included; what orjson
    cannot write as json does (a non-str key, a huge int, a float subclass) goes through json_text."""
    import numpy as np

    every_char = "".join(chr(code) for code in range(0x3000) if not 0xD800 <= code < 0xE000)
    cases = [
        {"name": "</script><b>&", "x": ["<!--", "]]>", "&amp;", "\u003c", "\\", '"']},
        [every_char, "\u2028\u2029\ufeff😀", "", "žćčšđ õäöü ñ"],
        {"b": [1, -2, 2**63 - 1, -(2**63), True, False, None, 0.5, -3.25, 1234.5678, 0.1, 1 / 3]},
        (["tuple", 1], {"nested": {"deep": [[], {}]}}),
        {1: "int key"}, [2**70], [np.float64(0.25)], {"key": np.float64(1.5)},
    ]
    for data in cases:
        assert json_bytes(data) == json_text(data, separators=(",", ":")).encode(), data
    raw = json_bytes({"name": "</script><b>&"})
    assert b"<" not in raw and b">" not in raw and b"&" not in raw
    assert json.loads(raw) == {"name": "</script><b>&"}
    # Equal values, another spelling: JSON.parse reads both alike.
    assert json.loads(json_bytes([1e-05, 1e16, 2.5e-300])) == [1e-05, 1e16, 2.5e-300]


# ----- whole-site build --------------------------------------------------------------------------
@pytest.mark.slow
def test_no_output_file_carries_the_payload_unescaped(hostile_site: Path) -> None:
    scanned, unsafe = 0, []
    for path in sorted(hostile_site.rglob("*")):
        if not path.is_file() or path.suffix not in (".html", ".json", ".xml", ".gz", ".js"):
            continue
        scanned += 1
        text = _text(path)
        if RAW in text or "</script><img" in text:
            unsafe.append(str(path.relative_to(hostile_site)))
        if path.suffix == ".html":
            parser = _Elements()
            parser.feed(text)
            injected = [(tag, attrs) for tag, attrs in parser.tags
                        if any(name.startswith("on") for name in attrs) or (tag == "img" and attrs.get("src") == "x")]
            assert not injected, (path, injected)
    assert not unsafe, unsafe
    shards = list((hostile_site / "search").rglob("*.json.gz"))
    assert shards and scanned > 40, scanned
    # The payload is in the shards (as \u003c escapes), so the search box can find the article.
    assert any("\\u003cimg src=x onerror=alert(1)\\u003e" in _text(shard) for shard in shards)


@pytest.mark.slow
def test_hostile_text_is_shown_as_text_everywhere_it_appears(hostile_site: Path) -> None:
    page = _read(hostile_site, "en/account/hostile")
    escaped_title = "&lt;img src=x onerror=alert(1)&gt; Zebrafish Q&amp;A &lt;b&gt;care&lt;/b&gt;"
    assert f"<h1>{escaped_title}</h1>" in page
    assert f"<title>{escaped_title} - Test &lt;img src=x onerror=alert(11)&gt; Center</title>" in page
    assert f'<meta property="og:title" content="{escaped_title}">' in page
    assert ('<meta name="description" content="Zebrafish care &#34;&gt;&lt;img src=x onerror=alert(2)&gt; &amp; more '
            '{: onmouseover=alert(19) }">' in page)
    assert page.count(escaped_title) >= 5  # h1, title, og:title, header, sidebar
    assert "Account &lt;img src=x onerror=alert(7)&gt;" in page  # sidebar and breadcrumbs
    category = _read(hostile_site, "en/account")
    assert "Keep it safe &#34;&gt;&lt;img src=x onerror=alert(8)&gt;" in category
    translated = _read(hostile_site, "hr/account/reset-password")
    hr_title = "Zebrica &lt;img src=x onerror=alert(6)&gt; Q&amp;A hr_fish **x**"
    assert hr_title in translated  # the sidebar in Croatian
    assert "Račun &lt;img src=x onerror=alert(9)&gt;" in translated
    assert "Hrvatski &lt;img src=x onerror=alert(12)&gt;" in translated  # the language switcher
    light = _read(hostile_site, "hr/account/english-only")  # a light fallback page, written by Deflect
    escaped_only = "Only in English &lt;img src=x onerror=alert(23)&gt; &amp; &lt;b&gt;bold&lt;/b&gt;"
    assert 'content="noindex, follow"' in light and f"<title>{escaped_only} - Test &lt;img" in light
    assert '<meta name="description" content="Summary &lt;img src=x onerror=alert(24)&gt; &amp; more">' in light
    assert "<code>&lt;img src=x onerror=alert(25)&gt;</code>" in light  # the source's body, escaped once
    assert "Račun &lt;img src=x onerror=alert(9)&gt;" in light  # breadcrumbs
    # Listing pages are Deflect's autoescaped templates, never Markdown: no emphasis, no attribute lists.
    assert f">{hr_title}</a>" in _read(hostile_site, "hr")
    assert ("<p>Opis &lt;img src=x onerror=alert(10)&gt; **x**{: onmouseover=alert(16) } {: onmouseover=alert(18) }</p>"
            in " ".join(_read(hostile_site, "hr/account").split(" ")).replace("\n", " "))
    home = _read(hostile_site, "en")
    assert escaped_title in home and "Account &lt;img src=x onerror=alert(7)&gt;" in home
    assert "<title>About &lt;img src=x onerror=alert(20)&gt; - Test" in _read(hostile_site, "en/about")
    assert "<title>Terms &lt;img src=x onerror=alert(21)&gt; &amp; Q&amp;A - Test" in _read(hostile_site, "en/terms")
    related = _read(hostile_site, "en/account/reset-password").split("data-deflect-related", 1)
    assert len(related) == 2 and escaped_title in related[1]


@pytest.mark.slow
def test_faq_structured_data_keeps_the_question_inside_its_script(hostile_site: Path) -> None:
    page = _read(hostile_site, "en/account/faq")
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert len(scripts) == 1
    data = json.loads(scripts[0])
    assert FAQ_QUESTION in [item["name"] for item in data["mainEntity"]]
    assert "\\u003c/script\\u003e\\u003cimg" in scripts[0]


@pytest.mark.slow
def test_ampersands_and_brackets_are_escaped_exactly_once(hostile_site: Path) -> None:
    for path in hostile_site.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for double in ("&amp;amp;", "&amp;lt;", "&amp;gt;", "&amp;#34;", "&amp;#39;", "&amp;quot;"):
            assert double not in text, (path, double)
    page = _read(hostile_site, "en/account/hostile")
    assert "Q&amp;A &lt;b&gt;care&lt;/b&gt;" in page


# ----- check ------------------------------------------------------------------------------------
def test_check_reports_html_in_titles_summaries_and_categories(hostile_center: Path) -> None:
    run = run_check(hostile_center)
    assert run.exit_code == 1
    hint = "write plain text – Markdown/HTML is not allowed in"
    assert (f"articles/en/hostile.md:2: title contains HTML markup (<img>); {hint} titles") in run.lines
    assert (f"articles/en/hostile.md:3: summary contains HTML markup (<img>); {hint} summaries") in run.lines
    assert (f"articles/hr/hostile.md:2: title contains HTML markup (<img>); {hint} titles") in run.lines
    assert (f"faq/en/hostile-question.md:2: title contains HTML markup (</script>); {hint} titles") in run.lines
    assert (f"articles/categories.yml:3: category 'account': en title contains HTML markup (<img>); {hint} titles"
            in run.lines)
    assert (f"articles/categories.yml:3: category 'account': en description contains HTML markup (<img>); "
            f"{hint} descriptions") in run.lines
    # A language's block is reported on its first line.
    assert (f"articles/categories.yml:4: category 'account': hr title contains HTML markup (<img>); {hint} titles"
            in run.lines)
    assert (f"articles/categories.yml:4: category 'account': hr description contains HTML markup (<img>); "
            f"{hint} descriptions") in run.lines
    assert "articles/categories.yml:2: category 'account': icon must be an icon name such as 'material/truck'" in run.lines
    # Plain text with brackets and ampersands is fine.
    assert not run.find("articles/en/reset-password.md")


def test_strict_build_fails_on_html_in_a_title(tmp_path: Path) -> None:
    make_help_center(tmp_path)
    write(tmp_path, "articles/en/sign-in.md", article(_quote("Sign in <b>now</b>")))
    with pytest.raises(BuildFailed):
        build_site(tmp_path / "mkdocs.yml", tmp_path / "site", strict=True, quiet=True)


def test_contact_chat_link_must_be_a_web_address(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    config = make_help_center(tmp_path, articles=False, options="contact:\n  chat: javascript:alert(1)")
    with pytest.raises(BuildFailed):
        build_site(config, tmp_path / "site", quiet=True)
    assert "contact.chat must be a web address starting with https://, got 'javascript:alert(1)'" in caplog.text


# ----- Chromium ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def hostile_url(hostile_site: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(hostile_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def _assert_nothing_injected(page: object, dialogs: list[str]) -> None:
    page.wait_for_load_state("load")
    page.wait_for_timeout(200)  # an injected <img src=x> fails to load and fires onerror right away
    assert dialogs == []
    assert page.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0
    assert page.evaluate("document.querySelectorAll('[onerror], [onload], [onmouseover]').length") == 0


@pytest.mark.slow
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed")
@pytest.mark.parametrize("path", ["en/account/hostile/", "en/account/", "hr/account/hostile/",
                                  "hr/account/reset-password/", "en/", "en/account/faq/", "hr/", "en/terms/",
                                  "hr/account/english-only/"])
def test_pages_run_no_injected_script(page: object, hostile_url: str, path: str) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(hostile_url + path)
    _assert_nothing_injected(page, dialogs)
    if path == "en/account/hostile/":
        assert page.inner_text(".md-content article h1") == TITLE
        assert page.title() == f"{TITLE} - Test <img src=x onerror=alert(11)> Center"
        assert page.inner_text(".md-nav__link--active") == TITLE
    if path == "en/terms/":
        assert page.title() == "Terms <img src=x onerror=alert(21)> & Q&A - Test <img src=x onerror=alert(11)> Center"


@pytest.mark.slow
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed")
def test_search_and_contact_suggestions_show_the_hostile_title_as_text(page: object, hostile_url: str) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(hostile_url + "en/")
    box = page.locator("[data-deflect-search-input]")
    box.click()
    box.fill("zebrafish")
    page.wait_for_function("q => document.querySelector('[data-deflect-search]').getAttribute('data-deflect-ready') === q",
                           arg="zebrafish", timeout=10_000)
    titles = page.locator("[data-deflect-result] h1").all_inner_texts()
    assert TITLE in titles, titles
    _assert_nothing_injected(page, dialogs)

    # In Croatian, the English-only article is reached through the translation of a Croatian word (here
    # spelled alike: the Croatian title has the payload's words too) and shown in the Croatian section
    page.goto(hostile_url + "hr/")
    box.click()
    box.fill("onerror")
    page.wait_for_function("q => document.querySelector('[data-deflect-search]').getAttribute('data-deflect-ready') === q",
                           arg="onerror", timeout=10_000)
    links = page.locator("[data-deflect-result] a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    titles = page.locator("[data-deflect-result] h1").all_inner_texts()
    assert any(href.split("#")[0].endswith("/hr/account/english-only/") for href in links), links
    assert any(title.startswith(EN_ONLY) for title in titles), titles  # (then its language label)
    _assert_nothing_injected(page, dialogs)

    page.goto(hostile_url + "en/contact/")
    page.fill("[data-deflect-contact-input]", "zebrafish care")
    page.wait_for_function("q => document.querySelector('[data-deflect-contact]').getAttribute('data-deflect-ready') === q",
                           arg="zebrafish care", timeout=10_000)
    suggestions = page.locator("[data-deflect-suggestion]").all_inner_texts()
    assert TITLE in suggestions, suggestions
    summary = 'Zebrafish care "><img src=x onerror=alert(2)> & more {: onmouseover=alert(19) }'
    assert summary in page.inner_text("[data-deflect-suggestion-list]")
    _assert_nothing_injected(page, dialogs)
