"""Search sections read straight from a simple body's Markdown (``search.plaintext``) are the sections
the rendered HTML gives (``documents._rendered_sections``): on the example help center, on the real
Thunderbird knowledge base, and on many generated bodies mixing what the reader handles with what
it must leave to Python-Markdown."""
from __future__ import annotations

import random
import sys
from pathlib import Path

import markdown
import pytest

from deflect.content.frontmatter import split_front_matter
from deflect.search import plaintext
from deflect.search.documents import EXTENSIONS, Section, _rendered_sections, extract_sections
from deflect.search.plaintext import simple_sections

sys.path.insert(0, str(Path(__file__).parent))
from sumo_kb import ARTICLES, SUMO, _paragraphs, kb_rows  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def rendered(body: str) -> list[Section]:
    """``extract_sections`` as it was: every body rendered by Python-Markdown."""
    return [s for s in _rendered_sections(body) if s.text or s.heading] or [Section("", "", "")]


def same_as_rendered(bodies: list[str]) -> int:
    """Assert each body's sections equal the rendered ones; return how many took the fast path."""
    fast = 0
    for body in bodies:
        fast += simple_sections(body) is not None
        assert extract_sections(body) == rendered(body), body
    return fast


def test_the_example_help_center_reads_the_same_and_mostly_without_rendering() -> None:
    bodies = []
    for path in sorted([*(ROOT / "articles").rglob("*.md"), *(ROOT / "faq").rglob("*.md")]):
        source, _ = split_front_matter(path.read_text(encoding="utf-8"), str(path))
        if source is not None:
            bodies.append(source.body)
    assert len(bodies) > 100
    fast = same_as_rendered(bodies)
    assert fast > len(bodies) * 0.8  # tables, raw HTML and the like are rendered


@pytest.mark.skipif(not ARTICLES.is_file(), reason=f"no {SUMO} (set DEFLECT_TEST_DATA)")
def test_the_real_thunderbird_knowledge_base_reads_the_same() -> None:
    rows = kb_rows()
    bodies = [row["text"] for row in rows] + ["\n" + _paragraphs(row["text"]) + "\n" for row in rows]
    fast = same_as_rendered(bodies)
    assert fast > 50  # its plain articles; most have raw HTML, tables or references and are rendered


WORDS = ["alpha", "Beta", "x", "1", "č", "über", "C#", "e-mail", "50%", "a.b", "(x)", "!", "?", "~", ":", '"q"', "'s",
         "¶", "2)", "a&b", "\\ ", "\\*", "\\_", "\\[", "\\!", "\\#", "\\\\", "\\.", "\\a", "a_b", "x_y_z", "é_é",
         "&nbsp;", "&#169;", "&amp;x", "&foo;", "a&b;c"]
SIMPLE = ["**b**", "*e*", "`c`", "`a_b*`", "` sp `", "[l](u.md)", "[l **b**](u.md#x)", "![alt](i.png)", "[`c`](u)",
          "**[l](u)**", "a**b**c", "2*3*4", "*a\nb*", "**a\nb**", "`a\nb`", "[a\nb](u)", "[a\\]b](u)", "[a] [b](u)",
          "[[a](u)]", "[x [y](u)", "![a] b", "[a] (b)", "[a][b]", "**&nbsp;b**", "[&para;](u)", "a  ", "[x]"]
TRICKY = ["*", "**", "***", "_", "__", "_e_", "__s__", "** b**", "**b **", "[x](a b)", "[x]()", "](", "{#i}", "{.c}",
          "{", "}", "&copy;", "&#XA9;", "&#57344;", "<b>", "<", "`", "``x``", "\\`", "*a **b** c*", "**a *b* c**",
          "*a*b*", "_a_b", "a_", "_a", "**\\***", "\t", "[TOC]", "<http://x>", "a*b", "x__y", "\\**a**", "**a**_b",
          "a_**b**", "[a [b] c](u)", "[a]: u", "[a](u) ]", "\\", "a\u00a0", "&#0;", "\x02", ">", "#", "=", "+", "-", "1."]


def _inline(rng: random.Random, tricky: float) -> str:
    parts = []
    for _ in range(rng.randint(1, 7)):
        pool = TRICKY if rng.random() < tricky else (WORDS if rng.random() < 0.6 else SIMPLE)
        parts.append(rng.choice(pool))
    return " ".join(parts)


def _block(rng: random.Random, tricky: float, depth: int = 0) -> str:
    kind = rng.random()
    if kind < 0.3:  # a paragraph, its later lines maybe indented or looking like list items
        lines = [_inline(rng, tricky)]
        lines += [rng.choice(["", " ", "    ", "      ", "- ", "1. "] + (["  - ", "    1. "] if tricky else []))
                  + _inline(rng, tricky)
                  for _ in range(rng.choice([0, 0, 1, 2]))]
        return "\n".join(lines)
    if kind < 0.45 and depth == 0:
        odd = ["#######", "{#x}", " {: #z}", " {#x} #", " {.c}"] if tricky else []
        return (rng.choice(["#", "##", "###", "######", "##"] + odd[:1]) + rng.choice([" ", " ", ""]) + _inline(rng, tricky)
                + rng.choice(["", "", " {#id}", " {#a-b}", " {#x_1}", " ##"] + odd[1:]))
    if kind < 0.75:  # a list, tight or loose, with lazy and indented continuation lines
        lines = []
        for _ in range(rng.randint(1, 5)):
            lines.append(rng.choice(["1. ", "2. ", "- ", "* ", "+ ", " 3. ", "   - ", "9.  ", "1. ", "- "])
                         + (_inline(rng, tricky) if rng.random() > tricky else rng.choice(["", "# x", "> q", "1. n"])))
            for _ in range(rng.choice([0, 0, 1, 2])):
                lines.append(rng.choice(["", "  ", "   ", "    ", "     "] + (["    - "] if tricky else [])) + _inline(rng, tricky))
            if rng.random() < 0.2:
                lines.append("")
        return "\n".join(lines)
    if kind < 0.9 and depth == 0:
        head = rng.choice(['!!! tip', '!!! note "Title **b** `c`"', '!!! warning ""', "!!! danger big", "!!!tip",
                           "!!! my_class", '!!! note "a &amp; b"'] + (['!!! "x"', "??? note", '!!! tip "a" b'] if tricky else []))
        inner = "\n\n".join(_block(rng, tricky, 1) for _ in range(rng.randint(1, 3)))
        body = "\n".join("    " + line if line else line for line in inner.split("\n"))
        return head + ("\n" + body if rng.random() < 0.9 else "")
    if depth == 0 and rng.random() < 0.5:  # an admonition's next block, a list item's, or code
        return "\n".join("    " + line for line in _block(rng, tricky, 1).split("\n"))
    return rng.choice(["---", "***", "===", "> quote", "| a | b |", "[x]: http://u", "```", "~~~", "<div>x</div>",
                       "Text\n---", "    # h", "  !!! note"]) if rng.random() < tricky else _inline(rng, tricky)


def generated(seed: int) -> str:
    rng = random.Random(seed)
    tricky = rng.choice([0.0, 0.0, 0.0, 0.03, 0.15, 0.5])
    blocks = [_block(rng, tricky) for _ in range(rng.randint(1, 10))]
    return rng.choice(["", "\n", "\n\n"]) + rng.choice(["\n\n", "\n\n\n", "\n"]).join(blocks) + rng.choice(["", "\n"])


def test_generated_bodies_read_the_same_whether_read_or_rendered() -> None:
    bodies = [generated(seed) for seed in range(400)]
    fast = same_as_rendered(bodies)
    assert 80 < fast < len(bodies) - 80  # both ways were taken many times


@pytest.mark.parametrize("body", [
    "## A\n\n## B {#a}\n\n## A\n\n## a_1",  # explicit ids are taken before toc makes any
    "## A\n\n## A\n\n## A_1\n\n## A\n\n## x {#a_3}\n\n## A\n\n##\n\n##",  # toc's numbering of repeated ids
    "## C#\n\n##\n\ntext ## x\n\n#######\n\n## a \\# \\*b\\* Q&A\n\n## &nbsp; {#n}",
    "## Foo ## {#x}\n\n## **Bold** `code` [link](u) ![i](p.png) {#y}\n\n## Über ¶ straße",
    "1. a\n\n- b\n\n3. c\n\n4. d",  # a loose list keeps its first tag: four steps, three kept
    "- a\n\n1. b",  # not a numbered list: no steps
    "a\n1. b\n- c",  # a list needs a blank line before it
    "1. a\nlazy\n2. b\n## H\n3. c\n!!! note\n    1. in a note\n    2. too\n\n    more\n\n4. d",
    "!!! note \"\"\n    x\n\n    y\n\n!!! danger big\n    z\nafter",
    "para\n\n    code **not bold** [x](y)\n    more\nafter\n\n    code again",  # indented code: text as written
    "!!! note\n        code *x*\n    text *y*\n\n    1. a\n\n    b",
    "1. a\n\n    second paragraph of a\n    lazy\n\n2. b\n\n     c\nlazy\n\n3. \\\\ x\n4. d\n\n    more of d",
    "x **a** *b* a_b_c 2*3*4 `*c*` [*l*](u_v*w) \\* \\_ \\ z &nbsp;a&amp;b &copy; &foo; [x] [y](z)",
    "1. " + "word " * 60 + "\n2. \\\\ x\n3. &para;\n4. d",
    "word " * 1000 + "\n\n## Next\n\nshort",  # the section text limit
    "",
    "\n\n   \n",
], ids=lambda body: repr(body[:40]))
def test_bodies_that_differ_in_small_ways_read_the_same(body: str) -> None:
    assert simple_sections(body) is not None  # each is read without rendering
    assert extract_sections(body) == rendered(body)


@pytest.mark.parametrize("body", [
    "a <b>c</b>", "a | b\n--|--\n1 | 2", "> quote", "```\ncode\n```", "1. a\n\n        code", "1. a\n\n    - more",
    "1. a\n\n    more\n# heading in the item", "!!! note\n    1. a\n\n        more",
    "1. a\n    - nested", "---", "Title\n===", "??? note\n    x", "[x][r]\n\n[r]: /u", "## A &amp; B", "## A \\# {#x}",
    "a {: .c}", "a * b", "**a*", "_a_", "[a [b] c](u)", "`a", "``a``", "a\tb", "&#XA9;", "[TOC]", "- # heading",
], ids=repr)
def test_what_the_reader_does_not_handle_is_rendered(body: str) -> None:
    assert simple_sections(body) is None
    assert extract_sections(body) == rendered(body)


def test_the_reader_escapes_what_the_renderer_escapes() -> None:
    assert plaintext._ESCAPED == set(markdown.Markdown(extensions=EXTENSIONS).ESCAPED_CHARS)
