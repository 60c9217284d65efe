"""Bytes every page repeats: no template indentation (the sidebar's category list, the language switcher and
the rest of the page), while the page's own code blocks keep theirs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import article, make_help_center, write

from deflect.mkdocs_plugins.build import build_site


@pytest.mark.slow
def test_pages_carry_no_template_indentation_and_code_blocks_keep_theirs(tmp_path: Path) -> None:
    config = make_help_center(tmp_path / "p")
    for n in range(12):
        write(config.parent, f"articles/en/topic-{n}.md", article(f"Topic {n}", body=f"Text {n}.\n"))
    code = "Run this:\n\n    def check():\n        return True\n"
    write(config.parent, "articles/en/topic-3.md", article("Topic 3", body=code))
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

    assert "<pre><code>def check():\n    return True\n</code></pre>" in page, "a code block keeps its indentation"
    outside_code = re.sub(r"<pre>.*?</pre>", "", page, flags=re.S)
    assert not re.search(r"^[ \t]+<", outside_code, re.M), "no line of the page starts with indentation"
    light = (site / "hr" / "account" / "topic-3" / "index.html").read_text(encoding="utf-8")
    assert "<pre><code>def check():\n    return True\n</code></pre>" in light
    assert not re.search(r"^[ \t]+<", re.sub(r"<pre>.*?</pre>", "", light, flags=re.S), re.M)

    switcher = page[page.index('<ul class="md-select__list">'):]
    switcher = switcher[:switcher.index("</ul>")]
    assert re.findall(r"^<li class=\"md-select__item\"><a [^\n]*>(English|Hrvatski)[^\n]*</a></li>$", switcher, re.M) \
        == ["English", "Hrvatski"]


def test_templates_whose_whitespace_is_content_keep_their_indentation() -> None:
    import jinja2

    from deflect.mkdocs_plugins.material_theme import UnindentedTemplates

    templates = {
        "plain.html": "<div>\n    <p>{{ x }}</p>\n</div>\n",
        "pre.html": "<pre>\n    kept\n</pre>\n",
        "pre-code.html": "<div>\n  <pre><code class=\"x\">{{ x }}\n    kept</code></pre>\n</div>\n",
        "pre-span.html": "<pre class=\"x\"><span>a</span>\n  <span>kept</span></pre>\n",
        "textarea.html": "<form>\n  <textarea name=\"t\">{{ x }}\n    kept</textarea>\n</form>\n",
        "textarea-open.html": "<textarea>{% block t %}\n  kept{% endblock %}",
        "one-line-pre.html": "<div>\n    <pre><code>one line</code></pre>\n    <p>x</p>\n</div>\n",
        "literal.html": "<script>\n  const t = `a\n    b`;\n</script>\n",
        "comment.html": "{#- a `name` in a\n    comment -#}\n<div>\n    <p>x</p>\n</div>\n<script>\n  go(`one line`);\n  go(`two`);\n</script>\n",
    }
    env = jinja2.Environment(loader=UnindentedTemplates(jinja2.DictLoader(templates)))
    assert env.get_template("plain.html").render(x=1) == "<div>\n<p>1</p>\n</div>"
    for name in ("pre.html", "pre-span.html"):
        assert env.get_template(name).render() == templates[name].rstrip("\n"), name
    assert env.get_template("textarea-open.html").render() == "<textarea>\n  kept"  # its end tag in another template
    for name in ("pre-code.html", "textarea.html"):
        assert env.get_template(name).render(x=1) == templates[name].replace("{{ x }}", "1").rstrip("\n"), name
    # A <pre> on one line holds no line start: the rest of its template is unindented.
    assert env.get_template("one-line-pre.html").render() == "<div>\n<pre><code>one line</code></pre>\n<p>x</p>\n</div>"
    assert env.get_template("literal.html").render() == templates["literal.html"].rstrip("\n")
    assert "\n<p>x</p>" in env.get_template("comment.html").render()
