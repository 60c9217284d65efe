"""Fixtures shared by the browser tests: the built example site, a static server, Chromium."""
from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from deflect.mkdocs_plugins.build import build_site

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
_NO_CHROMIUM = f"browser test: Chromium is not at {CHROMIUM} (apt-get install chromium; .ci/run installs it)"
needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=_NO_CHROMIUM)
"""Browser test modules set ``pytestmark = [needs_chromium, pytest.mark.slow]``."""


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example help center, built once for all browser tests."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    site = tmp_path_factory.mktemp("site")
    build_site(ROOT / "mkdocs.yml", site, quiet=True)
    return site


@pytest.fixture(scope="session")
def site_url(site_dir: Path) -> Iterator[str]:
    site = site_dir
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    events: list[dict] = []

    def log_message(self, *args: object) -> None:
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """A missing page gets the site's 404.html, with status 404, as static hosts serve it."""
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_POST(self) -> None:  # noqa: N802 - the collector stand-in: records search events
        length = int(self.headers.get("Content-Length") or 0)
        _QuietHandler.events.append({"path": self.path, "body": json.loads(self.rfile.read(length) or b"{}")})
        self.send_response(204)
        self.end_headers()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    playwright = pytest.importorskip("playwright.sync_api",
                                     reason="browser test: playwright is not installed: pip install -e '.[test]'")
    if not Path(CHROMIUM).exists():
        pytest.skip(_NO_CHROMIUM)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors
    yield page
    context.close()
    assert not errors, errors


@pytest.fixture(scope="session")
def collector_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example built with a collector URL: a server that serves the site and records events."""
    site = tmp_path_factory.mktemp("site-collector")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site)))
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    previous = os.environ.get("DEFLECT_COLLECTOR_URL")
    os.environ["DEFLECT_COLLECTOR_URL"] = url + "collect"
    try:
        build_site(ROOT / "mkdocs.yml", site, quiet=True)
    finally:
        if previous is None:
            del os.environ["DEFLECT_COLLECTOR_URL"]
        else:
            os.environ["DEFLECT_COLLECTOR_URL"] = previous
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield url
    server.shutdown()


