"""Settings of a help center: languages, folders, audience. Shared by the plugins and the CLI.

The MkDocs plugin fills these from its config; the CLI reads the same block from ``mkdocs.yml``
without importing MkDocs.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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


@dataclass
class ContentSettings:
    """Where the content lives and how it is published."""

    root: Path
    languages: list[Language] = field(default_factory=lambda: [Language("en", "English")])
    default_language: str = "en"
    articles_dir: str = "articles"
    faq_dir: str = "faq"
    docs_dir: str = "docs"
    audience: str = "public"
    fallback: bool = True
    fallback_mode: str = "light"
    """How a missing translation is shown: ``full`` (the article rendered again in the reader's
    language's page), ``light`` (a small page reusing the source article's rendered body, noindex
    and canonical to it) or ``link`` (category lists link straight to the source article)."""
    required_languages: list[str] = field(default_factory=list)
    review_every_days: int = 365
    sidebar_limit: int = 20
    popular: list[str] = field(default_factory=list)
    today: dt.date = field(default_factory=dt.date.today)

    def __post_init__(self) -> None:
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


def settings_from_options(root: Path, options: dict[str, Any], docs_dir: str = "docs") -> ContentSettings:
    """Build settings from the plugin's options as written in ``mkdocs.yml``."""
    languages = []
    for item in options.get("languages") or [{"code": "en", "name": "English"}]:
        if isinstance(item, str):
            languages.append(Language(item, item))
        elif isinstance(item, dict) and "code" in item:
            languages.append(Language(str(item["code"]), str(item.get("name") or item["code"])))
        else:
            raise SettingsError(f"each entry of 'languages' needs a 'code' (and a 'name'), got {item!r}")
    known = {
        "articles_dir", "faq_dir", "audience", "fallback", "required_languages", "review_every_days",
        "sidebar_limit", "popular", "default_language", "languages", "enabled",
    }
    unknown = sorted(set(options) - known)
    if unknown:
        raise SettingsError(f"unknown option(s) for deflect/content: {', '.join(unknown)}")
    return ContentSettings(
        root=root,
        languages=languages,
        default_language=str(options.get("default_language") or languages[0].code),
        articles_dir=str(options.get("articles_dir", "articles")),
        faq_dir=str(options.get("faq_dir", "faq")),
        docs_dir=docs_dir,
        audience=str(options.get("audience") or "public"),
        **fallback_options(options.get("fallback", True)),
        required_languages=list(options.get("required_languages") or []),
        review_every_days=int(options.get("review_every_days", 365)),
        sidebar_limit=int(options.get("sidebar_limit", 20)),
        popular=list(options.get("popular") or []),
    )


FALLBACK_MODES = ("full", "light", "link")


def fallback_options(value: Any) -> dict[str, Any]:
    """The ``fallback`` option (``true``/``false`` or ``full``/``light``/``link``) as settings fields."""
    if value is False or value in ("off", "none"):
        return {"fallback": False}
    if value is True or value is None:
        return {"fallback": True, "fallback_mode": "light"}
    if isinstance(value, str) and value in FALLBACK_MODES:
        return {"fallback": True, "fallback_mode": value}
    raise SettingsError(f"'fallback' must be full, light, link or false, got {value!r}")


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


def load_settings(config_file: Path) -> ContentSettings:
    """Read the ``deflect/content`` options from a MkDocs config file."""
    data = read_config(config_file)
    options = plugin_options(data, PLUGIN_NAMES) or {}
    root = config_file.parent
    try:
        return settings_from_options(root, options, str(data.get("docs_dir") or "docs"))
    except SettingsError as exc:
        raise SettingsError(f"{config_file}: {exc}") from exc
