"""One pass over a body finds what the check and the site plan read (nesting, links, anchors, link
spans, prose lines): each part as the rules of ``markdown_scan`` say, with line numbers."""

from __future__ import annotations

import itertools
import posixpath
from pathlib import Path

from deflect.content import markdown_scan
from deflect.content.links import _relpath
from deflect.content.markdown_scan import (MAX_MARKUP_RUN, find_anchors, find_headings, find_links, find_too_deep,
                                           link_spans, prose_line_numbers, rewrite_links, scan)

ROOT = Path(__file__).resolve().parent.parent
BODY = """Intro with [a link](a.md#part) and `[code](not-a-link.md)`.

## Setup {#setup-id}

```
[fenced](fenced.md)
## Not a heading
```

<div id="raw-id"></div>
Text {#attr-id .note}
[wrapped
text](b.md)

[ref]: c.md "Title"
~~~~
[in tilde fence](d.md)
~~~~
# Last
"""


def test_one_scan_finds_links_headings_anchors_and_spans_outside_code() -> None:
    assert [(link.line, link.target) for link in find_links(BODY)] == [(1, "a.md#part"), (13, "b.md"), (15, "c.md")]
    assert [(h.line, h.level, h.text, h.anchor) for h in find_headings(BODY)] == [
        (3, 2, "Setup", "setup-id"), (19, 1, "Last", "last")]
    assert find_anchors(BODY) == {"setup-id", "raw-id", "attr-id", "last"}
    assert [target for _, _, target in link_spans(BODY)] == ["a.md#part", "b.md", "c.md"]
    assert all(BODY[start:end] == target for start, end, target in link_spans(BODY))
    assert prose_line_numbers(BODY) == set(range(1, 21)) - {5, 6, 7, 8, 16, 17, 18}
    rewritten = rewrite_links(BODY, lambda target: target.upper())
    assert "[a link](A.MD#PART)" in rewritten and "[fenced](fenced.md)" in rewritten and "](C.MD" not in rewritten
    assert "[ref]: C.MD" in rewritten


def test_a_run_joined_by_removing_inline_code_is_too_deep_on_its_line() -> None:
    half = "*" * (MAX_MARKUP_RUN // 2 + 1)
    found = find_too_deep(f"Fine.\n\n{half}`x`{half}\n")
    assert found is not None and found[0] == 3 and f"a run of {2 * len(half)} '*'" in found[1]
    assert find_too_deep(f"Fine.\n\n```\n{half * 3}\n```\n") is None  # in a code block: never rendered as markup


def test_the_first_problem_line_wins_whichever_kind() -> None:
    nested = "\n".join("  " * level + "- item" for level in range(40))
    found = find_too_deep(f"{nested}\n\n{'_' * (MAX_MARKUP_RUN + 1)}\n")
    assert found is not None and "nested" in found[1] and found[0] < 40
    found = find_too_deep(f"{'_' * (MAX_MARKUP_RUN + 1)}\n\n{nested}\n")
    assert found is not None and found[0] == 1 and "a run of" in found[1]


def test_a_too_deep_text_is_not_scanned_further_but_its_links_can_still_be_read() -> None:
    text = "[x](x.md)\n\n" + "\n".join("> " * level + "q" for level in range(40))
    assert scan(text).too_deep is not None and scan(text).links is None
    assert [link.target for link in find_links(text)] == ["x.md"]


def test_a_scan_is_remembered_per_text() -> None:
    text = "Remembered [once](once.md).\n"
    assert scan(text) is scan(text) is scan("".join(["Remembered [once]", "(once.md).\n"]))
    assert markdown_scan.scan(text).spans == ((18, 25, "once.md"),)


def test_relative_site_paths_are_posix_relpath() -> None:
    parts = ["en", "hr", "billing", "x.md", "en.md", "billing.md"]
    paths = ["/".join(p) for n in (1, 2, 3) for p in itertools.product(parts, repeat=n)]
    starts = ["."] + ["/".join(p) for n in (1, 2) for p in itertools.product(parts[:3] + ["x.md"], repeat=n)]
    for path, start in itertools.product(paths, starts):
        assert _relpath(path, start) == posixpath.relpath(path, start), (path, start)
    assert _relpath("/abs.md", ".") == posixpath.relpath("/abs.md", ".")


def _toc_ids(text: str) -> list[str]:
    """The heading ids Markdown's toc gives ``text``, in order."""
    import markdown

    converter = markdown.Markdown(extensions=["toc", "attr_list", "fenced_code", "admonition", "tables"])
    converter.convert(text)

    def walk(tokens: list[dict]) -> list[str]:
        return [found for token in tokens for found in [token["id"], *walk(token["children"])]]
    return walk(converter.toc_tokens)  # type: ignore[attr-defined]


TRICKY_HEADINGS = [
    "## A\n\n## B {#a}\n\n## A\n",  # an explicit id is kept; the others are numbered around it
    "## Use `foo_bar` and `x*y`\n\n## Use foo_bar\n",  # code spans and underscores in the slug
    "# Fish &amp; chips\n\n## snake_case_name\n\n## 2 * 3 * 4\n\n## *Stress* and __strong__ [link](x.md)\n",
    "## X\n\nA paragraph\n{: #x}\n\n## X\n\n## Café &lt;b&gt; \\* ok\n",  # a block's id is kept too
    "## Same\n\n```\n## Same\n```\n\n## Same {: .note }\n\n## Same\n",
]


def test_heading_anchors_are_the_ids_toc_gives() -> None:
    """``deflect check`` accepts a link to ``page.md#anchor`` exactly when the built page has that id."""
    bodies = list(TRICKY_HEADINGS)
    for path in sorted(path for folder in ("articles", "faq", "examples") for path in (ROOT / folder).rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        bodies.append(text.split("\n---\n", 1)[1] if text.startswith("---\n") else text)
    assert len(bodies) > 100
    for body in bodies:
        assert [heading.anchor for heading in find_headings(body)] == _toc_ids(body), body
