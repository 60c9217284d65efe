"""Bytes every page repeats: the category's sidebar list and the language switcher carry no indentation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import article, make_help_center, write

from deflect.mkdocs_plugins.build import build_site


@pytest.mark.slow
def test_sidebar_and_language_switcher_items_are_one_unindented_line_each(tmp_path: Path) -> None:
    config = make_help_center(tmp_path / "p")
    for n in range(12):
        write(config.parent, f"articles/en/topic-{n}.md", article(f"Topic {n}", body=f"Text {n}.\n"))
    site = tmp_path / "site"
    build_site(config, site, strict=True, quiet=True)
    page = (site / "en" / "account" / "topic-3" / "index.html").read_text(encoding="utf-8")

    subnav = page[page.index('<nav class="md-nav deflect-subnav"'):]
    subnav = subnav[:subnav.index("</nav>")]
    items = re.findall(r"^<li class=\"md-nav__item\">.*</li>$", subnav, re.M)
    assert len(items) == 15, subnav  # the 12 new articles, Reset your password, Sign in, the FAQ
    assert '<li class="md-nav__item"><a href="./" class="md-nav__link md-nav__link--active" aria-current="page">' \
           '<span class="md-ellipsis">Topic 3</span></a></li>' in items
    assert not re.search(r"\n[ \t]", subnav), "no indentation inside the category's list"

    switcher = page[page.index('<ul class="md-select__list">'):]
    switcher = switcher[:switcher.index("</ul>")]
    assert re.findall(r"^<li class=\"md-select__item\"><a [^\n]*>(English|Hrvatski)[^\n]*</a></li>$", switcher, re.M) \
        == ["English", "Hrvatski"]
