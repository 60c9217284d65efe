"""Listing pages come from Deflect's theme templates: a site overrides one like a Material partial,
every Deflect template autoescapes, and the README lists each template with the data it receives."""

from __future__ import annotations

import re
from pathlib import Path

import jinja2
import pytest
from jinja2 import nodes

from conftest import make_help_center, write
from deflect.content import load_help_center
from deflect.content.settings import load_settings
from deflect.mkdocs_plugins.build import build_site
from deflect.mkdocs_plugins.material_theme import THEME_DIR, quick_dict_lookups
from deflect.mkdocs_plugins.theme_pages import LISTING_TEMPLATES, NOT_AUTOESCAPED, with_permalinks
from deflect.site.plan import SitePlan

ROOT = Path(__file__).resolve().parent.parent

OVERRIDE = """\
{#- A site's own category page: a table instead of Deflect's list. -#}
<h2 id="all-articles">{{ strings.categories }}: {{ listing.category.title }}</h2>
<table class="site-articles">
{%- for item in listing.articles %}
<tr><td><a href="{{ item.url | url }}">{{ item.title }}</a></td><td>{{ item.summary }}</td></tr>
{%- endfor %}
</table>
"""


@pytest.mark.slow
def test_a_site_overrides_the_category_template_from_its_custom_dir(tmp_path: Path) -> None:
    config = make_help_center(tmp_path)
    config.write_text(config.read_text(encoding="utf-8").replace(
        "theme:\n  name: material\n", "theme:\n  name: material\n  custom_dir: overrides\n"), encoding="utf-8")
    write(tmp_path, "overrides/partials/deflect/category.html", OVERRIDE)
    write(tmp_path, "articles/en/sign-in.md", "---\ntitle: 'Sign in <img src=x onerror=alert(1)>'\ncategory: account\n"
          "summary: 'How to sign in & stay in'\n---\nHow to sign in.\n")
    write(tmp_path, "docs/hr/index.md", "# Naša početna\n\nNapisana rukom.\n")  # takes the generated home's place
    build_site(config, tmp_path / "site", quiet=True)

    page = (tmp_path / "site" / "en" / "account" / "index.html").read_text(encoding="utf-8")
    assert '<table class="site-articles">' in page and 'class="deflect-articles"' not in page
    # The override is autoescaped like Deflect's own template, and its addresses are the build's.
    assert ('<tr><td><a href="sign-in/">Sign in &lt;img src=x onerror=alert(1)&gt;</a></td>'
            "<td>How to sign in &amp; stay in</td></tr>") in page
    assert '<a href="reset-password/">Reset your password</a>' in page
    # Its heading is in the page's table of contents, with the permalink MkDocs' toc adds by default.
    assert '<h2 id="all-articles">' in page and 'href="#all-articles"' in page
    assert re.search(r'<a href="#all-articles" class="md-nav__link">\s*<span class="md-ellipsis">\s*'
                     r"Browse by topic: Account", page)
    # Croatian gets the override too (in Croatian); the home page keeps Deflect's template.
    croatian = (tmp_path / "site" / "hr" / "account" / "index.html").read_text(encoding="utf-8")
    assert '<table class="site-articles">' in croatian and "Pregled po temama" in croatian
    home = (tmp_path / "site" / "en" / "index.html").read_text(encoding="utf-8")
    assert '<div class="grid cards">' in home and "site-articles" not in home
    own = (tmp_path / "site" / "hr" / "index.html").read_text(encoding="utf-8")
    assert "Napisana rukom." in own and '<div class="grid cards">' not in own


def test_headings_with_an_id_get_a_permalink_and_a_place_in_the_contents() -> None:
    body = '<h2 id="faq">FAQ &amp; more</h2><p>x</p><h3 class="c" id="a-b"><a href="x/">Sub</a></h3><h2>No id</h2>'
    html, tokens = with_permalinks(body, {"permalink": "#", "permalink_title": "Link here"})
    assert '<h2 id="faq">FAQ &amp; more<a class="headerlink" href="#faq" title="Link here">#</a></h2>' in html
    assert '<h3 class="c" id="a-b"><a href="x/">Sub</a><a class="headerlink" href="#a-b"' in html
    assert "<h2>No id</h2>" in html
    assert [(t["level"], t["id"], t["name"]) for t in tokens] == [(2, "faq", "FAQ &amp; more"), (3, "a-b", "Sub")]
    assert with_permalinks(body, {})[0] == body


def _outside_autoescape(node: nodes.Node, inside: bool = False) -> list[int]:
    """Lines of ``{{ … }}`` output that no ``{% autoescape true %}`` block covers."""
    if isinstance(node, nodes.ScopedEvalContextModifier):
        inside = inside or any(k.key == "autoescape" and isinstance(k.value, nodes.Const) and k.value.value
                               for k in node.options)
    if isinstance(node, nodes.Output) and not inside:
        return [child.lineno for child in node.nodes if not isinstance(child, nodes.TemplateData)]
    return [line for child in node.iter_child_nodes() for line in _outside_autoescape(child, inside)]


def test_every_deflect_template_autoescapes_without_explicit_escape_filters() -> None:
    """The build compiles Deflect's templates with autoescape (a site's copy too); each also says so
    itself, and none relies on ``| e``."""
    env = jinja2.Environment()
    names = sorted(p.relative_to(THEME_DIR).as_posix() for p in THEME_DIR.rglob("*.html"))
    assert set(LISTING_TEMPLATES.values()) <= set(names)
    for name in names:
        source = (THEME_DIR / name).read_text(encoding="utf-8")
        assert not re.search(r"\|\s*e\b(?!\w)|\|\s*escape\b", source), f"{name}: rely on autoescape, not | e"
        if name in NOT_AUTOESCAPED:
            continue
        outside = _outside_autoescape(env.parse(source))
        assert not outside, f"{name}: output on line(s) {outside} is outside {{% autoescape true %}}"


def test_readme_lists_each_listing_template_with_the_data_it_receives(tmp_path: Path) -> None:
    make_help_center(tmp_path, options="popular: [reset-password]")
    center, _ = load_help_center(load_settings(tmp_path / "mkdocs.yml"), with_history=False)
    plan = SitePlan(center)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for role, name in LISTING_TEMPLATES.items():
        row = next((line for line in readme.splitlines() if line.startswith(f"| `{name}` |")), None)
        assert row is not None, f"README.md: no row for {name} in the listing templates table"
        page = next(page for page in plan.pages.values() if page.role == role)
        for key in page.listing:
            shown = key[:-5] + "_url" if key.endswith("_path") else key
            assert f"`{shown}`" in row, f"README.md: {name} receives listing.{shown}, which its row leaves out"


@pytest.mark.parametrize("undefined", [jinja2.Undefined, jinja2.ChainableUndefined, jinja2.StrictUndefined])
def test_quick_dict_lookups_give_what_jinja_gives(undefined: type[jinja2.Undefined]) -> None:
    """Keys of plain dicts are read without Jinja's failed attribute lookup first; every answer stays
    Jinja's own: a dict's methods still win over its keys, a missing key is undefined, other objects
    (dict subclasses too) go through Jinja's lookup."""

    class Sub(dict):  # type: ignore[type-arg]
        title = "class attribute"

    class Obj:
        url = "attribute"

    source = ("{{ d.url }}|{{ d.title }}|{{ d.items is callable }}|{{ d.get('url') }}|{{ d.nested.deep }}|"
              "{{ s.title }}|{{ s.url }}|{{ o.url }}|{% for k, v in d.items() %}{{ k }}{% endfor %}|"
              "{{ d.missing is defined }}|{{ d.missing | default('fallback') }}")
    data = {"d": {"url": "u", "title": "<t>", "items": "shadowed", "nested": {"deep": 1}},
            "s": Sub(url="sub", title="key"), "o": Obj()}
    plain = jinja2.Environment(undefined=undefined, autoescape=True)
    quick = jinja2.Environment(undefined=undefined, autoescape=True)
    quick_dict_lookups(quick)
    quick_dict_lookups(quick)  # once per environment
    expected = plain.from_string(source).render(data)
    assert quick.from_string(source).render(data) == expected
    assert expected.startswith("u|&lt;t&gt;|True|u|1|class attribute|sub|attribute|urltitleitemsnested|False|fallback")
    if undefined is jinja2.StrictUndefined:
        for env in (plain, quick):
            with pytest.raises(jinja2.UndefinedError):
                env.from_string("{{ d.missing }}").render(data)

