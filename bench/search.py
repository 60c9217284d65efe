"""Search benchmark: Deflect's static search against Material's built-in search, in a real browser.

    python bench/search.py                 # synthetic sizes 1000 and 10000, then quality on the example
    python bench/search.py 200 1000        # other sizes (English articles; ~30% translated into hr, et, tl)
    python bench/search.py --no-quality 200     # skip the quality part
    python bench/search.py --quality-only       # only the quality part (example help center)
    python bench/search.py --keep 200           # keep the generated projects and sites (path on stderr)
    python bench/search.py --no-delta 10000     # skip Material's second build without search (Δbuild)
    python bench/search.py --index-size 10000 1000   # a 10,000-article index on a 1,000-article site (fast)

For each size, bench/_synth.py generates the same content twice: a Deflect help center with
``deflect/content`` + ``deflect/search`` and the anchor, a plain Material site with the built-in
``search`` plugin. Both are built with ``mkdocs build -q`` (NO_MKDOCS_2_WARNING=1), served by a local
static HTTP server thread and driven with Playwright (headless Chromium):

* build s: the whole ``mkdocs build``. index s: Deflect = the plugin's own timings ("indexed … in Xs"
  + "wrote the static index … in Ys", logged at INFO and caught through a logging handler because
  ``-q`` hides them); Material = the time spent in its search plugin's hooks (on_config,
  on_page_context, on_post_build), timed by the same build wrapper. Δbuild s (Material): build time
  with the search plugin minus build time without it (a second build; noisy at small sizes).
* first-query KB: a fresh browser context loads a page (Deflect: /en/, Material: /), a query is
  entered (value set + one input/keyup event) and the script waits for the results. Every
  search-related response until then (URL with /search/, the search*.js scripts, Material's search worker or
  lunr files; context-level response events, so worker fetches count) is summed as a static host
  with gzip would send it: ``.gz`` files as they are, other files gzip-compressed (level 6).
  Five first queries, each in its own context: max and median. "typed KB" (Deflect only) types the
  query key by key (80 ms per key, like a person), so the intermediate prefixes search too.
* p50/p95 ms: after 10 warm-up queries, 50 more queries in the same page, each measured in the
  page with performance.now() from dispatching the input event (Material: keyup, which is what
  its search listens to) until the results are rendered (Deflect: ``data-deflect-ready`` == query;
  Material: the mutation that fills ``.md-search-result__list``), so any input debounce of search.js
  is included (it now runs the search on the next tick). "engine p50/p95" leaves the UI out: Deflect
  = the Promise of ``window.deflectSearch.search(q)`` for the same warm-up and queries in a fresh
  context (so with the same shards cached); Material = keyup until the search worker's result
  message arrives on the main thread (same queries as p50/p95). Deflect's time is mostly fetching
  the term shards that are not cached yet, one per query word, all requested at once (a shard carries
  its terms' result lines; localhost here, so no network latency).

``--index-size BIG SMALL`` measures the search of a BIG-article help center without building a
BIG-article site (a 10,000-article ``mkdocs build`` plus Material's takes ~40 minutes): SMALL is built
and measured as above (Deflect and the Material anchor), then a BIG-article help center is generated,
only its search index is built and exported (``HelpCenter.open(...).search_service.export(...)``, a few
minutes) into the SMALL Deflect site's ``search/`` folder, and Deflect is measured again on that site
with queries drawn from the BIG corpus (the row "deflect (BIG index)"; build s = index s = the index
build and export). The pages the results link to do not exist in that site, which the measurement
never opens; the search script, the index files and the query path are those of a BIG site.

Quality (not synthetic): the example help center (mkdocs.yml, articles/, faq/) is copied to a
temporary folder and built with Deflect; a plain Material copy of the same public articles and
FAQ entries is built next to it: articles at the same URLs (``<lang>/<category>/<slug>/``, title as
``#`` heading, the summary as the lead paragraph, front matter dropped, links reduced to their text)
and every FAQ entry on its own page ``<lang>/<category>/faq/<slug>/`` (Deflect's FAQ entries are
``<lang>/<category>/faq/#<slug>``); both map back to the ids of bench/search_queries.yml. Each query
is run in the browser on the query language's home page (``/<lang>/``) and the top 10 results are
scored: MRR (1/rank of the first relevant id, 0 if none in the top 10) and nDCG@10 with graded gains
(the query's k relevant ids, best first, get gains k, k-1, …, 1). Material searches the whole site,
all languages, as a plain Material site does; "Mat. MRR (own lang)" is a kinder anchor that keeps
only the results in the query's language from the worker's full ranked list.

The cross-lingual set (``bench/search_queries_crosslingual.yml``, kind ``crosslingual``) is run in the
same pass and reported in a table of its own, so the per-language table keeps measuring the
monolingual queries: hr, et and tl queries for English-only articles, which Deflect shows at their
page in the reader's section (``<lang>/<category>/<slug>/``).

Targets at 10,000 articles: first query ≤ 150 KB, p95 ≤ 30 ms, MRR on hr, et and tl ≥ 1.3× Material's. Cross-lingual MRR ≥ 0.7 per language.
Progress goes to stderr, the tables to stdout.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _browser import (FIRST_QUERIES, MEASURED, WARMUP, Browsing, launch, measure_deflect,  # noqa: E402
                      measure_material, percentile)
from _quality import CROSS_KIND, QualityRow, quality_tables, run_quality, table  # noqa: E402
from _sites import (StaticServer, deflect_index_seconds, ensure_deflect_search, material_index_seconds,  # noqa: E402
                    mkdocs_build, progress, without_search)
from _synth import make_help_center, make_plain_material  # noqa: E402

DEFAULT_SIZES = (1000, 10000)
TARGET_SIZE = 10000
TARGET_KB = 150
TARGET_P95_MS = 30
TARGET_MRR_RATIO = 1.3
TARGET_LANGS = ("hr", "et", "tl")
TARGET_CROSS_MRR = 0.7
STOP_WORDS_EN = {"the", "a", "an", "and", "for", "your", "on", "is", "of", "to", "in", "my", "i", "do", "how",
                 "why", "can", "later", "it", "be", "with"}


# ----- synthetic sizes -------------------------------------------------------------------------


def synthetic_queries(corpus, count: int, seed: int) -> list[str]:
    """Distinct English queries made of the words of public article titles: 1-3 content words."""
    rng = random.Random(f"deflect-search-bench:{seed}")
    public = [doc for doc in corpus.articles if doc.audience == "public"]
    queries: list[str] = []
    seen: set[str] = set()
    while len(queries) < count:
        doc = public[rng.randrange(len(public))]
        words = [w for w in re.findall(r"[a-z0-9-]+", doc.title.render("en").lower()) if w not in STOP_WORDS_EN]
        if not words:
            continue
        n = rng.choice((1, 2, 2, 2, 3))
        start = rng.randrange(max(1, len(words) - n + 1))
        q = " ".join(words[start:start + n])
        if q not in seen:
            seen.add(q)
            queries.append(q)
    return queries


@dataclass
class SizeResult:
    size: int
    tool: str
    build_s: float
    index_s: float
    browsing: Browsing
    delta_s: float | None = None
    note: str = ""


def run_size(size: int, work: Path, browser, delta: bool = True, index_size: int | None = None) -> list[SizeResult]:
    deflect_root, material_root = work / f"deflect-{size}", work / f"material-{size}"
    progress(f"{size}: generating the Deflect project")
    corpus = make_help_center(deflect_root, size, search=True)
    ensure_deflect_search(deflect_root / "mkdocs.yml")
    progress(f"{size}: building Deflect (deflect/content + deflect/search) …")
    deflect_site = work / f"site-deflect-{size}"
    build = mkdocs_build(deflect_root / "mkdocs.yml", deflect_site)
    index_s, note = deflect_index_seconds(build)
    progress(f"{size}: Deflect built in {build.seconds:.1f}s ({note})")

    progress(f"{size}: generating the plain Material project")
    make_plain_material(material_root, size)
    material_site = work / f"site-material-{size}"
    progress(f"{size}: building Material with its search plugin …")
    material = mkdocs_build(material_root / "mkdocs.yml", material_site)
    progress(f"{size}: Material built in {material.seconds:.1f}s (search plugin hooks "
             f"{material_index_seconds(material):.1f}s; search_index.json "
             f"{(material_site / 'search' / 'search_index.json').stat().st_size / 1e6:.1f} MB)")
    bare = None
    if delta:
        progress(f"{size}: building Material again without its search plugin …")
        bare_site = work / f"site-material-nosearch-{size}"
        bare = mkdocs_build(without_search(material_root / "mkdocs.yml"), bare_site)
        shutil.rmtree(bare_site, ignore_errors=True)
        progress(f"{size}: Material without search: {bare.seconds:.1f}s")

    queries = synthetic_queries(corpus, FIRST_QUERIES + WARMUP + MEASURED, size)
    timeout_ms = 60_000 + size * 60  # Material's worker builds its whole index before the first results
    results = []
    with StaticServer(deflect_site) as server:
        progress(f"{size}: measuring Deflect in the browser at {server.url}en/")
        browsing = measure_deflect(browser, server.url, queries, timeout_ms)
        results.append(SizeResult(size, "deflect", build.seconds, index_s, browsing, note=note))
    with StaticServer(material_site) as server:
        progress(f"{size}: measuring Material in the browser at {server.url}")
        browsing = measure_material(browser, server.url, queries, timeout_ms)
        results.append(SizeResult(size, "material", material.seconds, material_index_seconds(material), browsing,
                                  delta_s=material.seconds - bare.seconds if bare else None))
    if index_size:
        results.append(swapped_index(index_size, work, deflect_site, browser))
    return results


def swapped_index(size: int, work: Path, site: Path, browser) -> SizeResult:
    """Deflect measured on ``site`` with the static index of a ``size``-article help center (see --index-size)."""
    from deflect.helpcenter import HelpCenter

    root = work / f"deflect-index-{size}"
    progress(f"{size} (index only): generating the Deflect project")
    corpus = make_help_center(root, size, search=True)
    progress(f"{size} (index only): building and exporting the search index …")
    start = time.perf_counter()
    service = HelpCenter.open(root / "mkdocs.yml", history=False).search_service
    indexed = time.perf_counter() - start
    stats = service.export(site / "search")
    seconds = time.perf_counter() - start
    note = (f"{service.count} docs indexed in {indexed:.1f}s; static index ({stats.files} files, "
            f"{stats.bytes / 1024:.0f} KB) in {seconds - indexed:.1f}s")
    progress(f"{size} (index only): {note}")
    queries = synthetic_queries(corpus, FIRST_QUERIES + WARMUP + MEASURED, size)
    with StaticServer(site) as server:
        progress(f"{size} (index only): measuring Deflect in the browser at {server.url}en/")
        browsing = measure_deflect(browser, server.url, queries, 60_000 + size * 60)
    return SizeResult(size, "deflect-index", seconds, seconds, browsing, note=note)


# ----- tables ----------------------------------------------------------------------------------


def size_table(results: list[SizeResult]) -> str:
    header = ("tool", "build s", "index s", "Δbuild s", "first-query KB max/median", "typed KB max", "p50 ms", "p95 ms",
              "engine p50/p95 ms", "failed")
    rows = []
    for r in results:
        b = r.browsing
        label = {"deflect": "deflect", "material": "material (anchor)"}.get(r.tool, f"deflect ({r.size} index)")
        rows.append((
            label,
            f"{r.build_s:.1f}", f"{r.index_s:.1f}", f"{r.delta_s:.1f}" if r.delta_s is not None else "-",
            f"{max(b.first_kb):.1f} / {statistics.median(b.first_kb):.1f}" if b.first_kb else "-",
            f"{max(b.typed_kb):.1f}" if b.typed_kb else "-",
            f"{percentile(b.latencies, 50):.1f}", f"{percentile(b.latencies, 95):.1f}",
            f"{percentile(b.engine, 50):.1f} / {percentile(b.engine, 95):.1f}" if b.engine else "-",
            str(b.failures),
        ))
    return table(header, rows)


def targets(results: list[SizeResult], ratios: dict[str, tuple[float, float]] | None) -> str:
    lines = ["Targets:"]
    if results:
        size = TARGET_SIZE if any(r.size == TARGET_SIZE for r in results) else max(r.size for r in results)
        index_only = any(r.size == size and r.tool == "deflect-index" for r in results)
        at = " (index only, on a smaller site: --index-size)" if index_only else ""
        at = at if size == TARGET_SIZE else f" (measured at {size} articles; the target is for {TARGET_SIZE})"
        deflect = next(r for r in results if r.size == size and r.tool.startswith("deflect")).browsing
        kb = max(deflect.first_kb)
        lines.append(f"  {'PASS' if kb <= TARGET_KB else 'MISS'}  first query <= {TARGET_KB} KB: "
                     f"max {kb:.1f} KB (median {statistics.median(deflect.first_kb):.1f}; typed key by key: max "
                     f"{max(deflect.typed_kb):.1f}){at}")
        p95 = percentile(deflect.latencies, 95)
        engine = percentile(deflect.engine, 95)
        lines.append(f"  {'PASS' if p95 <= TARGET_P95_MS else 'MISS'}  p95 <= {TARGET_P95_MS} ms: {p95:.1f} ms input "
                     f"event -> results rendered (search() alone: p95 "
                     f"{engine:.1f} ms){at}")
    if ratios:
        for lang in TARGET_LANGS:
            if lang not in ratios:
                continue
            d, m = ratios[lang]
            ratio = d / m if m else float("inf")
            lines.append(f"  {'PASS' if ratio >= TARGET_MRR_RATIO else 'MISS'}  MRR {lang} >= {TARGET_MRR_RATIO}x "
                         f"Material: {d:.3f} vs {m:.3f} = {ratio:.2f}x")
        for lang in TARGET_LANGS:
            if f"{CROSS_KIND} {lang}" in ratios:
                d = ratios[f"{CROSS_KIND} {lang}"][0]
                lines.append(f"  {'PASS' if d >= TARGET_CROSS_MRR else 'MISS'}  cross-lingual MRR {lang} >= "
                             f"{TARGET_CROSS_MRR}: {d:.3f}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    flags = {"--keep", "--no-quality", "--quality-only", "--no-delta"}
    index_size = None
    if "--index-size" in argv:  # --index-size BIG SMALL
        at = argv.index("--index-size")
        pair = argv[at + 1:at + 3]
        if len(pair) != 2 or not all(a.isdigit() and int(a) >= 20 for a in pair) or len(argv) > at + 3 \
                and argv[at + 3].isdigit():
            print(__doc__, file=sys.stderr)
            return 2
        index_size = int(pair[0])
        argv = argv[:at] + [pair[1]] + argv[at + 3:]
    keep = "--keep" in argv
    quality = "--no-quality" not in argv
    args = [a for a in argv if a not in flags]
    if any(not a.isdigit() or int(a) < 20 for a in args) or any(a.startswith("--") and a not in flags for a in argv):
        print(__doc__, file=sys.stderr)
        return 2
    sizes = [] if "--quality-only" in argv else ([int(a) for a in args] or list(DEFAULT_SIZES))
    if index_size and len(sizes) != 1:
        print("--index-size BIG SMALL takes no other sizes", file=sys.stderr)
        return 2

    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="deflect-search-bench-"))
    progress(f"working in {work}")
    results: list[SizeResult] = []
    quality_rows: list[QualityRow] = []
    started = time.perf_counter()
    try:
        with sync_playwright() as playwright:
            browser = launch(playwright)
            try:
                for size in sizes:
                    size_results = run_size(size, work, browser, delta="--no-delta" not in argv, index_size=index_size)
                    results += size_results
                    also = f" (and a {index_size}-article index on that site)" if index_size else ""
                    print(f"\n## {size} articles{also}\n\n{size_table(size_results)}", flush=True)
                    if not keep:
                        for path in work.iterdir():
                            shutil.rmtree(path)
                if quality:
                    quality_rows = run_quality(work, browser)
            finally:
                browser.close()
    finally:
        if keep:
            progress(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    ratios = None
    if quality_rows:
        if os.environ.get("DEFLECT_BENCH_ROWS"):  # every query's ranked ids, to compare two runs
            Path(os.environ["DEFLECT_BENCH_ROWS"]).write_text(json.dumps(
                [{"q": r.q, "lang": r.lang, "kind": r.kind, "relevant": r.relevant, "deflect": r.deflect[:10]}
                 for r in quality_rows], ensure_ascii=False, indent=1), encoding="utf-8")
        text, ratios = quality_tables(quality_rows)
        print(f"\n## Quality on the example help center (bench/search_queries.yml)\n\n{text}")
    print()
    print(targets(results, ratios))
    print("\nbuild s: whole mkdocs build; index s: Deflect = the plugin's own timings (indexing + static export),"
          " Material = time spent in its search plugin's hooks; Δbuild s: Material build with minus without its search"
          " plugin (noisy at small sizes). KB as a gzip static host sends it (.gz as is, the rest gzip -6)."
          "\np50/p95: input event -> results rendered, in the page, 50 queries after 10 warm-ups; engine:"
          " Deflect search() alone on the same queries (fresh context, same warm-up), Material keyup -> worker"
          " result message.")
    progress(f"done in {time.perf_counter() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
