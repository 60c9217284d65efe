"""What a customer sees of the help center itself: a home page that looks like one, search boxes and the
full results page, contact details from one configuration, the localized 404 page, recently viewed
articles, screenshots for the team and the weight of an article page."""
from __future__ import annotations

import gzip
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from browser_fixtures import CHROMIUM
from deflect.helpcenter import HelpCenter

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed")]

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
CONTACT = HelpCenter.open(ROOT).settings.contact


def _context(browser: object, viewport: dict, **kwargs: object) -> object:
    return browser.new_context(viewport=viewport, **kwargs)  # type: ignore[attr-defined]


def _encode_uri_component(text: str) -> str:
    """JavaScript's encodeURIComponent, to check the mailto: link against."""
    return quote(text, safe="-_.!~*'()")


# ----- home page and search ----------------------------------------------------------------------
def test_home_has_no_docs_menu_or_toc_and_a_large_search_box_that_opens_all_results(page: object, site_url: str) -> None:
    page.set_viewport_size(DESKTOP)
    page.goto(f"{site_url}en/")
    assert page.locator(".md-sidebar--primary .md-nav__link:visible").count() == 0
    assert page.locator(".md-sidebar--secondary .md-nav__link:visible").count() == 0
    box = page.locator(".deflect-search-form--hero input[name=q]")
    assert box.is_visible() and box.bounding_box()["width"] >= 300
    box.fill("password")
    box.press("Enter")
    page.wait_for_url("**/en/search/?q=password")
    results = page.locator("[data-deflect-search-page]")
    page.wait_for_function("() => document.querySelector('[data-deflect-search-page]').hasAttribute('data-deflect-ready')",
                           timeout=10_000)
    count = int(results.get_attribute("data-deflect-ready"))
    # All results, more than the header box's list of 10, each a link in the reader's language: 20 at
    # first, then 20 more with each "Show more" (their cards fetched if their shards lacked them)
    assert count > 10
    assert results.locator("ol > li").count() == count <= 20
    assert page.locator("[data-deflect-search-page-meta]").inner_text() == f"{count} results for “password”"
    first = results.locator("ol > li a").first
    assert first.inner_text() == "Reset your password"
    assert urlsplit(first.evaluate("a => a.href")).path == "/en/account/reset-password/"
    assert not page.locator("#__search").is_checked()  # the header's search overlay stays closed
    # More than 20 results: 20 at first, 20 more with each "Show more" (their cards fetched when their
    # shards lack them), the same results in the same order as the search box gives
    page.goto(f"{site_url}en/search/?q=order")
    page.wait_for_selector("[data-deflect-search-page][data-deflect-ready]", timeout=10_000)
    count = int(results.get_attribute("data-deflect-ready"))
    assert count > 20 and results.locator("ol > li").count() == 20
    while results.locator("[data-deflect-search-page-more]").count():
        shown = results.locator("ol > li").count()
        results.locator("[data-deflect-search-page-more]").click()
        page.wait_for_function("n => document.querySelectorAll('[data-deflect-search-page-results] > li').length > n",
                               arg=shown, timeout=10_000)
    assert results.locator("ol > li").count() == count
    assert all(title.strip() for title in results.locator("ol > li a").all_inner_texts())
    expected = page.evaluate("q => window.deflectSearch.search(q, 200, 200).then(hits => hits.map(h => h.url))", "order")
    links = results.locator("ol > li a").evaluate_all("els => els.map(a => new URL(a.href).pathname + new URL(a.href).hash)")
    assert [link.split("#")[0] for link in links] == ["/" + url.split("#")[0] for url in expected]


def test_show_more_says_when_its_cards_cannot_be_fetched_and_can_be_tried_again(page: object, site_url: str) -> None:
    """A "Show more" whose results need a card file that fails says so, keeps the results shown and
    its button; tried again once the file can be fetched, it shows them."""
    results, cards = page.locator("[data-deflect-search-page]"), []
    page.route("**/search/en/c/*", lambda route: (cards.append(route.request.url), route.abort()))
    page.goto(f"{site_url}en/search/?q=order")
    page.wait_for_selector("[data-deflect-search-page][data-deflect-ready]", timeout=10_000)
    count = int(results.get_attribute("data-deflect-ready"))
    meta = page.locator("[data-deflect-search-page-meta]")
    counted = meta.inner_text()
    assert count > 20 and not cards  # the first page's cards came with its shards
    results.locator("[data-deflect-search-page-more]").click()
    page.wait_for_function("() => document.querySelector('[data-deflect-search-page-meta]').textContent"
                           " === 'Search is unavailable right now.'", timeout=10_000)
    assert cards and results.locator("ol > li").count() == 20
    assert results.locator("[data-deflect-search-page-more]").is_enabled()
    page.unroute("**/search/en/c/*")
    results.locator("[data-deflect-search-page-more]").click()
    page.wait_for_function("() => document.querySelectorAll('[data-deflect-search-page-results] > li').length > 20",
                           timeout=10_000)
    assert meta.inner_text() == counted
    assert all(title.strip() for title in results.locator("ol > li a").all_inner_texts())


def test_the_results_page_says_when_the_index_cannot_be_read(page: object, site_url: str) -> None:
    """An index that cannot be read says so instead of the hint (it used to stay silent)."""
    results = page.locator("[data-deflect-search-page]")
    page.route("**/search/manifest.json", lambda route: route.abort())
    page.goto(f"{site_url}en/search/?q=refund")
    page.wait_for_function("() => document.querySelector('[data-deflect-search-page-meta]').textContent"
                           " === 'Search is unavailable right now.'", timeout=10_000)
    assert not results.get_attribute("data-deflect-ready") and results.locator("ol > li").count() == 0


def test_phone_gets_a_search_box_not_only_an_icon(browser: object, site_url: str) -> None:
    for viewport, visible in ((PHONE, True), (DESKTOP, False)):
        context = _context(browser, viewport)
        page = context.new_page()
        page.goto(f"{site_url}hr/account/reset-password/")
        box = page.locator(".deflect-search-form--mobile input[name=q]")
        assert box.is_visible() is visible
        if visible:
            assert box.bounding_box()["width"] >= 150
            box.fill("lozinka")
            box.press("Enter")
            page.wait_for_url("**/hr/search/?q=lozinka")
            page.wait_for_function("() => +document.querySelector('[data-deflect-search-page]')"
                                   ".getAttribute('data-deflect-ready') > 0", timeout=10_000)
        context.close()


# ----- contact -----------------------------------------------------------------------------------
def test_contact_page_is_linked_from_home_menu_and_header(page: object, site_url: str) -> None:
    page.set_viewport_size(DESKTOP)
    page.goto(f"{site_url}hr/")
    assert page.locator("[data-deflect-header-contact]").is_visible()
    assert page.locator("[data-deflect-header-contact]").inner_text() == "Kontakt"
    page.locator(".deflect-home-contact a.md-button").click()
    page.wait_for_url("**/hr/contact/")
    page.goto(f"{site_url}hr/account/reset-password/")
    menu = page.locator(".md-sidebar--primary .md-nav__link", has_text="Kontakt")
    assert menu.is_visible()
    menu.click()
    page.wait_for_url("**/hr/contact/")
    page.locator("[data-deflect-header-contact]").click()
    page.wait_for_url("**/hr/contact/")


@pytest.mark.parametrize("lang", ["en", "hr", "tl"])
def test_contact_details_come_from_one_configuration(page: object, site_url: str, lang: str) -> None:
    """The contact page, the footer and a guide show the same details, hours in the page's language."""
    shown = {}
    for where, path, selector in (
        ("contact page", f"{lang}/contact/", ".deflect-contact [data-deflect-contact-details]"),
        ("footer", f"{lang}/account/reset-password/", ".md-footer [data-deflect-contact-details]"),
        ("guide", f"{lang}/troubleshooting/hub-offline/", "[data-deflect-guide-contact-box] [data-deflect-contact-details]"),
    ):
        page.goto(site_url + path)
        details = page.locator(selector)
        assert details.is_visible(), where
        shown[where] = details.inner_text()
    assert len(set(shown.values())) == 1, shown
    text = shown["contact page"]
    for key in ("email", "phone", "chat"):
        assert CONTACT[key] in text
    assert CONTACT["hours"][lang] in text
    # The guide no longer sends readers to a form that does not exist, nor to other addresses.
    content = page.locator(".deflect-content").inner_text()
    assert "help form" not in content and "@" not in content


def test_the_question_typed_on_the_contact_page_goes_into_the_email(page: object, site_url: str) -> None:
    page.goto(f"{site_url}en/contact/")
    question = "My hub & plug are offline?\nThe light blinks orange #3"
    page.locator("[data-deflect-contact-input]").fill(question)
    email = page.locator(".deflect-contact [data-deflect-contact-option=email]")
    subject = "My hub & plug are offline?"
    assert email.get_attribute("href") == (f"mailto:{CONTACT['email']}?subject={_encode_uri_component(subject)}"
                                           f"&body={_encode_uri_component(question)}")
    page.locator("[data-deflect-contact-input]").fill("")
    assert email.get_attribute("href") == f"mailto:{CONTACT['email']}"


# ----- 404 ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("path", "lang", "title"), [
    ("hr/nema-te-stranice/", "hr", "Stranica nije pronađena"),
    ("tl/account/wala/", "tl", "Hindi nahanap ang pahina"),
    ("no-language/at-all", "en", "Page not found"),
])
def test_404_page_speaks_the_readers_language_with_search_and_links(page: object, site_url: str, path: str,
                                                                    lang: str, title: str) -> None:
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    response = page.goto(site_url + path)
    assert response.status == 404
    page.wait_for_load_state("networkidle")
    assert failed == [f"404 {site_url}{path}"]
    section = page.locator("[data-deflect-404]:visible")
    assert section.count() == 1 and section.get_attribute("lang") == lang
    assert section.locator("h1").inner_text() == title
    assert page.evaluate("document.documentElement.lang") == lang
    links = section.locator(".deflect-404__links a").evaluate_all("els => els.map(a => a.getAttribute('href'))")
    assert links == [f"/{lang}/", f"/{lang}/#categories", f"/{lang}/contact/"]
    box = section.locator("input[name=q]")
    box.fill("password")
    box.press("Enter")
    page.wait_for_url(f"**/{lang}/search/?q=password")


# ----- recently viewed ---------------------------------------------------------------------------
def test_recently_viewed_articles_on_home_newest_first_and_escaped(page: object, site_url: str) -> None:
    page.goto(f"{site_url}en/")
    assert page.locator("[data-deflect-recently-viewed]").is_hidden()
    page.goto(f"{site_url}en/account/reset-password/")
    page.goto(f"{site_url}en/shipping/track-your-order/")
    page.goto(f"{site_url}hr/account/reset-password/")  # another language: not on the English home
    page.evaluate("""() => {
        const list = JSON.parse(localStorage.getItem('deflect-recently-viewed'));
        list.push({url: '/en/x/', title: '<img src=x onerror="window.pwned=1">', lang: 'en'});
        list.push({url: 'javascript:window.pwned=2', title: 'Evil', lang: 'en'});
        list.push({url: '/\\\\evil.example/', title: 'Other site', lang: 'en'});
        list.push({url: '//evil.example/', title: 'Other site too', lang: 'en'});
        localStorage.setItem('deflect-recently-viewed', JSON.stringify(list));
    }""")
    page.goto(f"{site_url}en/")
    recent = page.locator("[data-deflect-recently-viewed]")
    assert recent.is_visible()
    items = recent.locator("li a")
    assert items.all_inner_texts() == ["Track your order", "Reset your password", '<img src=x onerror="window.pwned=1">']
    assert items.evaluate_all("els => els.map(a => a.getAttribute('href'))") == [
        "/en/shipping/track-your-order/", "/en/account/reset-password/", "/en/x/"]
    assert recent.locator("img").count() == 0 and page.evaluate("window.pwned") is None


# ----- screenshots and page weight ---------------------------------------------------------------
SCREENS = {
    "home": "en/",
    "article": "en/account/reset-password/",
    "faq": "en/account/faq/",
    "guide": "en/troubleshooting/hub-offline/",
    "contact": "en/contact/",
    "search-results": "en/search/?q=password",
}


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_screenshots_for_the_team(browser: object, site_url: str, device: str) -> None:
    """Writes screenshots/<device>-<page>.png (README: "Screenshots"), and checks nothing overflows sideways."""
    SCREENSHOTS.mkdir(exist_ok=True)
    context = _context(browser, PHONE if device == "phone" else DESKTOP)
    page = context.new_page()
    for name, path in SCREENS.items():
        page.goto(site_url + path)
        page.wait_for_load_state("networkidle")
        if name == "search-results":
            page.wait_for_function("() => document.querySelector('[data-deflect-search-page]')"
                                   ".hasAttribute('data-deflect-ready')", timeout=10_000)
        target = SCREENSHOTS / f"{device}-{name}.png"
        page.screenshot(path=str(target), full_page=True)
        assert target.stat().st_size > 5_000
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"{name} scrolls sideways"
    context.close()


def test_an_article_weighs_at_most_100_kb_gzip(page: object, site_url: str) -> None:
    """Everything the article page loads (HTML, CSS, JS, images, search data), each gzip-compressed."""
    loaded: list[object] = []
    page.on("response", lambda response: loaded.append(response))
    page.goto(f"{site_url}en/account/reset-password/")
    page.wait_for_load_state("networkidle")
    sizes = {}
    for response in loaded:
        body = response.body()
        # Files the site ships gzipped (.gz search shards) are counted as they are.
        sizes[response.url] = len(body) if response.url.endswith(".gz") else len(gzip.compress(body, 9))
    assert not [url for url in sizes if urlsplit(url).path.endswith((".woff", ".woff2", ".ttf"))], "fonts loaded"
    total = sum(sizes.values())
    print(f"article page: {len(sizes)} files, {total / 1024:.1f} KB gzip")
    assert total <= 100 * 1024, sorted(sizes.items(), key=lambda item: -item[1])[:5]
