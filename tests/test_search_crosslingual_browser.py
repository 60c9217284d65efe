"""Browser tests for issue 12: English-only articles found from Croatian, answer-first links on a
phone, instant answers, honest counts with "Show more", shortcuts that leave the browser's keys."""
from __future__ import annotations

from pathlib import Path

import pytest

from browser_fixtures import CHROMIUM

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed (apt-get install chromium)")


def search(page: object, site_url: str, lang: str, query: str) -> list[str]:
    page.goto(f"{site_url}{lang}/")
    box = page.locator("[data-deflect-search-input]")
    box.click()
    box.fill(query)
    page.wait_for_function(
        "q => document.querySelector('[data-deflect-search]').getAttribute('data-deflect-ready') === q", arg=query,
        timeout=10_000)
    return page.locator("[data-deflect-result]").evaluate_all("els => els.map(e => e.dataset.deflectResult)")


def test_a_croatian_query_finds_an_english_only_article_labelled_and_inside_hr(page: object, site_url: str) -> None:
    results = search(page, site_url, "hr", "tvornički reset uređaja")
    assert results[0] == "hr/troubleshooting/factory-reset/", results[:5]
    first = page.locator("[data-deflect-result]").first
    label = first.locator(".deflect-search__lang")
    assert label.get_attribute("data-deflect-lang") == "en"
    assert label.inner_text().strip().lower() == "engleski"  # the language's name in Croatian
    assert first.locator("h1").inner_text().startswith("Factory reset a device")
    first.locator("a").click()
    page.wait_for_url(lambda url: "/factory-reset/" in url)  # (the load state may be the old page's)
    assert "/hr/troubleshooting/factory-reset/" in page.url  # the reader stays in the Croatian section
    assert page.locator("html").get_attribute("lang") == "hr"


def test_the_top_result_lands_on_the_steps_on_a_phone(browser: object, site_url: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(f"{site_url}hr/")
        page.locator("label[for=__search].md-header__button").first.click()
        box = page.locator("[data-deflect-search-input]")
        box.fill("zaboravio lozinku")
        page.wait_for_function(
            "q => document.querySelector('[data-deflect-search]').getAttribute('data-deflect-ready') === q",
            arg="zaboravio lozinku", timeout=10_000)
        first = page.locator("[data-deflect-result] a").first
        assert first.get_attribute("href").endswith("hr/account/reset-password/#request")
        first.click()
        page.wait_for_url(lambda url: "/reset-password/" in url)  # (the load state may be the old page's)
        assert page.url.endswith("/hr/account/reset-password/#request")
        step = page.locator("[id='request'] ~ ol li").first
        step.wait_for()
        box = step.bounding_box()
        assert box is not None and 0 <= box["y"] and box["y"] + 20 <= 844, box  # the first step is on screen
        assert "Forgot password?" in step.inner_text()
    finally:
        context.close()


def test_ctrl_f_and_ctrl_s_stay_the_browsers(page: object, site_url: str) -> None:
    page.goto(f"{site_url}hr/account/reset-password/")
    opened = "() => document.getElementById('__search').checked"
    for keys in ("Control+f", "Control+s", "Meta+f", "Alt+f"):
        prevented = page.evaluate("""keys => {
            const [mod, key] = keys.split('+');
            const ev = new KeyboardEvent('keydown', {key, cancelable: true, bubbles: true,
              ctrlKey: mod === 'Control', metaKey: mod === 'Meta', altKey: mod === 'Alt'});
            document.body.dispatchEvent(ev);
            return ev.defaultPrevented;
        }""", keys)
        assert prevented is False, keys  # the browser's find / save still happens
        assert page.evaluate(opened) is False, keys
    page.keyboard.press("/")
    assert page.evaluate(opened) is True  # the plain shortcut still opens search


@pytest.mark.parametrize(("lang", "query", "faq"), [
    ("hr", "radi li orrin s alexom", "hr/devices/faq/#voice-assistant-support"),
    ("tl", "puwede bang magbayad gamit ang gcash", "tl/orders/faq/#pay-with-gcash-or-maya"),
])
def test_an_faq_question_gets_an_instant_answer(page: object, site_url: str, lang: str, query: str, faq: str) -> None:
    results = search(page, site_url, lang, query)
    assert results[0] == faq, results[:3]
    answer = page.locator("[data-deflect-answer]")
    answer.wait_for()
    assert answer.get_attribute("data-deflect-answer") == faq
    text = answer.locator(".deflect-search__answer-text").inner_text()
    assert len(text) > 40
    assert answer.locator("a").get_attribute("href").endswith(faq)
    # Text only: the answer is never parsed as HTML.
    assert answer.locator(".deflect-search__answer-text *:not(p)").count() == 0


def test_the_count_is_honest_and_show_more_lists_the_rest(page: object, site_url: str) -> None:
    results = search(page, site_url, "en", "order")
    meta = page.locator("[data-deflect-search-meta]").inner_text()
    total = int("".join(ch for ch in meta if ch.isdigit()))
    assert total > 10 and len(results) == 10, (meta, len(results))
    page.locator("[data-deflect-search-more] button").click()
    page.wait_for_function("n => document.querySelectorAll('[data-deflect-result]').length === n",
                           arg=min(total, 20), timeout=10_000)  # the next results' cards may be fetched first


@pytest.mark.parametrize(("lang", "query"), [
    ("hr", "narudzba nije stigla"),  # my order didn't arrive
    ("et", "kus on minu pakk"),  # where is my parcel
    ("tl", "hindi dumating ang order ko"),  # my order didn't arrive
])
def test_where_is_my_order_ranks_tracking_and_missed_delivery_first(page: object, site_url: str, lang: str,
                                                                     query: str) -> None:
    results = search(page, site_url, lang, query)
    wanted = {f"{lang}/shipping/track-your-order/", f"{lang}/shipping/missed-delivery/",
              f"{lang}/shipping/faq/#find-tracking-number"}
    assert results and results[0] in wanted, results[:5]


def test_contact_suggestions_offer_the_english_only_article_in_croatian(page: object, site_url: str) -> None:
    page.goto(f"{site_url}hr/contact/")
    page.locator("[data-deflect-contact-input]").fill("kamera ne prikazuje sliku")
    page.wait_for_function(
        "() => document.querySelector('[data-deflect-contact]').getAttribute('data-deflect-ready') === "
        "'kamera ne prikazuje sliku'", timeout=10_000)
    first = page.locator("[data-deflect-suggestion]").first
    assert first.get_attribute("data-deflect-suggestion") == "hr/troubleshooting/camera-no-video/"
    assert first.locator("[data-deflect-lang=en]").inner_text().strip().lower() == "engleski"
