"""The feedback collector: the real FastAPI app (TestClient, no mocks) on SQLite and, when
DEFLECT_TEST_POSTGRES_URL is set, PostgreSQL (a fresh schema per test, see ``db_url`` in conftest.py);
`deflect feedback`. The schemathesis fuzz test is in test_collector_fuzz.py."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from deflect.cli import main
from deflect.collector.app import create_app
from deflect.collector.store import Store

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


def test_group_commit_acknowledges_each_vote(store):
    import asyncio

    from deflect.collector.store import Vote

    async def burst():
        committer = store.committer()
        futures = [committer.submit(Vote(article=f"en/a{i % 3}/", voter=f"reader-{i:04}", helpful=i % 2 == 0))
                   for i in range(60)]
        return await asyncio.gather(*futures)

    ids = asyncio.run(burst())
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
