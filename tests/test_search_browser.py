"""Browser tests: Chromium types into the built example help center's search box."""
from __future__ import annotations

import functools
import http.server
import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from browser_fixtures import ROOT, _QuietHandler, needs_chromium
from deflect.helpcenter import HelpCenter
from deflect.search import static

pytestmark = [needs_chromium, pytest.mark.slow]


def results_for(page: object, site_url: str, lang: str, query: str, all_languages: bool = False) -> list[str]:
    page.goto(f"{site_url}{lang}/")
    box = page.locator("[data-deflect-search-input]")
    box.click()
    if all_languages:
        page.locator("[data-deflect-search-all]").check()
    box.fill(query)
    typed = box.input_value()  # the box keeps at most 256 characters
    assert typed == query[:256]
    page.wait_for_function(
        "q => document.querySelector('[data-deflect-search]').getAttribute('data-deflect-ready') === q", arg=typed,
        timeout=10_000)
    return page.locator("[data-deflect-result]").evaluate_all("els => els.map(e => e.dataset.deflectResult)")


@pytest.mark.parametrize(("lang", "query", "expected", "why"), [
    ("hr", "kartica odbijena", "hr/orders/payment-declined/", "inflected Croatian (odbijena is not in the text)"),
    ("hr", "lozinkama", "hr/account/reset-password/", "Croatian instrumental plural, absent from the content"),
    ("et", "tagastustingimustest", "et/returns/return-policy/", "inflected Estonian, absent from the content"),
    ("et", "paroolidega", "et/account/reset-password/", "Estonian comitative plural, absent from the content"),
    ("tl", "paano burahin ang account", "tl/privacy/delete-account/", "inflected Tagalog (burahin)"),
    ("tl", "nagbayad", "tl/orders/payment-declined/", "Tagalog verb form with a prefix"),
    ("en", "warrenty claim", "en/returns/warranty-claim/", "misspelled English"),
    ("en", "turn on 2fa", "en/account/two-step-verification/", "a synonym from search/synonyms.yml"),
    ("hr", "nacini placanja", "hr/orders/payment-methods/", "Croatian typed without diacritics"),
    ("en", "how many people can share my home", "en/account/faq/#home-member-limit", "an FAQ question"),
    ("hr", "radi li orrin s alexom", "hr/devices/faq/#voice-assistant-support", "an FAQ question in Croatian"),
])
def test_expected_article_is_first(page: object, site_url: str, lang: str, query: str, expected: str, why: str) -> None:
    results = results_for(page, site_url, lang, query)
    assert results, f"no results for {query!r} ({why})"
    assert results[0] == expected, f"{query!r} ({why}): {results[:5]}"


def test_results_are_filtered_to_the_page_language_unless_all_languages(page: object, site_url: str) -> None:
    assert results_for(page, site_url, "en", "lozinka") == []
    everywhere = results_for(page, site_url, "en", "lozinka", all_languages=True)
    assert everywhere and everywhere[0].startswith("hr/")
    badge = page.locator("[data-deflect-result] .deflect-search__lang").first.inner_text()
    assert badge.strip().lower() == "hr"


def test_clicking_a_result_opens_the_matching_section(page: object, site_url: str) -> None:
    results_for(page, site_url, "en", "password reset email never arrives")
    first = page.locator("[data-deflect-result] a").first
    href = first.get_attribute("href")
    assert "reset-password/#" in href, href
    first.click()
    page.wait_for_url(lambda url: "/en/account/reset-password/" in url)  # (the load state may be the old page's)
    assert "/en/account/reset-password/" in page.url
    anchor = page.url.split("#", 1)[1]
    assert page.locator(f"[id='{anchor}']").count() == 1
    assert page.locator("mark").count() == 0  # highlighting stays in the result list


def test_snippets_highlight_the_query_words(page: object, site_url: str) -> None:
    results_for(page, site_url, "en", "refund")
    marks = page.locator("[data-deflect-result] mark").all_inner_texts()
    # "refund" and the members of its synonym group (search/synonyms.yml), nothing else.
    allowed = ("refun", "money", "back", "reimburs", "repay")
    assert marks and any(m.lower().startswith("refund") for m in marks)
    assert all(m.lower().startswith(allowed) for m in marks), sorted(set(marks))


@pytest.mark.parametrize("query", [
    '<img src=x onerror="window.__pwned=1">', "<script>window.__pwned=1</script>", ".*(?=[a-z]+$)|[[(",
    "x" * 1000, "lozinka " * 150, "%00 \\ ' \" ; -- DROP TABLE", "🙂🙂🙂",
])
def test_hostile_or_huge_queries_never_break_search(page: object, site_url: str, query: str) -> None:
    results = results_for(page, site_url, "en", query)
    assert isinstance(results, list)
    assert page.evaluate("window.__pwned") is None
    assert page.locator("[data-deflect-search] img, [data-deflect-search] script:not([type])").count() == 0
    meta = page.locator("[data-deflect-search-meta]").inner_text()
    assert meta.strip()


def test_related_articles_at_the_foot_of_an_article(page: object, site_url: str) -> None:
    page.goto(f"{site_url}en/account/reset-password/")
    related = page.locator("[data-deflect-related] a")
    assert 1 <= related.count() <= 5
    titles = related.all_inner_texts()
    assert "Reset your password" not in titles
    assert any("sign" in t.lower() for t in titles), titles
    related.first.click()
    page.wait_for_url(lambda url: "reset-password" not in url)
    assert "/en/" in page.url and "reset-password" not in page.url


def test_search_events_reach_the_collector(page: object, collector_site: str) -> None:
    _QuietHandler.events.clear()
    results = results_for(page, collector_site, "hr", "lozinkama")
    page.wait_for_timeout(1800)  # the query event is sent once typing pauses
    queries = [e["body"] for e in _QuietHandler.events if e["path"] == "/collect/api/events"]
    assert queries and queries[-1]["query"] == "lozinkama" and queries[-1]["lang"] == "hr"
    # The event counts every match (the honest count the reader sees), not only the first ten shown.
    shown = page.locator("[data-deflect-search-meta]").inner_text()
    assert str(queries[-1]["results"]) in shown and queries[-1]["results"] >= len(results)
    assert queries[-1]["clicked"] is None
    page.locator("[data-deflect-result] a").first.click()
    page.wait_for_load_state()
    page.wait_for_timeout(300)
    clicks = [e["body"] for e in _QuietHandler.events if e["body"].get("clicked")]
    assert clicks and clicks[-1]["clicked"] == results[0]


def test_nothing_is_sent_without_a_collector(page: object, site_url: str) -> None:
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url) if request.method == "POST" else None)
    results_for(page, site_url, "en", "refund")
    page.wait_for_timeout(1800)
    page.locator("[data-deflect-result] a").first.click()
    page.wait_for_load_state()
    assert sent == []


@pytest.mark.parametrize(("lang", "query", "expected"), [
    ("hr", "zaporka", "hr/account/reset-password/"),
    ("et", "kahefaktoriline autentimine", "et/account/two-step-verification/"),
])
def test_synonyms_missing_from_the_content_work_in_the_browser(page: object, site_url: str, lang: str, query: str,
                                                               expected: str) -> None:
    results = results_for(page, site_url, lang, query)
    assert expected in results[:3], results


@pytest.mark.parametrize(("lang", "query"), [
    ("en", "password reset email never arrives"),  # five words, a synonym group (password, passcode, pw)
    ("hr", "lozinkama"),  # a form absent from the content
    ("et", "tagastustingimustest"),
    ("en", "warrenty claim"),  # a typo
    ("en", "refu"),  # a prefix
])
def test_results_render_after_one_round_of_fetches(page: object, site_url: str, lang: str, query: str) -> None:
    """All the files a query needs in its language are requested before the first of them arrives
    (nothing waits for another file's content): its words' term shards, which carry the result cards
    of their terms' best documents, so neither a card file nor a document chunk is needed to show the
    results (title, section link, highlighted excerpt). In a language with untranslated articles, the
    English shards of its terms' translations follow in one more round, all requested at once."""
    events: list[tuple[str, str]] = []

    def index_file(url: str) -> bool:  # the manifest comes first, once per page (when search opens)
        return "/search/" in url and not url.endswith("/manifest.json")

    page.on("request", lambda r: events.append(("request", r.url)) if index_file(r.url) else None)
    page.on("requestfinished", lambda r: events.append(("finished", r.url)) if index_file(r.url) else None)
    results = results_for(page, site_url, lang, query)
    assert results
    # The instant answer (above the results, when the top result is an FAQ entry or steps) reads the
    # top result's document chunk once the results show; nothing else does.
    events = [(kind, url) for kind, url in events if "/d/" not in url]
    requested = [url for kind, url in events if kind == "request"]
    own = [(kind, url) for kind, url in events if f"/search/{lang}/t/" in url]
    theirs = [(kind, url) for kind, url in events if f"/search/{lang}/t/" not in url]
    assert requested and all(f"/search/{lang}/t/" in url or (lang != "en" and "/search/en/t/" in url)
                             for url in requested), requested
    for part in (own, theirs):  # each round: every request made before the first answer of it arrives
        done = next((i for i, (kind, _) in enumerate(part) if kind == "finished"), len(part))
        assert all(kind == "finished" for kind, _ in part[done:]), part
    if theirs:  # the second round starts once the first has answered (the translations are in its shards)
        assert events.index(theirs[0]) > events.index(next(e for e in own if e[0] == "finished"))
    assert page.locator("[data-deflect-result] mark").count() > 0


class _StaleManifestHandler(_QuietHandler):
    """The site, whose search/manifest.json is first an old format's (no `analysis`), cacheable for a day."""

    stale = 1  # how many answers are the old manifest
    requests: list[str] = []  # each manifest request's Cache-Control header
    shards: list[str] = []  # each term shard request's

    def do_GET(self) -> None:  # noqa: N802
        if "/search/" in self.path and "/t/" in self.path:
            _StaleManifestHandler.shards.append(self.headers.get("Cache-Control") or "")
        if not self.path.endswith("/search/manifest.json"):
            return super().do_GET()
        _StaleManifestHandler.requests.append(self.headers.get("Cache-Control") or "")
        manifest = json.loads((Path(self.directory) / "search" / "manifest.json").read_bytes())
        if len(_StaleManifestHandler.requests) <= _StaleManifestHandler.stale:
            manifest["version"] -= 1
            for info in manifest["languages"].values():
                del info["analysis"]
        body = json.dumps(manifest).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Cache-Control", "max-age=86400")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def stale_site(site_dir: Path) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(_StaleManifestHandler, directory=str(site_dir)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _StaleManifestHandler.requests, _StaleManifestHandler.shards, _StaleManifestHandler.stale = [], [], 1
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def test_a_cached_manifest_of_an_older_format_is_fetched_again(page: object, stale_site: str) -> None:
    page.goto(f"{stale_site}en/")
    page.evaluate("fetch('../search/manifest.json').then(r => r.json())")  # the old format, now in the cache
    _StaleManifestHandler.stale = 0
    assert results_for(page, stale_site, "en", "reset password")[0] == "en/account/reset-password/"
    # The page's first fetch came from the cache; the second went past it to the server.
    assert _StaleManifestHandler.requests == ["", "no-cache"]
    # The shards the cache may hold are the old index's too: they come from the server as well.
    assert _StaleManifestHandler.shards and set(_StaleManifestHandler.shards) == {"no-cache"}


def test_a_manifest_of_another_format_shows_the_error_when_fetching_again_cannot_fix_it(
        page: object, stale_site: str) -> None:
    _StaleManifestHandler.stale = 2
    page.goto(f"{stale_site}en/")
    box = page.locator("[data-deflect-search-input]")
    box.click()
    box.type("password")
    page.wait_for_selector("[data-deflect-search-meta]:has-text('Search is unavailable right now.')", timeout=10_000)
    assert len(_StaleManifestHandler.requests) == 2  # the cached copy's format, then past the cache: still old
    assert page.locator("[data-deflect-result]").count() == 0


def test_a_large_language_fetches_the_cards_of_the_results_it_shows(page: object, site_dir: Path, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch, serve) -> None:
    """A result whose card its shards lack (here: the example exported with no cards in its shards)
    takes it from the card files, fetched once the results are ranked for the ten shown, and with
    "Show more" for the next ten: the same results as with the cards in the shards."""
    expected = _two_pages(page, serve(site_dir), "order")
    assert len(expected) == 20
    site = tmp_path / "site"
    shutil.copytree(site_dir, site)
    monkeypatch.setattr(static, "CARDS_IN_SHARD", 0)
    shutil.rmtree(site / "search")
    HelpCenter.open(ROOT, history=False, cache_dir=tmp_path / "cache").search_service.export(site / "search")
    manifest = json.loads((site / "search" / "manifest.json").read_text(encoding="utf-8"))
    size = manifest["languages"]["en"]["cards"]
    events: list[tuple[str, str]] = []
    page.on("request", lambda r: events.append(("request", r.url)) if "/search/en/" in r.url else None)
    page.on("requestfinished", lambda r: events.append(("finished", r.url)) if "/search/en/" in r.url else None)
    url = serve(site)
    assert results_for(page, url, "en", "order") == expected[:10]
    cards = [u for kind, u in events if kind == "request" and "/c/" in u]
    shards = [u for kind, u in events if kind == "request" and "/t/" in u]
    assert cards and shards and len(set(cards)) == len(cards)
    # the cards are asked for once the shards have arrived (they say which documents to describe)
    first_card = events.index(("request", cards[0]))
    assert all(("finished", u) in events[:first_card] for u in shards)
    assert _more(page) == expected
    titles = page.locator("[data-deflect-result] h1").all_inner_texts()
    assert all(title.strip() for title in titles)
    more_cards = [u for kind, u in events if kind == "request" and "/c/" in u]
    assert len(set(more_cards)) == len(more_cards) <= -(-manifest["languages"]["en"]["docs"] // size)


def _two_pages(page: object, url: str, query: str) -> list[str]:
    results_for(page, url, "en", query)
    return _more(page)


def _more(page: object) -> list[str]:
    """Click "Show more"; the results then shown (at least 20 expected)."""
    page.locator("[data-deflect-search-more] button").click()
    page.wait_for_function("() => document.querySelectorAll('[data-deflect-result]').length >= 20", timeout=10_000)
    return page.locator("[data-deflect-result]").evaluate_all("els => els.map(e => e.dataset.deflectResult)")


@pytest.fixture
def serve() -> Iterator:
    """``serve(folder)`` serves ``folder`` on a local server until the test ends; its URL."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(site: Path) -> str:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
