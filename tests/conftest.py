"""Shared helpers: a small help center written into a temporary folder, and a way to run the CLI on it."""

from __future__ import annotations

import datetime as dt
import os
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from deflect.cli import main

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")

TODAY = dt.date.today()
RECENT = (TODAY - dt.timedelta(days=10)).isoformat()

CATEGORIES = """\
# Categories of the test help center.
account:
  icon: material/account
  en: {title: Account, description: Sign in and keep your account safe.}
  hr: {title: Račun, description: Prijava i sigurnost računa.}
orders:
  en: {title: Orders}
  hr: {title: Narudžbe}
"""


def article(
    title: str,
    *,
    category: str = "account",
    summary: str = "One sentence about the article.",
    extra: str = "",
    body: str = "Some text.\n\n## Details {#details}\n\nMore text.\n",
    reviewed: str | None = RECENT,
) -> str:
    """Source of an article: front matter (plus ``extra`` raw YAML lines) and body."""
    lines = ["---", f"title: {title}", f"summary: {summary}", f"category: {category}"]
    if reviewed:
        lines.append(f"reviewed: {reviewed}")
    if extra:
        lines += textwrap.dedent(extra).strip("\n").split("\n")
    lines.append("---")
    return "\n".join(lines) + "\n" + body


def write(root: Path, rel: str, text: str | bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def make_help_center(
    root: Path,
    *,
    languages: tuple[str, ...] = ("en", "hr"),
    options: str = "",
    articles: bool = True,
) -> Path:
    """A small, valid help center in ``root``: mkdocs.yml, categories.yml, articles in en + hr, one FAQ entry.

    ``options`` are extra lines (unindented) for the ``deflect/content`` plugin block.
    Returns the path of mkdocs.yml.
    """
    names = {"en": "English", "hr": "Hrvatski", "et": "Eesti"}
    langs = "\n".join(f"        - code: {code}\n          name: {names.get(code, code)}" for code in languages)
    extra = textwrap.indent(textwrap.dedent(options).strip("\n"), " " * 6) if options else ""
    config = (
        "site_name: Test Help Center\n"
        "docs_dir: docs\n"
        "theme:\n  name: material\n"
        "plugins:\n"
        "  - deflect/content:\n"
        "      languages:\n"
        f"{langs}\n"
        f"{extra}\n"
    )
    write(root, "mkdocs.yml", config)
    (root / "docs").mkdir(exist_ok=True)
    write(root, "articles/categories.yml", CATEGORIES)
    for code in languages:
        (root / "articles" / code).mkdir(parents=True, exist_ok=True)
        (root / "faq" / code).mkdir(parents=True, exist_ok=True)
    if articles:
        write(root, "articles/en/reset-password.md", article(
            "Reset your password",
            body="Use the reset link.\n\n## Ask for a link {#link}\n\nTap **Forgot password**.\n\n"
                 "See also [Sign in](sign-in.md#passkeys).\n",
        ))
        write(root, "articles/en/sign-in.md", article(
            "Sign in",
            body="How to sign in.\n\n## Use a passkey {#passkeys}\n\nTap **Passkey**.\n",
        ))
        write(root, "articles/hr/reset-password.md", article(
            "Promijenite lozinku",
            body="Upotrijebite poveznicu.\n\n## Zatražite poveznicu {#link}\n\nDodirnite **Zaboravljena lozinka**.\n",
        ))
        write(root, "faq/en/how-long-is-a-link-valid.md", (
            "---\ntitle: How long is a reset link valid?\ncategory: account\n---\n"
            "For one hour. See [Reset your password](../../articles/en/reset-password.md).\n"
        ))
    return root / "mkdocs.yml"


@dataclass
class CheckRun:
    exit_code: int
    lines: list[str]
    """Problem lines printed on stdout (``path:line: message``)."""
    summary: str
    """The closing summary printed on stderr."""
    result: Result

    def find(self, prefix: str) -> list[str]:
        """Problem lines that start with ``prefix`` (e.g. ``articles/en/x.md:3: ``)."""
        return [line for line in self.lines if line.startswith(prefix)]


EXAMPLE_PARTS = ("mkdocs.yml", "articles", "faq", "docs", "search", "overrides")


def copy_example(target: Path) -> Path:
    """A fresh copy of the repository's example help center in ``target``; returns its mkdocs.yml."""
    import shutil

    repo = Path(__file__).resolve().parent.parent
    for part in EXAMPLE_PARTS:
        source = repo / part
        if source.is_dir():
            shutil.copytree(source, target / part)
        elif source.is_file():
            shutil.copy2(source, target / part)
    return target / "mkdocs.yml"


def replace_placeholders(path: Path) -> None:
    """Do what an author does after ``deflect new``: replace every placeholder line with real text."""
    from deflect.content.scaffold import PLACEHOLDER_LINES, PLACEHOLDER_SUMMARY

    text = path.read_text(encoding="utf-8").replace(PLACEHOLDER_SUMMARY, "Change a setting in the app.")
    for number, line in enumerate(PLACEHOLDER_LINES):
        text = text.replace(line, f"Real sentence number {number} written by the author.")
    path.write_text(text, encoding="utf-8")


def run_check(root: Path, *args: str) -> CheckRun:
    """``deflect check --config root/mkdocs.yml [args]`` through click's test runner."""
    result = CliRunner().invoke(main, ["check", "--config", str(root / "mkdocs.yml"), *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    return CheckRun(result.exit_code, lines, result.stderr, result)


@pytest.fixture
def center(tmp_path: Path) -> Path:
    """Root folder of a freshly written, valid help center."""
    make_help_center(tmp_path)
    return tmp_path


pytest_plugins = ["browser_fixtures"]
