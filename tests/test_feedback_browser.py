"""Browser tests for the "Was this helpful?" widget (feedback.js) and the page-view event."""
from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from browser_fixtures import _QuietHandler, needs_chromium

pytestmark = [needs_chromium, pytest.mark.slow]

WIDGET = "[data-deflect-feedback]"


def votes(article: str | None = None) -> list[dict]:
    return [e["body"] for e in list(_QuietHandler.events)
            if e["path"] == "/collect/api/votes" and (article is None or e["body"].get("article") == article)]


def wait_for_votes(article: str, count: int, timeout: float = 20.0) -> list[dict]:
    """The votes for ``article`` once ``count`` have arrived (a loaded CI machine can take seconds)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = votes(article)
        if len(found) >= count:
            return found
        time.sleep(0.05)
    raise AssertionError(f"expected {count} vote(s) for {article}, got {votes(article)}")


def wait_until(check: Callable[[], object], timeout: float = 20.0) -> None:
    """Poll ``check`` until it is true or ``timeout`` passes; the caller asserts afterwards."""
    deadline = time.monotonic() + timeout
    while not check() and time.monotonic() < deadline:
        time.sleep(0.05)


def pageviews(page_url: str) -> list[dict]:
    return [e["body"] for e in list(_QuietHandler.events)
            if e["path"] == "/collect/api/events" and e["body"].get("type") == "pageview"
            and e["body"].get("page") == page_url]


def test_yes_and_no_votes_reach_the_collector(page: object, collector_site: str) -> None:
    _QuietHandler.events.clear()

    # A vote leaves the pending queue when the browser has the collector's answer, which can come a moment
    # after the collector has the vote (a CI run read the queue in between). A page loaded while a vote is
    # still pending sends it again (the collector keeps one vote per reader and article): before each new
    # page load, the test waits for the answer, or the vote counts below see the same vote twice.
    def pending() -> object:
        return page.evaluate("localStorage.getItem('deflect.pending')")

    page.goto(f"{collector_site}en/account/reset-password/")
    widget = page.locator(WIDGET)
    assert widget.is_visible() and widget.get_attribute("data-deflect-article") == "en/account/reset-password/"
    assert page.locator("[data-deflect-feedback-form]").is_hidden()
    widget.get_by_role("button", name="Yes").click()
    assert page.locator("[data-deflect-feedback-status]").inner_text() == "Thank you for your feedback!"
    assert page.locator("[data-deflect-feedback-change]").is_visible()
    [yes] = wait_for_votes("en/account/reset-password/", 1)
    voter = yes["voter"]
    assert isinstance(voter, str) and len(voter) >= 16
    assert yes == {"article": "en/account/reset-password/", "lang": "en", "helpful": True, "reason": None,
                   "comment": None, "voter": voter}
    wait_until(lambda: pending() in (None, "{}"))
    assert pending() in (None, "{}")

    page.goto(f"{collector_site}en/account/create-account/")
    widget = page.locator(WIDGET)
    widget.get_by_role("button", name="No").click()
    form = page.locator("[data-deflect-feedback-form]")
    assert form.is_visible()
    assert form.locator("legend").inner_text() == "What went wrong?"
    assert form.locator("input[type=radio]").evaluate_all("els => els.map(e => e.value)") == [
        "incorrect", "unclear", "outdated", "not_solved", "other"]
    form.get_by_label("It didn't solve my problem").check()
    assert form.locator("textarea").get_attribute("maxlength") == "2000"
    form.locator("textarea").fill("  The verification email never arrives.  ")
    form.get_by_role("button", name="Send").click()
    assert page.locator("[data-deflect-feedback-status]").inner_text() == "Thank you for your feedback!"
    [no] = wait_for_votes("en/account/create-account/", 1)
    assert no == {"article": "en/account/create-account/", "lang": "en", "helpful": False, "reason": "not_solved",
                  "comment": "The verification email never arrives.", "voter": voter}

    # One page view per page load, with the site-relative page and its language (sent by beacon: wait for it).
    wait_until(lambda: pageviews("en/account/create-account/"))
    assert pageviews("en/account/reset-password/") == [
        {"type": "pageview", "page": "en/account/reset-password/", "lang": "en"}]
    assert len(pageviews("en/account/create-account/")) == 1

    wait_until(lambda: pending() in (None, "{}"))  # (the "No" vote answered: see above)
    assert pending() in (None, "{}")

    # The thank-you state survives a reload (no cookies: localStorage), and the vote can be changed.
    page.reload()
    assert page.locator(WIDGET).get_attribute("data-deflect-feedback-state") == "thanks"
    assert page.locator("[data-deflect-feedback-ask]").is_hidden()
    assert page.context.cookies() == []
    page.locator("[data-deflect-feedback-change]").click()
    assert page.locator("[data-deflect-feedback-ask]").is_visible()
    page.locator(WIDGET).get_by_role("button", name="Yes").click()
    first, second = wait_for_votes("en/account/create-account/", 2)
    assert second == {"article": "en/account/create-account/", "lang": "en", "helpful": True, "reason": None,
                      "comment": None, "voter": voter}
    assert len(votes()) == 3
    wait_until(lambda: pending() in (None, "{}"))
    assert pending() in (None, "{}")


def test_faq_answers_have_their_own_votes(page: object, collector_site: str) -> None:
    _QuietHandler.events.clear()
    page.goto(f"{collector_site}en/account/faq/")
    entries = page.locator("details.deflect-faq")
    assert entries.count() >= 2
    assert page.locator("details.deflect-faq > [data-deflect-feedback]").count() == entries.count()
    entry = page.locator("details#forgot-password")
    entry.locator("summary").click()
    widget = entry.locator(WIDGET)
    assert widget.is_visible()
    widget.get_by_role("button", name="No").click()
    widget.get_by_label("It's out of date").check()
    widget.get_by_role("button", name="Send").click()
    [vote] = wait_for_votes("en/account/faq/#forgot-password", 1)
    assert vote["helpful"] is False and vote["reason"] == "outdated" and vote["comment"] is None
    # The other answers were not voted on and still ask.
    other = page.locator("details#home-member-limit")
    other.locator("summary").click()
    assert other.locator("[data-deflect-feedback-ask]").is_visible()
    page.reload()
    page.locator("details#forgot-password summary").click()
    assert page.locator("details#forgot-password [data-deflect-feedback-change]").is_visible()
    wait_until(lambda: len(pageviews("en/account/faq/")) >= 2)
    assert len(pageviews("en/account/faq/")) == 2


def test_failed_vote_is_kept_and_sent_on_the_next_page_load(page: object, collector_site: str) -> None:
    _QuietHandler.events.clear()
    page.route("**/collect/api/votes", lambda route: route.abort())
    page.goto(f"{collector_site}en/account/sign-in-problems/")
    page.locator(WIDGET).get_by_role("button", name="Yes").click()
    assert page.locator("[data-deflect-feedback-status]").inner_text() == "Thank you for your feedback!"
    page.wait_for_timeout(300)
    assert votes("en/account/sign-in-problems/") == []
    assert "en/account/sign-in-problems/" in page.evaluate("localStorage.getItem('deflect.pending')")
    page.unroute("**/collect/api/votes")
    page.goto(f"{collector_site}en/account/create-account/")  # any page load retries pending votes
    [vote] = wait_for_votes("en/account/sign-in-problems/", 1)
    assert vote["helpful"] is True
    wait_until(lambda: page.evaluate("localStorage.getItem('deflect.pending')") == "{}")
    assert page.evaluate("localStorage.getItem('deflect.pending')") == "{}"


def test_keyboard_only_voting(page: object, collector_site: str) -> None:
    _QuietHandler.events.clear()
    page.goto(f"{collector_site}en/account/two-step-verification/")
    active = "() => document.activeElement && document.activeElement.getAttribute('data-deflect-feedback-vote')"
    for _ in range(400):
        page.keyboard.press("Tab")
        if page.evaluate(active) == "yes":
            break
    else:
        raise AssertionError("the Yes button is not reachable with Tab")
    page.keyboard.press("Tab")
    assert page.evaluate(active) == "no"
    page.keyboard.press("Enter")
    focused = "() => document.activeElement.value || document.activeElement.tagName"
    assert page.evaluate(focused) == "incorrect"  # focus moves to the first reason
    page.keyboard.press("ArrowDown")
    assert page.evaluate(focused) == "unclear"
    page.keyboard.press("Tab")
    assert page.evaluate(focused) == "TEXTAREA"
    page.keyboard.type("Which app menu?")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    [vote] = wait_for_votes("en/account/two-step-verification/", 1)
    assert vote["helpful"] is False and vote["reason"] == "unclear" and vote["comment"] == "Which app menu?"
    # Focus lands on "Change my answer"; the thank-you is announced by a live region.
    assert page.evaluate("() => document.activeElement.hasAttribute('data-deflect-feedback-change')")
    status = page.locator("[data-deflect-feedback-status]")
    assert status.get_attribute("aria-live") == "polite" and status.inner_text() == "Thank you for your feedback!"
    page.keyboard.press("Enter")
    assert page.evaluate(active) == "no"  # back on the previous answer
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    second = wait_for_votes("en/account/two-step-verification/", 2)[1]
    assert second["helpful"] is True and second["voter"] == vote["voter"]


def test_widget_speaks_croatian(page: object, collector_site: str) -> None:
    _QuietHandler.events.clear()
    page.goto(f"{collector_site}hr/account/reset-password/")
    widget = page.locator(WIDGET)
    assert widget.locator(".deflect-feedback__question").inner_text() == "Je li vam ovo pomoglo?"
    widget.get_by_role("button", name="Ne").click()
    assert widget.locator("legend").inner_text() == "Što nije bilo u redu?"
    assert widget.get_by_label("Nije riješilo moj problem").count() == 1
    widget.get_by_label("Zastarjelo je").check()
    widget.get_by_role("button", name="Pošalji").click()
    assert widget.locator("[data-deflect-feedback-status]").inner_text() == "Hvala na povratnim informacijama!"
    assert widget.locator("[data-deflect-feedback-change]").inner_text() == "Promijeni odgovor"
    [vote] = wait_for_votes("hr/account/reset-password/", 1)
    assert vote["lang"] == "hr" and vote["reason"] == "outdated"


def test_widget_is_hidden_without_a_collector(page: object, site_url: str) -> None:
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url) if request.method == "POST" else None)
    page.goto(f"{site_url}en/account/reset-password/")
    assert page.locator(WIDGET).count() == 1 and page.locator(WIDGET).is_hidden()
    page.goto(f"{site_url}en/account/faq/")
    assert page.locator(f"details.deflect-faq {WIDGET}").count() == 0
    page.wait_for_timeout(200)
    assert sent == []


def test_without_a_collector_votes_go_to_gtag(page: object, site_url: str) -> None:
    page.add_init_script("window.gtagCalls = []; window.gtag = function () { gtagCalls.push([].slice.call(arguments)); };")
    page.goto(f"{site_url}en/account/reset-password/")
    widget = page.locator(WIDGET)
    assert widget.is_visible()
    widget.get_by_role("button", name="No").click()
    widget.get_by_role("button", name="Send").click()
    assert page.evaluate("gtagCalls") == [["event", "feedback", {"page": "en/account/reset-password/", "data": 0}]]
    assert widget.locator("[data-deflect-feedback-change]").is_visible()
