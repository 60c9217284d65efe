"""One Markdown converter per build, reset between pages, writes what a fresh converter per page writes."""

from __future__ import annotations

import markdown
import pytest
from mkdocs.structure import pages as mkdocs_pages

from deflect.mkdocs_plugins.markdown_reuse import MarkdownReuse

EXTENSIONS = ["toc", "tables", "fenced_code", "attr_list", "md_in_html", "admonition", "pymdownx.details",
              "footnotes", "abbr", "def_list"]
CONFIGS = {"toc": {"permalink": True}}
PAGES = [
    "# Reset a password\n\nText with a note[^1] and HTML.\n\n*[HTML]: Hyper Text\n\n[^1]: The note.\n\n"
    "## Steps\n\n## Steps\n\n!!! note \"Careful\"\n    Inside [a ref][r].\n\n[r]: https://example.com/r\n",
    "# Another page\n\nHTML again, no abbreviation here; a [ref][r] that is not defined.\n\n## Steps\n\n"
    "<div markdown>\n**bold** in raw HTML\n</div>\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
    "Term\n:   Definition[^1]\n\n[^1]: A second note.\n\n??? tip \"More\"\n    ```\n    code\n    ```\n",
]


def _fresh(text: str) -> tuple[str, object]:
    md = markdown.Markdown(extensions=EXTENSIONS, extension_configs=CONFIGS)
    return md.convert(text), md.toc_tokens  # type: ignore[attr-defined]


def test_a_reset_converter_writes_each_page_as_a_fresh_one() -> None:
    reuse = MarkdownReuse()
    with reuse.rendering():
        for text in PAGES + PAGES[::-1]:
            md = mkdocs_pages.markdown.Markdown(extensions=EXTENSIONS, extension_configs=CONFIGS)
            assert (md.convert(text), md.toc_tokens) == _fresh(text)  # type: ignore[attr-defined]
            assert md is reuse.converter
    assert mkdocs_pages.markdown is markdown


def test_other_settings_or_a_failed_render_get_a_fresh_converter() -> None:
    reuse = MarkdownReuse()
    with reuse.rendering():
        first = mkdocs_pages.markdown.Markdown(extensions=EXTENSIONS, extension_configs=CONFIGS)
        other = mkdocs_pages.markdown.Markdown(extensions=["toc"], extension_configs={})
        assert other is not first and other.convert("# T") == '<h1 id="t">T</h1>'
    with pytest.raises(ValueError), reuse.rendering():
        raise ValueError("a render failed")
    assert reuse.converter is None and mkdocs_pages.markdown is markdown


def test_extension_objects_get_a_fresh_converter_each_time() -> None:
    """A plugin's extension object may keep per-page state that ``reset()`` does not know of."""
    from markdown.extensions.toc import TocExtension

    reuse = MarkdownReuse()
    extensions = ["tables", TocExtension(permalink=True)]
    with reuse.rendering():
        first = mkdocs_pages.markdown.Markdown(extensions=extensions, extension_configs={})
        second = mkdocs_pages.markdown.Markdown(extensions=extensions, extension_configs={})
        assert first is not second and reuse.converter is None
        assert second.convert("# T").startswith('<h1 id="t">T')
