"""Options of the ``deflect/content`` plugin, as written in ``mkdocs.yml``."""

from __future__ import annotations

from mkdocs.config import base
from mkdocs.config import config_options as c


class LanguageConfig(base.Config):
    code = c.Type(str)
    """Language code, e.g. ``en``, ``hr``: the folder name under articles/ and faq/ and the URL prefix."""
    name = c.Type(str)
    """The language's name in that language, shown in the language switcher (``Hrvatski``)."""


class ContentConfig(base.Config):
    enabled = c.Type(bool, default=True)
    """Turn the plugin off without removing it."""
    languages = c.ListOfItems(c.SubConfig(LanguageConfig), default=[])
    """Languages of the help center; the first is the default unless ``default_language`` says otherwise."""
    default_language = c.Optional(c.Type(str))
    """The language every translation is made from (default: the first of ``languages``)."""
    articles_dir = c.Type(str, default="articles")
    """Folder of articles and troubleshooting guides, one subfolder per language."""
    faq_dir = c.Type(str, default="faq")
    """Folder of FAQ entries, one subfolder per language."""
    audience = c.Choice(("public", "internal"), default="public")
    """``public`` leaves internal articles out entirely; ``internal`` builds the agents' site with them."""
    fallback = c.Type(bool, default=True)
    """Show the default-language article, with a notice, where a translation is missing."""
    required_languages = c.ListOfItems(c.Type(str), default=[])
    """Languages every public article must be translated into (``deflect check`` fails otherwise)."""
    review_every_days = c.Type(int, default=365)
    """Review period for articles without ``review_every``."""
    sidebar_limit = c.Type(int, default=20)
    """Most articles listed in the sidebar of a category; the rest are on its landing page."""
    popular = c.ListOfItems(c.Type(str), default=[])
    """Slugs of the articles shown as popular on each language's home page."""


class SearchConfig(base.Config):
    enabled = c.Type(bool, default=True)
    """Turn the plugin off without removing it."""
    synonyms = c.Type(str, default="search/synonyms.yml")
    """YAML file of synonym groups per language, relative to mkdocs.yml (missing file: no synonyms)."""
    glossary = c.Type(str, default="search/glossary.yml")
    """YAML file of English → other-language term translations for cross-language search, relative
    to mkdocs.yml (missing file: only the translations learned from the translated articles)."""
    related = c.Type(int, default=5)
    """How many related articles to list at the foot of each article (0 turns them off)."""
    collector_url = c.Type(str, default="")
    """Base URL of the Deflect collector; search events are sent there. Empty: nothing is sent."""
