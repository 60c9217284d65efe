"""The MkDocs config classes of the two plugins, as written in ``mkdocs.yml``: ``deflect/content``'s options
come from their one declaration in :mod:`deflect.content.settings`, ``deflect/search``'s in :mod:`deflect.search.options`."""

from __future__ import annotations

from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c

from ..content.settings import PLUGIN_ONLY_OPTIONS, SettingsError, check_option, option_default, option_names
from ..search.options import SearchOptions


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
    # Declared (with their docs) in deflect.search.options.SearchOptions, which the CLI reads without MkDocs.
    synonyms = c.Type(str, default=SearchOptions.synonyms)
    glossary = c.Type(str, default=SearchOptions.glossary)
    related = c.Type(int, default=SearchOptions.related)
    collector_url = c.Type(str, default=SearchOptions.collector_url)
