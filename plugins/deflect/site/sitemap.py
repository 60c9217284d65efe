"""Write the site's sitemap (with language alternates) from the plan's pages; no MkDocs here."""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from .plan import SitePlan


def sitemap_entries(plan: SitePlan, pages: Iterable[tuple[str, str]], site_url: str,
                    url: Callable[[str], str]) -> list[dict[str, Any]]:
    """One entry per built page, given as (site path, URL); ``url`` maps a site path to its URL."""
    site_url = site_url.rstrip("/")
    urls = []
    for site_path, page_url in pages:
        planned = plan.page_for(site_path)
        if planned.light:
            continue  # noindex: the source article is listed, with its real alternates
        page_url = "" if page_url in ("./", ".") else page_url
        entry: dict[str, Any] = {"loc": f"{site_url}/{page_url}",
                                 "lastmod": planned.updated.isoformat() if planned.updated else None,
                                 "alternates": []}
        alternates = [alt for alt in plan.alternates(planned) if alt.translated]
        if len(alternates) > 1:
            entry["alternates"] = [(alt.lang, f"{site_url}/{url(alt.site_path)}") for alt in alternates]
        urls.append(entry)
    return urls


def write_sitemap(site_dir: Path, urls: list[dict[str, Any]]) -> None:
    """Write ``sitemap.xml`` and its gzip copy (no timestamp inside, so rebuilds are byte-identical)."""
    from xml.sax.saxutils import escape, quoteattr

    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">']
    for entry in urls:
        lines.append(f"  <url>\n    <loc>{escape(entry['loc'])}</loc>")
        if entry["lastmod"]:
            lines.append(f"    <lastmod>{entry['lastmod']}</lastmod>")
        for lang, href in entry["alternates"]:
            lines.append(f'    <xhtml:link rel="alternate" hreflang={quoteattr(lang)} href={quoteattr(href)}/>')
        lines.append("  </url>")
    lines.append("</urlset>\n")
    data = "\n".join(lines).encode("utf-8")
    (site_dir / "sitemap.xml").write_bytes(data)
    (site_dir / "sitemap.xml.gz").write_bytes(gzip.compress(data, mtime=0))
