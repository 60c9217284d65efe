"""The README's first command, ``deflect preview``: site and collector together, a vote reaching the report."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from browser_fixtures import CHROMIUM
from conftest import copy_example

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed")]

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 180  # the first build loads the lemma dictionaries (about 15 s alone; the machine may be busy)
DEFLECT = [sys.executable, "-c", "from deflect.cli import main; main()"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"deflect preview exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {timeout} s")


@pytest.fixture
def preview(tmp_path: Path) -> dict:
    """``deflect preview`` on a fresh copy of the example, on free ports; both processes stopped after."""
    copy_example(tmp_path)
    site_port, collector_port = free_port(), free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "plugins")}
    env.pop("DEFLECT_COLLECTOR_URL", None)
    log = (tmp_path / "preview.log").open("wb")
    process = subprocess.Popen([*DEFLECT, "preview", "--port", str(site_port), "--collector-port", str(collector_port)],
                               cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for(f"http://127.0.0.1:{collector_port}/healthz", process, START_TIMEOUT)
        wait_for(f"http://127.0.0.1:{site_port}/en/", process, START_TIMEOUT)
        yield {"site": f"http://127.0.0.1:{site_port}/", "collector": f"http://127.0.0.1:{collector_port}/",
               "root": tmp_path, "env": env, "process": process}
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)  # preview stops the collector; the group makes sure
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.close()
        with socket.socket() as sock:  # the collector is gone too: its port is free again
            assert sock.connect_ex(("127.0.0.1", collector_port)) != 0


def test_preview_runs_site_and_collector_and_a_vote_reaches_the_report(preview: dict, browser: object) -> None:
    article = "en/account/reset-password/"
    # Five other readers voted before (4 yes, 1 no): enough for "X of Y found this helpful" (minimum 5).
    for number in range(5):
        body = json.dumps({"article": article, "lang": "en", "helpful": number != 4, "voter": f"earlier-reader-{number:04}"})
        request = urllib.request.Request(f"{preview['collector']}api/votes", data=body.encode(), method="POST",
                                         headers={"Content-Type": "application/json", "Origin": preview["site"].rstrip("/")})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 201
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    try:
        with page.expect_response(lambda r: "/api/helpful" in r.url, timeout=10_000) as answer:
            page.goto(f"{preview['site']}en/account/create-account/")  # no votes yet: no count at all
        assert answer.value.ok and answer.value.json()["votes"] == 0
        assert page.locator("[data-deflect-helpful-count]").is_hidden()
        page.goto(f"{preview['site']}{article}")
        count = page.locator("[data-deflect-helpful-count]")
        count.wait_for(state="visible", timeout=10_000)
        assert count.inner_text() == "4 of 5 found this helpful"
        widget = page.locator("[data-deflect-feedback]")
        widget.wait_for(state="visible", timeout=10_000)  # shown: the site knows its collector
        widget.get_by_role("button", name="Yes").click()
        page.locator("[data-deflect-feedback-status]").filter(has_text="Thank you").wait_for(timeout=10_000)
        deadline = time.monotonic() + 20
        found = None
        while time.monotonic() < deadline and found is None:
            result = subprocess.run([*DEFLECT, "feedback", "--json"], cwd=preview["root"], env=preview["env"],
                                    capture_output=True, text=True, timeout=60)
            assert result.returncode == 0, result.stderr
            report = json.loads(result.stdout)
            found = next((a for a in report["articles"] if a["article"] == article and a["votes"] == 6), None)
            time.sleep(0.5)
        assert found is not None, report
        assert (found["votes"], found["helpful"]) == (6, 5)
    finally:
        context.close()
