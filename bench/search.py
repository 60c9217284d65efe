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
only its search index is built and exported (``SearchService.build(center).export(...)``, a few
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

import functools
import gzip
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from math import log2
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
sys.path.insert(0, str(HERE))
from _synth import make_help_center, make_plain_material, plain_material_config  # noqa: E402

DEFAULT_SIZES = (1000, 10000)
TARGET_SIZE = 10000
TARGET_KB = 150
TARGET_P95_MS = 30
TARGET_MRR_RATIO = 1.3
TARGET_LANGS = ("hr", "et", "tl")
TARGET_CROSS_MRR = 0.7
CROSS_KIND = "crosslingual"

FIRST_QUERIES = 5
WARMUP = 10
MEASURED = 50
TYPE_DELAY_MS = 80
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
STOP_WORDS_EN = {"the", "a", "an", "and", "for", "your", "on", "is", "of", "to", "in", "my", "i", "do", "how",
                 "why", "can", "later", "it", "be", "with"}


def progress(message: str) -> None:
    print(f"[search-bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ----- building --------------------------------------------------------------------------------

# Runs ``mkdocs build`` like the CLI does, plus two measurements: ``-q`` silences INFO logs, so
# deflect/search's own INFO lines (its index timings) get a handler of their own; and the hooks of
# Material's search plugin are timed (printed at exit). Nothing else about the build changes.
_BUILD_WRAPPER = r"""
import logging, sys
log = logging.getLogger("mkdocs.plugins.deflect.search")
log.setLevel(logging.INFO)
handler = logging.StreamHandler(sys.stderr)
handler.setFormatter(logging.Formatter("DEFLECT-BENCH %(message)s"))
log.addHandler(handler)
log.propagate = False
try:  # time Material's search plugin hooks (its share of the build)
    import atexit, time
    from material.plugins.search.plugin import SearchPlugin
    spent = [0.0]
    def timed(method):
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                spent[0] += time.perf_counter() - start
        return wrapper
    for name in ("on_config", "on_page_context", "on_post_build"):
        setattr(SearchPlugin, name, timed(getattr(SearchPlugin, name)))
    atexit.register(lambda: spent[0] and print(f"MATERIAL-SEARCH-TIME {spent[0]:.3f}", file=sys.stderr))
except ImportError:
    pass
from mkdocs.__main__ import cli
sys.argv[0] = "mkdocs"
cli()
"""

INDEXED_RE = re.compile(r"DEFLECT-BENCH deflect/search: indexed (\d+) documents in ([\d.]+)s")
WROTE_RE = re.compile(r"DEFLECT-BENCH deflect/search: wrote the static index \(([^)]*)\) in ([\d.]+)s")
MATERIAL_RE = re.compile(r"MATERIAL-SEARCH-TIME ([\d.]+)")


@dataclass
class Build:
    seconds: float
    log: str


def mkdocs_build(config: Path, site: Path) -> Build:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _BUILD_WRAPPER, "build", "-q", "-f", str(config), "-d", str(site)],
                          env=env, capture_output=True, text=True, cwd=config.parent)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
        raise SystemExit(f"mkdocs build failed for {config} (exit {proc.returncode})")
    return Build(seconds, proc.stderr)


def deflect_index_seconds(build: Build) -> tuple[float, str]:
    indexed = INDEXED_RE.search(build.log)
    wrote = WROTE_RE.search(build.log)
    if not indexed or not wrote:
        raise SystemExit("deflect/search's timing lines are missing from the build log:\n" + build.log[-2000:])
    note = f"{indexed.group(1)} docs indexed in {indexed.group(2)}s; static index {wrote.group(1)} in {wrote.group(2)}s"
    return float(indexed.group(2)) + float(wrote.group(2)), note


def material_index_seconds(build: Build) -> float:
    match = MATERIAL_RE.search(build.log)
    if not match:
        raise SystemExit("the timing of Material's search plugin is missing from the build log:\n" + build.log[-2000:])
    return float(match.group(1))


def ensure_deflect_search(config: Path) -> None:
    """The generated Deflect project must list deflect/search right after deflect/content."""
    data = config.read_text(encoding="utf-8")
    if re.search(r"^\s*-\s*deflect/search\b", data, re.M):
        return
    lines = data.split("\n")
    start = next(i for i, line in enumerate(lines) if re.match(r"\s*-\s*deflect/content\b", line))
    indent = len(lines[start]) - len(lines[start].lstrip())
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) > indent):
        end += 1
    lines.insert(end, " " * indent + "- deflect/search")
    config.write_text("\n".join(lines), encoding="utf-8")


def without_search(config: Path) -> Path:
    """A copy of a plain Material mkdocs.yml without the search plugin (same docs_dir)."""
    text = config.read_text(encoding="utf-8")
    new = re.sub(r"^plugins:\n(\s+- search\n)", "plugins: []\n", text, flags=re.M)
    if new == text:
        raise SystemExit(f"{config}: could not find 'plugins:\\n  - search' to remove")
    out = config.with_name("mkdocs-nosearch.yml")
    out.write_text(new, encoding="utf-8")
    return out


# ----- serving ---------------------------------------------------------------------------------


class _QuietHandler(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: with Nagle's algorithm on, the browser's delayed
    # ACK would add ~40 ms to every keep-alive response, which no real static host does.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class StaticServer:
    """A static HTTP server for one folder, in a daemon thread."""

    def __init__(self, directory: Path) -> None:
        handler = functools.partial(_QuietHandler, directory=str(directory))
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def __enter__(self) -> StaticServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# ----- in-page measurement ---------------------------------------------------------------------

# Records the Material search worker's result messages (for the engine time and the full ranking).
MATERIAL_INIT = """
(() => {
  const Native = window.Worker;
  if (!Native) return;
  window.__benchResults = 0;
  window.Worker = function (url, options) {
    const worker = new Native(url, options);
    worker.addEventListener("message", (ev) => {
      const d = ev.data;
      if (d && d.data && Array.isArray(d.data.items)) {
        window.__benchResults += 1;
        window.__benchLast = { t: performance.now(), items: d.data.items.map((group) => group.map((r) => r.location)) };
      }
    });
    return worker;
  };
  window.Worker.prototype = Native.prototype;
})();
"""

DEFLECT_QUERY = """
async ([q, timeout]) => {
  const root = document.querySelector("[data-deflect-search]");
  const input = root.querySelector("[data-deflect-search-input]");
  return await new Promise((resolve) => {
    let t0 = 0;
    const timer = setTimeout(() => { obs.disconnect(); resolve({ ms: null, results: [] }); }, timeout);
    const obs = new MutationObserver(() => {
      if (root.getAttribute("data-deflect-ready") !== q) return;
      const ms = performance.now() - t0;
      obs.disconnect();
      clearTimeout(timer);
      resolve({ ms, results: [...root.querySelectorAll("[data-deflect-result]")].map((e) => e.getAttribute("data-deflect-result")) });
    });
    obs.observe(root, { attributes: true, attributeFilter: ["data-deflect-ready"] });
    input.value = q;
    t0 = performance.now();
    input.dispatchEvent(new Event("input", { bubbles: true }));
  });
}
"""

DEFLECT_ENGINE = """
async (q) => {
  const t0 = performance.now();
  const hits = await window.deflectSearch.search(q);
  return [performance.now() - t0, hits.length];
}
"""

MATERIAL_QUERY = """
async ([q, timeout]) => {
  const input = document.querySelector("input.md-search__input");
  const list = document.querySelector(".md-search-result__list");
  const meta = document.querySelector(".md-search-result__meta");
  return await new Promise((resolve) => {
    let t0 = 0, seen = window.__benchResults || 0;
    const done = () => {
      const ms = performance.now() - t0;
      obs.disconnect();
      clearTimeout(timer);
      const last = window.__benchLast;
      const results = [...list.querySelectorAll(":scope > li")].map((li) => {
        const a = li.querySelector("a.md-search-result__link");
        return a ? a.href : "";
      });
      resolve({ ms, engine: last ? last.t - t0 : null, results, all: last ? last.items : [] });
    };
    const timer = setTimeout(() => { obs.disconnect(); resolve({ ms: null, engine: null, results: [], all: [] }); }, timeout);
    const obs = new MutationObserver((records) => {
      const fresh = (window.__benchResults || 0) > seen;
      if (!fresh) return;
      const empty = window.__benchLast && window.__benchLast.items.length === 0;
      if (empty || records.some((r) => r.target === list && r.addedNodes.length)) done();
    });
    obs.observe(list, { childList: true });
    obs.observe(meta, { childList: true, characterData: true, subtree: true });
    input.focus();
    input.value = q;
    t0 = performance.now();
    input.dispatchEvent(new KeyboardEvent("keyup", { bubbles: true, key: q.slice(-1) || "a" }));
  });
}
"""


def is_search_url(url: str) -> bool:
    path = url.split("?", 1)[0]
    return ("/search/" in path or "/assets/deflect/search" in path or "/workers/search" in path
            or "search_index.json" in path or "/lunr/" in path)


class SearchBytes:
    """Search-related responses of one browser context, until stop()."""

    def __init__(self, context) -> None:
        self.responses: list = []
        self.active = True
        context.on("response", self._on_response)

    def _on_response(self, response) -> None:
        if self.active and is_search_url(response.url):
            self.responses.append(response)

    def stop(self) -> None:
        self.active = False

    def wire_bytes(self) -> tuple[int, list[str]]:
        total, files = 0, []
        for response in self.responses:
            try:
                body = response.body()
            except Exception:  # noqa: BLE001 - e.g. a redirect without body
                continue
            path = response.url.split("?", 1)[0]
            size = len(body) if path.endswith(".gz") else len(gzip.compress(body, compresslevel=6, mtime=0))
            total += size
            files.append(f"{path.rsplit('/', 2)[-2]}/{path.rsplit('/', 1)[-1]}:{size}")
        return total, files


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


@dataclass
class Browsing:
    first_kb: list[float] = field(default_factory=list)
    typed_kb: list[float] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    engine: list[float] = field(default_factory=list)
    failures: int = 0


def measure_deflect(browser, base: str, queries: list[str], timeout_ms: int) -> Browsing:
    out = Browsing()
    page_url = base + "en/"
    first, rest = queries[:FIRST_QUERIES], queries[FIRST_QUERIES:]
    for i, q in enumerate(first):
        context = browser.new_context()
        recorder = SearchBytes(context)
        page = context.new_page()
        page.goto(page_url, wait_until="load")
        result = page.evaluate(DEFLECT_QUERY, [q, timeout_ms])
        recorder.stop()
        total, files = recorder.wire_bytes()
        context.close()
        if result["ms"] is None:
            out.failures += 1
            progress(f"  deflect first query {q!r}: no results rendered within {timeout_ms} ms")
        out.first_kb.append(total / 1024)
        progress(f"  deflect first query {i + 1}/{len(first)} {q!r}: {total / 1024:.1f} KB in {len(files)} files, "
                 f"{len(result['results'])} results")
    for i, q in enumerate(first):
        context = browser.new_context()
        recorder = SearchBytes(context)
        page = context.new_page()
        page.goto(page_url, wait_until="load")
        input_ = page.locator("[data-deflect-search-input]")
        input_.click()
        input_.press_sequentially(q, delay=TYPE_DELAY_MS)
        try:
            page.wait_for_function("q => document.querySelector('[data-deflect-search]').getAttribute('data-deflect-ready') === q",
                                   arg=q, timeout=timeout_ms)
        except Exception:  # noqa: BLE001
            out.failures += 1
        recorder.stop()
        total, files = recorder.wire_bytes()
        context.close()
        out.typed_kb.append(total / 1024)
        progress(f"  deflect typed query {i + 1}/{len(first)} {q!r}: {total / 1024:.1f} KB in {len(files)} files")
    warm, measured = rest[:WARMUP], rest[WARMUP:WARMUP + MEASURED]
    # The same warm-up and queries twice, each time in a fresh context (so with the same shards
    # cached): once through the search box, once through window.deflectSearch.search() alone.
    for engine in (False, True):
        context = browser.new_context()
        page = context.new_page()
        page.goto(page_url, wait_until="load")
        for q in warm:
            page.evaluate(DEFLECT_QUERY, [q, timeout_ms])
        for q in measured:
            if engine:
                out.engine.append(page.evaluate(DEFLECT_ENGINE, q)[0])
                continue
            result = page.evaluate(DEFLECT_QUERY, [q, timeout_ms])
            if result["ms"] is None:
                out.failures += 1
            else:
                out.latencies.append(result["ms"])
        context.close()
    progress(f"  deflect latencies (ms, sorted): {' '.join(f'{x:.0f}' for x in sorted(out.latencies))}")
    progress(f"  deflect search() alone (ms, sorted): {' '.join(f'{x:.1f}' for x in sorted(out.engine))}")
    return out


def measure_material(browser, base: str, queries: list[str], timeout_ms: int) -> Browsing:
    out = Browsing()
    first, rest = queries[:FIRST_QUERIES], queries[FIRST_QUERIES:]
    for i, q in enumerate(first):
        context = browser.new_context()
        context.add_init_script(MATERIAL_INIT)
        recorder = SearchBytes(context)
        page = context.new_page()
        page.goto(base, wait_until="load")
        started = time.perf_counter()
        result = page.evaluate(MATERIAL_QUERY, [q, timeout_ms])
        recorder.stop()
        total, files = recorder.wire_bytes()
        context.close()
        if result["ms"] is None:
            out.failures += 1
            progress(f"  material first query {q!r}: no results rendered within {timeout_ms} ms")
        out.first_kb.append(total / 1024)
        progress(f"  material first query {i + 1}/{len(first)} {q!r}: {total / 1024:.1f} KB in {len(files)} files, "
                 f"results after {time.perf_counter() - started:.1f}s")
    context = browser.new_context()
    context.add_init_script(MATERIAL_INIT)
    page = context.new_page()
    page.goto(base, wait_until="load")
    warm, measured = rest[:WARMUP], rest[WARMUP:WARMUP + MEASURED]
    for q in warm:
        page.evaluate(MATERIAL_QUERY, [q, timeout_ms])
    for q in measured:
        result = page.evaluate(MATERIAL_QUERY, [q, timeout_ms])
        if result["ms"] is None:
            out.failures += 1
            continue
        out.latencies.append(result["ms"])
        if result["engine"] is not None:
            out.engine.append(result["engine"])
    context.close()
    progress(f"  material latencies (ms, sorted): {' '.join(f'{x:.0f}' for x in sorted(out.latencies))}")
    return out


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
    from deflect.content import load_help_center, load_settings
    from deflect.search.service import SearchService

    root = work / f"deflect-index-{size}"
    progress(f"{size} (index only): generating the Deflect project")
    corpus = make_help_center(root, size, search=True)
    progress(f"{size} (index only): building and exporting the search index …")
    start = time.perf_counter()
    center, _ = load_help_center(load_settings(root / "mkdocs.yml"), with_history=False)
    service = SearchService.build(center)
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


# ----- quality on the example help center ------------------------------------------------------

FRONT_RE = re.compile(r"\A---\n(.*?)\n---\n?", re.S)
LINK_RE = re.compile(r"(?<!!)\[([^\]]+)\]\([^)]*\)")


def unlink(markdown: str) -> str:
    """Links reduced to their text: the copy's link targets would not exist."""
    return LINK_RE.sub(r"\1", markdown)


def split_front(text: str) -> tuple[dict, str]:
    match = FRONT_RE.match(text)
    if not match:
        return {}, text
    return yaml.safe_load(match.group(1)) or {}, text[match.end():]


def make_example_projects(work: Path) -> tuple[Path, Path]:
    """A copy of the example help center (Deflect) and a plain Material copy of its content."""
    deflect = work / "example-deflect"
    deflect.mkdir(parents=True)
    for name in ("mkdocs.yml", "docs", "articles", "faq", "search", "overrides"):
        src = PROJECT / name
        if src.is_dir():
            shutil.copytree(src, deflect / name)
        elif src.is_file():
            shutil.copy2(src, deflect / name)
    ensure_deflect_search(deflect / "mkdocs.yml")
    example = yaml.load((PROJECT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_LenientLoader)
    languages = [lang["code"] for lang in example["plugins"][0]["deflect/content"]["languages"]]

    material = work / "example-material"
    docs = material / "docs"
    for md in sorted((PROJECT / "articles").glob("*/*.md")):
        lang = md.parent.name
        meta, body = split_front(md.read_text(encoding="utf-8"))
        if meta.get("audience", "public") != "public":
            continue
        lead = f"{meta['summary']}\n\n" if meta.get("summary") else ""
        out = docs / lang / meta["category"] / f"{md.stem}.md"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(f"# {meta['title']}\n\n{lead}{unlink(body)}", encoding="utf-8")
    for md in sorted((PROJECT / "faq").glob("*/*.md")):
        lang = md.parent.name
        meta, body = split_front(md.read_text(encoding="utf-8"))
        out = docs / lang / meta["category"] / "faq" / f"{md.stem}.md"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(f"# {meta['title']}\n\n{unlink(body)}", encoding="utf-8")
    for lang in languages:
        (docs / lang).mkdir(parents=True, exist_ok=True)
        (docs / lang / "index.md").write_text(f"# Help center ({lang})\n\nSearch the help center.\n", encoding="utf-8")
    (docs / "index.md").write_text("# Orrin Home Help Center\n\n" + "\n".join(f"- [{lang}]({lang}/index.md)"
                                                                            for lang in languages) + "\n",
                                   encoding="utf-8")
    (material / "mkdocs.yml").write_text(plain_material_config(
        "Orrin Home Help Center", "https://help.orrinhome.example/",
        "  - pymdownx.emoji:\n"
        "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
        "      emoji_generator: !!python/name:material.extensions.emoji.to_svg\n"), encoding="utf-8")
    return deflect, material


class _LenientLoader(yaml.SafeLoader):
    """Reads mkdocs.yml without resolving its !ENV and !!python tags."""


_LenientLoader.add_multi_constructor("", lambda loader, suffix, node: None)
_LenientLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def url_to_id(url: str, base: str) -> str:
    """A result URL (Deflect: relative to the site root; Material: absolute) as a query-set id."""
    if url.startswith(base):
        url = url[len(base):]
    url = url.lstrip("/")
    path, _, anchor = url.partition("#")
    parts = [p for p in path.split("/") if p]
    if len(parts) == 3 and parts[2] == "faq" and anchor:  # Deflect: <lang>/<category>/faq/#<slug>
        return f"{parts[0]}/faq/{anchor}"
    if len(parts) == 4 and parts[2] == "faq":  # the Material copy: <lang>/<category>/faq/<slug>/
        return f"{parts[0]}/faq/{parts[3]}"
    return "/".join(parts)


def reciprocal_rank(ranked: list[str], relevant: list[str]) -> float:
    for i, doc in enumerate(ranked[:10]):
        if doc in relevant:
            return 1 / (i + 1)
    return 0.0


def ndcg10(ranked: list[str], relevant: list[str]) -> float:
    gains = {doc: len(relevant) - i for i, doc in enumerate(relevant)}
    dcg = sum(gains.get(doc, 0) / log2(i + 2) for i, doc in enumerate(dedupe(ranked)[:10]))
    ideal = sum(g / log2(i + 2) for i, g in enumerate(sorted(gains.values(), reverse=True)[:10]))
    return dcg / ideal if ideal else 0.0


def dedupe(items: list[str]) -> list[str]:
    seen: set[str] = set()
    return [x for x in items if not (x in seen or seen.add(x))]


def acceptance_queries() -> set[str]:
    """Queries marked "# ACCEPTANCE" in bench/search_queries.yml."""
    text = (HERE / "search_queries.yml").read_text(encoding="utf-8")
    return set(re.findall(r'^\s*-\s*q:\s*"([^"]*)"\s*#\s*ACCEPTANCE', text, re.M))


@dataclass
class QualityRow:
    q: str
    lang: str
    kind: str
    relevant: list[str]
    deflect: list[str]
    material: list[str]
    material_own: list[str]
    acceptance: bool


def run_quality(work: Path, browser) -> list[QualityRow]:
    queries = yaml.safe_load((HERE / "search_queries.yml").read_text(encoding="utf-8"))
    queries += yaml.safe_load((HERE / "search_queries_crosslingual.yml").read_text(encoding="utf-8"))
    acceptance = acceptance_queries()
    deflect_root, material_root = make_example_projects(work)
    progress(f"quality: building the example help center with Deflect ({deflect_root}) …")
    deflect_site = work / "site-example-deflect"
    build = mkdocs_build(deflect_root / "mkdocs.yml", deflect_site)
    progress(f"quality: Deflect built in {build.seconds:.1f}s ({deflect_index_seconds(build)[1]})")
    progress("quality: building the plain Material copy …")
    material_site = work / "site-example-material"
    material = mkdocs_build(material_root / "mkdocs.yml", material_site)
    progress(f"quality: Material built in {material.seconds:.1f}s")

    known = set()
    for lang_dir in (deflect_site / "search").iterdir():
        if lang_dir.is_dir():
            for chunk in (lang_dir / "d").glob("*.json.gz"):
                for record in json.loads(gzip.decompress(chunk.read_bytes())):
                    known.add(url_to_id(record[0], ""))
    missing = sorted({r for q in queries for r in q["relevant"]} - known)
    if missing:
        progress(f"quality: WARNING relevant ids not in Deflect's index: {', '.join(missing)}")

    deflect_results: dict[int, list[str]] = {}
    material_results: dict[int, tuple[list[str], list[str]]] = {}
    with StaticServer(deflect_site) as server:
        context = browser.new_context()
        pages = {}
        for n, query in enumerate(queries):
            lang = query["lang"]
            if lang not in pages:
                pages[lang] = context.new_page()
                pages[lang].goto(f"{server.url}{lang}/", wait_until="load")
            result = pages[lang].evaluate(DEFLECT_QUERY, [query["q"], 30_000])
            if result["ms"] is None:
                progress(f"quality: Deflect gave no results for {query['q']!r} ({lang}) within 30 s")
            deflect_results[n] = [url_to_id(u, "") for u in result["results"]]
        context.close()
    progress(f"quality: ran {len(queries)} queries on Deflect")
    with StaticServer(material_site) as server:
        context = browser.new_context()
        context.add_init_script(MATERIAL_INIT)
        pages = {}
        for n, query in enumerate(queries):
            lang = query["lang"]
            if lang not in pages:
                pages[lang] = context.new_page()
                pages[lang].goto(f"{server.url}{lang}/", wait_until="load")
            result = pages[lang].evaluate(MATERIAL_QUERY, [query["q"], 30_000])
            if result["ms"] is None:
                progress(f"quality: Material gave no rendered results for {query['q']!r} ({lang}) within 30 s")
            ranked = [url_to_id(u, server.url) for u in result["results"]]
            own = [url_to_id(group[0], "") for group in result["all"] if group]
            own = [doc for doc in own if doc.startswith(lang + "/")]
            material_results[n] = (ranked, own)
        context.close()
    progress(f"quality: ran {len(queries)} queries on Material")
    return [QualityRow(q["q"], q["lang"], q.get("kind", ""), q["relevant"], deflect_results[n],
                       material_results[n][0], material_results[n][1], q["q"] in acceptance)
            for n, q in enumerate(queries)]


# ----- tables ----------------------------------------------------------------------------------


def table(header: tuple[str, ...], rows: list[tuple[str, ...]], left: tuple[int, ...] = (0,)) -> str:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(c.ljust(w) if i in left else c.rjust(w)
                                 for i, (c, w) in enumerate(zip(cells, widths))) + " |"

    rule = "|" + "|".join(("-" * (w + 2)) if i in left else ("-" * (w + 1) + ":") for i, w in enumerate(widths)) + "|"
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


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


def quality_tables(rows: list[QualityRow]) -> tuple[str, dict[str, tuple[float, float]]]:
    crossing = [r for r in rows if r.kind == CROSS_KIND]
    rows = [r for r in rows if r.kind != CROSS_KIND]
    groups = sorted({r.lang for r in rows}, key=lambda l: ("en", "hr", "et", "tl").index(l) if l in ("en", "hr", "et", "tl") else 9)
    out_rows, ratios = [], {}

    def summary(label: str, subset: list[QualityRow]) -> tuple[str, ...]:
        d_mrr = statistics.mean(reciprocal_rank(r.deflect, r.relevant) for r in subset)
        m_mrr = statistics.mean(reciprocal_rank(r.material, r.relevant) for r in subset)
        o_mrr = statistics.mean(reciprocal_rank(r.material_own, r.relevant) for r in subset)
        d_ndcg = statistics.mean(ndcg10(r.deflect, r.relevant) for r in subset)
        m_ndcg = statistics.mean(ndcg10(r.material, r.relevant) for r in subset)
        ratios[label] = (d_mrr, m_mrr)
        ratio = f"{d_mrr / m_mrr:.2f}" if m_mrr else "inf"
        return (label, str(len(subset)), f"{d_mrr:.3f}", f"{m_mrr:.3f}", ratio, f"{d_ndcg:.3f}", f"{m_ndcg:.3f}",
                f"{o_mrr:.3f}")

    for lang in groups:
        out_rows.append(summary(lang, [r for r in rows if r.lang == lang]))
    out_rows.append(summary("all", rows))
    header = ("lang", "queries", "Deflect MRR", "Material MRR", "ratio", "Deflect nDCG@10", "Material nDCG@10",
              "Mat. MRR (own lang)")
    text = table(header, out_rows)

    kinds = sorted({r.kind for r in rows})
    kind_rows = []
    for kind in kinds:
        subset = [r for r in rows if r.kind == kind]
        d = statistics.mean(reciprocal_rank(r.deflect, r.relevant) for r in subset)
        m = statistics.mean(reciprocal_rank(r.material, r.relevant) for r in subset)
        kind_rows.append((kind, str(len(subset)), f"{d:.3f}", f"{m:.3f}", f"{d / m:.2f}" if m else "inf"))
    text += "\n\nBy kind:\n" + table(("kind", "queries", "Deflect MRR", "Material MRR", "ratio"), kind_rows)

    accepted = [r for r in rows if r.acceptance]
    if accepted:
        lines = []
        for r in accepted:
            top = r.deflect[0] if r.deflect else "(none)"
            ok = "ok  " if top == r.relevant[0] else "FAIL"
            lines.append(f"  {ok} [{r.lang}] {r.q!r}: first result {top} (want {r.relevant[0]})")
        text += "\n\nAcceptance queries (Deflect, first result must be the first relevant id):\n" + "\n".join(lines)
    misses = [r for r in rows if reciprocal_rank(r.deflect, r.relevant) < 0.34]
    if misses:
        lines = [f"  [{r.lang} {r.kind}] {r.q!r}: want {r.relevant[0]}, got {', '.join(r.deflect[:3]) or '(none)'}"
                 for r in misses]
        text += f"\n\nDeflect queries with the first relevant id below rank 3 ({len(misses)}):\n" + "\n".join(lines)
    if crossing:
        cross_rows = []
        for lang in sorted({r.lang for r in crossing}):
            subset = [r for r in crossing if r.lang == lang]
            d = statistics.mean(reciprocal_rank(r.deflect, r.relevant) for r in subset)
            m = statistics.mean(reciprocal_rank(r.material, r.relevant) for r in subset)
            ratios[f"{CROSS_KIND} {lang}"] = (d, m)
            top1 = sum(1 for r in subset if r.deflect[:1] == r.relevant[:1]) / len(subset)
            cross_rows.append((lang, str(len(subset)), f"{d:.3f}", f"{top1:.2f}", f"{m:.3f}"))
        text += ("\n\nCross-lingual (bench/search_queries_crosslingual.yml: English-only articles found from "
                 "hr, et, tl; Material finds their English page, never the reader's section, so it scores 0):\n"
                 + table(("lang", "queries", "Deflect MRR", "first is right", "Material MRR"), cross_rows))
        misses = [r for r in crossing if reciprocal_rank(r.deflect, r.relevant) < 0.34]
        if misses:
            text += f"\n\nCross-lingual queries with the first relevant id below rank 3 ({len(misses)}):\n" + "\n".join(
                f"  [{r.lang}] {r.q!r}: want {r.relevant[0]}, got {', '.join(r.deflect[:3]) or '(none)'}"
                for r in misses)
    return text, ratios


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
