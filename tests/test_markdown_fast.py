"""The fast inline step (``deflect.markdown_fast``) writes what Python-Markdown's own writes, byte for byte:
on the example help center, the real Thunderbird knowledge base, hand-written inline cases under several
extension sets (pymdownx ones too), extensions that change their patterns while converting, and a
whole site built with it and without it."""

from __future__ import annotations

import csv
import re
import sys
import xml.etree.ElementTree as etree
from pathlib import Path
from typing import Any

import markdown
import pytest
from conftest import REPO
from markdown.extensions import Extension
from material.extensions import emoji
from markdown.inlinepatterns import InlineProcessor, Pattern, SimpleTagInlineProcessor, SimpleTagPattern

from deflect import markdown_fast
from deflect.markdown_fast import FAST_ENV, FastInlineProcessor, required_chars, speed_up_inline
from deflect.search.documents import EXTENSIONS

sys.path.insert(0, str(Path(__file__).parent))
from sumo_kb import ARTICLES, DATA, QUESTIONS, kb_rows  # noqa: E402

EMOJI = {"pymdownx.emoji": {"emoji_index": emoji.twemoji, "emoji_generator": emoji.to_svg}}
EXTENSION_SETS: list[tuple[list[str], dict[str, Any]]] = [
    (EXTENSIONS, {}),
    (["toc", "attr_list", "md_in_html", "admonition", "pymdownx.details", "pymdownx.emoji"],  # the example site's
     {"toc": {"permalink": True}, **EMOJI}),
    ([], {}),
    (["extra", "smarty", "sane_lists", "nl2br", "wikilinks", "abbr", "legacy_attrs", "pymdownx.betterem",
      "pymdownx.caret", "pymdownx.mark", "pymdownx.tilde", "pymdownx.keys", "pymdownx.inlinehilite",
      "pymdownx.magiclink", "pymdownx.critic", "pymdownx.smartsymbols", "pymdownx.tasklist",
      "pymdownx.superfences", "pymdownx.arithmatex"], {}),
    (["legacy_em", "pymdownx.escapeall", "pymdownx.saneheaders", "pymdownx.highlight", "pymdownx.snippets",
      "pymdownx.emoji", "toc", "tables", "admonition", "pymdownx.details"], {}),
]

TRICKY = [
    "***strong emphasis*** and **strong *nested em* strong** and *em **strong** em* and _a __b__ c_.",
    "*a [link](https://e.x/a_b) in em* and **[bold link][ref]** and [*em in link*](/x \"title *x*\").\n\n"
    "[ref]: https://example.com/r\n",
    "`code with * and _ and [x](y)` and ``double `tick` code`` and \\`not code\\` and a lone ` tick.",
    "Escapes: \\*not em\\*, \\_not\\_, \\[not a link\\], \\\\*em?*, \\# \\+ \\! \\\\ \\` end\\",
    "Autolinks <https://example.com/a?b=c&d=e> and <mail@example.com> and https://bare.example.com/x and "
    "www.example.com and <ftp://f.example/x>.",
    "Raw <span class=\"x\">HTML *em*</span>, <b>bold</b>, <!-- comment *x* -->, <br/>, a < b > c, <not html.",
    "Entities &amp; &copy; &#169; &#xA9; &nbsp; &bogus; & alone &;, AT&T.",
    "snake_case_word and __init__ and _intraword_emphasis_ and foo_bar_baz_ and *intra*word.",
    "Hard  \nline break, another\\\nand trailing spaces   \nend.",
    "![alt *text*](/img.png \"t\") ![ref image][img] ![img] and [collapsed][] and [shortcut] and [img].\n\n"
    "[img]: /i.png\n[collapsed]: /c\n[shortcut]: /s \"S\"\n",
    "# Heading {: #custom .cls }\n\nParagraph {: .para data-x=\"1\" }\n\n* item *em* {: .li }\n* `code`{: .c }\n",
    "!!! note \"A *note*\"\n    Body with **bold** and `code`.\n\n!!! warning\n    - a\n    - b _em_\n",
    "??? tip \"Details *em*\"\n    Hidden **text** and [link](#x).\n\n???+ note open\n    Open one.\n",
    "| a *em* | b `c|d` |\n|---|:---:|\n| **x** | [y](z) |\n| \\| pipe | <b>h</b> |\n",
    "Footnote[^1] and ++ctrl+alt+del++ and ==mark== and ^^ins^^ and ~~del~~ and H~2~O and x^2^ "
    "and {--del--}{++add++} and :smile: and :+1: and -> <- (c) 1/2 and [[Wiki Link]].\n\n[^1]: Note *em*.\n\n"
    "*[HTML]: Hyper Text\n\nHTML again.",
    "- [ ] task *a*\n- [x] done `b`\n\n1. one\n2. two\n\nTerm\n:   Definition *em*\n",
    "<div markdown=\"1\">\n**bold** in *div*\n</div>\n\n<p>raw *p*</p>\n\n```python\ncode * _ [x](y)\n```\n",
    "Quotes \"double\" and 'single' -- dash --- em... and `#!python print('x')` and $x*y_z$.",
    "Deep *a **b *c **d** c* b** a* and *unclosed and **also unclosed and _x *y_ z* and ** spaced **.",
    "Ünïcödé *émphasis* and 中文 **粗体** and emoji 😀 _italic_ [lïnk](/ü).",
    "",
    "\n\n\n",
    "[link](<url with spaces> \"t\") [l](/a(b)c) [l]( /x ) [empty]() [](/x) [a\nb](/c)",
]


def _strip_front_matter(text: str) -> str:
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end != -1:
            return text[end + 5:]
    return text


def _example_texts() -> list[str]:
    paths = sorted((REPO / "articles").rglob("*.md")) + sorted((REPO / "faq").rglob("*.md"))
    assert len(paths) > 50
    return [_strip_front_matter(path.read_text(encoding="utf-8")) for path in paths]


def _kb_texts() -> list[str]:
    """Every KB article's text and HTML, every question's HTML and the seed texts: real, messy input."""
    texts = [row[column] for row in kb_rows() for column in ("text", "html", "summary")]
    csv.field_size_limit(sys.maxsize)
    with open(QUESTIONS, encoding="utf-8", newline="") as handle:
        texts += [row["content"] for row in csv.DictReader(handle)]
    texts += [path.read_text(encoding="utf-8") for path in sorted((DATA / "seeds").glob("*"))]
    return texts


def _converters(extensions: list[str], configs: dict[str, Any]) -> tuple[markdown.Markdown, markdown.Markdown]:
    plain = markdown.Markdown(extensions=extensions, extension_configs=configs)
    fast = speed_up_inline(markdown.Markdown(extensions=extensions, extension_configs=configs))
    assert any(type(processor) is FastInlineProcessor for processor in fast.treeprocessors)
    return plain, fast


def assert_same_html(texts: list[str], extensions: list[str], configs: dict[str, Any]) -> None:
    plain, fast = _converters(extensions, configs)
    for number, text in enumerate(texts):
        expected = plain.reset().convert(text)
        assert fast.reset().convert(text) == expected, f"text {number}: {text[:200]!r}"


@pytest.mark.parametrize("extensions, configs", EXTENSION_SETS)
def test_tricky_inline_cases_are_converted_as_without_the_fast_loop(extensions: list[str],
                                                                   configs: dict[str, Any]) -> None:
    assert_same_html(TRICKY + ["\n\n".join(TRICKY)], extensions, configs)


@pytest.mark.parametrize("extensions, configs", EXTENSION_SETS[:2] + EXTENSION_SETS[3:4])
def test_the_example_help_center_is_converted_as_without_the_fast_loop(extensions: list[str],
                                                                     configs: dict[str, Any]) -> None:
    assert_same_html(_example_texts(), extensions, configs)


@pytest.mark.skipif(not ARTICLES.is_file(), reason=f"no {ARTICLES} (set DEFLECT_TEST_DATA)")
@pytest.mark.parametrize("extensions, configs", EXTENSION_SETS[:2] + EXTENSION_SETS[3:4])
def test_the_real_knowledge_base_is_converted_as_without_the_fast_loop(extensions: list[str],
                                                                     configs: dict[str, Any]) -> None:
    texts = _kb_texts()
    assert len(texts) > 800
    assert_same_html(texts, extensions, configs)


def test_required_chars_are_read_from_the_expression() -> None:
    assert required_chars(r"(?<!\!)\[", 0) == ("[",)  # a lookbehind may look before the start: not counted
    assert required_chars(r"(?:(?<!\\)((?:\\{2})+)(?=`+)|(?<!\\)`)", 0) == ("`",)  # a lookahead counts
    assert required_chars(r"(?:ab|cd)e?", 0) in {("a", "c"), ("a", "d"), ("b", "c"), ("b", "d")}
    assert required_chars(r"\*|_", 0) == ("*", "_")
    assert required_chars(r"[a-z]+x{2,}", 0) == ("x",)
    for nothing_certain in [r"(?<=x)", r"a?b*", r"(?i)a", r"(?i:a)b?", r"[^a]", r"\w+", r"x|y|z", r"(a)\1?|b?"]:
        assert required_chars(nothing_certain, 0) == (), nothing_certain
    assert required_chars("a", re.IGNORECASE) == ()


def test_no_pattern_matches_without_one_of_its_required_chars() -> None:
    """Every match a search finds, from every position where one starts, has one of the characters at or
    after the position, for every inline pattern of every extension set, on the hand-written cases."""
    texts = TRICKY + _example_texts()[:40]
    checked = 0
    for extensions, configs in EXTENSION_SETS:
        md = markdown.Markdown(extensions=extensions, extension_configs=configs)
        for pattern in md.inlinePatterns:
            compiled = getattr(pattern, "compiled_re", None)
            chars = required_chars(compiled.pattern, compiled.flags) if compiled is not None else ()
            if not chars:
                continue
            for text in texts:
                position = 0
                while (match := compiled.search(text, position)) is not None:
                    assert any(text.find(char, position) >= 0 for char in chars), (compiled.pattern, text)
                    checked += 1
                    position = match.start() + 1
    assert checked > 1000


class _Changing(Extension):
    """Patterns that change while a document converts: an old-style pattern, a pattern with its own
    ``getCompiledRegExp``, one that swaps its expression, and one that registers a pattern or replaces it
    (one that removes a pattern makes Python-Markdown's own loop fail: its count of patterns is kept)."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802
        md.inlinePatterns.register(SimpleTagPattern(r"()%%(.+?)%%()", "kbd"), "old_style", 95)

        class OwnRegExp(SimpleTagInlineProcessor):
            def getCompiledRegExp(self) -> re.Pattern[str]:  # noqa: N802
                return re.compile(r"()@@(.+?)@@")

        class Swapping(InlineProcessor):
            def handleMatch(self, m: re.Match[str], data: str) -> tuple[Any, int, int]:  # noqa: N802
                self.compiled_re = re.compile(r"\?\?" if m.group(0) == "!!" else r"!!")
                return etree.Element("hr"), m.start(0), m.end(0)

        class Registering(InlineProcessor):
            def handleMatch(self, m: re.Match[str], data: str) -> tuple[Any, int, int]:  # noqa: N802
                tag = "sub" if "late" in md.inlinePatterns and md.inlinePatterns["late"].tag == "sup" else "sup"
                md.inlinePatterns.register(SimpleTagInlineProcessor(r"()\^\^(.+?)\^\^", tag), "late", 200)
                element = etree.Element("i")
                element.text = "toggled"
                return element, m.start(0), m.end(0)

        md.inlinePatterns.register(OwnRegExp(r"(?!)", "samp"), "own", 94)
        md.inlinePatterns.register(Swapping(r"!!"), "swap", 93)
        md.inlinePatterns.register(Registering(r"~toggle~"), "toggle", 92)


def test_patterns_that_change_while_converting_are_followed() -> None:
    texts = ["%%old%% @@own@@ ^^before^^ ~toggle~ ^^same *text*^^ !! ?? !!\n\n^^next^^ *em ^^in em^^*",
             "**%%in strong%%** ?? !! ?? ~toggle~ *^^em^^* ~toggle~ ^^x^^\n\n^^y^^", "plain text only",
             "!! !! ?? ??"]
    plain = markdown.Markdown(extensions=[_Changing(), "attr_list"])
    fast = speed_up_inline(markdown.Markdown(extensions=[_Changing(), "attr_list"]))
    outputs = []
    for text in texts + texts[::-1] + texts:
        outputs.append(plain.reset().convert(text))
        assert fast.reset().convert(text) == outputs[-1]
    assert any("<sup>" in html for html in outputs) and any("<sub>" in html for html in outputs)  # "late" changed
    assert all("@@" not in html and "%%" not in html for html in outputs)


def test_the_processor_keeps_its_place_and_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    md = markdown.Markdown(extensions=["smarty", "pymdownx.smartsymbols", "toc"])
    objects = list(md.treeprocessors)
    before = [(item.name, item.priority) for item in md.treeprocessors._priority]
    speed_up_inline(md)
    assert [(item.name, item.priority) for item in md.treeprocessors._priority] == before
    assert list(md.treeprocessors) == objects  # the same objects, now of the fast class
    assert {name for name in ("inline", "smarty", "smart-symbols")
            if type(md.treeprocessors[name]) is FastInlineProcessor} == {"inline", "smarty", "smart-symbols"}
    monkeypatch.setenv(FAST_ENV, "0")
    other = speed_up_inline(markdown.Markdown())
    assert type(other.treeprocessors["inline"]) is not FastInlineProcessor
    monkeypatch.setattr(markdown_fast, "_APPLY", None)  # another Markdown: a method it does not have
    monkeypatch.delenv(FAST_ENV)
    assert not markdown_fast.supported()


def test_old_style_patterns_are_left_to_the_original() -> None:
    md = speed_up_inline(markdown.Markdown())
    md.inlinePatterns.register(SimpleTagPattern(r"()%%(.+?)%%()", "kbd"), "old_style", 95)
    assert md.convert("a %%b%% c") == "<p>a <kbd>b</kbd> c</p>"
    processor = md.treeprocessors["inline"]
    assert isinstance(processor, FastInlineProcessor)
    planned = dict(zip(map(id, processor._patterns), processor._plans))
    assert planned[id(md.inlinePatterns["old_style"])] is None
    assert isinstance(md.inlinePatterns["old_style"], Pattern)
