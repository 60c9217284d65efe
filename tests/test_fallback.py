"""Untranslated articles in every language: the three fallback modes, deletions, and the reuse of
unchanged pages between ``mkdocs serve`` rebuilds."""

from __future__ import annotations

import logging
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import make_help_center

from deflect.content.settings import SettingsError, fallback_mode
from deflect.mkdocs_plugins.build import BuildFailed, build_site

SITE_URL = "https://help.test.example/"
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}


def project(root: Path, mode: str | None) -> Path:
    config = make_help_center(root, options=f"fallback: {mode}" if mode else "")
    # A translated page links to a section of the untranslated one: a strict build checks the anchor.
    translated = root / "articles" / "hr" / "reset-password.md"
    translated.write_text(translated.read_text(encoding="utf-8") + "\nVidi [Prijava](../en/sign-in.md#passkeys).\n",
                          encoding="utf-8")
    config.write_text(f"site_url: {SITE_URL}\n" + config.read_text(encoding="utf-8"), encoding="utf-8")
    return config


def sitemap(site: Path) -> dict[str, list[tuple[str, str]]]:
    """loc → [(hreflang, href)] of every sitemap entry."""
    root = ET.fromstring((site / "sitemap.xml").read_bytes())
    return {url.findtext("s:loc", namespaces=NS) or "": [(link.get("hreflang") or "", link.get("href") or "")
                                                          for link in url.findall("x:link", NS)]
            for url in root.findall("s:url", NS)}


def html(site: Path, path: str) -> str:
    return (site / path / "index.html").read_text(encoding="utf-8")


def test_fallback_option_values() -> None:
    assert fallback_mode(True) == "light"
    assert fallback_mode("link") == "link"
    assert fallback_mode(False) is False
    with pytest.raises(SettingsError, match="full, light, link or false"):
        fallback_mode("copy")
    # The same values as the option check of mkdocs.yml (check_option): no quoted "off" alias here only.
    with pytest.raises(SettingsError, match="full, light, link or false"):
        fallback_mode("off")


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["light", "full", "link", None])
def test_untranslated_article_in_every_mode(tmp_path: Path, mode: str | None) -> None:
    site = tmp_path / "site"
    build_site(project(tmp_path / "p", mode), site, strict=True, quiet=True)
    mode = mode or "light"
    source_url = f"{SITE_URL}en/account/sign-in/"

    # Listed in its category with a language badge, linked to a page that exists.
    category = html(site, "hr/account")
    item = re.search(r'<a href="([^"]+)">Sign in</a>\s*<span class="deflect-badge" lang="en">', category)
    assert item, category
    target = (site / "hr" / "account" / item.group(1)).resolve()
    assert (target / "index.html").is_file()
    expected = site / ("en" if mode == "link" else "hr") / "account" / "sign-in"
    assert target == expected.resolve()

    entries = sitemap(site)
    assert entries[source_url] == [], "an untranslated article has no hreflang alternates"
    assert ("hr", f"{SITE_URL}hr/account/reset-password/") in entries[f"{SITE_URL}en/account/reset-password/"]
    if mode == "link":
        assert not (site / "hr" / "account" / "sign-in").exists()
        assert f"{SITE_URL}hr/account/sign-in/" not in entries
        return

    page = html(site, "hr/account/sign-in")
    assert 'data-deflect-notice="fallback"' in page
    assert "nije dostupan" in page, "the notice is in the reader's language"
    assert f'<link rel="canonical" href="{source_url}">' in page
    assert 'href="../../../en/account/sign-in/" hreflang="en"' in page, "the notice links to the source"
    assert "Tap <strong>Passkey</strong>" in page and 'id="passkeys"' in page, "the article text is shown"
    assert '<html lang="hr"' in page and 'class="deflect-content" lang="en"' in page
    if mode == "light":
        assert '<meta name="robots" content="noindex, follow">' in page
        assert f"{SITE_URL}hr/account/sign-in/" not in entries, "a noindex page stays out of the sitemap"
        assert len(page) < len(html(site, "en/account/sign-in")) / 2, "no Material page chrome"
    else:
        assert "noindex" not in page
        assert entries[f"{SITE_URL}hr/account/sign-in/"] == []


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["light", "link"])
def test_deleted_article_leaves_lists_and_sitemap(tmp_path: Path, mode: str) -> None:
    config = project(tmp_path / "p", mode)
    site = tmp_path / "site"
    build_site(config, site, quiet=True)
    assert ">Sign in</a>" in html(site, "hr/account") and ">Sign in</a>" in html(site, "en/account")
    root = config.parent
    (root / "articles" / "en" / "sign-in.md").unlink()
    reset = root / "articles" / "en" / "reset-password.md"
    reset.write_text(reset.read_text(encoding="utf-8").replace("See also [Sign in](sign-in.md#passkeys).\n", ""),
                     encoding="utf-8")
    build_site(config, site, quiet=True)
    for lang in ("en", "hr"):
        assert ">Sign in</a>" not in html(site, f"{lang}/account"), lang
        assert not (site / lang / "account" / "sign-in").exists(), lang
    assert not any("sign-in" in loc for loc in sitemap(site))


@pytest.mark.slow
def test_serve_rebuild_reuses_pages_and_equals_a_cold_build(tmp_path: Path) -> None:
    """Two rebuilds in one process with the plugins kept (as ``mkdocs serve`` does) give, after an
    edit, the same pages as a cold build of the edited tree."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config_file = project(tmp_path / "p", None)
    served = tmp_path / "served"
    config = load_config(str(config_file), site_dir=str(served))
    config.plugins.on_startup(command="serve", dirty=False)
    plugins = config.plugins
    build(config)
    first = {path: path.stat().st_mtime_ns for path in served.rglob("*.html")}
    edited = config_file.parent / "articles" / "en" / "sign-in.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("Tap **Passkey**.", "Tap **Use a passkey**."),
                      encoding="utf-8")
    again = load_config(str(config_file), site_dir=str(served))
    again.plugins = plugins
    build(again)
    content = plugins["deflect/content"]
    assert content.page_cache is not None and content.page_cache.cache.hits > 0, "unchanged pages were reused"
    kept = [path for path, mtime in first.items() if path.stat().st_mtime_ns == mtime]  # not written again
    assert content.kept_outputs is not None and len(kept) == len(content.kept_outputs.kept) > 0
    assert first[served / "en" / "account" / "sign-in" / "index.html"] != (
        served / "en" / "account" / "sign-in" / "index.html").stat().st_mtime_ns
    assert not list(config_file.parent.glob(".deflect/outputs-*/*")), "serve keeps its outputs' manifest in memory"
    cold = tmp_path / "cold"
    build_site(config_file, cold, quiet=True)
    shutil.rmtree(served / "search", ignore_errors=True)
    shutil.rmtree(cold / "search", ignore_errors=True)
    served_files = {p.relative_to(served).as_posix(): p.read_bytes() for p in served.rglob("*.html")}
    cold_files = {p.relative_to(cold).as_posix(): p.read_bytes() for p in cold.rglob("*.html")}
    assert sorted(served_files) == sorted(cold_files)
    assert [rel for rel in cold_files if served_files[rel] != cold_files[rel]] == []
    assert "Use a passkey" in (served / "hr" / "account" / "sign-in" / "index.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_light_fallback_page_has_its_languages_direction(tmp_path: Path) -> None:
    """An untranslated article shown in a right-to-left language's part of the site is laid out
    right to left, as that language's other pages are (the direction Material's base.html sets)."""
    root = tmp_path / "p"
    config = make_help_center(root, languages=("en", "ar"))
    shutil.rmtree(root / "articles" / "hr")
    categories = root / "articles" / "categories.yml"
    categories.write_text(categories.read_text(encoding="utf-8").replace("  hr:", "  ar:"), encoding="utf-8")
    site = tmp_path / "site"
    build_site(config, site, strict=True, quiet=True)
    fallback = html(site, "ar/account/sign-in")
    assert '<meta name="robots" content="noindex, follow">' in fallback, "a light fallback page"
    assert fallback.startswith("<!doctype html>\n<html lang=\"ar\"")
    assert re.findall(r"<body dir=\"(\w+)\"", fallback) == ["rtl"]
    assert re.findall(r"<body dir=\"(\w+)\"", html(site, "ar")) == ["rtl"], "as the language's other pages"
    assert re.findall(r"<body dir=\"(\w+)\"", html(site, "en/account/sign-in")) == ["ltr"]
    # the English text inside takes its own direction; a page in its own language has no dir of its own
    assert '<div class="deflect-content" lang="en" dir="auto">' in fallback
    assert 'class="deflect-content" lang="en">' in html(site, "en/account/sign-in")


HOOKS = '''
from pathlib import Path

def on_page_context(context, page, config, nav):
    with open(Path(config.config_file_path).parent / "seen.txt", "a", encoding="utf-8") as seen:
        seen.write(page.file.src_uri + "\\n")
'''


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["light", "full"])
def test_light_pages_are_written_by_deflect_with_links_and_anchors_checked(tmp_path: Path, mode: str,
                                                                             caplog: pytest.LogCaptureFixture) -> None:
    """A light fallback page that shows its source's HTML is written by deflect/content, not built by
    MkDocs as a page: other plugins' page events do not see it (``full`` pages they do), yet a link to it
    resolves to its address and the link's anchor is checked against its source's headings."""
    config = project(tmp_path / "p", mode)
    root = config.parent
    (root / "hooks.py").write_text(HOOKS, encoding="utf-8")
    config.write_text(config.read_text(encoding="utf-8") + "hooks:\n  - hooks.py\nvalidation:\n  anchors: warn\n",
                      encoding="utf-8")
    site = tmp_path / "site"
    build_site(config, site, strict=True, quiet=True)
    seen = set((root / "seen.txt").read_text(encoding="utf-8").split())
    assert {"en/account/sign-in.md", "hr/account/reset-password.md"} <= seen
    assert ("hr/account/sign-in.md" in seen) == (mode == "full")
    assert 'href="../sign-in/#passkeys"' in html(site, "hr/account/reset-password"), "the link reaches the hr page"
    page = html(site, "hr/account/sign-in")
    assert 'id="passkeys"' in page and 'data-deflect-notice="fallback"' in page

    translated = root / "articles" / "hr" / "reset-password.md"
    translated.write_text(translated.read_text(encoding="utf-8").replace("#passkeys)", "#no-such-part)"),
                          encoding="utf-8")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="mkdocs"), pytest.raises(BuildFailed, match="Aborted with 2 warnings"):
        build_site(config, tmp_path / "site2", strict=True, quiet=True)
    assert "broken anchor '#no-such-part'" in caplog.text  # deflect's own check, and MkDocs' on the page:
    assert "the doc 'hr/account/sign-in.md' does not contain an anchor '#no-such-part'" in caplog.text


@pytest.mark.slow
def test_a_light_page_whose_source_is_left_out_is_left_out_too(tmp_path: Path,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    """An English article excluded from the build (``exclude_docs``) has no page to show in /hr/ either:
    its light page is not written (it would be empty), the build says so and goes on."""
    config = project(tmp_path / "p", None)
    config.write_text(config.read_text(encoding="utf-8") + "exclude_docs: |\n  en/account/sign-in.md\n",
                      encoding="utf-8")
    site = tmp_path / "site"
    with caplog.at_level(logging.INFO, logger="mkdocs"):
        build_site(config, site, quiet=True)
    assert not (site / "en" / "account" / "sign-in").exists() and not (site / "hr" / "account" / "sign-in").exists()
    assert "hr/account/sign-in.md is not written: the article it shows, en/account/sign-in.md, is not built" in caplog.text
    assert (site / "hr" / "account" / "reset-password" / "index.html").is_file()
