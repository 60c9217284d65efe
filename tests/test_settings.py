"""The ``deflect/content`` options are declared once, in ``ContentSettings``: MkDocs (the plugin's config)
and the CLI (``load_settings``, without MkDocs) accept the same names, check them the same way and build
the same settings from the same ``mkdocs.yml``."""

from __future__ import annotations

import re
from dataclasses import MISSING
from pathlib import Path

import pytest
from mkdocs.config import load_config
from mkdocs.exceptions import Abort, ConfigurationError

from conftest import make_help_center, run_check
from deflect.content.settings import ContentSettings, SettingsError, load_settings, option_fields, option_names
from deflect.helpcenter import HelpCenter
from deflect.mkdocs_plugins.config import ContentConfig, SearchConfig
from deflect.search.options import SearchOptions


def test_mkdocs_accepts_exactly_the_declared_options() -> None:
    assert [name for name, _ in ContentConfig._schema] == [*option_names()[1:], "enabled"]
    assert option_names()[0] == "enabled"
    for f in option_fields():  # every option says what it does
        assert len(f.metadata["option"]) > 20, f.name


def _plugin_settings(config_file: Path) -> ContentSettings:
    """The settings the MkDocs plugin builds (MkDocs loads and validates the config; nothing is rendered)."""
    config = load_config(config_file=str(config_file))
    return config.plugins["deflect/content"]._project(config).settings


def test_plugin_and_cli_build_the_same_settings(tmp_path: Path) -> None:
    config_file = make_help_center(tmp_path, options="""
        required_languages: [hr]
        sidebar_limit: 7
        review_every_days: 90
        fallback: false
        popular: [reset-password]
    """)
    from_cli = HelpCenter.open(config_file).settings
    assert from_cli == load_settings(config_file)
    assert (from_cli.sidebar_limit, from_cli.review_every_days, from_cli.fallback) == (7, 90, False)
    assert from_cli.required_languages == ["hr"] and from_cli.popular == ["reset-password"]
    assert from_cli.default_language == "en" and from_cli.codes == ["en", "hr"]
    assert _plugin_settings(config_file) == from_cli


def test_defaults_come_from_the_declaration(tmp_path: Path) -> None:
    config_file = make_help_center(tmp_path)
    settings = load_settings(config_file)
    assert (settings.sidebar_limit, settings.review_every_days, settings.articles_dir) == (20, 365, "articles")
    assert _plugin_settings(config_file) == settings


@pytest.mark.parametrize(("option", "message"), [
    ("sidebar_limit: many", "option 'sidebar_limit' must be a whole number, not 'many'"),
    ("fallback: sometimes", "option 'fallback' must be true, false, full, light or link, not 'sometimes'"),
    ("popular: reset-password", "option 'popular' must be a list of texts, not 'reset-password'"),
])
def test_a_wrong_type_gets_the_same_message_from_mkdocs_and_the_cli(tmp_path: Path, option: str, message: str) -> None:
    config_file = make_help_center(tmp_path, options=option)
    with pytest.raises(SettingsError, match=message):
        load_settings(config_file)
    check = run_check(tmp_path)
    assert check.exit_code != 0 and message in check.result.output
    with pytest.raises((Abort, ConfigurationError)):
        load_config(config_file=str(config_file))


def test_mkdocs_reports_the_declared_message(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    config_file = make_help_center(tmp_path, options="review_every_days: [30]")
    with pytest.raises((Abort, ConfigurationError)):
        load_config(config_file=str(config_file))
    assert "option 'review_every_days' must be a whole number, not [30]" in caplog.text


def test_an_unknown_option_names_the_known_ones(tmp_path: Path) -> None:
    config_file = make_help_center(tmp_path, options="sidebar_limt: 5")
    with pytest.raises(SettingsError, match="unknown option.*sidebar_limt; the options are enabled, languages"):
        load_settings(config_file)


def test_every_option_is_in_the_readme() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Options of `deflect/content`", 1)[1].split("\n## ", 1)[0]
    rows = {line.split("|")[1].strip().strip("`"): line for line in table.splitlines() if line.startswith("| `")}
    assert list(rows) == option_names()
    for f in option_fields():  # the default the README gives is the declared one
        default = f.default if f.default is not MISSING else f.default_factory()
        if isinstance(default, (bool, int)):
            assert f"`{str(default).lower()}`" in rows[f.name].split("|")[2], f.name
        elif isinstance(default, str) and f.name != "default_language":
            assert f"`{default}`" in rows[f.name].split("|")[2], f.name


def test_options_read_and_set_as_attributes_like_declared_ones(tmp_path: Path) -> None:
    """``deflect build --internal`` sets ``config.audience`` on the plugin's config, as MkDocs plugins do."""
    config = load_config(config_file=str(make_help_center(tmp_path, options="sidebar_limit: 3")))
    plugin = config.plugins["deflect/content"]
    assert plugin.config.sidebar_limit == 3 and plugin.config.audience == "public"
    plugin.config.audience = "internal"
    assert plugin.config["audience"] == "internal" and plugin._project(config).settings.internal


def test_search_options_are_read_alike_by_mkdocs_and_the_cli(tmp_path: Path) -> None:
    """``deflect/search``'s options are declared once (``SearchOptions``): MkDocs' defaults and values are the CLI's."""
    config_file = make_help_center(tmp_path)
    text = config_file.read_text(encoding="utf-8")
    config_file.write_text(text + "  - deflect/search:\n      synonyms: words/synonyms.yml\n      related: 3\n",
                           encoding="utf-8")
    project = HelpCenter.open(config_file)
    assert project.search_options == SearchOptions(synonyms="words/synonyms.yml", related=3)
    assert project.synonyms_file == tmp_path / "words" / "synonyms.yml"
    assert project.glossary_file == tmp_path / "search" / "glossary.yml"
    plugin = load_config(config_file=str(config_file)).plugins["deflect/search"].config
    assert (plugin.synonyms, plugin.glossary, plugin.related, plugin.collector_url) == (
        "words/synonyms.yml", SearchOptions.glossary, 3, "")
    assert {name for name, _ in SearchConfig._schema} == {"enabled", *SearchOptions.__dataclass_fields__}
    config_file.write_text(text + "  - deflect/search:\n      related: many\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="option 'related' of deflect/search must be a whole number, not 'many'"):
        HelpCenter.open(config_file)


@pytest.mark.parametrize(("options", "message"), [
    ({"related": -1}, "option 'related' of deflect/search must be 0 or more"),
    ({"collector_url": "ftp://example.org"},
     "option 'collector_url' of deflect/search must start with http://, https:// or /, not 'ftp://example.org'"),
])
def test_search_option_values_are_checked_in_one_place(options: dict, message: str) -> None:
    """The CLI and the plugin (which reports it as the build's error) refuse the same values, in the same words."""
    with pytest.raises(SettingsError, match=re.escape(message)):
        SearchOptions.from_mapping(options)
    assert SearchOptions.from_mapping({"collector_url": "/collect", "related": 0}).collector_url == "/collect"
