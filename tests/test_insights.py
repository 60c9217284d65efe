"""Gap and impact reports end to end: real ticket exports in, JSON/CSV/HTML and stub articles out.

The Thunderbird tests use the real Mozilla export and KB in ../shared/data/sumo-thunderbird
(its articles written and built as a site in tmp_path); the impact test uses synthetic weekly
series with a known effect.
"""
from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from deflect.cli import main
from deflect.collector.store import Store, Vote
from deflect.insights.tickets import TicketImportError, TicketStore

sys.path.insert(0, str(Path(__file__).parent))
from sumo_kb import QUESTIONS, SUMO, write_sumo_help_center  # noqa: E402

needs_sumo = pytest.mark.skipif(not QUESTIONS.is_file(), reason=f"no {SUMO} (set DEFLECT_TEST_DATA)")

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
PHONE = re.compile(r"\+\d[\d ()-]{7,}\d|\(\d{3}\)\s?\d{3}[-\s]\d{4}|\b\d{3}[-.]\d{3}[-.]\d{4}\b")


def run(project: Path, *args: str) -> tuple[int, str, str]:
    runner = CliRunner()
    old = os.getcwd()
    os.chdir(project)
    try:
        result = runner.invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def thunderbird(tmp_path_factory) -> Path:
    """The real Thunderbird KB as a Deflect help center, built into a site."""
    if not QUESTIONS.is_file():
        pytest.skip(f"no {SUMO} (set DEFLECT_TEST_DATA)")
    root = tmp_path_factory.mktemp("thunderbird")
    write_sumo_help_center(root)
    built = subprocess.run([sys.executable, "-m", "deflect.cli", "build", "--config", str(root / "mkdocs.yml")],
                           capture_output=True, text=True, cwd=root)
    assert built.returncode == 0, built.stderr[-2000:]
    return root


@pytest.fixture(scope="module")
def thunderbird_gaps(thunderbird: Path, tmp_path_factory) -> tuple[dict, Path]:
    out = tmp_path_factory.mktemp("gaps")
    code, _, err = run(thunderbird, "gaps", "--tickets", str(QUESTIONS), "--preset", "sumo",
                       "--json", str(out / "gaps.json"), "--csv", str(out / "gaps.csv"), "--html", str(out / "report"))
    assert code == 0, err
    return json.loads((out / "gaps.json").read_text()), out


def creators() -> set[str]:
    with open(QUESTIONS, encoding="utf-8", newline="") as handle:
        return {row["creator"] for row in csv.DictReader(handle) if row["creator"]}


# ----- Thunderbird: the real export and KB -------------------------------------------------------
@pytest.mark.slow
def test_thunderbird_site_is_built(thunderbird: Path) -> None:
    pages = list((thunderbird / "site" / "en").rglob("index.html"))
    assert len(pages) > 150
    assert (thunderbird / "site" / "search" / "manifest.json").is_file()


@pytest.mark.slow
def test_every_ticket_topic_is_classified(thunderbird_gaps) -> None:
    report, _ = thunderbird_gaps
    assert report["tickets"] == 646 and report["import"]["malformed"] == 0
    topics = [t for t in report["topics"] if t["source"] != "search"]
    # every ticket has a topic: the export's topic column, or a cluster for "other"
    assert sum(t["tickets"] for t in topics) == 646
    assert {t["coverage"] for t in topics} <= {"missing", "weak", "covered"}
    assert all(t["coverage"] in ("missing", "weak", "covered") for t in topics)
    by_name = {t["topic"]: t for t in topics}
    assert "other" not in by_name  # "other" says nothing: those 281 tickets are clustered from their text
    clusters = [t for t in topics if t["source"] == "cluster"]
    assert len(clusters) >= 3 and sum(t["tickets"] for t in clusters) == 281
    named = [t for t in clusters if not t["topic"].endswith(("unclassified", "-language"))]
    assert len(named) >= 3 and all(" · " in t["label"] for t in named)
    # the calendar topic is declared by the KB's calendar articles
    calendar = by_name["calendar"]
    assert calendar["coverage"] == "covered"
    assert "front matter" in calendar["best_article"]["why"]
    assert calendar["best_article"]["url"].startswith("en/calendar/")
    # most urgent first
    urgencies = [t["urgency"] for t in report["topics"]]
    assert urgencies == sorted(urgencies, reverse=True)
    # Questions in Italian (14 without a topic) are clustered on their own, in Italian; those in
    # languages with a handful of tickets form one topic per language. No article is in those
    # languages, so nothing covers them.
    italian = [t for t in clusters if t["label"].startswith("it: ")]
    assert italian and sum(t["tickets"] for t in italian) == 14
    spanish = by_name["es-language"]
    assert spanish["tickets"] == 5 and spanish["label"] == "es: tickets in this language"
    assert all(t["coverage"] == "missing" for t in italian + [spanish])


@pytest.mark.slow
@needs_sumo
def test_topic_without_articles_is_missing(tmp_path: Path) -> None:
    """The same KB without its calendar articles: the calendar tickets now have nothing to read."""
    write_sumo_help_center(tmp_path, keep=lambda row: "calendar" not in (row["topics_str"] + row["slug"]
                                                                          + row["title"]).lower())
    code, out, err = run(tmp_path, "gaps", "--tickets", str(QUESTIONS), "--preset", "sumo", "--json", "-")
    assert code == 0, err
    report = json.loads(out)
    calendar = next(t for t in report["topics"] if t["topic"] == "calendar")
    assert calendar["coverage"] == "missing"
    assert calendar["best_article"] is None or "calendar" not in calendar["best_article"]["url"]
    rank = [t["topic"] for t in report["topics"]].index("calendar")
    assert rank < 8  # 21 tickets, nothing written: near the top (ties weak topics of twice its tickets)


@pytest.mark.slow
def test_samples_have_no_personal_data(thunderbird_gaps) -> None:
    report, out = thunderbird_gaps
    names = creators()
    texts = {"json": json.dumps([t["samples"] for t in report["topics"]], ensure_ascii=False),
             "csv": (out / "gaps.csv").read_text(encoding="utf-8"),
             "html": (out / "report" / "index.html").read_text(encoding="utf-8")}
    samples = [s for t in report["topics"] for s in t["samples"]]
    assert len(samples) >= 30
    for kind, text in texts.items():
        if kind == "html":
            text = re.sub(r"<[^>]+>", " ", text)
        assert not EMAIL.search(text), kind
        for sample in samples:
            assert not PHONE.search(sample), sample
    words = {w.lower() for s in samples for w in re.findall(r"[\w.@+-]+", s)}
    leaked = {n for n in names if n.lower() in words}
    assert not leaked


@pytest.mark.slow
def test_outputs_csv_and_html(thunderbird_gaps) -> None:
    report, out = thunderbird_gaps
    rows = list(csv.DictReader((out / "gaps.csv").open(encoding="utf-8")))
    assert len(rows) == len(report["topics"])
    page = (out / "report" / "index.html").read_text(encoding="utf-8")
    assert page.count("<svg") >= 2 and "calendar" in page
    assert "<script" not in page.lower()


@pytest.mark.slow
def test_impact_on_thunderbird_explains_skips(thunderbird: Path) -> None:
    """27 days of questions cannot show an effect: every article is listed as skipped, with why."""
    code, out, err = run(thunderbird, "impact", "--tickets", str(QUESTIONS), "--preset", "sumo", "--json", "-")
    assert code == 0, err
    report = json.loads(out)
    assert report["articles"] == []
    assert report["skipped"] and all(s["reason"] for s in report["skipped"])
    assert any("before the tickets' period" in s["reason"] for s in report["skipped"])


@pytest.mark.slow
def test_html_refused_inside_public_site(thunderbird: Path) -> None:
    code, _, err = run(thunderbird, "gaps", "--tickets", str(QUESTIONS), "--preset", "sumo",
                       "--html", str(thunderbird / "site" / "reports"))
    assert code == 1 and "public site" in err
    assert not (thunderbird / "site" / "reports").exists()


# ----- synthetic weekly series: a known effect --------------------------------------------------
START = dt.date(2025, 1, 6)  # a Monday


def synthetic_center(root: Path, articles: dict[str, tuple[str, dt.date]]) -> None:
    """A one-language help center with one article per (slug → (topic, published))."""
    (root / "docs").mkdir(parents=True)
    (root / "articles" / "en").mkdir(parents=True)
    (root / "articles" / "categories.yml").write_text(
        "billing:\n  icon: material/cash\n  en: {title: Billing, description: Invoices and payments.}\n")
    (root / "mkdocs.yml").write_text("site_name: Synthetic\ndocs_dir: docs\ntheme:\n  name: material\nplugins:\n"
                                     "  - deflect/content:\n      languages:\n        - code: en\n          name: English\n"
                                     "  - deflect/search\n")
    for slug, (topic, published) in articles.items():
        words = topic.replace("-", " ")
        (root / "articles" / "en" / f"{slug}.md").write_text(
            f"---\ntitle: How to handle {words}\nsummary: Everything about {words}.\ncategory: billing\n"
            f"topics: [{topic}]\npublished: {published.isoformat()}\n---\n\nSteps for {words}.\n")


def synthetic_tickets(path: Path, effects: dict[str, tuple[int, float]], weeks: int = 52, seed: int = 3) -> None:
    """Weekly Poisson counts for 16 topics with a shared season and growth; ``effects`` maps a
    topic to (week, tickets per week removed from that week on)."""
    rnd = random.Random(seed)
    import numpy as np
    rng = np.random.default_rng(seed)
    topics = [f"topic-{i:02d}" for i in range(16)]
    base = {t: rnd.uniform(30, 120) for t in topics}
    with gzip.open(path, "wt", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ticket_id", "created_at", "subject", "description", "category", "requester"])
        n = 0
        for week in range(weeks):
            season = 1 + 0.25 * np.sin(week / 52 * 2 * np.pi) + 0.004 * week
            for topic in topics:
                rate = base[topic] * season
                if topic in effects and week >= effects[topic][0]:
                    rate -= effects[topic][1]
                for _ in range(rng.poisson(max(rate, 0))):
                    n += 1
                    moment = dt.datetime.combine(START + dt.timedelta(days=7 * week + rnd.randrange(7)),
                                                 dt.time(rnd.randrange(24), rnd.randrange(60)))
                    writer.writerow([n, moment.isoformat() + "+02:00", f"Question about {topic.replace('-', ' ')}",
                                     f"<p>Hello, I need help with {topic}.</p>", topic, f"user{n}"])


@pytest.mark.slow
def test_impact_recovers_a_known_effect(tmp_path: Path) -> None:
    effect_week, cut = 30, 35.0
    synthetic_center(tmp_path, {"fix-topic-03": ("topic-03", START + dt.timedelta(days=7 * effect_week + 2)),
                                "fix-topic-07": ("topic-07", START + dt.timedelta(days=7 * 26 + 3))})
    tickets = tmp_path / "tickets.csv.gz"
    synthetic_tickets(tickets, {"topic-03": (effect_week, cut)})
    code, out, err = run(tmp_path, "impact", "--tickets", str(tickets), "--json", "-")
    assert code == 0, err
    report = json.loads(out)
    by_url = {a["url"]: a for a in report["articles"]}
    helped = by_url["en/billing/fix-topic-03/"]
    assert helped["topic"] == "topic-03" and helped["published_source"] == "front matter"
    assert helped["ci_low"] <= -cut <= helped["ci_high"], helped
    assert helped["significant"] and helped["ci_high"] < 0
    assert helped["change_pct"] < -15
    assert helped["before_per_week"] > helped["after_per_week"]
    assert helped["weeks_before"] == 12 and helped["weeks_after"] == 12
    assert 20 <= helped["tickets_avoided_per_week"] <= 50
    useless = by_url["en/billing/fix-topic-07/"]
    assert useless["ci_low"] <= 0 <= useless["ci_high"] and not useless["significant"], useless
    assert report["articles"][0]["url"] == "en/billing/fix-topic-03/"  # ranked by tickets avoided
    # the publication week is marked in the chart and the expected series is drawn
    html = tmp_path / "impact.html"
    code, _, err = run(tmp_path, "impact", "--tickets", str(tickets), "--html", str(html))
    assert code == 0, err
    page = html.read_text(encoding="utf-8")
    assert page.count("<svg") >= 2 and "published" in page.lower()


# ----- import: formats, mapping, malformed rows ---------------------------------------------------
def test_import_reports_malformed_rows_with_lines(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "id,created_at,subject,description,tags\n"                                 # line 1
        "1,2025-03-03T10:00:00+01:00,Cannot log in,<p>Hi <b>team</b> &amp; co</p>,login\n"  # 2
        "2,yesterday,Bad date,text,login\n"                                        # 3: unreadable time
        "3,2025-03-04 09:00:00 -0500,\"Multi\nline subject\",body,billing\n"       # 4-5: one record
        "4,2025-03-05,only,three\n"                                                # 6: missing field
        "5,2025-03-06T00:30:00Z,,,billing\n"                                       # 7: no subject, no body
        "\n"                                                                       # 8: blank
        "6,2025-03-09T23:30:00-05:00,Refund,please,billing\n",                     # 9
        encoding="utf-8")
    store = TicketStore.load([path], mapping={"topic": "tags"})
    report = store.report
    assert (report.rows, report.imported, report.malformed) == (6, 3, 3)
    assert [(p.line, p.message.split(" ")[0]) for p in report.problems] == [(3, "unreadable"), (6, "expected"),
                                                                           (7, "no")]
    assert "'yesterday'" in report.problems[0].message
    rows = store.con.execute("SELECT id, strftime(created, '%Y-%m-%d %H:%M'), week::VARCHAR, subject, body, topic "
                             "FROM tickets ORDER BY id").fetchall()
    assert rows[0] == ("1", "2025-03-03 09:00", "2025-03-03", "Cannot log in", "Hi team & co", "login")
    assert rows[1][3] == "Multi line subject" and rows[1][1] == "2025-03-04 14:00"
    assert rows[2][1] == "2025-03-10 04:30" and rows[2][2] == "2025-03-10"  # UTC: the next week


def test_import_jsonl_gzip_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write(json.dumps({"id": 1, "created": "2025-01-02T08:00:00Z", "title": "Printer", "text": "x",
                                 "labels": ["print", "hardware"]}) + "\n")
        handle.write("{not json\n")
        handle.write("[1, 2]\n")
        handle.write(json.dumps({"id": 2, "created": 1735804800, "title": "Epoch time", "text": "y"}) + "\n")
    store = TicketStore.load([path])
    assert store.report.imported == 2
    assert [(p.line, p.message[:12]) for p in store.report.problems] == [(2, "invalid JSON"), (3, "expected a J")]
    assert store.topic_counts() == [("print", "tags", 1)]
    created = store.con.execute("SELECT strftime(created, '%Y-%m-%d') FROM tickets ORDER BY rid").fetchall()
    assert created == [("2025-01-02",), ("2025-01-02",)]


def test_import_errors_are_clear(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("number,when,title\n1,2025-01-01,Hi\n", encoding="utf-8")
    with pytest.raises(TicketImportError, match=r"no creation time column; pass --map created=COLUMN \(the columns are "
                                           r"number, when, title\)"):
        TicketStore.load([path])
    with pytest.raises(TicketImportError, match="no column 'missing'"):
        TicketStore.load([path], mapping={"created": "missing"})
    assert TicketStore.load([path], mapping={"created": "when"}).count == 1
    broken = tmp_path / "cut.csv.gz"
    whole = gzip.compress("id,created,subject\n".encode() + b"".join(
        f"{n},2025-01-01,Question {n * 7919 % 104729}\n".encode() for n in range(5000)))
    broken.write_bytes(whole[:len(whole) // 2])
    with pytest.raises(TicketImportError, match=r"cut.csv.gz: cannot read the file \(Compressed file ended"):
        TicketStore.load([broken])
    (tmp_path / "x.xlsx").write_text("")
    with pytest.raises(TicketImportError, match="unknown ticket file type"):
        TicketStore.load([tmp_path / "x.xlsx"])


def test_cli_import_problems_and_bad_mapping(tmp_path: Path) -> None:
    synthetic_center(tmp_path, {"refunds": ("refunds", dt.date(2025, 1, 1))})
    path = tmp_path / "t.csv"
    path.write_text("id,created,subject,topic\n1,2025-01-06,Refund please,refunds\n2,never,Broken,refunds\n")
    code, out, err = run(tmp_path, "gaps", "--tickets", str(path), "--json", "-")
    assert code == 0
    assert f"{path}:3: unreadable created time 'never'" in err
    assert json.loads(out)["import"]["malformed"] == 1
    second = tmp_path / "t2.jsonl"
    second.write_text(json.dumps({"created": "2025-01-07", "subject": "Refund again", "topic": "refunds"}) + "\n")
    code, out, err = run(tmp_path, "gaps", "--tickets", str(path), str(second), "--json", "-")
    assert code == 0 and json.loads(out)["tickets"] == 2  # --tickets FILE…: several exports, mixed formats
    code, _, err = run(tmp_path, "gaps")
    assert code == 2 and "--tickets FILE" in err
    code, _, err = run(tmp_path, "gaps", "--tickets", str(path), "--map", "created")
    assert code == 1 and "expected FIELD=COLUMN" in err
    code, _, err = run(tmp_path, "gaps", "--tickets", str(path), "--map", "when=created")
    assert code == 1 and "unknown field 'when'" in err


# ----- clustering, collector evidence, drafts -----------------------------------------------------
SUBJECTS = {
    "printer": ["Printer prints blank pages", "Printer offline after update", "Cannot print invoices, printer jams",
                "Printer driver missing", "Printing is very slow on the office printer"],
    "invoice": ["Invoice shows the wrong VAT", "Download my invoice as PDF", "Invoice address is wrong",
                "Duplicate invoice received", "Where do I find last month's invoice"],
    "password": ["Forgot my password", "Password reset email never arrives", "Password rules too strict",
                 "Change password on mobile", "Password expired message every day"],
}


PASSWORD_ARTICLE = """Forgot your password? Open Settings on the web or on mobile and choose Reset password.

## The reset email never arrives

The password reset email arrives within a minute. Check the spam folder, then ask for a new one.

## Password rules

A password needs 12 characters or more; the rules are strict so that nobody can guess it.

## Expired password

Passwords expire every 90 days: the expired password message asks you to change the password.
"""


def clustered_export(path: Path, per_topic: int = 30) -> None:
    rnd = random.Random(5)
    with open(path, "w", encoding="utf-8") as handle:
        n = 0
        for topic, subjects in SUBJECTS.items():
            for i in range(per_topic):
                n += 1
                day = dt.date(2025, 2, 3) + dt.timedelta(days=rnd.randrange(60))
                contact = f" Call me at +385 91 234 {n:04d} or mail jane{n}@example.com." if i % 5 == 0 else ""
                handle.write(json.dumps({"id": n, "created_at": f"{day}T10:00:00+00:00",
                                         "subject": rnd.choice(subjects) + (" (from mariliis)" if i % 4 == 0 else ""),
                                         "description": f"Hello.{contact}",
                                         "requester": "mariliis" if n == 7 else f"jdoe{n}"}) + "\n")



def _one_ticket_center(root: Path) -> Path:
    """A one-article help center and an export of one ticket (returned)."""
    synthetic_center(root, {"reset-password": ("password", dt.date(2024, 6, 1))})
    export = root / "tickets.jsonl"
    export.write_text(json.dumps({"id": 1, "created": "2025-03-01T10:00:00Z", "subject": "Refund",
                                  "topic": "refund"}) + "\n", encoding="utf-8")
    return export


@pytest.mark.parametrize("option", ["--json", "--csv", "--html", "--assignments"])
def test_unwritable_report_is_one_line(tmp_path: Path, option: str) -> None:
    """A report path under a file (not a folder) is a one-line error, not a traceback."""
    export = _one_ticket_center(tmp_path)
    (tmp_path / "blocker").write_text("a file, not a folder")
    code, _, err = run(tmp_path, "gaps", "--tickets", str(export), option, "blocker/out/report.x")
    assert code == 1 and "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("Error: cannot write blocker/out/"), err


def test_unreadable_collector_database_error_hides_its_password(tmp_path: Path, monkeypatch) -> None:
    """A --db that fails to read is one line without a traceback, and without the URL's password."""
    import deflect.insights.gaps as gaps

    def unreachable(url: str) -> dict:
        raise OSError("connection refused")

    monkeypatch.setattr(gaps, "collector_evidence", unreachable)
    export = _one_ticket_center(tmp_path)
    code, _, err = run(tmp_path, "gaps", "--tickets", str(export), "--json", "-",
                       "--db", "postgresql://deflect:s3cret@127.0.0.1:1/feedback")
    assert code == 1
    assert "cannot read the collector database postgresql://deflect:***@127.0.0.1:1/feedback: connection refused" in err
    assert "s3cret" not in err and "Traceback" not in err


@pytest.mark.slow
def test_clusters_collector_evidence_and_drafts(tmp_path: Path, db_url: str) -> None:
    synthetic_center(tmp_path, {"reset-password": ("password", dt.date(2024, 6, 1))})
    article = tmp_path / "articles" / "en" / "reset-password.md"
    article.write_text(article.read_text().replace("How to handle password", "Forgot your password? Reset it")
                       .replace("Steps for password.", PASSWORD_ARTICLE))
    export = tmp_path / "tickets.jsonl"
    clustered_export(export)
    store = Store(db_url)
    for query in ("refund status", "refund status", "change delivery address", "jane.doe@corp.example order"):
        store.add_event("search", query=query, results=0, lang="en")
    for i, helpful in enumerate((False, False, False, False, False, True)):
        store.add_vote(Vote(article="en/billing/reset-password/", voter=f"v{i}", helpful=helpful, lang="en"))
    store.close()
    code, out, err = run(tmp_path, "gaps", "--tickets", str(export), "--db", db_url, "--json", "-",
                         "--draft", "2")
    assert code == 0, err
    report = json.loads(out)
    topics = {t["topic"]: t for t in report["topics"]}
    clusters = [t for t in report["topics"] if t["source"] == "cluster"]
    assert len(clusters) >= 3 and sum(t["tickets"] for t in clusters) == 90
    for word in ("printer", "invoice", "password"):  # each cluster is named by its own words
        assert sum(word in t["label"].lower() for t in clusters) >= 1, [t["label"] for t in clusters]
    password = next(t for t in clusters if "password" in t["label"].lower())
    assert password["best_article"]["url"] == "en/billing/reset-password/"
    # 5 of 6 readers found the article not helpful: the topic is not counted as covered
    assert password["coverage"] == "weak" and password["not_helpful"] == 5
    assert "not helpful" in password["best_article"]["why"]
    assert any(t["coverage"] == "missing" for t in clusters if "printer" in t["label"].lower())
    searches = [t for t in report["topics"] if t["source"] == "search"]
    assert {"refund status", "change delivery address"} <= {t["label"] for t in searches}
    assert "[email] order" in [s["query"] for s in report["searches"]["zero_results"]]
    assert topics["search-refund-status"]["zero_result_searches"][0]["count"] == 2
    text = json.dumps(report)
    assert not EMAIL.search(text) and "+385" not in text and not re.search(r"jdoe\d", text)
    assert "mariliis" not in text.lower()  # a requester's username, in many subjects: never in samples or names
    drafts = sorted((tmp_path / "articles" / "en").glob("*.md"))
    assert len(drafts) == 3  # the article and two drafts
    draft = next(p for p in drafts if p.name != "reset-password.md").read_text()
    assert "audience: internal" in draft and "<!--" in draft and "Sample ticket:" in draft
    assert "jdoe" not in draft and "@example.com" not in draft and "mariliis" not in draft
    checked = subprocess.run([sys.executable, "-m", "deflect.cli", "check"], cwd=tmp_path, capture_output=True,
                             text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_impact_dates_an_article_by_its_first_commit(tmp_path: Path) -> None:
    """No 'published' in the front matter: the article's first Git commit dates it."""
    synthetic_center(tmp_path, {"fix-topic-03": ("topic-03", START)})
    article = tmp_path / "articles" / "en" / "fix-topic-03.md"
    article.write_text(re.sub(r"(?m)^published: .*\n", "", article.read_text()))
    tickets = tmp_path / "tickets.csv.gz"
    synthetic_tickets(tickets, {"topic-03": (30, 35.0)})
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}

    def git(*args: str, date: str | None = None) -> None:
        subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false",
                        *args], cwd=tmp_path, check=True, capture_output=True, timeout=30,
                       env={**env, **({"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date} if date else {})})

    git("init", "-q")
    git("add", "mkdocs.yml", "articles/categories.yml")
    git("commit", "-q", "-m", "help center", date="2024-12-01T10:00:00+00:00")
    published = START + dt.timedelta(days=7 * 30 + 1)
    git("add", "articles/en/fix-topic-03.md")
    git("commit", "-q", "-m", "article", date=f"{published.isoformat()}T10:00:00+00:00")
    code, out, err = run(tmp_path, "impact", "--tickets", str(tickets), "--json", "-")
    assert code == 0, err
    (helped,) = json.loads(out)["articles"]
    assert helped["published"] == published.isoformat() and helped["published_source"] == "git"
    assert helped["ci_low"] <= -35.0 <= helped["ci_high"] and helped["significant"]


def test_review_fixes_names_lists_dates_duplicates(tmp_path: Path) -> None:
    """Full-name creators are redacted in samples and never name a topic; list-valued topics take
    their first value; out-of-range dates and repeated ids are reported, not counted."""
    synthetic_center(tmp_path, {"refunds": ("refunds", dt.date(2025, 1, 1))})
    export = tmp_path / "export.jsonl"
    with open(export, "w", encoding="utf-8") as handle:
        for n in range(40):
            handle.write(json.dumps({"id": n % 38, "created": f"2025-02-{1 + n % 27:02d}T10:00:00Z",
                                     "subject": f"Kadri Tamm: printer {'jams' if n % 2 else 'offline'}",
                                     "body": "Regards, Kadri", "creator": "Kadri Tamm",
                                     "tags": ["refunds", "vip"] if n < 20 else []}) + "\n")
        handle.write(json.dumps({"id": 99, "created": "1970-01-01T00:00:00Z", "subject": "Clock reset"}) + "\n")
    store = TicketStore.load([export], mapping={"topic": "tags"})
    assert store.report.duplicates == 2 and store.report.imported == 38
    assert [p.line for p in store.report.problems] == [41]
    assert "before 2000" in store.report.problems[0].message
    assert store.topic_counts()[0][:2] == ("refunds", "topic")
    code, out, err = run(tmp_path, "gaps", "--tickets", str(export), "--map", "topic=tags", "--json", "-")
    assert code == 0, err
    text = out.lower()
    assert "kadri" not in text and "tamm" not in text
    code, _, err = run(tmp_path, "gaps", "--tickets", str(export), "--html", str(tmp_path / "docs" / "gaps.html"))
    assert code == 1 and "docs_dir" in err and not (tmp_path / "docs" / "gaps.html").exists()


def test_import_notes_bad_encoding_and_names_languages(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("id,created,subject,lang\n1,2025-01-06,Café problem,English\n2,2025-01-07,Olá,pt_BR\n"
                     .encode("latin-1"))
    store = TicketStore.load([path])
    assert store.report.imported == 2  # kept, but the report says where the bytes were wrong
    assert store.report.notes == [f"{path}:2: 2 row(s) from here on have bytes that are not UTF-8 (shown as �); "
                                  "export the file as UTF-8"]
    assert [row[0] for row in store.con.execute("SELECT lang FROM tickets ORDER BY rid").fetchall()] == ["en", "pt-br"]
