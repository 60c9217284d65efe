"""The options of the ``deflect/search`` plugin (name, type, default), declared once: the MkDocs plugin's
config takes its defaults from here, and :class:`deflect.helpcenter.HelpCenter` reads the same block of
``mkdocs.yml`` through :meth:`SearchOptions.from_mapping` without MkDocs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from deflect.content.settings import SettingsError
from deflect.search.crosslingual import GLOSSARY_FILE
from deflect.search.query import SYNONYMS_FILE

PLUGIN_NAMES = ("deflect/search",)


@dataclass(frozen=True)
class SearchOptions:
    """What ``deflect/search`` is told in ``mkdocs.yml`` (``enabled`` is the plugin's own)."""

    synonyms: str = SYNONYMS_FILE
    """YAML file of synonym groups per language, relative to mkdocs.yml (missing file: no synonyms)."""
    glossary: str = GLOSSARY_FILE
    """YAML file of English → other-language term translations for cross-language search, relative
    to mkdocs.yml (missing file: only the translations learned from the translated articles)."""
    related: int = 5
    """How many related articles to list at the foot of each article (0 turns them off)."""
    collector_url: str = ""
    """Base URL of the Deflect collector; search events are sent there. Empty: nothing is sent."""

    @classmethod
    def from_mapping(cls, options: Mapping[str, Any]) -> SearchOptions:
        """The options as written in ``mkdocs.yml`` (left out or empty: the default); a value of the wrong
        type is a :class:`SettingsError` naming the option."""
        values: dict[str, Any] = {}
        for option in fields(cls):
            value = options.get(option.name)
            if value is None:
                continue
            expected = int if option.type in (int, "int") else str
            if not isinstance(value, expected) or isinstance(value, bool):
                what = "a whole number" if expected is int else "a text"
                raise SettingsError(f"option {option.name!r} of deflect/search must be {what}, not {value!r}")
            values[option.name] = value
        if values.get("related", 0) < 0:
            raise SettingsError("option 'related' of deflect/search must be 0 or more")
        url = values.get("collector_url", "")
        if url and not url.startswith(("http://", "https://", "/")):
            raise SettingsError(f"option 'collector_url' of deflect/search must start with http://, https:// or /, "
                                f"not {url!r}")
        return cls(**values)
