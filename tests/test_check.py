"""``deflect check`` on small help centers written into tmp_path: one test per kind of problem.

Each test asserts the exact ``path:line`` (the line of the offending key or link), a meaningful
part of the message and the exit code.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import article, make_help_center, run_check, write
from deflect.cli import main

X = "articles/en/x.md"


def only_problem(run, prefix: str) -> str:
    """The single problem line of the run; it must start with ``prefix`` (``path:line: ``)."""
    assert len(run.lines) == 1, run.lines
    assert run.lines[0].startswith(prefix), run.lines
    return run.lines[0]


# --- valid content -------------------------------------------------------------------------------


def test_valid_content_passes(center: Path) -> None:
    run = run_check(center)
    assert run.exit_code == 0, run.result.output
    assert run.lines == []
    assert not any("error" in line.lower() for line in run.lines)
    assert "4 files checked: 0 error(s), 0 warning(s)" in run.summary
    assert "hr 1/2" in run.summary


def test_valid_content_passes_strict(center: Path) -> None:
    run = run_check(center, "--strict")
    assert run.exit_code == 0, run.result.output


def test_console_script_check(center: Path) -> None:
    """The installed ``deflect`` command (or ``python -m deflect.cli``) in a real subprocess."""
    write(center, X, article("X", body="Text\n\nSee [gone](gone.md).\n"))
    exe = shutil.which("deflect")
    cmd = [exe] if exe else [sys.executable, "-m", "deflect.cli"]
    proc = subprocess.run([*cmd, "check"], cwd=center, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.splitlines() == [
        f"{X}:9: broken link 'gone.md': no such article, FAQ entry or page"
    ]
    assert "1 error(s)" in proc.stderr


# --- front matter ------------------------------------------------------------------------------


def test_missing_required_key(center: Path) -> None:
    write(center, X, "---\ntitle: X\ncategory: account\n---\nText\n")
    run = run_check(center)
    assert run.exit_code == 1
    line = only_problem(run, f"{X}:1: ")
    assert "missing required front-matter key 'summary'" in line


def test_unknown_key_with_suggestion(center: Path) -> None:
    # lines: 1 ---, 2 title, 3 summary, 4 category, 5 reviewed, 6 tagz
    write(center, X, article("X", extra="tagz: [password]"))
    run = run_check(center)
    assert run.exit_code == 1
    line = only_problem(run, f"{X}:6: ")
    assert "unknown front-matter key 'tagz'" in line
    assert "did you mean 'tags'?" in line


def test_unknown_key_without_close_match_lists_allowed_keys(center: Path) -> None:
    write(center, X, article("X", extra="owner: team-accounts\nzzzzzz: 1"))
    run = run_check(center)
    assert run.exit_code == 1
    line = only_problem(run, f"{X}:7: ")
    assert "unknown front-matter key 'zzzzzz'" in line
    assert "allowed:" in line and "summary" in line and "translation_of" in line


@pytest.mark.parametrize(
    ("extra", "reviewed", "lineno", "expected"),
    [
        ("owner: team-accounts\ntags: 5", "2026-01-01", 7, "front-matter key 'tags': Input should be a valid list"),
        ("", "not-a-date", 5, "front-matter key 'reviewed': expected a date as YYYY-MM-DD, got 'not-a-date'"),
        ("audience: secret", "2026-01-01", 6, "front-matter key 'audience': 'secret' is not allowed"),
        ("review_every: soon", "2026-01-01", 6, "front-matter key 'review_every': expected a number of days or a period"),
        ("tags: [password, sign-in]\ntopics: [Password Reset]", "2026-01-01", 7,
         "front-matter key 'topics': topic 'Password Reset' must be lowercase words joined by hyphens"),
    ],
    ids=["tags-number", "reviewed-text", "audience-enum", "review-every-text", "topic-not-slug"],
)
def test_wrong_type_names_the_key_line(center: Path, extra: str, reviewed: str, lineno: int, expected: str) -> None:
    write(center, X, article("X", extra=extra, reviewed=reviewed))
    run = run_check(center)
    assert run.exit_code == 1
    line = only_problem(run, f"{X}:{lineno}: ")
    assert expected in line


def test_wrong_type_in_list_item_names_the_item_line(center: Path) -> None:
    # lines: 5 reviewed, 6 tags:, 7 - ok, 8 - 5
    write(center, X, article("X", extra="tags:\n  - ok\n  - 5"))
    run = run_check(center)
    assert run.exit_code == 1
    line = only_problem(run, f"{X}:8: ")
    assert "front-matter key 'tags[1]'" in line


def test_impossible_date(center: Path) -> None:
    write(center, X, article("X", reviewed="2026-02-30"))
    run = run_check(center)
    assert run.exit_code == 1
    line = only_problem(run, f"{X}:5: ")
    assert "invalid value in front matter" in line and "day is out of range" in line


def test_invalid_yaml_reports_the_line(center: Path) -> None:
    # An unquoted colon in the title: YAML sees a second mapping on line 2.
    write(center, X, "---\ntitle: Reset: your password\nsummary: S\ncategory: account\n---\nText\n")
    run = run_check(center)
    assert run.exit_code == 1
    line = only_problem(run, f"{X}:2: ")
    assert "invalid YAML in front matter" in line
    assert "mapping values are not allowed" in line


def test_invalid_yaml_bad_indentation(center: Path) -> None:
    write(center, X, "---\ntitle: X\nsummary: S\ncategory: account\n  owner: team\n---\nText\n")
    run = run_check(center)
    assert run.exit_code == 1
    line = only_problem(run, f"{X}:5: ")
    assert "invalid YAML in front matter" in line


def test_unclosed_front_matter(center: Path) -> None:
    write(center, X, "---\ntitle: X\nsummary: S\ncategory: account\nText\n")
    run = run_check(center)
    assert run.exit_code == 1
    line = only_problem(run, f"{X}:1: ")
    assert "front matter is not closed" in line


def test_non_utf8_file(center: Path) -> None:
    # Latin-1 'é' on line 6 (the first body line).
    write(center, X, "---\ntitle: X\nsummary: S\ncategory: account\n---\nCaf\xe9 au lait\n".encode("latin-1"))
    run = run_check(center)
    assert run.exit_code == 1
    line = only_problem(run, f"{X}:6: ")
    assert "not valid UTF-8" in line and "0xe9" in line and "save the file with UTF-8 encoding" in line


def test_utf8_with_bom_and_crlf_is_fine(center: Path) -> None:
    text = article("Čestitka", body="Tekst s kvačicama: čćžšđ.\n").replace("\n", "\r\n")
    write(center, X, b"\xef\xbb\xbf" + text.encode("utf-8"))
    run = run_check(center)
    assert run.exit_code == 0, run.lines


def test_empty_file(center: Path) -> None:
    write(center, X, "")
    run = run_check(center)
    assert run.exit_code == 1
    line = only_problem(run, f"{X}:1: ")
    assert "empty file" in line


def test_empty_body(center: Path) -> None:
    write(center, X, article("X", body="\n\n"))
    run = run_check(center)
    assert run.exit_code == 1
    line = only_problem(run, f"{X}:7: ")  # front matter is lines 1-6
    assert "the text below the front matter is empty" in line


# --- layout ------------------------------------------------------------------------------------


def test_configured_language_without_folder(tmp_path: Path) -> None:
    make_help_center(tmp_path, languages=("en", "hr", "et"))
    shutil.rmtree(tmp_path / "articles" / "et")
    run = run_check(tmp_path)
    assert run.exit_code == 1
    line = only_problem(run, "articles/et:1: ")
    assert "missing language folder 'articles/et/'" in line and "'et'" in line


def test_folder_that_is_not_a_language(center: Path) -> None:
    write(center, "articles/de/x.md", article("X"))
    run = run_check(center)
    assert run.exit_code == 1
    line = only_problem(run, "articles/de:1: ")
    assert "folder 'de' is not a language listed in mkdocs.yml (en, hr)" in line


def test_duplicate_slug(center: Path) -> None:
    # Files are read in sorted path order; the later one of the two is reported, naming the first.
    write(center, "articles/en/more/sign-in.md", article("Sign in again"))
    run = run_check(center)
    assert run.exit_code == 1
    assert run.lines == [
        "articles/en/sign-in.md:1: duplicate slug 'sign-in': articles/en/more/sign-in.md has the same file name"
    ]


def test_unknown_category(center: Path) -> None:
    write(center, X, article("X", category="billing"))
    run = run_check(center)
    assert run.exit_code == 1
    line = only_problem(run, f"{X}:4: ")
    assert "unknown category 'billing'" in line and "account, orders" in line


def test_unquoted_comma_in_a_category_description_is_reported(center: Path) -> None:
    write(center, "articles/categories.yml",
          "account:\n  en: {title: Account, description: Sign in, keep it safe.}\n  hr: {title: Račun}\n"
          "orders:\n  en: {title: Orders}\n")
    run = run_check(center)
    assert run.exit_code == 1
    line = only_problem(run, "articles/categories.yml:2: ")
    assert "unknown key 'keep it safe.'" in line and "must be quoted" in line


# --- links -------------------------------------------------------------------------------------


def test_broken_link_to_missing_article(center: Path) -> None:
    # front matter lines 1-6, body: 7 "Intro.", 8 "", 9 "## Step", 10 "", 11 link
    write(center, X, article("X", body="Intro.\n\n## Step {#step}\n\nSee [the policy](return-policy.md).\n"))
    run = run_check(center)
    assert run.exit_code == 1
    line = only_problem(run, f"{X}:11: ")
    assert "broken link 'return-policy.md'" in line and "no such article" in line


def test_broken_link_from_faq(center: Path) -> None:
    write(center, "faq/en/how-long-is-a-link-valid.md",
          "---\ntitle: How long?\ncategory: account\n---\nOne hour.\nSee [it](../../articles/en/nope.md).\n")
    run = run_check(center)
    assert run.exit_code == 1
    line = only_problem(run, "faq/en/how-long-is-a-link-valid.md:6: ")
    assert "broken link '../../articles/en/nope.md'" in line


def test_broken_anchor_in_same_file(center: Path) -> None:
    write(center, X, article("X", body="Intro.\n\n## Step {#step}\n\nBack to [the step](#step) or [nope](#nope).\n"))
    run = run_check(center)
    assert run.exit_code == 1
    line = only_problem(run, f"{X}:11: ")
    assert "broken anchor '#nope'" in line and "in this file" in line


def test_broken_anchor_in_link_to_other_article(center: Path) -> None:
    write(center, X, article("X", body="Intro.\n\nSee [passkeys](sign-in.md#passkeys).\nSee [nope](sign-in.md#nope).\n"))
    run = run_check(center)
    assert run.exit_code == 1
    line = only_problem(run, f"{X}:10: ")
    assert "broken anchor '#nope' in link to 'sign-in.md'" in line


def test_links_in_code_are_ignored(center: Path) -> None:
    write(center, X, article("X", body="Write `[x](nope.md)` like this:\n\n```\n[y](nope.md#nope)\n```\n"))
    run = run_check(center)
    assert run.exit_code == 0, run.lines


def test_public_article_linking_to_internal_one(center: Path) -> None:
    write(center, "articles/en/agents-only.md", article("Agents only", extra="audience: internal"))
    write(center, X, article("X", body="Intro.\n\nAsk an agent: [rules](agents-only.md).\n"))
    run = run_check(center)
    assert run.exit_code == 1
    line = only_problem(run, f"{X}:9: ")
    assert "link to internal article 'agents-only.md' from a public page" in line


def test_internal_article_may_link_to_internal_one(center: Path) -> None:
    write(center, "articles/en/agents-only.md", article("Agents only", extra="audience: internal"))
    write(center, X, article("X", extra="audience: internal", body="Intro.\n\nSee [rules](agents-only.md).\n"))
    run = run_check(center)
    assert run.exit_code == 0, run.lines


# --- translations ------------------------------------------------------------------------------


def test_translation_without_source(center: Path) -> None:
    write(center, "articles/hr/samo-hrvatski.md", article("Samo hrvatski"))
    run = run_check(center)
    assert run.exit_code == 1
    line = only_problem(run, "articles/hr/samo-hrvatski.md:1: ")
    assert "translation without a source: articles/en/samo-hrvatski.md does not exist" in line


def test_translation_of_pointing_nowhere(center: Path) -> None:
    # lines: 5 reviewed, 6 translation_of
    write(center, "articles/hr/prijava.md", article("Prijava", extra="translation_of: sign-on"))
    run = run_check(center)
    assert run.exit_code == 1
    line = only_problem(run, "articles/hr/prijava.md:6: ")
    assert "articles/en/sign-on.md does not exist (fix translation_of)" in line


def test_translation_of_with_other_file_name_counts_as_translation(center: Path) -> None:
    write(center, "articles/hr/prijava.md", article("Prijava", extra="translation_of: sign-in"))
    run = run_check(center, "--strict")
    assert run.exit_code == 0, run.lines
    assert "hr 2/2" in run.summary


def test_translation_with_other_category(center: Path) -> None:
    write(center, "articles/hr/sign-in.md", article("Prijava", category="orders"))
    run = run_check(center)
    assert run.exit_code == 1
    line = only_problem(run, "articles/hr/sign-in.md:4: ")
    assert "category 'orders' differs from the source's 'account' (articles/en/sign-in.md)" in line


def test_required_language_missing_translation(tmp_path: Path) -> None:
    make_help_center(tmp_path, options="required_languages: [hr]")
    run = run_check(tmp_path)
    assert run.exit_code == 1
    assert run.lines == [
        "articles/en/sign-in.md:1: missing translation into 'hr' (required in mkdocs.yml)",
        "faq/en/how-long-is-a-link-valid.md:1: missing translation into 'hr' (required in mkdocs.yml)",
    ]


def test_required_language_ignores_internal_articles(tmp_path: Path) -> None:
    make_help_center(tmp_path, options="required_languages: [hr]")
    write(tmp_path, "articles/hr/sign-in.md", article("Prijava"))
    write(tmp_path, "faq/hr/how-long-is-a-link-valid.md", "---\ntitle: Koliko dugo?\ncategory: account\n---\nSat.\n")
    write(tmp_path, "articles/en/agents-only.md", article("Agents only", extra="audience: internal"))
    run = run_check(tmp_path)
    assert run.exit_code == 0, run.lines


# --- warnings ----------------------------------------------------------------------------------


def test_overdue_review_is_a_warning(center: Path) -> None:
    write(center, X, article("X", reviewed="2001-02-03", extra="review_every: 6 months"))
    run = run_check(center)
    assert run.exit_code == 0, run.lines
    line = only_problem(run, f"{X}:5: warning: ")
    assert "review overdue since 2001-08-04 (last reviewed 2001-02-03)" in line
    assert "0 error(s), 1 warning(s)" in run.summary


def test_strict_turns_warnings_into_failure(center: Path) -> None:
    write(center, X, article("X", reviewed="2001-02-03"))
    run = run_check(center, "--strict")
    assert run.exit_code == 1
    line = only_problem(run, f"{X}:5: warning: ")
    assert "review overdue since 2002-02-03" in line  # default period: 365 days


def _git(root: Path, *args: str, date: str | None = None) -> None:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
    if date:
        env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    subprocess.run(
        ["git", "-c", "user.name=Test Author", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false",
         *args],
        cwd=root, env=env, check=True, capture_output=True, timeout=30,
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_stale_translation(center: Path) -> None:
    _git(center, "init", "-q")
    _git(center, "add", "-A")
    _git(center, "commit", "-q", "-m", "Add content", date="2024-01-10T12:00:00+00:00")
    # Before the source changes, the translation is current.
    assert run_check(center, "--strict").exit_code == 0

    source = center / "articles/en/reset-password.md"
    source.write_text(source.read_text(encoding="utf-8") + "\nA new paragraph.\n", encoding="utf-8")
    _git(center, "commit", "-q", "-a", "-m", "Update source", date="2024-06-05T12:00:00+00:00")

    run = run_check(center)
    assert run.exit_code == 0, run.lines
    line = only_problem(run, "articles/hr/reset-password.md:1: warning: ")
    assert ("translation is out of date: articles/en/reset-password.md changed on 2024-06-05, "
            "after this translation (2024-01-10)") in line
    assert run_check(center, "--strict").exit_code == 1

    # Updating the translation afterwards makes it current again.
    target = center / "articles/hr/reset-password.md"
    target.write_text(target.read_text(encoding="utf-8") + "\nNovi odlomak.\n", encoding="utf-8")
    _git(center, "commit", "-q", "-a", "-m", "Update translation", date="2024-06-07T12:00:00+00:00")
    assert run_check(center, "--strict").exit_code == 0


# --- troubleshooting guides --------------------------------------------------------------------


def test_troubleshooting_guide_needs_two_steps(center: Path) -> None:
    # lines: 5 reviewed, 6 type
    write(center, X, article("X", extra="type: troubleshooting", body="Symptom.\n\n## Only step {#one}\n\nDo it.\n"))
    run = run_check(center)
    assert run.exit_code == 1
    line = only_problem(run, f"{X}:6: ")
    assert "a troubleshooting guide needs at least two steps" in line and "found 1" in line


def test_troubleshooting_guide_with_two_steps_passes(center: Path) -> None:
    body = "Symptom.\n\n## First {#first}\n\n- **No** → [Next](#second)\n\n## Still not working? {#second}\n\nContact us.\n"
    write(center, X, article("X", extra="type: troubleshooting", body=body))
    run = run_check(center)
    assert run.exit_code == 0, run.lines


# --- scope and configuration -------------------------------------------------------------------


def test_path_argument_limits_the_report(center: Path) -> None:
    write(center, "articles/en/a.md", article("A", body="See [gone](gone.md).\n"))
    write(center, "faq/en/b.md", "---\ntitle: B?\ncategory: account\n---\nSee [gone](gone.md).\n")
    result = CliRunner().invoke(main, ["check", str(center / "faq")])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == ["faq/en/b.md:5: broken link 'gone.md': no such article, FAQ entry or page"]


def test_no_config_gives_clear_error(tmp_path: Path) -> None:
    if any((folder / name).is_file() for folder in [tmp_path, *tmp_path.parents] for name in ("mkdocs.yml", "mkdocs.yaml")):
        pytest.skip("a parent of tmp_path has a mkdocs.yml")
    result = CliRunner().invoke(main, ["check", str(tmp_path)])
    assert result.exit_code == 1
    assert "no mkdocs.yml found" in result.stderr


def test_link_whose_text_wraps_is_checked_on_the_line_of_its_target(tmp_path: Path) -> None:
    from deflect.content.markdown_scan import find_links, rewrite_links

    text = "Intro\n\nSee [Reset your\npassword](missing-article.md) now.\n"
    assert [(link.line, link.target) for link in find_links(text)] == [(4, "missing-article.md")]
    assert "(x/missing-article.md)" in rewrite_links(text, lambda target: "x/" + target)


def test_twelve_months_is_a_year() -> None:
    from deflect.content.schema import parse_period

    assert parse_period("12 months") == parse_period("1 year") == 365
    assert parse_period("6 months") == 182
