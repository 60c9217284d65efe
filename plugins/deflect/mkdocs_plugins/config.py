"""Options of the ``deflect/content`` plugin, as written in ``mkdocs.yml``."""

from __future__ import annotations

from mkdocs.config import base
from mkdocs.config import config_options as c


class LanguageConfig(base.Config):
    code = c.Type(str)
    """Language code, e.g. ``en``, ``hr``: the folder name under articles/ and faq/ and the URL prefix."""
    name = c.Type(str)
    """The language's name in that language, shown in the language switcher (``Hrvatski``)."""


class ContactConfig(base.Config):
    email = c.Optional(c.Type(str))
    """Support email address, shown on the contact page, in the footer and in troubleshooting guides."""
    phone = c.Optional(c.Type(str))
    """Support phone number, written as readers dial it (``+385 1 555 0142``)."""
    chat = c.Optional(c.Type(str))
    """URL of the live chat."""
    hours = c.Optional(c.Type((str, dict)))
    """Opening hours: one text, or one per language code (``{en: …, hr: …}``; others get the default language's)."""


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
    helpful_min_votes = c.Type(int, default=5)
    """Votes an article needs before it shows "X of Y found this helpful" (from the collector; none without one)."""
    contact = c.SubConfig(ContactConfig)
    """How readers reach support: the one place the contact page, the footer and the guides take it from."""


class SearchConfig(base.Config):
    enabled = c.Type(bool, default=True)
    """Turn the plugin off without removing it."""
    synonyms = c.Type(str, default="search/synonyms.yml")
    """YAML file of synonym groups per language, relative to mkdocs.yml (missing file: no synonyms)."""
    related = c.Type(int, default=5)
    """How many related articles to list at the foot of each article (0 turns them off)."""
    collector_url = c.Type(str, default="")
    """Base URL of the Deflect collector; search events are sent there. Empty: nothing is sent."""
