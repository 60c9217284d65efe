"""The page cache in ``.deflect/pages-<audience>/`` and the front matter kept in ``.deflect/``:
damaged entries are rebuilt, unused ones pruned, and a warm build checks links like a cold one."""

from __future__ import annotations

import re
import shutil
from types import SimpleNamespace
from pathlib import Path

import pytest
import yaml
from conftest import make_help_center
from mkdocs.utils.meta import get_data

from deflect.content import load_help_center
from deflect.content.settings import load_settings
from deflect.escaping import Markup
from deflect.mkdocs_plugins.build import build_site
from deflect.mkdocs_plugins.pagecache import PageReuse
from deflect.site.page_source import front_matter, page_source
from deflect.site.plan import SitePage
from deflect.site.pagecache import PageCache, SharedDigests, make_key, theme_fingerprint


def test_entries_round_trip_and_damaged_ones_read_as_misses(tmp_path: Path) -> None:
    cache = PageCache(tmp_path / "pages")
    cache.put("a", ("<p>x</p>", ["toc"]))
    cache.put("b", "output")
    cache.finish()
    again = PageCache(tmp_path / "pages")
    assert again.get("a") == ("<p>x</p>", ["toc"]) and again.get("b") == "output"
    again.packed["b"] = again.packed["b"][:5]  # one truncated entry
    assert again.get("b") is None and again.get("a") is not None
    for pack in (tmp_path / "pages").glob("pages-*.pack"):
        pack.write_bytes(pack.read_bytes()[:-20])  # a truncated pack, as by a crash or a full disk
    damaged = PageCache(tmp_path / "pages")
    assert damaged.get("a") is None and damaged.get("b") is None and damaged.get("never") is None
    assert (damaged.hits, damaged.misses) == (0, 3)
    damaged.put("a", "again")
    damaged.finish()
    assert PageCache(tmp_path / "pages").get("a") == "again"


def test_entries_the_last_build_did_not_use_are_pruned(tmp_path: Path) -> None:
    cache = PageCache(tmp_path / "pages")
    for key in ("old", "kept"):
        cache.put(key, key)
    cache.finish()
    cache = PageCache(tmp_path / "pages")
    assert cache.get("kept") == "kept"
    cache.put("new", "new")
    cache.finish()
    assert sorted(PageCache(tmp_path / "pages").packed) == ["kept", "new"]
    unchanged = PageCache(tmp_path / "pages")
    mtimes = {path: path.stat().st_mtime_ns for path in (tmp_path / "pages").iterdir()}
    assert unchanged.get("kept") == "kept" and unchanged.get("new") == "new"
    unchanged.finish()  # nothing new, nothing dropped: no pack is written again
    assert {path: path.stat().st_mtime_ns for path in (tmp_path / "pages").iterdir()} == mtimes


def test_an_edit_rewrites_only_the_packs_of_the_entries_it_changed(tmp_path: Path) -> None:
    keys = [make_key("page", str(number)) for number in range(600)]
    cache = PageCache(tmp_path / "pages")
    for key in keys:
        cache.put(key, key)
    cache.finish()
    packs = sorted((tmp_path / "pages").glob("pages-*.pack"))
    assert len(packs) > 100  # spread by key, not one file
    mtimes = {path.name: path.stat().st_mtime_ns for path in packs}
    edited = PageCache(tmp_path / "pages")
    for key in keys[1:]:
        assert edited.get(key) == key
    edited.put(make_key("page", "edited"), "edited")  # keys[0] is replaced by a new entry
    edited.finish()
    after = {path.name: path.stat().st_mtime_ns for path in (tmp_path / "pages").glob("pages-*.pack")}
    changed = {name for name in after.keys() | mtimes.keys() if after.get(name) != mtimes.get(name)}
    assert changed <= {f"pages-{keys[0][:2]}.pack", f"pages-{make_key('page', 'edited')[:2]}.pack"} and changed
    again = PageCache(tmp_path / "pages")
    assert again.get(keys[0]) is None and again.get(make_key("page", "edited")) == "edited"
    assert all(again.get(key) == key for key in keys[1:])


def test_theme_key_follows_template_contents_not_times(tmp_path: Path) -> None:
    partial = tmp_path / "overrides" / "partials" / "copyright.html"
    partial.parent.mkdir(parents=True)
    partial.write_text("<p>one</p>", encoding="utf-8")
    first = theme_fingerprint([str(tmp_path / "overrides")])
    partial.touch()
    shutil.copytree(tmp_path / "overrides", tmp_path / "clone")  # a fresh clone elsewhere
    assert theme_fingerprint([str(tmp_path / "overrides")]) == first == theme_fingerprint([str(tmp_path / "clone")])
    partial.write_text("<p>two</p>", encoding="utf-8")
    assert theme_fingerprint([str(tmp_path / "overrides")]) != first


def test_front_matter_kept_in_deflect_folder_and_a_damaged_file_is_ignored(tmp_path: Path) -> None:
    config = make_help_center(tmp_path / "p")
    settings = load_settings(config)
    cache_dir = tmp_path / "p" / ".deflect"
    cold, problems = load_help_center(settings, cache_dir=cache_dir)
    assert (cache_dir / "frontmatter.pickle").is_file()
    (cache_dir / "frontmatter.pickle").write_bytes(b"\x80\x05garbage")
    warm, warm_problems = load_help_center(settings, cache_dir=cache_dir)
    assert [d.front for d in warm.documents] == [d.front for d in cold.documents] and warm_problems == problems
    article = tmp_path / "p" / "articles" / "en" / "sign-in.md"
    article.write_text(article.read_text(encoding="utf-8").replace("title: ", "title: New "), encoding="utf-8")
    edited, _ = load_help_center(settings, cache_dir=cache_dir)
    assert any(doc.title.startswith("New ") for doc in edited.documents)


@pytest.mark.slow
def test_a_warm_build_warns_about_links_like_a_cold_one(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A hand-written page's Markdown does not change, so its render is reused; but its link to a
    missing page is still reported, and so is its link to a section that disappears meanwhile."""
    config = make_help_center(tmp_path / "p")
    config.write_text(config.read_text(encoding="utf-8") + "\nvalidation:\n  anchors: warn\n", encoding="utf-8")
    (tmp_path / "p" / "docs").mkdir(exist_ok=True)
    (tmp_path / "p" / "docs" / "about.md").write_text(
        "# About\n\nSee [passkeys](en/account/sign-in.md#passkeys) and [gone](gone.md).\n", encoding="utf-8")
    missing = "Doc file 'about.md' contains a link 'gone.md', but the target is not found"
    no_anchor = "Doc file 'about.md' contains a link 'en/account/sign-in.md#passkeys', but the doc"
    with caplog.at_level("INFO", logger="mkdocs"):
        build_site(config, tmp_path / "first", quiet=True)
    assert missing in caplog.text and no_anchor not in caplog.text
    sign_in = tmp_path / "p" / "articles" / "en" / "sign-in.md"
    sign_in.write_text(sign_in.read_text(encoding="utf-8").replace("{#passkeys}", "{#keys}"), encoding="utf-8")
    caplog.clear()
    with caplog.at_level("INFO", logger="mkdocs"):
        build_site(config, tmp_path / "warm", quiet=True)
    reused = re.search(r"(\d+) unchanged page steps reused", caplog.text)
    assert reused is not None and int(reused.group(1)) > 0
    assert missing in caplog.text and no_anchor in caplog.text


@pytest.mark.parametrize("title", ['Plain', 'Colon: "quotes" # hash', "Back\\slash\ttab\nline", "Ünïcödé 😀 汉字",
                                   "ctrl\x01\x7f\x85\x9f", "sep\u2028arator\u2029", "- starts: like a list", "null",
                                   "'single'", "{braces} [brackets] &anchor *alias !tag %"])
def test_generated_front_matter_reads_back_as_written(title: str) -> None:
    meta = {"title": title, "hide": ["navigation", "toc"], "description": title + " (summary)"}
    assert yaml.safe_load(front_matter(meta)) == meta


@pytest.mark.parametrize("markdown", ["", "Body\n", "\n\nKey: looks like meta\n\ntext\n", "Key: value\n    more\n\nBody",
                                      "---\ntitle: inner\n---\n", "line\r\nwith a carriage return\r"])
@pytest.mark.parametrize("title", ["Plain", "ctrl\x01\x7f\x85\u2028", "null", "Title: colon"])
def test_a_generated_page_reads_as_it_did_with_front_matter(markdown: str, title: str) -> None:
    """MkDocs reads a generated page's source (without front matter) to the same Markdown, and the
    plugin's meta is what MkDocs read from the front matter these sources carried before."""
    page = SitePage("en/index.md", "en", "home", Markup(title), markdown=markdown, description=title + " (summary)",
                    light=True)
    meta = {"title": title, "hide": ["navigation", "toc"], "template": "deflect-fallback.html",
            "description": title + " (summary)"}
    before = get_data("---\n" + front_matter(meta) + "---\n\n" + markdown)
    source, given = page_source(page)
    body, parsed = get_data(source)
    if given is not None:
        assert parsed == {} and all(type(value) is not Markup for value in given.values())
        parsed = given
    assert (body, parsed) == before
    assert (given is None) == ("\r" in markdown)


def test_a_page_key_follows_the_shared_strings_it_shows(tmp_path: Path) -> None:
    """The interface strings many pages share are written into keys once per build, by identity:
    other strings still give another key; an equal copy, the same one."""
    reuse = PageReuse(tmp_path / "cache", serve=True)
    page = SimpleNamespace(url="en/a/", file=SimpleNamespace(src_uri="en/a.md"), title="A", meta={},
                           canonical_url=None, toc=[], previous_page=None, next_page=None, parent=None,
                           edit_url=None, ancestors=[], is_homepage=False, content="<p>Body</p>")
    strings = {"search": "Search", "helpful": "Was this helpful?"}

    def key(shown: dict[str, str], lang: str = "en") -> str:
        return reuse.output_key({"deflect": {"strings": shown, "lang": lang}}, page, "main.html")  # type: ignore[arg-type]

    first = key(strings)
    assert key(strings) == first == key(dict(strings))
    assert key({**strings, "search": "Find"}) != first
    assert key(strings, "hr") != first
    reuse.shared = SharedDigests()  # a new build: a value changed since is written again
    strings["search"] = "Look up"
    assert key(strings) != first
