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
