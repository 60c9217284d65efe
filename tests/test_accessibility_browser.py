"""axe-core on the pages a customer sees, in three languages: no serious or critical violations,
and no failed request while a page loads."""
from __future__ import annotations

from pathlib import Path

import pytest

from browser_fixtures import CHROMIUM

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed")]

PAGES = {
    "home": "{lang}/",
    "category": "{lang}/account/",
    "article": "{lang}/account/reset-password/",
    "faq": "{lang}/account/faq/",
    "guide": "{lang}/devices/hub-status-light/",
    "contact": "{lang}/contact/",
    "search page": "{lang}/search/?q=password",
    "404": "{lang}/no-such-page/",
}


def _serious(page: object) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
            for v in result.response["violations"] if v["impact"] in ("serious", "critical")]


def _watch_failures(page: object) -> list[str]:
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(f"failed {request.url}"))
    page.on("response", lambda response: failed.append(f"{response.status} {response.url}")
            if response.status >= 400 else None)
    return failed


@pytest.mark.parametrize("lang", ["en", "hr", "tl"])
@pytest.mark.parametrize("kind", list(PAGES))
def test_page_has_no_serious_accessibility_violation(page: object, site_url: str, lang: str, kind: str) -> None:
    failed = _watch_failures(page)
    url = site_url + PAGES[kind].format(lang=lang)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    assert _serious(page) == []
    if kind == "404":  # the page itself answers 404, as it must; nothing it loads may fail
        assert failed == [f"404 {url}"], "requests failed while the page loaded"
        assert page.evaluate("document.documentElement.lang") == lang
    else:
        assert failed == [], "requests failed while the page loaded"


@pytest.mark.parametrize("lang", ["en", "hr", "tl"])
def test_open_search_results_have_no_serious_accessibility_violation(page: object, site_url: str, lang: str) -> None:
    page.goto(f"{site_url}{lang}/")
    box = page.locator("[data-deflect-search-input]")
    box.click()
    box.fill("password")
    page.wait_for_function(
        "() => document.querySelector('[data-deflect-search]').getAttribute('data-deflect-ready') === 'password'",
        timeout=10_000)
    assert page.locator("[data-deflect-result]").count() > 0
    assert _serious(page) == []
