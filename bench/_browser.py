"""The search benchmark's browser side: scripts run in the page, the bytes a first query costs, and
the measuring loops (first query, typed query, warm latencies, engine time, a query set's rankings)
for Deflect's search and Material's, in headless Chromium through Playwright."""

from __future__ import annotations

import gzip
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from _sites import progress

FIRST_QUERIES = 5
WARMUP = 10
MEASURED = 50
TYPE_DELAY_MS = 80
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]

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


@contextmanager
def fresh_page(browser, url: str, init: str | None = None, watch: Callable | None = None) -> Iterator:
    """A page at ``url`` in a fresh browser context (``init``: a script run before the page's own;
    ``watch(context)``: called before the page opens)."""
    context = browser.new_context()
    if init:
        context.add_init_script(init)
    if watch:
        watch(context)
    try:
        page = context.new_page()
        page.goto(url, wait_until="load")
        yield page
    finally:
        context.close()


def recorded(browser, url: str, act: Callable, init: str | None = None) -> tuple[Any, int, list[str]]:
    """``act(page)`` on a fresh page at ``url``: its result and the search bytes sent until it returned."""
    recorders: list[SearchBytes] = []
    with fresh_page(browser, url, init, watch=lambda context: recorders.append(SearchBytes(context))) as page:
        result = act(page)
        recorders[0].stop()
        total, files = recorders[0].wire_bytes()
    return result, total, files


def measure_first(out: Browsing, browser, url: str, first: list[str], timeout_ms: int, tool: str, script: str,
                  init: str | None = None) -> None:
    """Each first query on a fresh page at ``url``: the search bytes it cost, into ``out``."""
    for i, q in enumerate(first):
        (started, result), total, files = recorded(
            browser, url, lambda page: (time.perf_counter(), page.evaluate(script, [q, timeout_ms])), init)
        if result["ms"] is None:
            out.failures += 1
            progress(f"  {tool} first query {q!r}: no results rendered within {timeout_ms} ms")
        out.first_kb.append(total / 1024)
        shown = (f"{len(result['results'])} results" if tool == "deflect"
                 else f"results after {time.perf_counter() - started:.1f}s")
        progress(f"  {tool} first query {i + 1}/{len(first)} {q!r}: {total / 1024:.1f} KB in {len(files)} files, {shown}")


def measure_deflect(browser, base: str, queries: list[str], timeout_ms: int) -> Browsing:
    out = Browsing()
    page_url = base + "en/"
    first, rest = queries[:FIRST_QUERIES], queries[FIRST_QUERIES:]
    measure_first(out, browser, page_url, first, timeout_ms, "deflect", DEFLECT_QUERY)

    def typed(page, q: str) -> bool:
        input_ = page.locator("[data-deflect-search-input]")
        input_.click()
        input_.press_sequentially(q, delay=TYPE_DELAY_MS)
        try:
            page.wait_for_function("q => document.querySelector('[data-deflect-search]').getAttribute('data-deflect-ready') === q",
                                   arg=q, timeout=timeout_ms)
        except Exception:  # noqa: BLE001
            return False
        return True

    for i, q in enumerate(first):
        ready, total, files = recorded(browser, page_url, lambda page: typed(page, q))
        if not ready:
            out.failures += 1
        out.typed_kb.append(total / 1024)
        progress(f"  deflect typed query {i + 1}/{len(first)} {q!r}: {total / 1024:.1f} KB in {len(files)} files")
    warm, measured = rest[:WARMUP], rest[WARMUP:WARMUP + MEASURED]
    # The same warm-up and queries twice, each time in a fresh context (so with the same shards
    # cached): once through the search box, once through window.deflectSearch.search() alone.
    for engine in (False, True):
        with fresh_page(browser, page_url) as page:
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
    progress(f"  deflect latencies (ms, sorted): {' '.join(f'{x:.0f}' for x in sorted(out.latencies))}")
    progress(f"  deflect search() alone (ms, sorted): {' '.join(f'{x:.1f}' for x in sorted(out.engine))}")
    return out


def measure_material(browser, base: str, queries: list[str], timeout_ms: int) -> Browsing:
    out = Browsing()
    first, rest = queries[:FIRST_QUERIES], queries[FIRST_QUERIES:]
    measure_first(out, browser, base, first, timeout_ms, "material", MATERIAL_QUERY, MATERIAL_INIT)
    warm, measured = rest[:WARMUP], rest[WARMUP:WARMUP + MEASURED]
    with fresh_page(browser, base, MATERIAL_INIT) as page:
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
    progress(f"  material latencies (ms, sorted): {' '.join(f'{x:.0f}' for x in sorted(out.latencies))}")
    return out


def run_queries(browser, base: str, queries: list[dict], script: str, missing: str,
                init: str | None = None) -> list[dict]:
    """Each query's in-page result (``script``), run on its language's home page (one page per
    language, in one context); ``missing``: the progress line for a query without results, with
    ``{q}`` and ``{lang}`` in it."""
    context = browser.new_context()
    if init:
        context.add_init_script(init)
    pages: dict[str, object] = {}
    results = []
    for query in queries:
        lang = query["lang"]
        if lang not in pages:
            pages[lang] = context.new_page()
            pages[lang].goto(f"{base}{lang}/", wait_until="load")  # type: ignore[attr-defined]
        result = pages[lang].evaluate(script, [query["q"], 30_000])  # type: ignore[attr-defined]
        if result["ms"] is None:
            progress(missing.format(q=repr(query["q"]), lang=lang))
        results.append(result)
    context.close()
    return results
