"""Feedback-report benchmark: `deflect feedback` and the `gaps --db` merge on a large collector database.

    python bench/feedback.py               # 1,000 and 10,000 articles
    python bench/feedback.py 2000 20000    # other sizes

For N articles the generator writes a SQLite collector database (the real schema, through
``Store``) with 3 votes per article (a third with a comment, some flagged as spam), a deflection
for every tenth article, 2N distinct viewed pages (each article under its own path and under a
``/help/`` base path, some with a FAQ anchor, plus N/2 pages nobody voted on), five views per
page, and 5,000 searches. Timed, per size:

* report: ``Store.report()`` — what `deflect feedback` prints as JSON;
* render: the same report as CSV and HTML;
* gaps merge: ``collector_evidence`` plus finding each of N/4 topics' best article among the votes.

Anchor, in the same run: one ``SELECT page, COUNT(*) … GROUP BY page`` over the page views, the
least any report must do. Target: report + render + gaps merge ≤ 5 s at 10,000 articles.
"""
from __future__ import annotations

import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugins"))


def make_db(path: Path, n: int) -> None:
    from deflect.collector.store import Store

    Store(f"sqlite:///{path}").close()  # the real schema, migrated
    rnd = random.Random(n)
    stamp = "2026-0{m}-{d:02d}T10:00:00.000000Z"
    votes, events = [], []
    for i in range(n):
        article = f"en/cat-{i % 20}/article-{i}/" + ("#question-1" if i % 7 == 0 else "")
        for v in range(3):
            created = stamp.format(m=1 + rnd.randrange(9), d=1 + rnd.randrange(28))
            helpful = rnd.random() < 0.6
            comment = f"Comment {v} on article {i}" if v == 0 and i % 3 == 0 else None
            votes.append((article, "en", f"voter-{i}-{v}", int(helpful), None if helpful else "unclear", comment,
                          "spam" if i % 50 == 0 and v == 1 else None, created, created))
        if i % 10 == 0:
            events.append(("contact", None, None, "deflected", article, "/" + article, "en", "2026-03-01T10:00:00Z"))
        base = article.split("#")[0]
        for page in (f"/{base}", f"/help/{base}"):
            events += [("pageview", None, None, None, None, page, "en", "2026-03-02T10:00:00Z")] * 5
    for j in range(n // 2):  # pages without votes
        events += [("pageview", None, None, None, None, f"/en/other/page-{j}/", "en", "2026-03-03T10:00:00Z")] * 5
    for j in range(5000):
        events.append(("search", f"query {j % 700}", j % 4, None, None, "/en/", "en", "2026-03-04T10:00:00Z"))
    with sqlite3.connect(path) as con:
        con.executemany("INSERT INTO votes (article, lang, voter, helpful, reason, comment, flagged, created, updated)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", votes)
        con.executemany("INSERT INTO events (type, query, results, action, article, page, lang, created) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [(t, q, r, a, art, p, lang, c) for t, q, r, a, art, p, lang, c in events])


def measure(n: int, tmp: Path) -> dict:
    from deflect.collector import report as render
    from deflect.collector.store import Store
    from deflect.insights.gaps import _votes_for, collector_evidence

    path = tmp / f"feedback-{n}.db"
    make_db(path, n)
    url = f"sqlite:///{path}"
    with sqlite3.connect(path) as con:
        t0 = time.perf_counter()
        pages = con.execute("SELECT page, COUNT(*) FROM events WHERE type = 'pageview' GROUP BY page").fetchall()
        anchor = time.perf_counter() - t0
    store = Store(url)
    t0 = time.perf_counter()
    data = store.report()
    report = time.perf_counter() - t0
    store.close()
    t0 = time.perf_counter()
    render.to_csv(data)
    render.to_html(data)
    rendering = time.perf_counter() - t0
    t0 = time.perf_counter()
    evidence = collector_evidence(url)
    found = sum(1 for i in range(0, n, 4)
                if _votes_for(f"en/cat-{i % 20}/article-{i}/", evidence["votes_by_page"]))
    merge = time.perf_counter() - t0
    viewed = sum(1 for a in data["articles"] if a["views"])
    return {"n": n, "pages": len(pages), "anchor": anchor, "report": report, "render": rendering, "merge": merge,
            "viewed": viewed, "found": found}


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv if a.isdigit()] or [1000, 10000]
    print(f"{'articles':>9} {'pages':>7} {'anchor s':>9} {'report s':>9} {'render s':>9} {'gaps s':>8} "
          f"{'total s':>8}  check")
    with tempfile.TemporaryDirectory(prefix="deflect-bench-feedback-") as tmp:
        for n in sizes:
            r = measure(n, Path(tmp))
            total = r["report"] + r["render"] + r["merge"]
            verdict = f"{'OK' if total <= 5 else 'MISSED'} (≤ 5 s at 10,000)" if n == 10000 else ""
            print(f"{n:>9,} {r['pages']:>7,} {r['anchor']:>9.2f} {r['report']:>9.2f} {r['render']:>9.2f} "
                  f"{r['merge']:>8.2f} {total:>8.2f}  {r['viewed']:,} articles with views, "
                  f"{r['found']:,} topics matched to votes {verdict}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
