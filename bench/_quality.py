"""The search benchmark's quality part: a Deflect copy and a plain Material copy of the example
help center, the query sets run on both in the browser, and the scoring (MRR, nDCG@10) and tables."""

from __future__ import annotations

import gzip
import json
import re
import statistics
from dataclasses import dataclass
from math import log2
from pathlib import Path

import yaml
from _browser import DEFLECT_QUERY, MATERIAL_INIT, MATERIAL_QUERY, run_queries
from _sites import StaticServer, copy_project, deflect_index_seconds, ensure_deflect_search, mkdocs_build, progress
from _synth import plain_material_config

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
CROSS_KIND = "crosslingual"

LINK_RE = re.compile(r"(?<!!)\[([^\]]+)\]\([^)]*\)")


def unlink(markdown: str) -> str:
    """Links reduced to their text: the copy's link targets would not exist."""
    return LINK_RE.sub(r"\1", markdown)


def make_example_projects(work: Path) -> tuple[Path, Path]:
    """A copy of the example help center (Deflect) and a plain Material copy of its content."""
    deflect = work / "example-deflect"
    deflect.mkdir(parents=True)
    copy_project(PROJECT, deflect)
    ensure_deflect_search(deflect / "mkdocs.yml")
    from deflect.content.model import DocumentKind
    from deflect.helpcenter import HelpCenter

    center = HelpCenter.open(deflect / "mkdocs.yml", history=False)
    languages = center.settings.codes

    material = work / "example-material"
    docs = material / "docs"
    # What the public site publishes: articles (the summary as their lead) and FAQ entries under faq/.
    for doc in center.content.published_documents():
        faq = doc.kind is DocumentKind.FAQ
        lead = f"{doc.summary}\n\n" if doc.summary and not faq else ""
        out = docs / doc.lang / doc.category / ("faq" if faq else "") / f"{doc.slug}.md"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(f"# {doc.title}\n\n{lead}{unlink(doc.source.body)}", encoding="utf-8")
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


def reachable_ids(search: Path) -> set[str]:
    """The article ids a search in each language can return: its own documents and the untranslated
    articles it reaches in the default language's index (the manifest's ``cross``), shown in its section."""
    manifest = json.loads((search / "manifest.json").read_text(encoding="utf-8"))
    urls: dict[str, list[str]] = {}
    for lang in manifest["languages"]:
        urls[lang] = [record[0] for chunk in sorted((search / lang / "d").glob("*.json.gz"),
                                                    key=lambda path: int(path.name.split(".")[0]))
                      for record in json.loads(gzip.decompress(chunk.read_bytes()))]
    known = {url_to_id(url, "") for lang_urls in urls.values() for url in lang_urls}
    for lang, entry in manifest["languages"].items():
        cross = entry.get("cross")
        if not cross:
            continue
        home = {n for start, end in cross.get("home", []) for n in range(start, end)}
        for start, end in cross["docs"]:
            for n in range(start, end):
                if n not in home:
                    known.add(lang + "/" + url_to_id(urls[cross["from"]][n], "").split("/", 1)[1])
    return known


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
    cli: list[str]
    """What ``deflect search`` gives (the Python engine on the same project)."""


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

    known = reachable_ids(deflect_site / "search")
    missing = sorted({r for q in queries for r in q["relevant"]} - known)
    if missing:
        progress(f"quality: WARNING relevant ids not in Deflect's index: {', '.join(missing)}")

    with StaticServer(deflect_site) as server:
        found = run_queries(browser, server.url, queries, DEFLECT_QUERY,
                            "quality: Deflect gave no results for {q} ({lang}) within 30 s")
        deflect_results = [[url_to_id(u, "") for u in result["results"]] for result in found]
    progress(f"quality: ran {len(queries)} queries on Deflect")
    material_results: list[tuple[list[str], list[str]]] = []
    with StaticServer(material_site) as server:
        found = run_queries(browser, server.url, queries, MATERIAL_QUERY,
                            "quality: Material gave no rendered results for {q} ({lang}) within 30 s", MATERIAL_INIT)
        for query, result in zip(queries, found):
            ranked = [url_to_id(u, server.url) for u in result["results"]]
            own = [url_to_id(group[0], "") for group in result["all"] if group]
            own = [doc for doc in own if doc.startswith(query["lang"] + "/")]
            material_results.append((ranked, own))
    progress(f"quality: ran {len(queries)} queries on Material")
    from deflect.helpcenter import HelpCenter
    service = HelpCenter.open(deflect_root / "mkdocs.yml", history=False, cache_dir=work / "cli-cache").search_service
    cli = [[url_to_id(hit.url, "") for hit in service.search(q["q"], q["lang"], 10)] for q in queries]
    progress(f"quality: ran {len(queries)} queries with deflect search")
    return [QualityRow(q["q"], q["lang"], q.get("kind", ""), q["relevant"], deflect_results[n],
                       material_results[n][0], material_results[n][1], q["q"] in acceptance, cli[n])
            for n, q in enumerate(queries)]


# ----- tables ----------------------------------------------------------------------------------


def table(header: tuple[str, ...], rows: list[tuple[str, ...]], left: tuple[int, ...] = (0,)) -> str:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(c.ljust(w) if i in left else c.rjust(w)
                                 for i, (c, w) in enumerate(zip(cells, widths))) + " |"

    rule = "|" + "|".join(("-" * (w + 2)) if i in left else ("-" * (w + 1) + ":") for i, w in enumerate(widths)) + "|"
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


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
    every = rows + crossing
    same = sum(1 for r in every if r.cli[:3] == r.deflect[:3])
    cli_rows = []
    for lang in groups:
        for label, subset in ((lang, [r for r in rows if r.lang == lang]),
                              (f"{lang} {CROSS_KIND}", [r for r in crossing if r.lang == lang])):
            if subset:
                cli = statistics.mean(reciprocal_rank(r.cli, r.relevant) for r in subset)
                browser = statistics.mean(reciprocal_rank(r.deflect, r.relevant) for r in subset)
                cli_rows.append((label, str(len(subset)), f"{cli:.3f}", f"{browser:.3f}"))
    text += (f"\n\n`deflect search` against the browser (the same first three results: {same} of {len(every)}):\n"
             + table(("queries", "n", "deflect search MRR", "browser MRR"), cli_rows))
    return text, ratios
