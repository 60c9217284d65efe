"""End to end: the built site, the real collector (uvicorn on loopback, temporary SQLite), Chromium."""
from __future__ import annotations

import functools
import http.server
import json
import os
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from browser_fixtures import ROOT, _QuietHandler, needs_chromium
from deflect.cli import main
from deflect.mkdocs_plugins.build import build_site

pytestmark = [needs_chromium, pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(site URL, database URL): the example site on one port, the collector on another."""
    import uvicorn

    from deflect.collector.app import create_app

    tmp = tmp_path_factory.mktemp("e2e")
    db_url = f"sqlite:///{tmp / 'feedback.db'}"
    site_port, collector_port = _free_port(), _free_port()
    site_origin = f"http://127.0.0.1:{site_port}"
    os.environ["DEFLECT_COLLECTOR_URL"] = f"http://127.0.0.1:{collector_port}"
    try:
        build_site(ROOT / "mkdocs.yml", tmp / "site", quiet=True)
    finally:
        del os.environ["DEFLECT_COLLECTOR_URL"]
    site = http.server.ThreadingHTTPServer(("127.0.0.1", site_port),
                                           functools.partial(_QuietHandler, directory=str(tmp / "site")))
    threading.Thread(target=site.serve_forever, daemon=True).start()
    server = uvicorn.Server(uvicorn.Config(create_app(db_url, [site_origin]), host="127.0.0.1", port=collector_port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield site_origin + "/", db_url
    server.should_exit = True
    thread.join(5)
    site.shutdown()


def feedback_json(db_url: str) -> dict:
    result = CliRunner().invoke(main, ["feedback", "--db", db_url, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_votes_from_the_browser_land_in_the_database_and_the_report(page: object, deployment: tuple[str, str]) -> None:
    site, db_url = deployment
    page.goto(f"{site}en/account/reset-password/")
    page.locator("[data-deflect-feedback]").get_by_role("button", name="Yes").click()
    page.goto(f"{site}hr/account/create-account/")
    widget = page.locator("[data-deflect-feedback]")
    widget.get_by_role("button", name="Ne").click()
    form = page.locator("[data-deflect-feedback-form]")
    form.locator("input[value=unclear]").check()
    form.locator("textarea").fill("Nije jasno gdje <b>potvrditi</b> e-poštu.")
    form.locator("button[type=submit]").click()

    from deflect.collector.store import Store

    store = Store(db_url)
    deadline = time.monotonic() + 10
    while len(store.votes()) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    votes = {v["article"]: v for v in store.votes()}
    assert votes["en/account/reset-password/"]["helpful"] in (True, 1)
    no = votes["hr/account/create-account/"]
    assert no["helpful"] in (False, 0) and no["reason"] == "unclear" and no["lang"] == "hr"
    assert no["comment"] == "Nije jasno gdje <b>potvrditi</b> e-poštu."

    report = {a["article"]: a for a in feedback_json(db_url)["articles"]}
    assert report["en/account/reset-password/"]["votes"] == 1 and report["en/account/reset-password/"]["helpful"] == 1
    hr = report["hr/account/create-account/"]
    assert hr["votes"] == 1 and hr["reasons"] == {"unclear": 1}
    assert any("potvrditi" in str(c) for c in hr["comments"])
    assert hr["views"] >= 1


def test_search_and_contact_events_reach_the_report(page: object, deployment: tuple[str, str]) -> None:
    site, db_url = deployment
    page.goto(f"{site}en/")
    box = page.locator("[data-deflect-search-input]")
    box.click()
    box.fill("zzzqqqxw")
    page.wait_for_function("() => document.querySelector('[data-deflect-search]').dataset.deflectReady === 'zzzqqqxw'")
    page.wait_for_timeout(1800)
    page.goto(f"{site}en/contact/")
    page.locator("[data-deflect-contact-input]").type("reset password", delay=5)
    page.wait_for_selector("[data-deflect-suggestion]")
    page.locator("[data-deflect-suggestion]").first.click()
    page.wait_for_load_state()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        report = feedback_json(db_url)
        zero = [s for s in report["searches"]["zero_results"] if "zzzqqq" in json.dumps(s)]
        if zero and sum(a.get("deflections", 0) for a in report["articles"]) >= 1:
            break
        time.sleep(0.2)
    assert zero, report["searches"]
    assert sum(a.get("deflections", 0) for a in report["articles"]) >= 1
