"""The benchmarks' projects: bench/_quality.py copies the example for plain Material through ``HelpCenter``."""
from __future__ import annotations

import sys
from pathlib import Path

from deflect.helpcenter import HelpCenter

BENCH = Path(__file__).resolve().parent.parent / "bench"


def test_the_material_copy_holds_what_the_public_site_publishes(tmp_path: Path) -> None:
    sys.path.insert(0, str(BENCH))
    try:
        from _quality import make_example_projects
    finally:
        sys.path.remove(str(BENCH))
    deflect, material = make_example_projects(tmp_path)
    center = HelpCenter.open(deflect / "mkdocs.yml", history=False)
    published = center.content.published_documents()
    pages = {p.relative_to(material / "docs").as_posix() for p in (material / "docs").rglob("*.md")}
    assert len(pages) == len(published) + len(center.settings.codes) + 1  # + each language's home, the root
    assert "en/orders/refund-exceptions.md" not in pages and not any("refund-exceptions" in p for p in pages)
    faq = next(doc for doc in published if doc.is_faq)
    page = (material / "docs" / faq.lang / faq.category / "faq" / f"{faq.slug}.md").read_text(encoding="utf-8")
    assert page.startswith(f"# {faq.title}\n\n")
    body_links = [doc for doc in published if "](" in doc.source.body and "![" not in doc.source.body]
    article = next(doc for doc in body_links if not doc.is_faq)
    text = (material / "docs" / article.lang / article.category / f"{article.slug}.md").read_text(encoding="utf-8")
    assert text.startswith(f"# {article.title}\n\n{article.summary}\n\n") and "](" not in text  # links unlinked


def test_repeated_builds_report_each_measure_s_median_and_the_range_of_times() -> None:
    sys.path.insert(0, str(BENCH))
    try:
        from build import Result, median_result, table
    finally:
        sys.path.remove(str(BENCH))

    def run(tool: str, seconds: float, cpu: float, size: int) -> Result:
        return Result("400x12", tool, seconds, cpu, size, 10, 5, 1, "a.html", 1)

    material = median_result([run("material cold", s, c, 100) for s, c in ((8.0, 8.1), (12.4, 12.0), (9.0, 9.2))])
    assert (material.seconds, material.cpu, material.spread) == (9.0, 9.2, (8.0, 12.4))  # each its own median
    deflect = median_result([run("deflect+search cold", 13.0, 25.0, 190), run("deflect+search cold", 11.0, 23.0, 200)])
    assert (deflect.seconds, deflect.cpu, deflect.bytes, deflect.spread) == (12.0, 24.0, 200, (11.0, 13.0))
    assert median_result([run("material cold", 8.0, 8.0, 100)]).spread is None
    rows = table([material, deflect]).splitlines()
    assert "range s" in rows[0] and "8.0-12.4" in rows[2] and rows[3].split("|")[-4].strip() == "1.33"
