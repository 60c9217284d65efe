"""Wire Deflect's theme folder, assets and Markdown extensions into a Material for MkDocs config."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.pages import Page

from ..content.settings import ContentSettings
from ..escaping import Markup
from ..site.context import absolute_url

log = get_plugin_logger(__name__)
THEME_DIR = Path(__file__).resolve().parent.parent / "theme"
REQUIRED_EXTENSIONS = ("attr_list", "md_in_html", "admonition", "pymdownx.details")
SCRIPTS = ("assets/deflect/guide.js", "assets/deflect/feedback.js", "assets/deflect/helpcenter.js")
_INDENT = re.compile(r"^[ \t]+", re.M)
_KEEPS_WHITESPACE = re.compile(r"<(pre|textarea)\b[^>]*>((?:(?!</\1\b).)*)", re.I | re.S)
"""A ``<pre>`` or ``<textarea>`` and its content up to its end tag (or the template's end): markup
inside (``<pre><code>``, ``<span>``) is part of the content, whose line starts show in the page."""
_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script>", re.I | re.S)
_LITERAL = re.compile(r"`[^`]*`")  # a JavaScript template literal


def keeps_whitespace(source: str) -> bool:
    """Whether a template's line-start whitespace is content: a multi-line ``<pre>`` or
    ``<textarea>``, or a script with a template literal over several lines."""
    return any("\n" in content for _, content in _KEEPS_WHITESPACE.findall(source)) or any(
        "\n" in literal for script in _SCRIPT.findall(source) for literal in _LITERAL.findall(script))


def set_up_material(config: MkDocsConfig, settings: ContentSettings) -> dict[str, str]:
    """Add Deflect's templates, CSS, scripts and extensions; return Material's UI language per language."""
    ui_languages = {lang.code: material_language(lang.code) for lang in settings.languages}
    config.theme.dirs.insert(1 if config.theme.custom_dir else 0, str(THEME_DIR))
    config.theme["language"] = ui_languages[settings.default_language]
    if "assets/deflect/deflect.css" not in config.extra_css:  # listed in mkdocs.yml too: keep its place
        config.extra_css.insert(0, "assets/deflect/deflect.css")
    for script in SCRIPTS:
        if script not in config.extra_javascript:
            config.extra_javascript.append(script)
    config.extra.setdefault("alternate", [{"name": lang.name, "link": f"{lang.code}/", "lang": lang.code}
                                          for lang in settings.languages])
    for name in REQUIRED_EXTENSIONS:
        if name not in config.markdown_extensions:
            config.markdown_extensions.append(name)
    if not any(str(ext).startswith("pymdownx.emoji") for ext in config.markdown_extensions):
        from material.extensions import emoji

        config.markdown_extensions.append("pymdownx.emoji")
        config.mdx_configs["pymdownx.emoji"] = {"emoji_index": emoji.twemoji, "emoji_generator": emoji.to_svg}
    return ui_languages


class UnindentedTemplates(jinja2.BaseLoader):
    """The theme's templates (Material's and Deflect's) without the indentation at their line starts.

    Indentation is about a tenth of every page (2.8 KB of a 28 KB article page); a browser shows
    the page the same without it, as each line break stays. Only the templates' own text changes:
    page HTML (code blocks) arrives through variables. A template with a multi-line ``<pre>`` or
    ``<textarea>``, or a script whose template literal spans lines, is left as it is."""

    def __init__(self, loader: jinja2.BaseLoader) -> None:
        self.loader = loader

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str | None, Any]:
        source, filename, uptodate = self.loader.get_source(environment, template)
        if not keeps_whitespace(source):
            source = _INDENT.sub("", source)
        return source, filename, uptodate

    def list_templates(self) -> list[str]:
        return self.loader.list_templates()


def unindent_templates(env: jinja2.Environment) -> None:
    """Serve the theme's templates through :class:`UnindentedTemplates` (once per environment)."""
    if env.loader is not None and not isinstance(env.loader, UnindentedTemplates):
        env.loader = UnindentedTemplates(env.loader)


_DICT_NAMES = frozenset(dir(dict))


def quick_dict_lookups(env: jinja2.Environment) -> None:
    """Make ``{{ entry.url }}`` on a plain dict a key lookup first. Jinja tries the attribute first, and
    a dict has none: an exception per read, 700,000 of them in a 1,000-article build (the page contexts,
    sidebars and page metadata are dicts), a tenth of the templates' time. Same results: a plain dict's
    attributes are exactly its methods, which still win, and a missing key ends as before."""
    if getattr(env, "_deflect_quick_lookups", False):
        return
    slow = env.getattr

    def lookup(obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_NAMES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return slow(obj, attribute)

    env.getattr = lookup  # type: ignore[method-assign]
    env._deflect_quick_lookups = True  # type: ignore[attr-defined]


@cache
def material_stylesheets() -> tuple[str, ...]:
    """Material's own stylesheets (their names carry a hash of the installed version); looked up once,
    not once per light fallback page."""
    from material import templates

    folder = Path(templates.__file__).parent / "assets" / "stylesheets"
    return tuple(f"assets/stylesheets/{path.name}" for path in sorted(folder.glob("main.*.min.css")))


def material_language(code: str) -> str:
    """Material's translation for ``code`` (``hr``), or the nearest it has, or English."""
    from material import templates

    folder = Path(templates.__file__).parent / "partials" / "languages"
    for candidate in (code, code.split("-")[0]):
        if (folder / f"{candidate}.html").is_file():
            return candidate
    log.info(f"Material has no interface translation for '{code}': English is used for its buttons")
    return "en"


def light_context(source: Page | None, page: Page, config: MkDocsConfig, canonical_url: str,
                  direction: str) -> dict[str, Any]:
    """What the light fallback template shows: its source's body (rendered once), its canonical
    (``canonical_url``: the source's address from the site root) and its text ``direction``
    (:class:`Directions`, for its interface language)."""
    # Pages are all rendered to HTML before the first template runs, so the source's is ready.
    body = source.content if source is not None and source.content is not None else page.content or ""
    canonical = page.canonical_url or absolute_url("", canonical_url, page.url)
    return {"body": Markup(body), "has_title": any(item.level == 1 for item in (source or page).toc), "canonical": canonical,
            "stylesheets": [*material_stylesheets(), *(str(css) for css in config.extra_css)], "direction": direction}


def prepare_environment(env: jinja2.Environment, config: MkDocsConfig, ui_languages: dict[str, str]) -> Directions:
    """Before any template runs: :func:`unindent_templates`, :func:`quick_dict_lookups`, and the text
    direction of each language's pages, worked out once per build (:class:`Directions`)."""
    unindent_templates(env)
    quick_dict_lookups(env)
    return Directions(env, config, ui_languages)


class Directions:
    """The text direction Material's base.html gives the pages of a language (``directions(lang)``):
    the theme's, else that of Material's translation for the language's interface (``ui_languages``,
    as ``partials/language.html`` picks it). Worked out once per language for the light fallback
    pages: importing the translations in each page's template took a third of its render."""

    def __init__(self, env: jinja2.Environment, config: MkDocsConfig, ui_languages: dict[str, str]) -> None:
        self.env, self.config, self.ui_languages = env, config, ui_languages
        self.known: dict[str, str] = {}
        self._template: jinja2.Template | None = None  # compiled for the first language that needs it

    def __call__(self, lang: str) -> str:
        if lang not in self.known:
            if self.config.theme.get("direction"):
                self.known[lang] = str(self.config.theme["direction"])
            else:
                if self._template is None:
                    self._template = self.env.from_string(
                        '{%- import "partials/language.html" as lang with context -%}{{ lang.t("direction") }}')
                self.known[lang] = self._template.render(deflect={"ui_lang": self.ui_languages.get(lang, "en")},
                                                         config=self.config).strip()
        return self.known[lang]
