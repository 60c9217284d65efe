"""The MkDocs config classes of the two plugins, as written in ``mkdocs.yml``: ``deflect/content``'s options
come from their one declaration in :mod:`deflect.content.settings`, ``deflect/search``'s are declared here."""

from __future__ import annotations

from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c

from ..content.settings import PLUGIN_ONLY_OPTIONS, SettingsError, check_option, option_default, option_names
from ..search.crosslingual import GLOSSARY_FILE
from ..search.query import SYNONYMS_FILE


class SettingsOption(base.BaseConfigOption[Any]):
    """An option declared in :class:`~deflect.content.settings.ContentSettings`: MkDocs checks its type the
    way the CLI does (:func:`~deflect.content.settings.check_option`) and passes it on as written."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = self._name = name  # _name: what MkDocs' attribute access (config.audience) reads
        self.default = option_default(name)

    def run_validation(self, value: object, /) -> Any:
        try:
            return check_option(self.name, value)
        except SettingsError as exc:
            raise base.ValidationError(str(exc)) from exc


class ContentConfig(base.Config):
    """Options of ``deflect/content``. Each is declared once, as a field of ``ContentSettings`` (name, type,
    default and doc); the plugin hands them all to ``settings_from_options``, like the CLI."""

    _schema = tuple((name, SettingsOption(name)) for name in option_names() if name not in PLUGIN_ONLY_OPTIONS)
    enabled = c.Type(bool, default=True)
    """Turn the plugin off without removing it."""


for _name, _option in ContentConfig._schema:  # attribute access too, as for options declared in the class
    if not hasattr(ContentConfig, _name):
        setattr(ContentConfig, _name, _option)


class SearchConfig(base.Config):
    enabled = c.Type(bool, default=True)
    """Turn the plugin off without removing it."""
    synonyms = c.Type(str, default=SYNONYMS_FILE)
    """YAML file of synonym groups per language, relative to mkdocs.yml (missing file: no synonyms)."""
    glossary = c.Type(str, default=GLOSSARY_FILE)
    """YAML file of English → other-language term translations for cross-language search, relative
    to mkdocs.yml (missing file: only the translations learned from the translated articles)."""
    related = c.Type(int, default=5)
    """How many related articles to list at the foot of each article (0 turns them off)."""
    collector_url = c.Type(str, default="")
    """Base URL of the Deflect collector; search events are sent there. Empty: nothing is sent."""
