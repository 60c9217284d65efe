"""``HelpCenter``, the one way to open a project: where it finds ``mkdocs.yml``, what it says when there is
none or it is broken (for every command, in one line), what it loads and when (content once, the search
index only when a command searches), and the fixes that came with it (the preview's database URL stays out
of the process list; ``--keep-alive`` takes whole seconds)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import article, make_help_center, write
from deflect.cli import main
from deflect.content import SettingsError
from deflect.helpcenter import HelpCenter, NoProject, find_project

TICKETS = "id,created,subject,body\n1,2025-01-06,Reset,How do I reset my password?\n"


def test_a_project_opens_from_its_file_its_folder_or_a_folder_below(tmp_path: Path) -> None:
    config = make_help_center(tmp_path)
    below = tmp_path / "articles" / "en"
    for start in (config, tmp_path, below):
        project = HelpCenter.open(start)
        assert project.config_file == config and project.root == tmp_path, start
        assert project.settings.codes == ["en", "hr"]
    assert find_project(below) == config
    assert HelpCenter.open(tmp_path).search_options is None  # the test project lists no deflect/search
    assert HelpCenter.open(tmp_path, internal=True).settings.internal
    assert HelpCenter.open(tmp_path, internal=True).cache_dir == tmp_path / ".deflect" / "search-internal"


def test_no_mkdocs_yml_is_one_error(tmp_path: Path) -> None:
    if any((folder / "mkdocs.yml").is_file() for folder in [tmp_path, *tmp_path.parents]):
        pytest.skip("a parent of tmp_path has a mkdocs.yml")
    with pytest.raises(NoProject, match="no mkdocs.yml found in .* or a parent folder"):
        HelpCenter.open(tmp_path)
    with pytest.raises(NoProject, match="no such file or folder"):
        HelpCenter.open(tmp_path / "missing")


COMMANDS = [
    ["check"], ["new", "article", "A title", "--category", "account"], ["build"], ["preview"], ["search", "password"],
    ["gaps", "--tickets", "tickets.csv"], ["impact", "--tickets", "tickets.csv"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_every_command_says_in_one_line_that_there_is_no_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  command: list[str]) -> None:
    if any((folder / "mkdocs.yml").is_file() for folder in [tmp_path, *tmp_path.parents]):
        pytest.skip("a parent of tmp_path has a mkdocs.yml")
    write(tmp_path, "tickets.csv", TICKETS)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, command)
    assert result.exit_code == 1 and not isinstance(result.exception, AssertionError)
    assert result.stderr.splitlines() == [f"Error: no mkdocs.yml found in {tmp_path.resolve()} or a parent folder: "
                                          "run this inside a help-center project, or pass --config FILE"]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_every_command_says_in_one_line_that_mkdocs_yml_is_broken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   command: list[str]) -> None:
    make_help_center(tmp_path)
    write(tmp_path, "mkdocs.yml", "site_name: [unclosed\n")
    write(tmp_path, "tickets.csv", TICKETS)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, command)
    assert result.exit_code == 1 and "Traceback" not in result.output
    [line] = result.stderr.splitlines()[:1]
    assert line.startswith(f"Error: {tmp_path / 'mkdocs.yml'}: invalid YAML"), line


def test_content_is_read_on_first_use_and_once(tmp_path: Path) -> None:
    project = HelpCenter.open(make_help_center(tmp_path))
    write(tmp_path, "articles/en/written-after-open.md", article("Written after open"))
    content = project.content
    assert "written-after-open" in {doc.slug for doc in content.documents}  # not read at open
    write(tmp_path, "articles/en/written-later.md", article("Written later"))
    assert project.content is content and "written-later" not in {doc.slug for doc in project.content.documents}


def test_check_builds_no_search_index_and_search_does(tmp_path: Path) -> None:
    config = make_help_center(tmp_path)
    config.write_text(config.read_text(encoding="utf-8") + "  - deflect/search\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(tmp_path)])
    assert result.exit_code == 0, result.output
    project = HelpCenter.open(tmp_path, history=False)
    assert not project.cache_dir.exists()  # check reads the synonyms and glossary, never the index
    assert project.check().ok and not project.cache_dir.exists()
    hits = project.search("reset password", "en")
    assert hits and hits[0].url.startswith("en/account/reset-password")
    assert project.cache_dir.is_dir() and project.search_service is project.search_service  # built once
    with pytest.raises(SettingsError, match="unknown language 'fr': this help center has en, hr"):
        project.search("password", "fr")


def test_check_reports_a_broken_synonyms_file_of_the_search_plugin(tmp_path: Path) -> None:
    config = make_help_center(tmp_path)
    config.write_text(config.read_text(encoding="utf-8") + "  - deflect/search:\n      synonyms: words.yml\n",
                      encoding="utf-8")
    write(tmp_path, "words.yml", "fr:\n  - [a, b]\n")
    report = HelpCenter.open(tmp_path).check()
    assert [p.path for p in report.errors] == ["words.yml"]
    result = CliRunner().invoke(main, ["search", "password", "--json", "--config", str(config)])
    assert result.exit_code == 1 and result.stderr.splitlines() == [
        f"Error: {tmp_path / 'words.yml'}: languages fr are not in the site's languages (en, hr)"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_preview_passes_the_database_url_through_the_environment(tmp_path: Path) -> None:
    """Any local user can read a process's arguments: the URL (maybe with a password) is not among them."""
    from deflect.mkdocs_plugins.preview import start_collector, stop

    database = tmp_path / "secret-name.db"
    port = _free_port()
    process = start_collector(f"sqlite:///{database}", "127.0.0.1", port, "http://127.0.0.1:8000")
    try:
        arguments = Path(f"/proc/{process.pid}/cmdline").read_bytes().split(b"\0")
        assert not any(b"secret-name" in argument for argument in arguments), arguments
        assert database.is_file()  # the collector did get the URL
    finally:
        stop(process)


@pytest.mark.parametrize("value", ["0.5", "1.5", "0"])
def test_keep_alive_takes_whole_seconds(value: str) -> None:
    result = CliRunner().invoke(main, ["serve", "--keep-alive", value])
    assert result.exit_code == 2 and "--keep-alive" in result.stderr and "Traceback" not in result.output
