"""One Markdown converter for all the pages of a build, reset between pages, instead of one per page.

MkDocs makes a new ``markdown.Markdown`` for every page it renders: loading the extensions and
building the parser was more than a quarter of the Markdown time of a 4,000-page build. Python-Markdown's own
way to convert many texts is one converter and ``reset()`` between them (it empties the HTML stash,
the references and every extension's state), so while :meth:`MarkdownReuse.rendering` runs,
MkDocs' page render gets that one converter. The four processors MkDocs registers for each page
replace the last page's under the same names and priorities, in the same order, so the pages come
out byte for byte as from fresh converters. Other settings, extensions given as objects (a plugin's,
whose state ``reset()`` may not cover), or a render that failed halfway get a fresh converter.
Every converter made here skips the inline patterns that cannot match (``deflect.markdown_fast``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

import markdown
from mkdocs.structure import pages as mkdocs_pages

from ..markdown_fast import speed_up_inline


class MarkdownReuse:
    """The converter of one build (make a new ``MarkdownReuse`` for each build: extensions may have changed)."""

    def __init__(self) -> None:
        self.converter: markdown.Markdown | None = None
        self.settings: tuple[list[Any], dict[str, Any]] | None = None

    def _converter(self, *, extensions: Any, extension_configs: Any) -> markdown.Markdown:
        if not all(isinstance(name, str) for name in extensions):
            # an extension object a plugin added may keep per-page state that reset() knows nothing of
            return speed_up_inline(markdown.Markdown(extensions=extensions, extension_configs=extension_configs))
        settings = (list(extensions), dict(extension_configs))
        if self.converter is None or settings != self.settings:
            converter = markdown.Markdown(extensions=extensions, extension_configs=extension_configs)
            self.converter = speed_up_inline(converter)
            self.settings = settings
        else:
            self.converter.reset()
        return self.converter

    @contextmanager
    def rendering(self) -> Iterator[None]:
        """MkDocs' ``Page.render`` inside this block converts with the build's one converter."""
        module = getattr(mkdocs_pages, "markdown", None)
        if getattr(module, "Markdown", None) is not markdown.Markdown:  # another MkDocs: leave its renders alone
            yield
            return
        mkdocs_pages.markdown = SimpleNamespace(Markdown=self._converter)
        try:
            yield
        except BaseException:
            self.converter = None  # its parser may be left mid-document
            raise
        finally:
            mkdocs_pages.markdown = module
