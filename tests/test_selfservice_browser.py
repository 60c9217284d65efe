"""Browser tests for the self-service paths: guided troubleshooting, FAQ anchors, contact deflection."""
from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from browser_fixtures import _QuietHandler, needs_chromium

pytestmark = [needs_chromium, pytest.mark.slow]


def step(page: object) -> str:
    return page.get_attribute("[data-deflect-guide]", "data-deflect-current-step")


def visible_steps(page: object) -> list[str]:
    return page.locator("[data-deflect-step]:visible").evaluate_all("els => els.map(e => e.dataset.deflectStep)")


def answer(page: object, text: str) -> None:
    page.locator(f"[data-deflect-step='{step(page)}'] li", has_text=text).locator("a").first.click()


def test_guide_branch_light_off_leads_to_contact(page: object, site_url: str) -> None:
    page.goto(f"{site_url}en/troubleshooting/hub-offline/")
    assert step(page) == "light" and visible_steps(page) == ["light"]
    answer(page, "No")
    assert step(page) == "power" and visible_steps(page) == ["power"]
    answer(page, "No")
    assert step(page) == "contact"
    contact = page.locator("[data-deflect-guide-contact]")
    assert contact.is_visible()
    page.click("[data-deflect-guide-back]")
    assert step(page) == "power"
    page.click("[data-deflect-guide-back]")
    assert step(page) == "light"
    answer(page, "No")
    answer(page, "No")
    contact.click()
    page.wait_for_url(lambda url: "/contact/" in url)  # (the load state may be the old page's)
    assert page.url.endswith("/en/contact/")


def test_guide_branch_light_on_is_solved(page: object, site_url: str) -> None:
    page.goto(f"{site_url}en/troubleshooting/hub-offline/")
    answer(page, "Yes")
    assert step(page) == "colour"
    answer(page, "Steady white")
    assert step(page) == "app" and visible_steps(page) == ["app"]
    page.click("[data-deflect-guide-solved]")
    assert step(page) == "solved" and visible_steps(page) == []
    assert page.locator("[data-deflect-guide-done]").is_visible()
    page.click("[data-deflect-guide-restart]")
    assert step(page) == "light"


def test_guide_works_in_croatian_and_without_javascript(browser: object, site_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        plain = context.new_page()
        plain.goto(f"{site_url}hr/troubleshooting/hub-offline/")
        # Without JavaScript every step is on the page, with its answers as ordinary links.
        assert plain.locator("h2#light").is_visible() and plain.locator("h2#contact").is_visible()
        assert plain.locator("a[href='#power']").count() >= 1
    finally:
        context.close()
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{site_url}hr/troubleshooting/hub-offline/")
        assert step(page) == "light"
        page.locator("[data-deflect-step='light'] a[href='#power']").first.click()
        assert step(page) == "power"
        assert page.locator("[data-deflect-guide-back]").inner_text().strip() == "Natrag"
    finally:
        context.close()


def test_faq_answer_opens_from_its_anchor(page: object, site_url: str) -> None:
    page.goto(f"{site_url}en/account/faq/#home-member-limit")
    entry = page.locator("details#home-member-limit")
    assert entry.get_attribute("open") is not None
    assert entry.locator("p").first.is_visible()
    other = page.locator("details.deflect-faq:not(#home-member-limit)").first
    assert other.get_attribute("open") is None
    other.locator("summary").click()
    assert other.get_attribute("open") is not None


@pytest.mark.parametrize(("lang", "text", "expected"), [
    ("en", "my hub is offline and the light blinks", "en/troubleshooting/hub-offline/"),
    ("hr", "zaboravio sam lozinku", "hr/account/reset-password/"),
    ("et", "unustasin parooli", "et/account/reset-password/"),
    ("tl", "nakalimutan ko ang password", "tl/account/reset-password/"),
])
def test_contact_form_suggests_articles_while_typing(page: object, site_url: str, lang: str, text: str,
                                                    expected: str) -> None:
    page.goto(f"{site_url}{lang}/contact/")
    assert page.locator("[data-deflect-suggestions]").is_hidden()
    page.locator("[data-deflect-contact-input]").type(text, delay=5)
    page.wait_for_function("t => document.querySelector('[data-deflect-contact]').dataset.deflectReady === t", arg=text)
    suggestions = page.locator("[data-deflect-suggestion]").evaluate_all("els => els.map(e => e.dataset.deflectSuggestion)")
    assert expected in suggestions[:3], suggestions
    # Suggestions come before the contact options on the page.
    boxes = page.evaluate("""() => [document.querySelector('[data-deflect-suggestions]').getBoundingClientRect().top,
                                    document.querySelector('[data-deflect-contact-options]').getBoundingClientRect().top]""")
    assert boxes[0] < boxes[1]
    assert page.locator("[data-deflect-contact-option=email]").count() == 1


def test_contact_deflection_is_recorded(page: object, collector_site: str) -> None:
    _QuietHandler.events.clear()
    page.goto(f"{collector_site}en/contact/")
    page.locator("[data-deflect-contact-input]").type("reset password", delay=5)
    page.wait_for_selector("[data-deflect-suggestion]")
    first = page.locator("[data-deflect-suggestion]").first
    article = first.get_attribute("data-deflect-suggestion")
    first.click()
    page.wait_for_load_state()
    page.wait_for_timeout(300)
    events = [e["body"] for e in _QuietHandler.events if e["body"].get("type") == "contact"]
    assert events and events[-1]["action"] == "deflected" and events[-1]["article"] == article
    page.goto(f"{collector_site}en/contact/")
    page.locator("[data-deflect-contact-input]").type("my parcel never came", delay=5)
    page.wait_for_selector("[data-deflect-suggestion]")
    page.locator("[data-deflect-contact-option=chat]").evaluate("a => a.addEventListener('click', e => e.preventDefault())")
    page.click("[data-deflect-contact-option=chat]")
    page.wait_for_timeout(300)
    events = [e["body"] for e in _QuietHandler.events if e["body"].get("type") == "contact"]
    assert events[-1]["action"] == "contacted" and events[-1]["channel"] == "chat" and events[-1]["suggested"]


# --- SEO, structured data, sitemap (no browser needed, but the same built site) -----------------

def test_faq_pages_carry_faqpage_json_ld(site_url: str, site_dir: Path) -> None:
    html = (site_dir / "hr" / "account" / "faq" / "index.html").read_text(encoding="utf-8")
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    data = json.loads(blocks[0])
    assert data["@context"] == "https://schema.org" and data["@type"] == "FAQPage"
    questions = data["mainEntity"]
    assert len(questions) == html.count('class="deflect-faq"')
    for question in questions:
        assert question["@type"] == "Question" and question["name"].strip()
        assert question["acceptedAnswer"]["@type"] == "Answer" and len(question["acceptedAnswer"]["text"]) > 20


def test_every_page_has_description_canonical_and_open_graph(site_dir: Path) -> None:
    for path in [site_dir / "hr" / "account" / "reset-password" / "index.html", site_dir / "en" / "index.html",
                 site_dir / "tl" / "contact" / "index.html"]:
        html = path.read_text(encoding="utf-8")
        assert re.search(r'<meta name="description" content="[^"]{20,}">', html), path
        assert re.search(r'<link rel="canonical" href="https://help\.orrinhome\.example/[^"]*">', html), path
        for prop in ("og:title", "og:description", "og:url", "og:locale"):
            assert f'property="{prop}"' in html, (path, prop)


def test_sitemap_lists_public_pages_with_language_alternates(site_dir: Path) -> None:
    import xml.etree.ElementTree as ET

    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    root = ET.fromstring((site_dir / "sitemap.xml").read_bytes())
    assert gzip.decompress((site_dir / "sitemap.xml.gz").read_bytes()) == (site_dir / "sitemap.xml").read_bytes()
    locs = {url.find("s:loc", ns).text: url for url in root.findall("s:url", ns)}
    # Every page but the noindex ones (light fallback pages: their source article is listed).
    pages = {p.parent.relative_to(site_dir).as_posix() for p in site_dir.rglob("index.html")
             if not p.relative_to(site_dir).as_posix().startswith(("search/", "assets/"))
             and '<meta name="robots" content="noindex' not in p.read_text(encoding="utf-8")}
    base = "https://help.orrinhome.example/"
    assert {loc[len(base):].rstrip("/") for loc in locs} == {p if p != "." else "" for p in pages}
    entry = locs[base + "hr/account/reset-password/"]
    alternates = {link.get("hreflang"): link.get("href") for link in entry.findall("x:link", ns)}
    assert alternates == {lang: f"{base}{lang}/account/reset-password/" for lang in ("en", "hr", "et", "tl")}
    assert not any("refund-exceptions" in loc or "escalate-hardware" in loc for loc in locs)


def test_guide_steps_are_browser_history(page: object, site_url: str) -> None:
    """The browser's Back (a phone's swipe) goes to the previous step, not out of the guide."""
    page.goto(f"{site_url}en/troubleshooting/hub-offline/")
    answer(page, "No")
    answer(page, "No")
    assert step(page) == "contact"
    page.go_back()
    page.wait_for_function("() => document.querySelector('[data-deflect-guide]').dataset.deflectCurrentStep === 'power'")
    assert "/troubleshooting/hub-offline/" in page.url and visible_steps(page) == ["power"]
    page.go_back()
    page.wait_for_function("() => document.querySelector('[data-deflect-guide]').dataset.deflectCurrentStep === 'light'")
    page.go_forward()
    page.wait_for_function("() => document.querySelector('[data-deflect-guide]').dataset.deflectCurrentStep === 'power'")
    assert page.locator("[data-deflect-guide-back]").is_visible()


def test_guide_opened_at_a_step_on_a_phone_shows_its_title(browser: object, site_url: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.goto(f"{site_url}hr/troubleshooting/hub-offline/#power")
        page.wait_for_load_state("load")
        page.wait_for_timeout(200)
        assert step(page) == "power"
        box = page.locator("article h1").bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 844, box
    finally:
        context.close()


def test_guide_solved_counts_as_a_helpful_vote(page: object, collector_site: str) -> None:
    page.goto(f"{collector_site}en/troubleshooting/hub-offline/")
    assert page.locator("[data-deflect-feedback]").is_visible()
    answer(page, "Yes")
    answer(page, "Steady white")
    page.click("[data-deflect-guide-solved]")
    feedback = page.locator("[data-deflect-feedback]")
    assert feedback.get_attribute("data-deflect-feedback-state") == "thanks"
    assert not page.locator("[data-deflect-feedback-ask]").is_visible()


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}, {"width": 1280, "height": 800}])
def test_faq_questions_are_clear_of_icons_and_single_bordered(browser: object, site_url: str, viewport: dict) -> None:
    context = browser.new_context(viewport=viewport)
    try:
        page = context.new_page()
        page.goto(f"{site_url}en/account/faq/")
        boxes = page.locator("details.deflect-faq > summary").evaluate_all("""els => els.map(s => {
            const range = document.createRange(); range.selectNodeContents(s);
            const text = range.getBoundingClientRect(), box = s.getBoundingClientRect();
            const after = getComputedStyle(s, '::after'), before = getComputedStyle(s, '::before');
            const details = getComputedStyle(s.parentElement);
            return {textLeft: text.left, textRight: text.right, left: box.left, right: box.right,
                    iconWidth: parseFloat(after.width) || 0, before: before.display,
                    borders: ['Top', 'Right', 'Left'].filter(side => parseFloat(details['border' + side + 'Width']) > 0)};
        })""")
        assert len(boxes) >= 3
        for box in boxes:
            assert box["before"] == "none", "no admonition icon before the question"
            assert box["textLeft"] >= box["left"] - 0.5
            assert box["textRight"] <= box["right"] - box["iconWidth"], "the chevron would cover the question"
            assert box["borders"] == [], "one separator line, no box around each question"
    finally:
        context.close()
