"""Hostile or careless content (issue 14, parts 2 and 4): internal text never leaks, a second
translation is never half-published, YAML cannot exhaust the build, ``new`` never makes a file
name that ``check`` rejects."""

from __future__ import annotations

import gzip
import json
import posixpath
import re
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import article, make_help_center, replace_placeholders, run_check, write
from deflect.cli import main
from deflect.helpcenter import HelpCenter
from deflect.content.loader import RESERVED_SLUGS
from deflect.content.markdown_scan import MAX_BODY_NESTING, find_too_deep
from deflect.content.scaffold import MAX_SLUG, slug_for
from deflect.content.yamlsafe import ALIAS_BUDGET, MAX_DEPTH, YamlLimitError, load_yaml
from deflect.search.documents import page_url, search_documents
from deflect.search.query import SynonymError, load_synonyms
from deflect.site.plan import SitePlan

SECRET = "ZQX-INTERNAL-7f3a9c"
"""Written only in internal articles and their translations: must appear nowhere in a public build."""


def deflect(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def build(root: Path, *extra: str) -> Result:
    return deflect("build", "--config", str(root / "mkdocs.yml"), "--site-dir", str(root / "site"), *extra)


def center_of(root: Path, *, internal: bool = False):
    return HelpCenter.open(root, internal=internal, history=False).content


def internal(title: str, *, audience: str | None = "internal", extra: str = "", category: str = "account") -> str:
    lines = [f"audience: {audience}"] if audience else []
    if extra:
        lines.append(extra)
    return article(f"{title} {SECRET}", category=category, extra="\n".join(lines),
                   body=f"Agents only: {SECRET} escalation codes.\n\n## Steps {{#steps}}\n\nCall {SECRET}.\n")


# --- YAML limits -------------------------------------------------------------------------------


def alias_bomb(levels: int = 9) -> str:
    """The billion-laughs pattern: nine aliases per level, nine levels (387 million values)."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]")
    return "\n".join(lines)


def test_alias_bomb_in_front_matter_is_a_fast_path_line_error(center: Path) -> None:
    bomb = alias_bomb()
    write(center, "articles/en/bomb.md", f"---\ntitle: Bomb\nsummary: S.\ncategory: account\n{bomb}\n---\nText.\n")
    started = time.perf_counter()
    run = run_check(center)
    elapsed = time.perf_counter() - started
    assert run.exit_code == 1
    # a0 is on line 5; the budget runs out within the first levels, long before a8 on line 13.
    [line] = run.find("articles/en/bomb.md:")
    assert re.match(r"articles/en/bomb\.md:(\d+): invalid YAML in front matter: aliases expand to more than", line)
    assert 6 <= int(line.split(":")[1]) <= 13
    assert elapsed < 1.0, elapsed


def test_alias_bomb_in_categories_yml(center: Path) -> None:
    path = center / "articles/categories.yml"
    path.write_text(path.read_text(encoding="utf-8") + alias_bomb() + "\n", encoding="utf-8")
    started = time.perf_counter()
    run = run_check(center)
    assert time.perf_counter() - started < 1.0
    assert run.exit_code == 1
    lines = run.find("articles/categories.yml:")
    assert lines and "aliases expand to more than" in lines[0], run.lines
    # The wrapper used to read categories.yml must not shift the line: a0 is the file's 10th line.
    first = CATEGORIES_LINES + 1
    assert first < int(lines[0].split(":")[1]) <= first + 8


CATEGORIES_LINES = 9  # lines of conftest.CATEGORIES


def test_alias_bomb_in_synonyms_yml(tmp_path: Path) -> None:
    path = write(tmp_path, "search/synonyms.yml", "en:\n  - [refund, money back]\n" + alias_bomb() + "\n")
    started = time.perf_counter()
    with pytest.raises(SynonymError, match=r"synonyms\.yml:\d+: not valid YAML: aliases expand"):
        load_synonyms(path)
    assert time.perf_counter() - started < 1.0


def test_flow_sequences_nested_3000_deep(center: Path) -> None:
    deep = "[" * 3000 + "]" * 3000
    write(center, "articles/en/deep.md", f"---\ntitle: Deep\nsummary: S.\ncategory: account\ntags: {deep}\n---\nText.\n")
    started = time.perf_counter()
    run = run_check(center)
    assert time.perf_counter() - started < 1.0
    assert run.exit_code == 1
    assert run.find("articles/en/deep.md:5: invalid YAML in front matter: nested more than "
                    f"{MAX_DEPTH} levels deep"), run.lines


def nested_block_list(levels: int) -> str:
    return "\n".join("  " * level + "-" for level in range(levels)) + " x"


def test_block_list_nested_600_deep_fails_check_and_build_with_one_line(center: Path) -> None:
    write(center, "articles/en/deep.md",
          f"---\ntitle: Deep\nsummary: S.\ncategory: account\ntags:\n{nested_block_list(600)}\n---\nText.\n")
    run = run_check(center)
    assert run.exit_code == 1
    # tags: is line 5, its first item line 6; level MAX_DEPTH + 1 of the document is the list item
    # on line 5 + MAX_DEPTH.
    assert run.find(f"articles/en/deep.md:{5 + MAX_DEPTH}: invalid YAML in front matter: nested more than"), run.lines
    for extra in ((), ("--strict",)):
        result = build(center, *extra)
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output and "RecursionError" not in result.output
        assert f"articles/en/deep.md:{5 + MAX_DEPTH}: invalid YAML in front matter: nested more than" in result.output


def test_recursive_alias_is_refused(center: Path) -> None:
    write(center, "articles/en/loop.md", "---\ntitle: Loop\nsummary: S.\ncategory: account\ntags: &t [a, *t]\n---\nText.\n")
    run = run_check(center)
    assert run.find("articles/en/loop.md:5: invalid YAML in front matter: alias '*t' refers to a list or mapping")


def test_ordinary_aliases_and_depth_still_load() -> None:
    assert load_yaml("base: &b {title: T}\nother: *b\nlist: [*b, *b]\n") == {
        "base": {"title": "T"}, "other": {"title": "T"}, "list": [{"title": "T"}, {"title": "T"}]}
    deep = "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)
    assert load_yaml(f"x: {deep}")["x"] is not None
    # The budget counts expanded values: just under it loads, just over it does not.
    assert load_yaml(f"a: &a {list(range(ALIAS_BUDGET // 2 - 1))}\nb: [*a]\n")["b"]
    with pytest.raises(YamlLimitError):
        load_yaml(f"a: &a {list(range(ALIAS_BUDGET // 2))}\nb: [*a, *a, *a]\n")


# --- audience is inherited ---------------------------------------------------------------------


def test_translation_without_audience_of_internal_article_is_internal(center: Path) -> None:
    write(center, "articles/en/agents-only.md", internal("Agents only"))
    write(center, "articles/hr/agents-only.md", internal("Samo agenti", audience=None))
    write(center, "articles/en/playbook.md", internal("Playbook"))
    write(center, "articles/hr/prirucnik.md", internal("Priručnik", audience=None, extra="translation_of: playbook"))
    write(center, "faq/en/agent-question.md",
          f"---\ntitle: Agent question {SECRET}?\ncategory: account\naudience: internal\n---\nAnswer {SECRET}.\n")
    write(center, "faq/hr/agent-question.md", f"---\ntitle: Pitanje {SECRET}?\ncategory: account\n---\nOdgovor {SECRET}.\n")
    run = run_check(center)
    assert run.exit_code == 0, run.lines
    center_model = center_of(center)
    by_path = {doc.rel_path: doc for doc in center_model.documents}
    for rel in ("articles/hr/agents-only.md", "articles/hr/prirucnik.md", "faq/hr/agent-question.md"):
        assert by_path[rel].is_internal, rel
        assert by_path[rel] not in center_model.published_documents()
    assert not any(SECRET in doc.title for doc in center_model.published_documents())
    # The agents' build still has them.
    internal_center = center_of(center, internal=True)
    assert sum(SECRET in doc.title for doc in internal_center.published_documents()) == 6


@pytest.mark.parametrize("how", ["same-slug", "translation_of"])
def test_translation_declaring_public_of_internal_article_is_an_error_in_every_mode(center: Path, how: str) -> None:
    write(center, "articles/en/agents-only.md", internal("Agents only"))
    if how == "same-slug":
        rel = "articles/hr/agents-only.md"
        write(center, rel, internal("Samo agenti", audience="public"))
    else:
        rel = "articles/hr/samo-agenti.md"
        write(center, rel, internal("Samo agenti", audience="public", extra="translation_of: agents-only"))
    # article(): title, summary, category, reviewed on lines 2-5, then audience on line 6.
    expected = f"{rel}:6: audience 'public' on a translation of an internal article (articles/en/agents-only.md)"
    run = run_check(center)
    assert run.exit_code == 1
    assert run.find(expected), run.lines
    center_model = center_of(center)
    assert next(d for d in center_model.documents if d.rel_path == rel).is_internal
    for extra in ((), ("--strict",)):
        result = build(center, *extra)
        assert result.exit_code == 1, result.output
        assert expected in result.output
        assert "Traceback" not in result.output
    assert not (center / "site" / "hr" / "account" / f"{Path(rel).stem}").exists()


def test_public_page_linking_to_internal_article_stops_the_public_build(center: Path) -> None:
    write(center, "articles/en/agents-only.md", internal("Agents only"))
    write(center, "articles/en/sign-in.md", article("Sign in", body="Intro.\n\nAgents: see [rules](agents-only.md).\n"))
    write(center, "faq/en/who.md", "---\ntitle: Who?\ncategory: account\n---\nSee [rules](../../articles/en/agents-only.md).\n")
    run = run_check(center)
    assert run.exit_code == 1
    assert run.find("articles/en/sign-in.md:9: link to internal article 'agents-only.md' from a public page")
    assert run.find("faq/en/who.md:5: link to internal article '../../articles/en/agents-only.md'")
    result = build(center)
    assert result.exit_code == 1, result.output
    assert "the public site is not built" in result.output
    assert "articles/en/sign-in.md:9: link to internal article" in result.output
    assert not (center / "site" / "en" / "account" / "sign-in" / "index.html").exists()
    # Agents may link to their own articles: the internal build succeeds.
    result = build(center, "--internal")
    assert result.exit_code == 0, result.output


def test_site_plan_never_keeps_an_internal_address(center: Path) -> None:
    """Even if a build went ahead, a link to an internal article loses its target in the public plan."""
    write(center, "articles/en/agents-only.md", internal("Agents only"))
    write(center, "articles/en/sign-in.md", article("Sign in", body="Intro.\n\nAgents: see [rules](agents-only.md#steps).\n"))
    center_model = center_of(center)
    plan = SitePlan(center_model)
    markdown = "\n".join(page.markdown for page in plan.pages.values())
    assert "agents-only" not in markdown and SECRET not in markdown
    assert "[rules]()" in plan.pages["en/account/sign-in.md"].markdown


# --- a second translation into one language ----------------------------------------------------


def test_second_translation_by_translation_of_is_an_error(center: Path) -> None:
    write(center, "articles/hr/druga-lozinka.md",
          article("Druga lozinka", extra="translation_of: reset-password", body=f"Druga {SECRET}.\n"))
    run = run_check(center)
    assert run.exit_code == 1
    # Sorted file order: druga-lozinka.md is read before reset-password.md, so the latter is second.
    assert run.find("articles/hr/reset-password.md:1: second hr translation of 'reset-password' "
                    "(first: articles/hr/druga-lozinka.md)"), run.lines


def test_two_files_with_translation_of_the_same_source(center: Path) -> None:
    write(center, "articles/hr/prijava.md", article("Prijava", extra="translation_of: sign-in"))
    write(center, "articles/hr/ulaz.md", article("Ulaz", extra="translation_of: sign-in"))
    run = run_check(center)
    assert run.exit_code == 1
    assert run.find("articles/hr/ulaz.md:6: second hr translation of 'sign-in' (first: articles/hr/prijava.md)"), run.lines
    result = build(center)
    assert result.exit_code == 1
    assert "articles/hr/ulaz.md:6: second hr translation of 'sign-in'" in result.output


def test_only_published_pages_are_indexed(center: Path) -> None:
    """Duplicates (a second translation, a second file with one slug) and internal documents
    never reach the search records: every record's URL is a page of the site plan."""
    write(center, "articles/hr/prijava.md", article("Prijava", extra="translation_of: sign-in"))
    write(center, "articles/hr/ulaz.md", article("Ulaz", extra="translation_of: sign-in", body=f"Ulaz {SECRET}.\n"))
    write(center, "articles/hr/zz-old/reset-password.md", article("Duplikat", body=f"Duplikat {SECRET}.\n"))
    write(center, "articles/en/agents-only.md", internal("Agents only"))
    write(center, "articles/hr/agents-only.md", internal("Samo agenti", audience=None))
    center_model = center_of(center)
    plan = SitePlan(center_model)
    records = search_documents(center_model)
    pages = {page_url(path) for path in plan.pages}
    assert records
    for record in records:
        assert record.url.split("#")[0] in pages, record.url
        assert SECRET not in record.title + record.body, record.url
    assert {r.url for r in records if r.lang == "hr"} >= {"hr/account/prijava/", "hr/account/reset-password/"}


# --- deflect new -------------------------------------------------------------------------------


def test_new_with_a_300_character_title_writes_a_capped_slug(tmp_path: Path) -> None:
    config = make_help_center(tmp_path)
    title = " ".join(["Configure"] + ["the-wireless-bridge mode"] * 13)[:300].strip()
    title = (title + " extra words at the end" * 3)[:300]
    assert len(title) == 300
    result = deflect("new", "article", title, "--category", "account", "--config", str(config))
    assert result.exit_code == 0, result.output
    rel = result.stdout.strip()
    slug = Path(rel).stem
    assert rel == f"articles/en/{slug}.md" and (tmp_path / rel).is_file()
    assert 40 < len(slug) <= MAX_SLUG and not slug.endswith("-")
    # Cut at a word boundary: the slug is a prefix of the full slug, ending where a word ended.
    full = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    assert full.startswith(slug) and full[len(slug)] == "-"
    assert f"{rel}:2: the title has 300 characters" in result.stderr
    # The only thing check has to say is about the title's length, never the file name.
    run = run_check(tmp_path)
    assert [line for line in run.lines if line.startswith(rel) and "placeholder" not in line] == [
        f"{rel}:2: front-matter key 'title': String should have at most 200 characters"]


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("x" * 300, "x" * MAX_SLUG),  # one endless word: cut inside it
        ("a " + "b" * 200, "a-" + "b" * (MAX_SLUG - 2)),  # a word boundary too early to be useful
        ("word " * 70, "-".join(["word"] * 16)),  # cut between words, no trailing hyphen
        ("Index " + "y" * 100, "index-" + "y" * (MAX_SLUG - 6)),
    ],
    ids=["one-word", "early-boundary", "many-words", "reserved-prefix"],
)
def test_slug_for_long_titles(title: str, expected: str) -> None:
    assert slug_for(title, "article") == expected


@pytest.mark.parametrize("reserved", sorted(RESERVED_SLUGS))
@pytest.mark.parametrize("kind", ["article", "howto", "troubleshooting", "faq"])
def test_new_never_makes_a_reserved_slug(tmp_path: Path, reserved: str, kind: str) -> None:
    config = make_help_center(tmp_path)
    result = deflect("new", kind, reserved.upper(), "--category", "account", "--config", str(config))
    assert result.exit_code == 0, result.output
    slug = Path(result.stdout.strip()).stem
    if kind != "faq":
        assert slug not in RESERVED_SLUGS and slug.startswith(reserved + "-")
    replace_placeholders(tmp_path / result.stdout.strip())
    run = run_check(tmp_path, "--strict")
    assert run.exit_code == 0, run.lines


def test_new_refuses_a_name_used_in_a_subfolder(tmp_path: Path) -> None:
    config = make_help_center(tmp_path)
    write(tmp_path, "articles/en/billing/refunds.md", article("Refunds", category="orders"))
    result = deflect("new", "article", "Refunds", "--category", "orders", "--config", str(config))
    assert result.exit_code == 1
    assert "articles/en/billing/refunds.md already has the file name 'refunds.md'" in result.stderr
    assert not (tmp_path / "articles/en/refunds.md").exists()
    assert run_check(tmp_path).exit_code == 0


def test_new_translation_refuses_a_second_translation(tmp_path: Path) -> None:
    config = make_help_center(tmp_path)
    write(tmp_path, "articles/hr/prijava.md", article("Prijava", extra="translation_of: sign-in"))
    result = deflect("new", "article", "Ulaz", "--lang", "hr", "--translation-of", "sign-in", "--config", str(config))
    assert result.exit_code == 1
    assert "articles/hr/prijava.md is already the hr translation of 'sign-in'" in result.stderr
    assert not (tmp_path / "articles/hr/sign-in.md").exists()


# --- the whole public site, scanned ------------------------------------------------------------


def _site_files(site: Path) -> dict[str, str]:
    texts = {}
    for path in site.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if path.suffix == ".gz":
                data = gzip.decompress(data)
            texts[path.relative_to(site).as_posix()] = data.decode("utf-8", errors="replace")
    return texts


def _exists(site: Path, url: str) -> bool:
    path = url.split("#", 1)[0]
    target = site / path
    return (target / "index.html").is_file() if (not path or path.endswith("/")) else target.is_file()


@pytest.mark.slow
def test_public_build_leaks_nothing_internal_and_indexes_only_real_pages(tmp_path: Path) -> None:
    make_help_center(tmp_path)
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_url: https://help.example/\n" + config.read_text(encoding="utf-8") + "  - deflect/search\n",
                      encoding="utf-8")
    write(tmp_path, "articles/en/agents-only.md", internal("Agents only"))
    write(tmp_path, "articles/hr/agents-only.md", internal("Samo agenti", audience=None))
    write(tmp_path, "articles/en/playbook.md", internal("Playbook", category="orders"))
    write(tmp_path, "articles/hr/prirucnik.md",
          internal("Priručnik", audience=None, category="orders", extra="translation_of: playbook"))
    write(tmp_path, "faq/en/agent-question.md",
          f"---\ntitle: Agent question {SECRET}?\ncategory: account\naudience: internal\n---\nAnswer {SECRET}.\n")
    write(tmp_path, "faq/hr/agent-question.md", f"---\ntitle: Pitanje {SECRET}?\ncategory: account\n---\nOdgovor {SECRET}.\n")
    # A second file with one slug is an error but not fatal: the build goes on without it.
    write(tmp_path, "articles/hr/zz-old/reset-password.md", article("Duplikat", body=f"Duplikat {SECRET} lozinka.\n"))
    # Enough public articles sharing words for related-article lists.
    for n in range(4):
        write(tmp_path, f"articles/en/router-tip-{n}.md", article(
            f"Router tip {n}", category="orders", body=f"Restart the router and the hub, tip {n}.\n"))
        write(tmp_path, f"articles/hr/router-tip-{n}.md", article(
            f"Savjet {n}", category="orders", body=f"Ponovno pokrenite usmjerivač i čvorište, savjet {n}.\n"))

    result = build(tmp_path)
    assert result.exit_code == 0, result.output
    site = tmp_path / "site"
    files = _site_files(site)
    assert any(name.startswith("search/") and name.endswith(".json.gz") for name in files)
    assert "sitemap.xml" in files and "sitemap.xml.gz" in files
    for name, text in files.items():
        assert SECRET not in text, name
        for slug in ("agents-only", "playbook", "prirucnik", "agent-question"):
            assert slug not in text, (slug, name)
        assert "Duplikat" not in text, name
    assert not [p for p in site.rglob("*") if any(s in p.name for s in ("agents-only", "playbook", "prirucnik"))]

    # Every URL in the search index exists in the built site.
    urls: set[str] = set()
    for name, text in files.items():
        if not (name.startswith("search/") and name.endswith(".json.gz")):
            continue
        data = json.loads(text)
        if "/d/" in name or "/c/" in name:  # document records, result card files
            urls.update(entry[0] for entry in data)
        else:  # a term shard: the cards of its terms' best documents
            urls.update(entry[0] for entry in data["d"].values())
    assert "hr/account/reset-password/" in urls and "en/account/faq/#how-long-is-a-link-valid" in urls
    assert [url for url in urls if not _exists(site, url)] == []
    # So does every address in the sitemap (pages and their language alternates).
    listed = set(re.findall(r'(?:<loc>|href=")https://help\.example/([^<"]*)', files["sitemap.xml"]))
    assert "hr/account/reset-password/" in listed
    assert [url for url in listed if not _exists(site, url)] == []

    # Every related-article link points at a page of the site.
    related = 0
    for name, text in files.items():
        if not name.endswith(".html"):
            continue
        block = re.search(r'<nav class="deflect-related".*?</nav>', text, re.S)
        if not block:
            continue
        for href in re.findall(r'href="([^"]+)"', block.group(0)):
            related += 1
            target = posixpath.normpath(posixpath.join(posixpath.dirname(name), href))
            assert _exists(site, target + ("/" if href.endswith("/") else "")), (name, href)
    assert related > 0


def test_hand_written_page_linking_to_internal_article_stops_the_public_build(center: Path) -> None:
    write(center, "articles/en/agents-only.md", internal("Agents only"))
    write(center, "docs/en/about.md", "# About\n\nAgents read [the rules](../../articles/en/agents-only.md).\n")
    run = run_check(center)
    assert run.exit_code == 1
    assert run.find("docs/en/about.md:3: link to internal article '../../articles/en/agents-only.md'"), run.lines
    result = build(center)
    assert result.exit_code == 1
    assert "docs/en/about.md:3: link to internal article" in result.output
    assert not (center / "site" / "en" / "about").exists()


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("\n".join("    " * level + "- item" for level in range(600)), MAX_BODY_NESTING + 1,
         f"lists, quotes or indented blocks nested {MAX_BODY_NESTING + 1} levels deep"),
        ("\n".join("  " * level + "- item" for level in range(600)), MAX_BODY_NESTING + 1, "nested"),
        ("Intro.\n\n" + "*" * 3000 + "x" + "*" * 3000, 3, "a run of 3000 '*' characters"),
        ("Intro.\n\n" + "[a " * 100 + "x" + "]" * 100, 3, "'[' brackets nested in one paragraph"),
    ],
    ids=["list-600-4-spaces", "list-600-2-spaces", "stars-3000", "brackets-100"],
)
def test_body_nested_too_deep_is_a_path_line_error_not_a_crash(center: Path, body: str, line: int, message: str) -> None:
    """Python-Markdown recurses per level: these bodies crashed (or stalled) the build while check passed."""
    write(center, "articles/en/deep.md", article("Deep", body=body + "\n"))
    started = time.perf_counter()
    run = run_check(center)
    assert time.perf_counter() - started < 1.0
    assert run.exit_code == 1
    # article(): the body starts on line 7.
    [problem] = run.find("articles/en/deep.md:")
    assert problem.startswith(f"articles/en/deep.md:{6 + line}: ") and message in problem, problem
    result = build(center)
    assert result.exit_code == 1
    assert f"articles/en/deep.md:{6 + line}: " in result.output
    assert "Traceback" not in result.output and "RecursionError" not in result.output


def test_hand_written_page_nested_too_deep(center: Path) -> None:
    write(center, "docs/en/about.md", "# About\n\n" + "\n".join("    " * level + "- item" for level in range(600)) + "\n")
    run = run_check(center)
    assert run.find(f"docs/en/about.md:{2 + MAX_BODY_NESTING + 1}: lists, quotes or indented blocks nested"), run.lines


def test_check_reports_an_alias_bomb_in_synonyms_yml(center: Path) -> None:
    config = center / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "  - deflect/search\n", encoding="utf-8")
    write(center, "search/synonyms.yml", "en:\n  - [refund, money back]\n" + alias_bomb() + "\n")
    started = time.perf_counter()
    run = run_check(center)
    assert time.perf_counter() - started < 2.0
    assert run.exit_code == 1
    [line] = run.find("search/synonyms.yml:")
    assert re.match(r"search/synonyms\.yml:(\d+): not valid YAML: aliases expand to more than", line), line
    result = build(center)
    assert result.exit_code == 1
    assert "synonyms.yml:" in result.output and "aliases expand to more than" in result.output
    assert "Traceback" not in result.output


def test_bracket_nesting_limit_is_exact() -> None:
    """Paragraphs with few brackets are skipped unwalked; the limit itself stays at MAX_BODY_NESTING."""
    at_limit = "[" * MAX_BODY_NESTING + "x" + "]" * MAX_BODY_NESTING
    over = "[" * (MAX_BODY_NESTING + 1) + "x" + "]" * (MAX_BODY_NESTING + 1)
    assert find_too_deep("Intro.\n\n" + at_limit) is None
    assert find_too_deep("[a] " * 100) is None  # many brackets, none nested
    found = find_too_deep("Intro.\n\n" + over)
    assert found is not None and found[0] == 3 and "brackets nested" in found[1]
