"""Related-article lists into article pages: the MkDocs side of ``site.related_fill`` for ``deflect/search``.

Each article is rendered with an empty slot, so its output never depends on when the lists arrive.
Once the search worker has sent them, a page on its way to its file gets its list in
``on_post_page`` (after deflect/content decided to write the file: a file kept as it was is filled
in place, as before). The pages written before that are filled in place at the end of the build,
which reads each one back: 5 s for the 38,000 pages of a 10,000-article help center, when every
page waited for the end.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.utils import get_relative_url

from ..search.background import SearchJob
from ..search.service import PageConfigs
from ..site.outputs import KeptOutputs
from ..site.related_fill import fill_pages, fill_text


class RelatedSlots:
    """The slots of one build: its article pages, each with its document and language."""

    def __init__(self, env: Any, configs: PageConfigs, job: SearchJob | None) -> None:
        self.env, self.configs, self.job = env, configs, job
        self.slots: dict[str, tuple[str, str, str]] = {}  # page file in the site -> (doc id, page url, lang)
        self.related: dict[str, list[tuple[str, str, str]]] | None = None
        self.at_write: dict[str, str] = {}  # page file -> the list's HTML put in as the file was written
        self._partial: Any = None

    def html(self, rel: str) -> str:
        """The related-articles list of the page at ``rel``, as its slot holds it."""
        assert self.related is not None
        doc_id, page_url, lang = self.slots[rel]
        links = [{"title": title, "url": get_relative_url(url, page_url or ".")}
                 for _, title, url in self.related.get(doc_id, [])]
        if self._partial is None:
            self._partial = self.env.get_template("partials/deflect/related.html")
        return str(self._partial.render(deflect_search={"strings": self.configs.shared(lang)["strings"], "related": links}))

    def fill_output(self, rel: str, output: str) -> str | None:
        """``output`` of the page at ``rel`` with its list, if the worker has sent the lists; else None."""
        if rel not in self.slots or not output:
            return None
        if self.related is None:
            indexed = self.job.indexed_if_here() if self.job is not None else None
            if indexed is None:
                return None
            self.related = indexed.related
        html = self.at_write[rel] = self.html(rel)  # (a page the template gave no slot needs no fill either)
        return fill_text(output, html)

    def fill_files(self, site: Path, related: dict[str, list[tuple[str, str, str]]],
                   kept: KeptOutputs | None) -> tuple[int, int]:
        """Fill the written pages that lack their list (pages read, pages written)."""
        same, self.related = related is self.related, related  # (the same lists: indexed() is sent once)
        return fill_pages(((site / rel, rel, self.at_write[rel] if same and rel in self.at_write else self.html(rel))
                           for rel in self.slots), kept, self.at_write)
