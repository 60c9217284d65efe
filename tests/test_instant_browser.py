"""Browser tests: Deflect's scripts under Material's instant navigation (pages swapped without a reload)."""
from __future__ import annotations

import functools
import http.server
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from browser_fixtures import _QuietHandler, needs_chromium
from conftest import copy_example
from deflect.mkdocs_plugins.build import build_site

pytestmark = [needs_chromium, pytest.mark.slow]


@pytest.fixture(scope="module")
def instant_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example with `navigation.instant` (site_url is set in it) and a collector, served over HTTP."""
    site = tmp_path_factory.mktemp("instant-site")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site)))
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    config = copy_example(tmp_path_factory.mktemp("instant-src"))
    text = config.read_text(encoding="utf-8")
    # Instant navigation only takes links listed in sitemap.xml, read with this server's port.
    text = text.replace("site_url: https://help.orrinhome.example/", f"site_url: {url}")
    text = text.replace("    - navigation.top\n", "    - navigation.top\n    - navigation.instant\n")
    assert f"site_url: {url}" in text and "navigation.instant" in text
    config.write_text(text, encoding="utf-8")
    os.environ["DEFLECT_COLLECTOR_URL"] = url + "collect"
    try:
        build_site(config, site, quiet=True)
    finally:
        del os.environ["DEFLECT_COLLECTOR_URL"]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield url
    server.shutdown()


def navigate(page: object, link: str) -> None:
    """Click `link` and wait for the new page, checking that Material swapped it in (no reload)."""
    page.evaluate("window.__deflectSamePage = true")
    page.locator(link).first.click()
    page.wait_for_function("() => location.pathname.endsWith('/reset-password/')", timeout=10_000)
    page.wait_for_selector("[data-deflect-feedback]:not([hidden])", timeout=10_000)
    assert page.evaluate("window.__deflectSamePage === true"), "the click reloaded the page"


def test_search_and_votes_work_after_an_instant_navigation(page: object, instant_site: str) -> None:
    _QuietHandler.events.clear()
    page.goto(f"{instant_site}en/")
    navigate(page, "a[href$='account/reset-password/']")
    page.fill("[data-deflect-search-input]", "track my order")
    page.wait_for_selector("[data-deflect-search][data-deflect-ready='track my order']", timeout=10_000)
    hrefs = page.locator("[data-deflect-result] a").evaluate_all("els => els.map(a => a.href)")
    # Result links resolve against the site, not against the page the search box first loaded on.
    assert f"{instant_site}en/shipping/track-your-order/" in [h.split("#")[0] for h in hrefs]
    page.keyboard.press("Escape")

    page.locator("[data-deflect-feedback]").get_by_role("button", name="Yes").click()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        votes = [e["body"] for e in list(_QuietHandler.events) if e["path"] == "/collect/api/votes"]
        if votes:
            break
        time.sleep(0.05)
    assert [v["article"] for v in votes] == ["en/account/reset-password/"]
    # The page's JSON settings are <template>s: Material re-runs the page's <script>s as JavaScript.
    assert page.evaluate("document.querySelectorAll('.md-container script[type=\"application/json\"]').length") == 0


def test_the_full_results_page_after_an_instant_navigation(page: object, instant_site: str) -> None:
    page.goto(f"{instant_site}en/account/reset-password/")
    page.evaluate("window.__deflectSamePage = true")
    page.evaluate("document.querySelector('.md-content').insertAdjacentHTML('beforeend', "
                  "'<a id=deflect-test-link href=\"../../search/?q=password\">x</a>')")
    page.locator("#deflect-test-link").click()
    page.wait_for_selector("[data-deflect-search-page][data-deflect-ready]", timeout=10_000)
    assert page.evaluate("window.__deflectSamePage === true"), "the click reloaded the page"
    assert page.locator("[data-deflect-search-page-results] li").count() > 0
