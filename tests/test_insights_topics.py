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

sys.path.insert(0, str(Path(__file__).parent))
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


def test_renamed_topic_is_flagged_and_never_credited(renamed: Path) -> None:
    (renamed / "topics.yml").unlink(missing_ok=True)
    gaps = _report(renamed, "gaps")
    changes = {(c["topic"], c["change"]) for c in gaps["taxonomy"]["changes"]}
    assert changes == {("topic-05", "stops"), ("troubleshooting-05", "starts")}, changes
    (suggestion,) = gaps["taxonomy"]["suggested_aliases"]
    assert (suggestion["old"], suggestion["new"]) == ("topic-05", "troubleshooting-05")
    assert suggestion["line"] == "topic-05: troubleshooting-05"
    assert gaps["taxonomy"]["aliases"] == []
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
