"""Topics a manager can act on, and reports a renamed topic cannot fool.

* A taxonomy change (one topic under two names, switching at a date): merged by ``topics.yml``,
  flagged and never credited to an article without it.
* Clustering real unlabelled questions (../shared/data/sumo-firefox-2023, topic column held out):
  no catch-all cluster, no label made of stop words, a drill-down CSV for every ticket.
"""
from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
import random
import sys
from pathlib import Path

import pytest

from deflect.insights.taxonomy import TopicChange, load_aliases, suggest_aliases
from deflect.insights.tickets import TicketStore
from deflect.insights.prepare import assign_clusters
from deflect.insights.topics import stop_words

sys.path.insert(0, str(Path(__file__).parent))
from sumo_kb import QUESTIONS, write_sumo_help_center  # noqa: E402
from test_insights import START, run, synthetic_center, synthetic_tickets  # noqa: E402

FIREFOX = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "sumo-firefox-2023" / \
    "firefox-questions-2023.csv.gz"

SWITCH_WEEK = 30  # the help desk renamed topic-05 to troubleshooting-05 from this week on
CUT_WEEK, CUT = 26, 35.0  # a true effect on topic-03 from this week


@pytest.fixture(scope="module")
def renamed(tmp_path_factory) -> Path:
    """16 stable topics over a year; topic-05 renamed at week 30, its article published two weeks
    before; topic-03 really cut by an article; a placebo article on topic-07."""
    root = tmp_path_factory.mktemp("renamed")
    synthetic_center(root, {
        "fix-topic-05": ("topic-05", START + dt.timedelta(days=7 * (SWITCH_WEEK - 2) + 1)),
        "fix-topic-03": ("topic-03", START + dt.timedelta(days=7 * CUT_WEEK + 2)),
        "fix-topic-07": ("topic-07", START + dt.timedelta(days=7 * 20 + 3))})
    raw = root / "raw.csv.gz"
    synthetic_tickets(raw, {"topic-03": (CUT_WEEK, CUT)})
    switch = dt.datetime.combine(START + dt.timedelta(days=7 * SWITCH_WEEK), dt.time())
    with gzip.open(raw, "rt", encoding="utf-8", newline="") as source, \
            open(root / "tickets.csv", "w", encoding="utf-8", newline="") as target:
        reader, writer = csv.reader(source), csv.writer(target)
        writer.writerow(next(reader))
        for row in reader:
            if row[4] == "topic-05" and dt.datetime.fromisoformat(row[1]).replace(tzinfo=None) >= switch:
                row[4] = "troubleshooting-05"
            writer.writerow(row)
    raw.unlink()
    return root


def _report(root: Path, command: str) -> dict:
    code, out, err = run(root, command, "--tickets", str(root / "tickets.csv"), "--json", "-")
    assert code == 0, err
    return json.loads(out)


@pytest.mark.parametrize("old, new", [("topic-05", "troubleshooting-05"), ("Billing: EU", "billing #2"),
                                      ("yes", "2024"), ("- draft", "it's \"new\"")])
def test_suggested_alias_line_is_valid_topics_yml(tmp_path: Path, old: str, new: str) -> None:
    """Ticket topic names can hold YAML syntax: the suggested line, pasted under 'aliases:', reads back as is."""
    week = dt.date(2025, 3, 3)
    (suggestion,) = suggest_aliases([TopicChange(old, "stops", 10, week, 20.0),
                                     TopicChange(new, "starts", 10, week, 20.0)])
    (tmp_path / "topics.yml").write_text("aliases:\n  " + suggestion["line"] + "\n", encoding="utf-8")
    assert load_aliases(tmp_path) == {old: new}


def test_renamed_topic_is_flagged_and_never_credited(renamed: Path) -> None:
    (renamed / "topics.yml").unlink(missing_ok=True)
    gaps = _report(renamed, "gaps")
    changes = {(c["topic"], c["change"]) for c in gaps["taxonomy"]["changes"]}
    assert changes == {("topic-05", "stops"), ("troubleshooting-05", "starts")}, changes
    (suggestion,) = gaps["taxonomy"]["suggested_aliases"]
    assert (suggestion["old"], suggestion["new"]) == ("topic-05", "troubleshooting-05")
    assert suggestion["line"] == "topic-05: troubleshooting-05"
    assert gaps["taxonomy"]["aliases"] == []
    code, _, err = run(renamed, "gaps", "--tickets", str(renamed / "tickets.csv"), "--html", str(renamed / "report"))
    assert code == 0, err
    page = (renamed / "report" / "index.html").read_text(encoding="utf-8")
    assert "Topic names" in page and "<code>topic-05: troubleshooting-05</code>" in page
    assert "suggested alias for topics.yml (under 'aliases:'): topic-05: troubleshooting-05" in err
    impact = _report(renamed, "impact")
    measured = {a["url"]: a for a in impact["articles"]}
    assert "en/billing/fix-topic-05/" not in measured  # a renamed topic is not an effect
    (skip,) = [s for s in impact["skipped"] if s["url"] == "en/billing/fix-topic-05/"]
    assert "not measurable" in skip["reason"] and "topics.yml" in skip["reason"] and "stops" in skip["reason"]
    assert not any(a["significant"] and a["topic"] in ("topic-05", "troubleshooting-05") for a in impact["articles"])
    # the real effect is still found, with the truth inside its interval; the placebo is not
    helped = measured["en/billing/fix-topic-03/"]
    assert helped["significant"] and helped["ci_low"] <= -CUT <= helped["ci_high"], helped
    placebo = measured["en/billing/fix-topic-07/"]
    assert placebo["ci_low"] <= 0 <= placebo["ci_high"], placebo
    # no estimate claims more tickets avoided than its topic had
    assert all(a["tickets_avoided_per_week"] <= a["before_per_week"] + 1e-9 for a in impact["articles"])
    assert all(-a["ci_low"] <= a["before_per_week"] + 1e-9 for a in impact["articles"])


def test_topics_yml_merges_the_two_names(renamed: Path) -> None:
    (renamed / "topics.yml").write_text("aliases:\n  topic-05: troubleshooting-05  # renamed in week 30\n")
    try:
        gaps = _report(renamed, "gaps")
        impact = _report(renamed, "impact")
    finally:
        (renamed / "topics.yml").unlink()
    names = {t["topic"]: t for t in gaps["topics"]}
    assert "topic-05" not in names and names["troubleshooting-05"]["tickets"] > 1000
    assert gaps["taxonomy"]["changes"] == [] and gaps["taxonomy"]["suggested_aliases"] == []
    (alias,) = gaps["taxonomy"]["aliases"]
    assert alias["old"] == "topic-05" and alias["new"] == "troubleshooting-05" and alias["tickets"] > 500
    # the article declaring the old name now measures the merged topic: no effect, none claimed
    article = next(a for a in impact["articles"] if a["url"] == "en/billing/fix-topic-05/")
    assert article["topic"] == "troubleshooting-05"
    assert article["ci_low"] <= 0 <= article["ci_high"], article


def test_broken_topics_yml_is_one_clear_line(renamed: Path) -> None:
    (renamed / "topics.yml").write_text("aliases:\n  a: b\n  b: a\n")
    try:
        code, _, err = run(renamed, "gaps", "--tickets", str(renamed / "tickets.csv"), "--json", "-")
    finally:
        (renamed / "topics.yml").unlink()
    assert code == 1 and "topics.yml:" in err and "circle" in err and "Traceback" not in err


# ----- coverage on the real Thunderbird KB, without topics: front matter -------------------------
needs_sumo = pytest.mark.skipif(not QUESTIONS.is_file(), reason=f"no {QUESTIONS}")


def _is_calendar(row: dict) -> bool:
    return "calendar" in row["topics_str"].split(";")


@needs_sumo
def test_topic_carried_by_kb_articles_is_not_missing(tmp_path: Path) -> None:
    """The KB's calendar articles (14 by its own topics_str) declare nothing: what they say must
    cover the calendar questions; without them the topic is missing and climbs the ranking."""
    full, without = tmp_path / "full", tmp_path / "without"
    rows = write_sumo_help_center(full, declare_topics=False)
    assert sum(_is_calendar(r) for r in rows) >= 3
    write_sumo_help_center(without, keep=lambda row: not _is_calendar(row), declare_topics=False)
    assert "topics:" not in (next((full / "articles" / "en").glob("*.md"))).read_text(encoding="utf-8")
    code, out, err = run(full, "gaps", "--tickets", str(QUESTIONS), "--preset", "sumo", "--json", "-",
                         "--assignments", str(tmp_path / "assignments.csv"))
    assert code == 0, err
    report = json.loads(out)
    ranking = [t["topic"] for t in report["topics"]]
    calendar = next(t for t in report["topics"] if t["topic"] == "calendar")
    assert calendar["coverage"] != "missing", calendar
    calendar_urls = {f"en/calendar/{r['slug']}/" for r in rows if _is_calendar(r)}
    about = [a for a in calendar["articles_about"] if a["url"] in calendar_urls]
    assert len(about) >= 3 and all(0 < a["score"] <= 1 for a in about)  # the evidence: articles, with scores
    assert calendar["answered"]["sampled"] == 21 and 0 < calendar["answered"]["share"] <= 1
    assert calendar["best_article"]["url"] in calendar_urls
    code, out, err = run(without, "gaps", "--tickets", str(QUESTIONS), "--preset", "sumo", "--json", "-")
    assert code == 0, err
    bare = json.loads(out)
    gone = next(t for t in bare["topics"] if t["topic"] == "calendar")
    assert gone["coverage"] == "missing", gone
    assert [t["topic"] for t in bare["topics"]].index("calendar") < ranking.index("calendar")
    # the drill-down: every imported ticket, its topic, label and where the topic came from
    with open(tmp_path / "assignments.csv", encoding="utf-8", newline="") as handle:
        assigned = list(csv.DictReader(handle))
    assert len(assigned) == report["tickets"] == 646
    assert list(assigned[0]) == ["ticket_id", "topic", "label", "source"]
    assert {a["source"] for a in assigned} == {"export", "cluster", "language"}
    assert len({a["ticket_id"] for a in assigned}) == 646
    counts = {t["topic"]: t["tickets"] for t in report["topics"] if t["source"] != "search"}
    assert {topic: sum(a["topic"] == topic for a in assigned) for topic in counts} == counts
    labels = {t["topic"]: t["label"] for t in report["topics"]}
    assert all(a["label"] == labels[a["topic"]] for a in assigned)


# ----- clustering real questions (Firefox 2023, topic held out) ----------------------------------
@pytest.fixture(scope="module")
def firefox_clusters(tmp_path_factory):
    if not FIREFOX.is_file():
        pytest.skip(f"no {FIREFOX}")
    csv.field_size_limit(sys.maxsize)
    with gzip.open(FIREFOX, "rt", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    random.Random(5).shuffle(rows)
    path = tmp_path_factory.mktemp("firefox") / "questions.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows[:3000]:  # a sample keeps the test quick; the topic and tags are held out
            writer.writerow({**row, "topic": "", "tags": ""})
    store = TicketStore.load([path], preset="sumo")
    return store, list(assign_clusters(store, "en").values())


def test_no_cluster_takes_most_tickets(firefox_clusters) -> None:
    store, clusters = firefox_clusters
    total = sum(c.tickets for c in clusters)
    assert total == store.count == 3000
    assert max(c.tickets for c in clusters) <= 0.35 * total, [(c.label, c.tickets) for c in clusters[:3]]
    assert len(clusters) >= 10


def test_cluster_labels_are_not_stop_words(firefox_clusters) -> None:
    _, clusters = firefox_clusters
    named = [c for c in clusters if not c.topic.endswith(("-language", "unclassified"))]
    languages = {c.label.split(": ", 1)[0] for c in named if ": " in c.label}
    assert {"es", "it", "pt"} <= languages  # the big languages are clustered in their own words
    for cluster in named:
        code, _, label = cluster.label.rpartition(": ")
        words = [w for w in label.split(" · ")]
        assert 2 <= len(words) <= 4 or len(label.split()) >= 2, cluster.label
        stops = stop_words(code or "en")
        assert sum(w.lower() in stops for w in words) * 2 < len(words), cluster.label


def test_tickets_outside_the_fitted_sample_get_the_nearest_cluster(tmp_path: Path, monkeypatch) -> None:
    """Large exports are fitted on a sample and the rest assigned to the nearest centroid."""
    from deflect.insights import topics
    from test_insights import clustered_export

    export = tmp_path / "tickets.jsonl"
    clustered_export(export)
    monkeypatch.setattr(topics, "SAMPLE", 40)
    store = TicketStore.load([export])
    clusters = list(assign_clusters(store, "en").values())
    assert sum(c.tickets for c in clusters) == store.count == 90 and store.unassigned() == 0
    assert max(c.tickets for c in clusters) <= 0.35 * 90


def test_assignments_name_the_source_the_clustering_gave(tmp_path: Path) -> None:
    """--assignments says "language" for a language too small to cluster, because discovery said so,
    not because of how the topic's name ends: a cluster named "display · language" is a cluster."""
    from deflect.insights.prepare import Prepared
    from deflect.insights.report import write_assignments
    from deflect.insights.topics import Cluster

    export = tmp_path / "tickets.csv"
    export.write_text("id,created,subject,topic\n1,2025-03-03,Display language,\n2,2025-03-04,Idioma,\n"
                      "3,2025-03-05,Menu language,\n4,2025-03-06,Refund,sign-language\n", encoding="utf-8")
    store = TicketStore.load([export])
    clusters = {"display-language": Cluster("display-language", "display · language", ["display", "language"], 2),
                "es-language": Cluster("es-language", "es: tickets in this language", [], 1, "language")}
    store.assign_topics({1: "display-language", 2: "es-language", 3: "display-language"})
    prepared = Prepared(store, None, [], [], {}, [], clusters)  # type: ignore[arg-type]  # no matcher: not needed
    assert write_assignments(prepared, tmp_path / "out.csv") == 4
    rows = list(csv.DictReader((tmp_path / "out.csv").open(encoding="utf-8")))
    assert [(r["ticket_id"], r["topic"], r["source"]) for r in rows] == [
        ("1", "display-language", "cluster"), ("2", "es-language", "language"), ("3", "display-language", "cluster"),
        ("4", "sign-language", "export")]


def test_declared_topics_follow_topics_yml(tmp_path: Path) -> None:
    """An article's ``topics:`` entry stands for the new name once topics.yml is merged (by slug)."""
    from deflect.content import load_help_center, load_settings
    from deflect.insights.coverage import TopicMatcher
    from deflect.search.service import SearchService

    synthetic_center(tmp_path, {"reset-password": ("password", START)})
    center, _ = load_help_center(load_settings(tmp_path / "mkdocs.yml"), with_history=False)
    matcher = TopicMatcher(center, SearchService.build(center))
    assert matcher.declared_topic("Password Reset") == "password-reset"
    matcher.merge_aliases({"Password Reset": "Sign-in help", "password": "credentials"})
    assert matcher.declared_topic("password reset") == "sign-in-help"
    assert matcher.declared_topic("password") == "credentials" and matcher.declared_topic("refund") == "refund"
    assert [a.url for a in matcher.declared["credentials"]] == [a.url for a in matcher.articles.values()]
