"""Settings of a help center (languages, folders, audience), and the one declaration of the
``deflect/content`` options that set them.

The MkDocs plugin passes its options through :func:`settings_from_options`; the CLI reads the same
block from ``mkdocs.yml`` without importing MkDocs and passes it through the same function.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from dataclasses import MISSING, Field, dataclass, field, fields
from pathlib import Path
from typing import Any, get_type_hints

import yaml

from .yamlsafe import LimitedLoader

LANG_RE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$")
PLUGIN_NAMES = ("deflect/content", "deflect-content")


class SettingsError(ValueError):
    """The help center's configuration is unusable; the message says how to fix it."""


@dataclass(frozen=True)
class Language:
    code: str
    name: str


def _option(doc: str, default: Any = MISSING, *, default_factory: Any = MISSING) -> Any:
    """A field of :class:`ContentSettings` that is also an option of ``deflect/content`` in ``mkdocs.yml``.

    ``doc`` says what it does; the field's type is the type the option must have (checked by
    :func:`check_option`), its default is the option's default.
    """
    return field(default=default, default_factory=default_factory, metadata={"option": doc})


@dataclass
class ContentSettings:
    """Where the content lives and how it is published.

    The fields made with :func:`_option` are the options of the ``deflect/content`` plugin: this class
    is their only declaration (name, type, default, doc). The MkDocs plugin's config accepts exactly
    these names (``mkdocs_plugins/config.py``), and :func:`settings_from_options` checks and fills them
    the same way for the plugin and the CLI. Adding an option is adding a field here.
    """

    root: Path
    languages: list[Language] = _option(
        "Languages of the help center (``- code: hr`` / ``name: Hrvatski``); the first is the default "
        "unless ``default_language`` says otherwise.",
        default_factory=lambda: [Language("en", "English")])
    default_language: str = _option(
        "The language every translation is made from (default: the first of ``languages``).", "en")
    articles_dir: str = _option("Folder of articles and troubleshooting guides, one subfolder per language.",
                                "articles")
    faq_dir: str = _option("Folder of FAQ entries, one subfolder per language.", "faq")
    docs_dir: str = "docs"
    audience: str = _option(
        "``public`` leaves internal articles out entirely; ``internal`` builds the agents' site with them.", "public")
    fallback: bool | str = _option(
        "Where a translation is missing: ``light`` (or ``true``): a small page in the reader's language with "
        "the notice and the source article's text (rendered once), ``noindex`` and canonical to the source; "
        "``full``: the whole article page again in that language; ``link``: category lists link to the "
        "source article; ``false``: only in its own language.", True)
    """Once the settings are made: ``False``, or the mode ``full``, ``light`` or ``link`` (``true`` is ``light``)."""
    required_languages: list[str] = _option(
        "Languages every public article must be translated into (``deflect check`` fails otherwise).",
        default_factory=list)
    review_every_days: int = _option("Review period in days for articles without ``review_every``.", 365)
    sidebar_limit: int = _option(
        "Most articles listed in the sidebar of a category; the rest are on its landing page.", 20)
    popular: list[str] = _option("Slugs of the articles shown as popular on each language's home page.",
                                 default_factory=list)
    contact: dict[str, Any] = _option(
        "How readers reach support (``email``, ``phone``, ``chat``, ``hours``: one text or one per language): "
        "the one place the contact page, the footer and the guides take it from.", default_factory=dict)
    helpful_min_votes: int = _option(
        "Votes an article needs before it shows \"X of Y found this helpful\" (from the collector; none without one).", 5)
    today: dt.date = field(default_factory=dt.date.today)

    def __post_init__(self) -> None:
        self.fallback = fallback_mode(self.fallback)
        codes = [lang.code for lang in self.languages]
        if not codes:
            raise SettingsError("'languages' is empty: list at least one language, e.g. - code: en")
        for code in codes:
            if not LANG_RE.match(code):
                raise SettingsError(f"language code {code!r} is not a valid code such as 'en', 'hr' or 'pt-BR'")
        if len(set(codes)) != len(codes):
            raise SettingsError(f"a language is listed twice in 'languages': {codes}")
        if self.default_language not in codes:
            raise SettingsError(
                f"default_language {self.default_language!r} is not in languages ({', '.join(codes)})"
            )
        if self.audience not in ("public", "internal"):
            raise SettingsError(f"audience must be 'public' or 'internal', not {self.audience!r}")
        for code in self.required_languages:
            if code not in codes:
                raise SettingsError(f"required language {code!r} is not in languages ({', '.join(codes)})")

    @property
    def codes(self) -> list[str]:
        return [lang.code for lang in self.languages]

    @property
    def internal(self) -> bool:
        return self.audience == "internal"

    def language(self, code: str) -> Language:
        return next(lang for lang in self.languages if lang.code == code)

    def source_folders(self) -> list[Path]:
        """The existing folders content is read from (articles, FAQ, search synonyms, the site's own language
        files): a live preview watches them."""
        folders = (self.root / self.articles_dir, self.root / self.faq_dir, self.root / "search", self.root / "locales")
        return [folder for folder in folders if folder.is_dir()]


class _LenientLoader(LimitedLoader):
    """Reads mkdocs.yml without MkDocs: ``!ENV`` is resolved, Python tags are kept as text."""


def _env_tag(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        names, default = [loader.construct_scalar(node)], None
    else:
        items = loader.construct_sequence(node)  # type: ignore[arg-type]
        names, default = items[:-1], items[-1]
    for name in names:
        if isinstance(name, str) and name in os.environ:
            return yaml.safe_load(os.environ[name])
    return default


def _unknown_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    return f"{node.tag}{suffix}"


_LenientLoader.add_constructor("!ENV", _env_tag)
_LenientLoader.add_multi_constructor("tag:yaml.org,2002:python/", _unknown_tag)
_LenientLoader.add_multi_constructor("!", _unknown_tag)


#: Options of ``deflect/content`` that are about the plugin, not the help center.
PLUGIN_ONLY_OPTIONS = ("enabled",)


def option_fields() -> list[Field]:
    """The fields of :class:`ContentSettings` that are options of ``deflect/content``, in declaration order."""
    return [f for f in fields(ContentSettings) if "option" in f.metadata]


def option_names() -> list[str]:
    """Every option ``deflect/content`` accepts in ``mkdocs.yml``."""
    return [*PLUGIN_ONLY_OPTIONS, *(f.name for f in option_fields())]


def option_default(name: str) -> Any:
    """The value an option has when ``mkdocs.yml`` leaves it out, as it would be written there; ``None`` for
    ``languages`` and ``default_language``, whose defaults :func:`settings_from_options` works out."""
    found = next(f for f in option_fields() if f.name == name)
    if name in ("languages", "default_language"):
        return None
    if found.default is not MISSING:
        return found.default
    return found.default_factory() if callable(found.default_factory) else None


def check_option(name: str, value: Any) -> Any:
    """``value`` if it has the type the option's field declares, else :class:`SettingsError` saying what it
    must be. ``None`` (not set, or left empty) stands for the default."""
    if value is None or name in PLUGIN_ONLY_OPTIONS:
        return value
    hint = get_type_hints(ContentSettings)[name]
    if name == "languages":
        ok, expected = isinstance(value, list), "a list of languages, e.g. - code: en / name: English"
    elif hint is bool:
        ok, expected = isinstance(value, bool), "true or false"
    elif hint is int:
        ok, expected = isinstance(value, int) and not isinstance(value, bool), "a whole number"
    elif hint is str:
        ok, expected = isinstance(value, str), "a text"
    elif name == "fallback":
        ok, expected = isinstance(value, bool) or value in FALLBACK_MODES, "true, false, full, light or link"
    elif hint == list[str]:
        ok, expected = isinstance(value, list) and all(isinstance(v, str) for v in value), "a list of texts"
    elif hint == dict[str, Any]:
        ok, expected = isinstance(value, Mapping), "a mapping of keys to values"
    else:  # a new option with a new type: say so here, once
        raise TypeError(f"ContentSettings.{name}: no check for options of type {hint}")
    if not ok:
        raise SettingsError(f"option {name!r} must be {expected}, not {value!r}")
    return value


def settings_from_options(root: Path, options: Mapping[str, Any], docs_dir: str = "docs") -> ContentSettings:
    """Build settings from the plugin's options as written in ``mkdocs.yml`` (the plugin and the CLI)."""
    unknown = sorted(set(options) - set(option_names()))
    if unknown:
        raise SettingsError(f"unknown option(s) for deflect/content: {', '.join(unknown)}; "
                            f"the options are {', '.join(option_names())}")
    values = {f.name: check_option(f.name, options[f.name]) for f in option_fields()
              if options.get(f.name) is not None}
    languages = []
    for item in values.pop("languages", None) or [{"code": "en", "name": "English"}]:
        if isinstance(item, str):
            languages.append(Language(item, item))
        elif isinstance(item, Mapping) and "code" in item:
            languages.append(Language(str(item["code"]), str(item.get("name") or item["code"])))
        else:
            raise SettingsError(f"each entry of 'languages' needs a 'code' (and a 'name'), got {item!r}")
    values.setdefault("default_language", languages[0].code)
    return ContentSettings(root=root, languages=languages, docs_dir=docs_dir, **values)


FALLBACK_MODES = ("full", "light", "link")


def fallback_mode(value: Any) -> bool | str:
    """The ``fallback`` option (``true``/``false`` or ``full``/``light``/``link``) as ``False`` or its mode."""
    if value is False:
        return False
    if value is True or value is None:
        return "light"
    if isinstance(value, str) and value in FALLBACK_MODES:
        return value
    raise SettingsError(f"'fallback' must be full, light, link or false, got {value!r}")


def shown_at_own_page(fallback: bool | str, article: bool) -> bool:
    """Whether the ``fallback`` mode shows a document untranslated into a language at its own page (in its
    own language's section) rather than at a page in that language's: with ``false`` (no page there), and
    with ``link`` for an article (listed there, linked to its own page; an FAQ entry still gets one)."""
    return not fallback or (fallback == "link" and article)


def find_config_file(start: Path) -> Path | None:
    """The nearest ``mkdocs.yml`` in ``start`` or a parent folder."""
    start = start.resolve()
    for folder in [start, *start.parents]:
        for name in ("mkdocs.yml", "mkdocs.yaml"):
            candidate = folder / name
            if candidate.is_file():
                return candidate
    return None


def read_config(config_file: Path) -> dict[str, Any]:
    """The MkDocs config file as a mapping (``!ENV`` and ``!!python`` tags tolerated)."""
    try:
        data = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_LenientLoader)  # noqa: S506
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{config_file}: cannot read: {exc}") from exc
    except yaml.YAMLError as exc:
        raise SettingsError(f"{config_file}: invalid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise SettingsError(f"{config_file}: expected a mapping of settings")
    return data


def plugin_options(data: dict[str, Any], names: tuple[str, ...] | frozenset[str] | set[str]) -> dict[str, Any] | None:
    """The options of the first plugin called one of ``names`` (``None`` if it is not listed)."""
    for plugin in data.get("plugins") or []:
        if isinstance(plugin, dict):
            for name, value in plugin.items():
                if name in names:
                    return dict(value or {})
        elif plugin in names:
            return {}
    return None


def load_settings(config_file: Path, data: dict[str, Any] | None = None) -> ContentSettings:
    """Read the ``deflect/content`` options from a MkDocs config file (``data``: its mapping, if already read)."""
    data = read_config(config_file) if data is None else data
    options = plugin_options(data, PLUGIN_NAMES) or {}
    root = config_file.parent
    try:
        return settings_from_options(root, options, str(data.get("docs_dir") or "docs"))
    except SettingsError as exc:
        raise SettingsError(f"{config_file}: {exc}") from exc
