"""Ticket-report benchmark: import + gaps + impact on a large synthetic ticket export.

    python bench/insights.py               # 1,000,000 tickets, 2 years, 300 topics
    python bench/insights.py 100000        # another size
    python bench/insights.py --keep 100000 # keep the generated files (path on stderr)

The generator writes a help center of 200 articles (bench/_synth-style invented words, one
article per topic 0–199, each declaring its topic and published on a known date inside the two
years) and a gzip-free CSV export in Zendesk's column names: ``Id, Created at, Subject,
Description (HTML), Tags, Requester``. Topics 200–299 have no article. Each topic's weekly volume
follows a shared season and growth with Poisson noise; every fifth article cuts its topic's
tickets by 30% from its publication week on, so the impact report has something true to find.

Measured in one child process (so its peak RSS is the pipeline's own, ``ru_maxrss``):
* setup: load the help center and its Whoosh index (built before, outside the timing, as
  ``mkdocs build`` / ``deflect search`` leave it cached);
* import: ``TicketStore.load`` (streaming CSV pass + DuckDB load, HTML strip, time parsing);
* topics: clustering the 10% of tickets tagged only "other" (its time printed on its own) and
  matching every topic to the articles;
* gaps and impact: the two reports.

Anchor, in the same run: one plain Python pass over the same file (``csv.reader``, counting
tickets per topic and week in a dict) — the least any tool must do to read the export once.
Target: import + gaps + impact ≤ 60 s and ≤ 2 GB peak memory on the 2-core machine.
Also printed: how many of the articles with a real effect the impact report finds significant,
and how many of the others it wrongly flags. Progress goes to stderr, the tables to stdout.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import math
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TOPICS = 300
ARTICLES = 200
START = dt.date(2024, 1, 1)  # a Monday
WEEKS = 104
UNTAGGED = 0.1  # share of tickets tagged only "other", clustered from their text
SYLLABLES = ["ka", "lo", "mi", "ren", "to", "vas", "quo", "zel", "pri", "dun", "sor", "bel", "nix", "tar", "gum",
             "fen", "ol", "wy", "cra", "tep"]


def progress(message: str) -> None:
    print(f"[insights] {message}", file=sys.stderr, flush=True)


def words(rnd: random.Random, n: int) -> list[str]:
    found: set[str] = set()
    while len(found) < n:
        found.add("".join(rnd.choice(SYLLABLES) for _ in range(rnd.randint(2, 3))))
    return sorted(found)


def generate(root: Path, total: int, seed: int = 11) -> dict:
    """Write ``root/center`` (help center) and ``root/tickets.csv``; return the truth."""
    rnd = random.Random(seed)
    vocabulary = words(rnd, TOPICS * 6 + 200)
    common = vocabulary[-200:]
    topic_words = {t: vocabulary[t * 6:(t + 1) * 6] for t in range(TOPICS)}
    center = root / "center"
    (center / "docs").mkdir(parents=True)
    (center / "articles" / "en").mkdir(parents=True)
    (center / "articles" / "categories.yml").write_text(
        "general:\n  icon: material/help-circle-outline\n  en: {title: General, description: Everything.}\n")
    (center / "mkdocs.yml").write_text(
        "site_name: Insights bench\ndocs_dir: docs\ntheme:\n  name: material\nplugins:\n  - deflect/content:\n"
        "      languages:\n        - code: en\n          name: English\n  - deflect/search\n")
    truth = {"effects": {}, "published": {}}
    for t in range(ARTICLES):
        published = START + dt.timedelta(weeks=rnd.randint(20, WEEKS - 20), days=rnd.randint(0, 6))
        truth["published"][f"topic-{t:03d}"] = published.isoformat()
        if t % 5 == 0:
            truth["effects"][f"topic-{t:03d}"] = 0.3
        w = topic_words[t]
        body = "\n\n".join(f"## {w[i].capitalize()} {w[(i + 1) % 6]}\n\nTo {w[i]} the {w[(i + 2) % 6]}, open "
                           f"{w[(i + 3) % 6]} and choose {w[(i + 4) % 6]}." for i in range(4))
        (center / "articles" / "en" / f"topic-{t:03d}.md").write_text(
            f"---\ntitle: {w[0].capitalize()} {w[1]} and {w[2]}\nsummary: How to {w[0]} your {w[1]}.\n"
            f"category: general\ntopics: [topic-{t:03d}]\npublished: {published.isoformat()}\n---\n\n{body}\n")
    base = [rnd.paretovariate(1.1) for _ in range(TOPICS)]
    scale = total / (sum(base) * WEEKS)
    counts: list[list[int]] = []
    import numpy as np

    rng = np.random.default_rng(seed)
    for t in range(TOPICS):
        name = f"topic-{t:03d}"
        cut_week = None
        if name in truth["effects"]:
            cut_week = (dt.date.fromisoformat(truth["published"][name]) - START).days // 7
        row = []
        for week in range(WEEKS):
            rate = base[t] * scale * (1 + 0.2 * math.sin(week / 52 * 2 * math.pi)) * (1 + 0.003 * week)
            if cut_week is not None and week > cut_week:
                rate *= 1 - truth["effects"][name]
            row.append(int(rng.poisson(rate)))
        counts.append(row)
    progress(f"writing {sum(map(sum, counts)):,} tickets…")
    zone = dt.timezone(dt.timedelta(hours=-5))
    with open(root / "tickets.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Id", "Created at", "Subject", "Description", "Tags", "Requester"])
        n = 0
        for t in range(TOPICS):
            w = topic_words[t]
            for week, count in enumerate(counts[t]):
                monday = dt.datetime.combine(START + dt.timedelta(weeks=week), dt.time(), zone)
                for _ in range(count):
                    n += 1
                    when = monday + dt.timedelta(seconds=rnd.randrange(7 * 86400))
                    subject = " ".join(rnd.sample(w, 3) + rnd.sample(common, 1))
                    # a share of the tickets come tagged "other": the clustering step gives them topics
                    tags = "other" if rnd.random() < UNTAGGED else f"topic-{t:03d},web"
                    writer.writerow([n, when.isoformat(), subject.capitalize(),
                                     f"<p>My {rnd.choice(w)} does not {rnd.choice(w)}.</p><p>Regards, user{n}</p>",
                                     tags, f"user{n}"])
    truth["tickets"] = n
    return truth


CHILD = r"""
import json, resource, sys, time
from pathlib import Path
t0 = time.perf_counter()
from deflect.helpcenter import HelpCenter
from deflect.insights.gaps import gap_report
from deflect.insights.impact import impact_report
from deflect.insights.tickets import TicketStore
from deflect.insights import prepare as prep
root = Path(sys.argv[1])
project = HelpCenter.open(root / "center" / "mkdocs.yml", history=False)
project.search_service  # built here, as setup: the ticket route below only queries it
times = {"setup": time.perf_counter() - t0}
t = time.perf_counter()
phases = {}
real_load = TicketStore.load
def timed_load(*args, **kwargs):
    start = time.perf_counter()
    store = real_load(*args, **kwargs)
    phases["import"] = time.perf_counter() - start
    return store
prep.TicketStore.load = timed_load
real_cluster = prep.assign_clusters
def timed_cluster(*args, **kwargs):
    start = time.perf_counter()
    clusters = real_cluster(*args, **kwargs)
    phases["clustering"] = time.perf_counter() - start
    phases["clusters"] = [c.tickets for c in clusters.values()]
    return clusters
prep.assign_clusters = timed_cluster
prepared = project.prepare_tickets([root / "tickets.csv"], preset="zendesk",
                                   progress=lambda m: print("[insights]   " + m, file=sys.stderr, flush=True))
times["import"] = phases["import"]
times["topics"] = time.perf_counter() - t - phases["import"]
times["clustering"] = phases.get("clustering", 0.0)
t = time.perf_counter(); gaps = gap_report(prepared); times["gaps"] = time.perf_counter() - t
t = time.perf_counter(); impact = impact_report(prepared); times["impact"] = time.perf_counter() - t
print(json.dumps({"times": times, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "tickets": prepared.store.count, "topics": len(gaps["topics"]),
                  "coverage": gaps["coverage"], "articles": impact["articles"], "skipped": len(impact["skipped"]),
                  "clusters": phases.get("clusters", []), "changes": len(gaps["taxonomy"]["changes"])}))
"""


def anchor(path: Path) -> tuple[float, float]:
    """Plain Python: one csv.reader pass counting tickets per (tag, week)."""
    start = time.perf_counter()
    counts: dict[tuple[str, str], int] = {}
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for row in reader:
            key = (row[4].split(",", 1)[0], row[1][:10])
            counts[key] = counts.get(key, 0) + 1
    return time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str]) -> int:
    keep = "--keep" in argv
    sizes = [int(a) for a in argv if a.isdigit()] or [1_000_000]
    for total in sizes:
        root = Path(tempfile.mkdtemp(prefix=f"deflect-insights-{total}-"))
        try:
            progress(f"generating {total:,} tickets over {WEEKS} weeks and {TOPICS} topics in {root}")
            truth = generate(root, total)
            progress("indexing the help center (not timed)…")
            subprocess.run([sys.executable, "-m", "deflect.cli", "search", "warm up", "--config",
                            str(root / "center" / "mkdocs.yml")], check=True, capture_output=True)
            progress("running import + gaps + impact…")
            env = dict(os.environ, PYTHONUNBUFFERED="1")
            child = subprocess.run([sys.executable, "-c", CHILD, str(root)], check=True, capture_output=False,
                                   stdout=subprocess.PIPE, text=True, env=env)
            result = json.loads(child.stdout.strip().splitlines()[-1])
            progress("anchor: one plain csv.reader pass…")
            anchor_s, anchor_mb = anchor(root / "tickets.csv")
            report(total, truth, result, anchor_s, anchor_mb, (root / "tickets.csv").stat().st_size)
        finally:
            if keep:
                progress(f"kept {root}")
            else:
                shutil.rmtree(root, ignore_errors=True)
    return 0


def report(total: int, truth: dict, result: dict, anchor_s: float, anchor_mb: float, size: int) -> None:
    times = result["times"]
    pipeline = times["import"] + times["topics"] + times["gaps"] + times["impact"]
    print(f"\n## {truth['tickets']:,} tickets ({size / 1e6:.0f} MB CSV), {TOPICS} topics, {WEEKS} weeks\n")
    print("| step | seconds |")
    print("|---|---:|")
    for step in ("setup", "import", "topics", "gaps", "impact"):
        print(f"| {step} | {times[step]:.1f} |")
        if step == "topics":
            print(f"| … of which clustering | {times['clustering']:.1f} |")
    print(f"| **import + gaps + impact** | **{pipeline:.1f}** |")
    print(f"| anchor: one csv.reader pass | {anchor_s:.1f} |")
    print(f"\npeak memory (RSS): {result['rss_mb']:.0f} MB (anchor process {anchor_mb:.0f} MB); "
          f"pipeline / anchor time: {pipeline / anchor_s:.1f}×")
    effects = truth["effects"]
    found = {a["topic"]: a for a in result["articles"]}
    real = [t for t in effects if t in found]
    hits = sum(1 for t in real if found[t]["significant"] and found[t]["change_pct"] is not None
               and found[t]["change_pct"] < 0)
    covered = sum(1 for t in real if found[t]["ci_low"] <= found[t]["expected_per_week"] * -effects[t]
                  <= found[t]["ci_high"])
    nulls = [t for t in found if t not in effects]
    false = sum(1 for t in nulls if found[t]["significant"])
    print(f"\nimpact: {len(found)} articles measured ({result['skipped']} skipped); real 30% cuts found significant: "
          f"{hits}/{len(real)}, true cut inside the 95% CI: {covered}/{len(real)}; "
          f"articles without effect flagged: {false}/{len(nulls)}")
    print(f"gaps: {result['topics']} topics, coverage {result['coverage']}")
    clusters = result.get("clusters") or [0]
    print(f"clustering: {sum(clusters):,} untagged tickets into {len(clusters)} clusters, the largest holding "
          f"{max(clusters) / max(1, sum(clusters)):.0%}; topics flagged as starting or stopping abruptly: "
          f"{result.get('changes', 0)} (none is)")
    ok_time, ok_mem = pipeline <= 60, result["rss_mb"] <= 2048
    print(f"\ntarget ≤ 60 s: {'met' if ok_time else 'MISSED'} ({pipeline:.1f} s); "
          f"≤ 2 GB: {'met' if ok_mem else 'MISSED'} ({result['rss_mb']:.0f} MB)")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
