"""Shared helpers: a small help center written into a temporary folder, a way to run the CLI on it, the
collector's database fixture (SQLite and PostgreSQL), and the rule that under ``CI=true`` no test may skip
unless ``tests/skip_allowlist.txt`` names it with a reason."""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import sys
import textwrap
import uuid
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from urllib.parse import quote

import pytest
from click.testing import CliRunner, Result

from deflect.cli import main

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")

REPO = Path(__file__).resolve().parent.parent
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


def forms_of(dictionary: object, wanted: set[bytes]) -> list[tuple[bytes, bytes]]:
    """(form, lemma) of every form of a lemma dictionary (``deflect.search.lemmas``) whose lemma is in
    ``wanted``, in the dictionary's order, through ``numbered_forms`` as the build's expansions ask."""
    every = dictionary.lemmas()  # type: ignore[attr-defined]
    numbers = [n for n, lemma in enumerate(every) if lemma in wanted]
    return [(form, every[n]) for form, n in dictionary.numbered_forms(numbers)]  # type: ignore[attr-defined]


def copy_example(target: Path, also: tuple[str, ...] = ()) -> Path:
    """A fresh copy of the repository's example help center (and its top-level entries ``also``) in
    ``target``, which may exist already; returns its mkdocs.yml. The one project copy the benchmarks
    use too (``bench/_sites.copy_project``)."""
    _bench_sites().copy_project(REPO, target, also)
    return target / "mkdocs.yml"


def _bench_sites() -> ModuleType:
    """``bench/_sites.py``, loaded from its file: putting ``bench/`` on ``sys.path`` would let its
    scripts (``search.py``, ``build.py`` …) shadow other modules."""
    module = sys.modules.get("_sites")
    if module is None:
        spec = importlib.util.spec_from_file_location("_sites", REPO / "bench" / "_sites.py")
        assert spec is not None and spec.loader is not None
        module = sys.modules["_sites"] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return module


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


# ---------------------------------------------------------------------------- databases

PG_URL = os.environ.get("DEFLECT_TEST_POSTGRES_URL")
needs_postgres = pytest.mark.skipif(
    not PG_URL, reason="PostgreSQL test: set DEFLECT_TEST_POSTGRES_URL (e.g. "
    "postgresql://deflect:deflect@127.0.0.1:5432/deflect_test); .ci/run starts PostgreSQL and sets it")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=[needs_postgres, pytest.mark.slow])]


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A collector database URL: SQLite in tmp_path, or a fresh PostgreSQL schema dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'feedback.db'}"
        return
    import psycopg

    assert PG_URL
    schema = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options={quote(f'-csearch_path={schema}')}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


# ---------------------------------------------------------------------------- no hidden skips

CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}
SKIP_ALLOWLIST = Path(__file__).with_name("skip_allowlist.txt")


def _allowed_skips() -> dict[str, str]:
    """Test ids (``tests/x.py::test_y[param]``, or a prefix ending at ``::`` or ``[``) allowed to skip
    under CI=true, each with its reason. Lines are ``<id>  # <reason>``; a reason is required."""
    allowed: dict[str, str] = {}
    for number, line in enumerate(SKIP_ALLOWLIST.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        node, sep, reason = line.partition("#")
        if not sep or not reason.strip():
            raise pytest.UsageError(f"{SKIP_ALLOWLIST}:{number}: give the reason after '#': {line.strip()}")
        allowed[node.strip()] = reason.strip()
    return allowed


def _is_allowed(nodeid: str, allowed: dict[str, str]) -> bool:
    return any(nodeid == node or nodeid.startswith((node + "::", node + "[")) for node in allowed)


def _skip_reason(report: pytest.TestReport | pytest.CollectReport) -> str:
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    return reason.removeprefix("Skipped: ")


def _fail_hidden_skip(report: pytest.TestReport | pytest.CollectReport) -> None:
    """Under CI=true, turn a skip that is not on the allow-list into a failure that says why it skipped."""
    if not (CI and report.skipped) or hasattr(report, "wasxfail"):
        return
    if _is_allowed(report.nodeid, _allowed_skips()):
        return
    report.outcome = "failed"
    report.longrepr = (f"skipped under CI=true, which allows no skip outside "
                       f"{SKIP_ALLOWLIST.relative_to(SKIP_ALLOWLIST.parent.parent)}: {_skip_reason(report)}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]
                              ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    _fail_hidden_skip(report)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector
                               ) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    """A module that skips as a whole (``importorskip`` at its top) is a collection error under CI=true."""
    report = yield
    _fail_hidden_skip(report)
    return report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Name every skipped test with its reason (``-ra`` groups them by source line only)."""
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if not hasattr(r, "wasxfail")]
    if not skipped:
        return
    rule = "allowed by tests/skip_allowlist.txt" if CI else "each fails under CI=true unless tests/skip_allowlist.txt names it"
    terminalreporter.section(f"skipped tests ({rule})", sep="-", yellow=True)
    for report in skipped:
        terminalreporter.write_line(f"{report.nodeid}: {_skip_reason(report)}")


pytest_plugins = ["browser_fixtures"]
