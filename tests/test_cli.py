"""The ``deflect`` command: ``new`` on a help center in tmp_path, ``build`` on the repository's example."""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import copy_example, make_help_center, replace_placeholders, run_check
from deflect.cli import main
from deflect.helpcenter import HelpCenter

ROOT = Path(__file__).resolve().parent.parent


def deflect(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


# --- deflect new -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("article", "articles/en/some-title.md"),
        ("howto", "articles/en/some-title.md"),
        ("troubleshooting", "articles/en/some-title.md"),
        ("faq", "faq/en/some-title.md"),
    ],
)
def test_new_creates_file_that_passes_check(tmp_path: Path, kind: str, expected: str) -> None:
    config = make_help_center(tmp_path)
    result = deflect("new", kind, "Some title", "--category", "account", "--config", str(config))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == expected
    text = (tmp_path / expected).read_text(encoding="utf-8")
    assert text.startswith("---\ntitle: Some title\n")
    assert "category: account\n" in text
    if kind != "faq":
        assert f"type: {kind}\n" in text
    # Untouched, the scaffold's placeholder text cannot be published ...
    run = run_check(tmp_path, "--strict")
    assert run.exit_code == 1
    assert run.lines and all(line.startswith(f"{expected}:") and "placeholder" in line for line in run.lines), run.lines
    # ... and once the author has written the text, the file passes.
    replace_placeholders(tmp_path / expected)
    run = run_check(tmp_path, "--strict")
    assert run.exit_code == 0, run.lines
    assert run.lines == []


def test_new_finds_mkdocs_yml_from_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_help_center(tmp_path)
    (tmp_path / "articles" / "en").mkdir(parents=True, exist_ok=True)
    monkeypatch.chdir(tmp_path / "articles" / "en")
    result = deflect("new", "article", "Change your email", "--category", "account", "--lang", "hr")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "articles/hr/change-your-email.md"
    assert (tmp_path / "articles/hr/change-your-email.md").is_file()


def test_the_readmes_new_article_in_croatian_passes_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's own command: a new Croatian article with no English source is a Croatian original."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = 'deflect new article "Cancel an order" --category orders --lang hr'
    assert command in readme
    copy_example(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = deflect("new", "article", "Cancel an order", "--category", "orders", "--lang", "hr")
    assert result.exit_code == 0, result.output
    created = tmp_path / result.stdout.strip()
    assert created == tmp_path / "articles/hr/cancel-an-order.md"
    assert "original: true\n" in created.read_text(encoding="utf-8")
    run = run_check(tmp_path)
    assert [line for line in run.lines if "cancel-an-order" in line and "placeholder" not in line] == []
    replace_placeholders(created)
    run = run_check(tmp_path)
    assert run.exit_code == 0, run.lines


def test_new_in_another_language_with_an_existing_source_name_points_to_translation_of(tmp_path: Path) -> None:
    config = make_help_center(tmp_path)
    source = next(p for p in sorted((tmp_path / "articles" / "en").glob("*.md"))
                  if not (tmp_path / "articles" / "hr" / p.name).exists())
    title = source.read_text(encoding="utf-8").split("title: ", 1)[1].splitlines()[0].strip()
    result = deflect("new", "article", title, "--category", "account", "--lang", "hr", "--config", str(config))
    assert result.exit_code == 1
    assert f"--translation-of {source.stem}" in result.stderr
    assert not (tmp_path / "articles" / "hr" / source.name).exists()


def test_placeholder_text_left_in_a_file_is_an_error_on_its_line(tmp_path: Path) -> None:
    from deflect.content.scaffold import PLACEHOLDER_LINES

    config = make_help_center(tmp_path)
    result = deflect("new", "article", "Pair a sensor", "--category", "account", "--config", str(config))
    path = tmp_path / result.stdout.strip()
    replace_placeholders(path)
    text = path.read_text(encoding="utf-8") + "\n" + PLACEHOLDER_LINES[1] + "\n"
    path.write_text(text, encoding="utf-8")
    line = len(text.splitlines())
    run = run_check(tmp_path)
    assert run.exit_code == 1
    assert run.lines == [f"articles/en/pair-a-sensor.md:{line}: placeholder text from 'deflect new' is still here: "
                         "replace it with the real text"]


def test_placeholder_text_quoted_in_a_code_block_is_not_an_error(tmp_path: Path) -> None:
    from deflect.content.scaffold import PLACEHOLDER_LINES

    config = make_help_center(tmp_path)
    result = deflect("new", "article", "Pair a sensor", "--category", "account", "--config", str(config))
    path = tmp_path / result.stdout.strip()
    replace_placeholders(path)
    path.write_text(path.read_text(encoding="utf-8") + "\n```text\n" + PLACEHOLDER_LINES[1] + "\n```\n", encoding="utf-8")
    run = run_check(tmp_path)
    assert [line for line in run.lines if "placeholder" in line] == [], run.lines


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("What's new – 2025?", "whats-new-2025"),
        ("Use snake_case names", "use-snake-case-names"),
        ("Hello -", "hello"),
        ("Wi‑Fi: 2.4 GHz only", "wifi-24-ghz-only"),
    ],
)
def test_new_makes_a_valid_slug_from_any_title(tmp_path: Path, title: str, slug: str) -> None:
    config = make_help_center(tmp_path)
    result = deflect("new", "article", title, "--category", "orders", "--config", str(config))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"articles/en/{slug}.md"
    replace_placeholders(tmp_path / result.stdout.strip())
    run = run_check(tmp_path)
    assert run.exit_code == 0, run.lines


def test_new_refuses_to_overwrite(tmp_path: Path) -> None:
    config = make_help_center(tmp_path)
    args = ("new", "article", "Some title", "--category", "account", "--config", str(config))
    assert deflect(*args).exit_code == 0
    path = tmp_path / "articles/en/some-title.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nEdited by hand.\n", encoding="utf-8")
    before = path.read_bytes()

    result = deflect(*args)
    assert result.exit_code == 1
    assert "articles/en/some-title.md already exists" in result.stderr
    assert "pick another title or edit that file" in result.stderr
    assert path.read_bytes() == before


def test_new_refuses_to_overwrite_existing_article(tmp_path: Path) -> None:
    config = make_help_center(tmp_path)
    before = (tmp_path / "articles/en/sign-in.md").read_bytes()
    result = deflect("new", "article", "Sign in", "--category", "account", "--config", str(config))
    assert result.exit_code == 1
    assert "articles/en/sign-in.md already exists" in result.stderr
    assert (tmp_path / "articles/en/sign-in.md").read_bytes() == before


def test_new_unknown_category(tmp_path: Path) -> None:
    config = make_help_center(tmp_path)
    result = deflect("new", "article", "Some title", "--category", "billing", "--config", str(config))
    assert result.exit_code == 1
    assert "unknown category 'billing': use one of account, orders" in result.stderr
    assert not (tmp_path / "articles/en/some-title.md").exists()


def test_new_without_category_lists_them(tmp_path: Path) -> None:
    config = make_help_center(tmp_path)
    result = deflect("new", "article", "Some title", "--config", str(config))
    assert result.exit_code == 1
    assert "choose a category with --category: account, orders" in result.stderr


def test_new_unknown_language(tmp_path: Path) -> None:
    config = make_help_center(tmp_path)
    result = deflect("new", "article", "Some title", "--category", "account", "--lang", "de", "--config", str(config))
    assert result.exit_code == 1
    assert "unknown language 'de': use one of en, hr" in result.stderr


def test_search_rejects_an_unknown_language_before_any_work(tmp_path: Path) -> None:
    config = make_help_center(tmp_path)
    result = deflect("search", "password", "--lang", "xx", "--config", str(config))
    assert result.exit_code == 1
    assert result.stderr == "Error: unknown language 'xx': this help center has en, hr\n"  # no "indexing…" first
    assert not HelpCenter.open(config, history=False).cache_dir.exists()  # nothing was indexed
    result = deflect("search", "password", "--lang", "hr", "--config", str(config))
    assert result.exit_code == 0 and result.stderr == "indexing…\n"
    assert HelpCenter.open(config, history=False).cache_dir.exists()


def test_new_empty_title(tmp_path: Path) -> None:
    config = make_help_center(tmp_path)
    result = deflect("new", "article", "   ", "--category", "account", "--config", str(config))
    assert result.exit_code == 1
    assert "the title is empty" in result.stderr


# --- deflect build -----------------------------------------------------------------------------


def _site_text(site: Path) -> dict[Path, str]:
    """Every file of a built site as text (gzip files unpacked), to search it."""
    texts = {}
    for path in site.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        texts[path] = data.decode("utf-8", errors="replace")
    return texts


@pytest.fixture(scope="module")
def example_sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The repository's example built publicly and for agents (both with deflect/search)."""
    base = tmp_path_factory.mktemp("builds")
    builds = {
        "public": (base / "public", ROOT / "mkdocs.yml", []),
        "internal": (base / "internal", ROOT / "mkdocs.yml", ["--internal"]),
    }
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NO_MKDOCS_2_WARNING", "1")
        mp.delenv("DEFLECT_AUDIENCE", raising=False)
        mp.delenv("DEFLECT_SITE_DIR", raising=False)
        for name, (site, config, extra) in builds.items():
            result = deflect("build", *extra, "--site-dir", str(site), "--config", str(config))
            assert result.exit_code == 0, result.output
            kind = "internal" if extra else "public"
            assert f"built {kind} site in {site}" in result.stdout
    return {name: site for name, (site, _, _) in builds.items()}


@pytest.fixture(scope="module")
def internal_documents() -> list:
    center = HelpCenter.open(ROOT, history=False).content
    docs = [doc for doc in center.documents if doc.is_internal]
    assert any(doc.rel_path == "articles/en/refund-exceptions.md" for doc in docs)
    return docs


@pytest.mark.slow
def test_internal_build_contains_internal_articles(example_sites: dict[str, Path], internal_documents: list) -> None:
    site = example_sites["internal"]
    page = site / "en" / "returns" / "refund-exceptions" / "index.html"
    assert page.is_file(), sorted(p.relative_to(site).as_posix() for p in site.rglob("refund-exceptions*"))
    assert "Refund exceptions: guidelines for agents" in page.read_text(encoding="utf-8")
    index = "".join(gzip.decompress(p.read_bytes()).decode() for p in (site / "search" / "en" / "d").glob("*.json.gz"))
    assert "Refund exceptions: guidelines for agents" in index
    texts = _site_text(site)
    for doc in internal_documents:
        assert any(doc.title in text for text in texts.values()), doc.rel_path
        assert list(site.rglob(f"{doc.slug}*")), doc.rel_path


@pytest.mark.slow
def test_public_build_leaves_internal_articles_out_everywhere(example_sites: dict[str, Path],
                                                            internal_documents: list) -> None:
    site = example_sites["public"]
    assert (site / "en" / "index.html").is_file()
    texts = _site_text(site)
    assert any(path.name == "sitemap.xml.gz" for path in texts)
    assert (site / "search" / "manifest.json").is_file()
    for doc in internal_documents:
        for path, text in texts.items():
            assert doc.title not in text, (doc.rel_path, path)
            assert f"/{doc.slug}/" not in text and f"{doc.slug}.md" not in text, (doc.rel_path, path)
        assert not list(site.rglob(f"{doc.slug}*")), doc.rel_path


def test_new_translation_uses_the_source_file_name_and_category(tmp_path: Path) -> None:
    config = make_help_center(tmp_path)
    source = next(p for p in sorted((tmp_path / "articles" / "en").glob("*.md"))
                  if not (tmp_path / "articles" / "hr" / p.name).exists())
    result = deflect("new", "article", "Ποιο άρθρο", "--lang", "hr", "--translation-of", source.stem,
                     "--config", str(config))
    assert result.exit_code == 0, result.output
    created = tmp_path / "articles" / "hr" / source.name
    assert result.stdout.strip() == created.relative_to(tmp_path).as_posix()
    replace_placeholders(created)
    assert run_check(tmp_path).exit_code == 0


def test_new_with_a_title_that_gives_no_file_name_says_how_to_fix_it(tmp_path: Path) -> None:
    config = make_help_center(tmp_path)
    result = deflect("new", "article", "Σύνδεση", "--category", "account", "--config", str(config))
    assert result.exit_code == 1
    assert "cannot make a file name" in result.stderr and "--translation-of" in result.stderr


@pytest.mark.parametrize(("config", "message"), [
    ("extra:\n  contact:\n    email: a@example.com\n", "extra.contact in mkdocs.yml has moved"),
    ("", "contact.hours has unknown language(s) de: use en, hr"),
])
def test_contact_details_have_one_place_and_known_languages(tmp_path: Path, config: str, message: str) -> None:
    mkdocs_yml = make_help_center(tmp_path, options="contact:\n  email: a@example.com\n  hours: {en: '9-5', de: '9-5'}"
                                  if not config else "")
    if config:
        mkdocs_yml.write_text(mkdocs_yml.read_text(encoding="utf-8") + config, encoding="utf-8")
    result = deflect("build", "--config", str(mkdocs_yml), "--site-dir", str(tmp_path / "site"))
    assert result.exit_code == 1
    assert message in result.output


def test_placeholder_text_in_an_internal_draft_is_a_warning(tmp_path: Path) -> None:
    config = make_help_center(tmp_path)
    result = deflect("new", "article", "Pair a sensor", "--category", "account", "--config", str(config))
    path = tmp_path / result.stdout.strip()
    path.write_text(path.read_text(encoding="utf-8").replace("audience: public", "audience: internal"), encoding="utf-8")
    run = run_check(tmp_path)
    assert run.exit_code == 0 and run.lines and all("warning: " in line and "placeholder" in line for line in run.lines)
    assert run_check(tmp_path, "--strict").exit_code == 1


def test_preview_banner_hides_the_database_password(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture,
                                                    tmp_path: Path) -> None:
    import logging

    import mkdocs.commands.serve

    from deflect.mkdocs_plugins import preview as preview_module

    def serve(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(preview_module, "start_collector", lambda *args: object())
    monkeypatch.setattr(preview_module, "stop", lambda process: None)
    monkeypatch.setattr(mkdocs.commands.serve, "serve", serve)
    monkeypatch.setattr(logging.getLogger("mkdocs"), "handlers", [logging.NullHandler()])  # add no handler
    monkeypatch.setenv(preview_module.COLLECTOR_ENV, "")  # restored after the test: preview() sets it
    preview_module.preview(tmp_path / "mkdocs.yml", host="127.0.0.1", port=8000, collector_port=8765,
                           db_url="postgresql://deflect:s3cret@db.example:5432/feedback")
    err = capsys.readouterr().err
    assert "s3cret" not in err
    assert "postgresql://deflect:***@db.example:5432/feedback" in err


def test_a_large_load_says_how_far_it_is_on_standard_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A command that loads 1,000 files or more prints the load's progress on stderr, never into its report."""
    from deflect import processes

    config = copy_example(tmp_path)
    quiet = deflect("check", str(config))
    assert "loading content" not in quiet.stderr  # the example's files: too few to report on
    monkeypatch.setattr(processes, "PROGRESS_MIN_ITEMS", 10)  # as a large help center
    monkeypatch.setenv(processes.PROGRESS_ENV, "0.000001")
    loud = deflect("check", str(config))
    assert loud.exit_code == quiet.exit_code and loud.stdout == quiet.stdout
    assert "deflect: loading content: " in loud.stderr and " files in " in loud.stderr


def test_a_large_search_analysis_says_how_far_it_is_on_standard_error(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A command whose search has many documents to analyse, translate for and index (a first run, or
    the first after an upgrade: minutes at 10,000 articles) prints how far it is on stderr, and a run
    that finds them all in the cache says nothing of them; the results stay as they are."""
    from deflect import processes

    config = copy_example(tmp_path)
    monkeypatch.setattr(processes, "PROGRESS_MIN_ITEMS", 10)  # as a large help center
    monkeypatch.setenv(processes.PROGRESS_ENV, "0.000001")
    loud = deflect("search", "lozinka", "--lang", "hr", "--json", "--config", str(config))
    assert loud.exit_code == 0, loud.output
    assert re.search(r"deflect: search: analysing: [\d,]+ of [\d,]+ documents \(\d+%\), \d+ s in", loud.stderr)
    assert re.search(r"deflect: search: analysing: [\d,]+ documents in \d+\.\d s", loud.stderr)
    assert re.search(r"deflect: search: term translations: [\d,]+ documents in \d+\.\d s", loud.stderr)
    assert re.search(r"deflect: search: indexing: [\d,]+ documents in \d+\.\d s", loud.stderr)
    quiet = deflect("search", "lozinka", "--lang", "hr", "--json", "--config", str(config))  # analysed: cached
    assert "search:" not in quiet.stderr and json.loads(quiet.stdout) == json.loads(loud.stdout)


# --- deflect prepare ---------------------------------------------------------------------------


def _built_on(machine: Path, config: Path, site: Path) -> dict[str, int]:
    """Build in another process (whose dictionaries come from nothing this test process holds) with
    ``machine`` as Deflect's cache on the machine; what it holds afterwards (name → modification time)."""
    env = {**os.environ, "DEFLECT_MACHINE_CACHE": str(machine), "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(site)],
                          env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return {path.name: path.stat().st_mtime_ns for path in (machine / "lemmas").iterdir()}


@pytest.mark.slow
def test_prepare_fills_the_machine_cache_with_all_a_first_build_would(tmp_path: Path, monkeypatch) -> None:
    config = make_help_center(tmp_path / "hc", languages=("en", "hr", "et"))
    config.write_text(config.read_text(encoding="utf-8") + "  - deflect/search\n", encoding="utf-8")
    # What a first build on an unprepared machine keeps there
    unprepared = _built_on(tmp_path / "first", config, tmp_path / "site1")
    assert {"en.pickle.zst", "hbs.pickle.zst", "et.pickle.zst", "terms-hr.pickle.zst"} <= set(unprepared)
    # deflect prepare keeps the same; a first build after it reads them and writes none again
    monkeypatch.setenv("DEFLECT_MACHINE_CACHE", str(tmp_path / "prepared"))
    result = deflect("prepare", "--config", str(config))
    assert result.exit_code == 0, result.output
    assert "prepared" in result.stdout and "en, hr, et" in result.stdout
    assert "hr: lemma dictionary hbs, ready" in result.stderr
    kept = {path.name: path.stat().st_mtime_ns for path in (tmp_path / "prepared" / "lemmas").iterdir()}
    # (and the terms of et's lemmas, which a first build does not need: no article is in Estonian yet)
    assert set(unprepared) <= set(kept) and set(kept) - set(unprepared) <= {"terms-et.pickle.zst"}
    shutil.rmtree(config.parent / ".deflect")  # a cold build
    assert _built_on(tmp_path / "prepared", config, tmp_path / "site2") == kept
    # Run again: read back, nothing rewritten; the search pages of both builds are the same
    assert deflect("prepare", "--config", str(config)).exit_code == 0
    assert {path.name: path.stat().st_mtime_ns for path in (tmp_path / "prepared" / "lemmas").iterdir()} == kept
    first, second = (_site_text(tmp_path / site) for site in ("site1", "site2"))
    assert {path.relative_to(tmp_path / "site1"): text for path, text in first.items()} == {
        path.relative_to(tmp_path / "site2"): text for path, text in second.items()}


def test_prepare_says_what_stops_it(tmp_path: Path, monkeypatch) -> None:
    config = make_help_center(tmp_path / "hc")
    monkeypatch.setenv("DEFLECT_MACHINE_CACHE", "off")
    result = deflect("prepare", "--config", str(config))
    assert result.exit_code == 1 and "cache on this machine is off" in result.output
    (tmp_path / "a-file").write_text("not a folder")
    monkeypatch.setenv("DEFLECT_MACHINE_CACHE", str(tmp_path / "a-file"))
    result = deflect("prepare", "--config", str(config))
    assert result.exit_code == 1 and "could not keep" in result.output and "writable" in result.output
    monkeypatch.setenv("DEFLECT_MACHINE_CACHE", str(tmp_path / "machine"))
    (tmp_path / "hc" / "locales").mkdir()
    (tmp_path / "hc" / "locales" / "hr.yml").write_text("analysis: [broken\n", encoding="utf-8")
    result = deflect("prepare", "--config", str(config))
    assert result.exit_code == 1 and "locales/hr.yml:" in result.output
