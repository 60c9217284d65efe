"""Read links, headings and anchors out of Markdown source without rendering it.

Used by ``deflect check`` (line numbers for every broken link) and by the site build (which
rewrites source-relative links). Code blocks and inline code are skipped. What a scan finds
depends on the text alone, so it is remembered per text (``scancache``): a text is scanned once.
"""

from __future__ import annotations

import functools
import html
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Callable, NamedTuple

import markdown
from markdown.extensions.toc import slugify, unique

from .scancache import remembered, remembered_entry

_FENCE_RE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_ATTR_ID_RE = re.compile(r"\{[^}]*#([A-Za-z][\w\-:.]*)[^}]*\}\s*$")
_HTML_ID_RE = re.compile(r"""\bid\s*=\s*["']([^"']+)["']""")
_INLINE_CODE_RE = re.compile(r"(`+)(?:(?!\1).)+?\1")
_LINK_RE = re.compile(r"(!?)\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'(][^)]*[\"')])?\s*\)")
_REF_DEF_RE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$")
_MD_INLINE_RE = re.compile(r"[*_`]|!?\[([^\]]*)\]\([^)]*\)")
_ATTR_IDS_RE = re.compile(r"\{[^}]*#([A-Za-z][\w\-:.]*)[^}]*\}")
_ATTR_LIST_END_RE = re.compile(r"\{:?[^}]*\}\s*$")
_SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@dataclass(frozen=True)
class Link:
    line: int
    """1-based line within the scanned text."""
    target: str
    is_image: bool = False

    @property
    def path(self) -> str:
        return self.target.split("#", 1)[0]

    @property
    def anchor(self) -> str | None:
        return self.target.split("#", 1)[1] if "#" in self.target else None

    @property
    def is_external(self) -> bool:
        return is_external(self.target)

    def __reduce__(self) -> tuple[type[Link], tuple[int, str, bool]]:
        return Link, (self.line, self.target, self.is_image)  # saved scans load faster than with a __dict__ each


def is_external(target: str) -> bool:
    """A link target with a scheme (``https:``, ``mailto:``) or a host (``//example.com``)."""
    return bool(_SCHEME_RE.match(target)) or target.startswith("//")


@dataclass(frozen=True)
class Heading:
    line: int
    level: int
    text: str
    anchor: str

    def __reduce__(self) -> tuple[type[Heading], tuple[int, int, str, str]]:
        return Heading, (self.line, self.level, self.text, self.anchor)


class BodyScan(NamedTuple):
    """Everything the check and the site plan read out of one text, found in one pass over it. When
    the text is too deep to render, nothing else is looked for (it is never rendered nor checked)."""

    too_deep: tuple[int, str] | None
    links: tuple[Link, ...] | None = None
    headings: tuple[Heading, ...] | None = None
    anchors: frozenset[str] | None = None
    spans: tuple[tuple[int, int, str], ...] | None = None


def scan(text: str) -> BodyScan:
    """The scan of ``text``, made once per text (``scancache``); see :class:`BodyScan`."""
    return remembered("body", text, _scan)


def scan_entry(text: str) -> tuple[tuple[str, bytes], BodyScan]:
    """:func:`scan` and its ``scancache`` key, for a process that scans on another's behalf."""
    return remembered_entry("body", text, _scan)


def _complete(text: str) -> BodyScan:
    """The scan of ``text`` with every part found, also when it is too deep (then not remembered)."""
    found = scan(text)
    return found if found.too_deep is None else _scan(text, deep=True)


def _scan(text: str, deep: bool = False) -> BodyScan:
    lines, unfenced = _split(text)
    prose = _prose(lines, unfenced, "`" in text)
    paragraphs = _paragraphs(prose)
    too_deep = _find_too_deep(prose, paragraphs)
    if too_deep is not None and not deep:
        return BodyScan(too_deep)
    headings = tuple(_find_headings(prose, lines))
    return BodyScan(too_deep, tuple(_find_links(paragraphs)), headings, frozenset(_find_anchors(prose, headings)),
                    _link_spans(text, lines, unfenced))


def _split(text: str) -> tuple[list[str], list[tuple[int, int]]]:
    """The lines of ``text`` and the runs of them outside fenced code blocks."""
    lines = text.split("\n")
    return lines, (_unfenced(lines) if "```" in text or "~~~" in text else [(0, len(lines))])


def _unfenced(lines: list[str]) -> list[tuple[int, int]]:
    """``(first, end)`` indexes of the runs of ``lines`` outside fenced code blocks (fence lines excluded)."""
    runs: list[tuple[int, int]] = []
    fence: str | None = None
    start = 0
    for index in [index for index, line in enumerate(lines) if "```" in line or "~~~" in line]:
        line = lines[index]
        if fence is None:
            match = _FENCE_RE.match(line)
            if match:
                runs.append((start, index))
                fence = match.group(1)[0] * len(match.group(1))
        elif line.strip().startswith(fence):
            fence, start = None, index + 1
    if fence is None:
        runs.append((start, len(lines)))
    return runs


@functools.lru_cache(maxsize=64)
def _prose_lines(text: str) -> tuple[tuple[int, str], ...]:
    """Lines outside fenced code blocks, with inline code removed, numbered from 1 (a guide's steps
    read them after its headings and links: kept for the last texts)."""
    return _prose(*_split(text), "`" in text)


def _prose(lines: list[str], unfenced: list[tuple[int, int]], code: bool) -> tuple[tuple[int, str], ...]:
    prose: list[tuple[int, str]] = []
    for first, end in unfenced:
        numbered = zip(range(first + 1, end + 1), lines[first:end])
        if code:
            prose += [(number, _INLINE_CODE_RE.sub("", line) if "`" in line else line) for number, line in numbered]
        else:
            prose += numbered
    return tuple(prose)


def prose_line_numbers(text: str) -> set[int]:
    """Numbers (from 1) of the lines outside fenced code blocks."""
    return {number for first, end in _split(text)[1] for number in range(first + 1, end + 1)}


def _paragraphs(lines: Sequence[tuple[int, str]]) -> list[tuple[int, str]]:
    """Consecutive non-blank lines joined with newlines (a link's text may wrap), with the
    number of each block's first line."""
    blocks: list[tuple[int, str]] = []
    current: list[str] = []
    start, previous = 0, -1
    for number, line in lines:
        blank = not line.strip()
        if current and (blank or number != previous + 1):
            blocks.append((start, "\n".join(current)))
            current = []
        if not blank:
            if not current:
                start = number
            current.append(line)
        previous = number
    if current:
        blocks.append((start, "\n".join(current)))
    return blocks


def find_links(text: str) -> list[Link]:
    """Every inline link, image and reference definition in ``text`` (link text may wrap lines)."""
    return list(_complete(text).links or ())


def _find_links(paragraphs: list[tuple[int, str]]) -> list[Link]:
    links = []
    for start, block in paragraphs:
        if "](" in block:
            for match in _LINK_RE.finditer(block):
                number = start + block.count("\n", 0, match.start(2))
                links.append(Link(number, match.group(2), is_image=bool(match.group(1))))
        if "]:" in block:
            for offset, line in enumerate(block.split("\n")):
                ref = _REF_DEF_RE.match(line)
                if ref:
                    links.append(Link(start + offset, ref.group(1)))
    return links


def heading_text(raw: str) -> str:
    """Heading text as the reader sees it (attribute lists and inline markup removed)."""
    raw = _ATTR_ID_RE.sub("", raw).strip()
    raw = _ATTR_LIST_END_RE.sub("", raw).strip()
    return _MD_INLINE_RE.sub(lambda m: m.group(1) or "", raw).strip()


def find_headings(text: str) -> list[Heading]:
    """ATX headings with the anchor the ``toc`` extension gives them."""
    return list(_complete(text).headings or ())


def _find_headings(prose: Sequence[tuple[int, str]], lines: Sequence[str]) -> list[Heading]:
    """Headings with toc's anchors: ids from attribute lists stay (a heading's, a block's), and toc
    numbers the other headings around them (``## A`` then ``## B {#a}``: ``a_1`` and ``a``), each by
    the slug of its text as rendered (one with inline markup is rendered: ``Use `foo_bar` `` is
    ``use-foo_bar``)."""
    found: list[tuple[int, int, str, str | None]] = []
    for number, line in prose:
        match = _HEADING_RE.match(line) if line.startswith("#") else None
        if match:
            given = _ATTR_ID_RE.search(match.group(2))
            found.append((number, len(match.group(1)), match.group(2), given.group(1) if given else None))
    if not found:
        return []
    used = {anchor for *_, anchor in found if anchor is not None}
    used.update(anchor for number, line in prose if "{" in line and _BLOCK_ATTR_RE.match(line)
                and number >= 2 and lines[number - 2].strip() for anchor in _ATTR_IDS_RE.findall(line))
    headings: list[Heading] = []
    for number, level, raw, anchor in found:
        title = heading_text(raw)
        if anchor is None:
            source = _HEADING_RE.match(lines[number - 1])
            marked = source.group(2) if source else raw  # with its inline code, which prose lines leave out
            anchor = unique(slugify(_rendered_name(marked) if _MARKUP_RE.search(marked) else title, "-"), used)
            used.add(anchor)
        headings.append(Heading(number, level, title, anchor))
    return headings


_BLOCK_ATTR_RE = re.compile(r"^[ ]*\{:?[ ]*[^\}\n ][^\}\n]*[ ]*\}[ ]*$")  # attr_list's, on a block's last line
_MARKUP_RE = re.compile(r"[`_*&\\<\[!{]")


@functools.lru_cache(maxsize=1)
def _toc_converter() -> markdown.Markdown:
    """One converter for the few headings with inline markup."""
    return markdown.Markdown(extensions=["toc", "attr_list"])


def _rendered_name(raw: str) -> str:
    """The text toc slugs for a heading written ``raw``: its rendered HTML's text, entities decoded."""
    converter = _toc_converter()
    converter.reset().convert("# " + raw)
    tokens = converter.toc_tokens
    return html.unescape(tokens[0]["name"]) if tokens else ""


def find_anchors(text: str) -> set[str]:
    """Every id a link may point at: headings, attribute lists and raw HTML ids."""
    return set(_complete(text).anchors or ())


def _find_anchors(prose: Sequence[tuple[int, str]], headings: Sequence[Heading]) -> set[str]:
    anchors = {heading.anchor for heading in headings}
    for _, line in prose:
        if "id" in line:
            anchors.update(_HTML_ID_RE.findall(line))
        if "{" in line:
            anchors.update(_ATTR_IDS_RE.findall(line))
    return anchors


def rewrite_links(text: str, replace: Callable[[str], str | None]) -> str:
    """Apply ``replace`` to every link target outside code; ``None`` keeps the target as it is.
    Paragraphs are scanned whole, so links whose text wraps onto the next line are found."""
    out: list[str] = []
    last = 0
    for start, end, target in link_spans(text):
        new = replace(target)
        if new is not None:
            out += (text[last:start], new)
            last = end
    out.append(text[last:])
    return "".join(out)


def link_spans(text: str) -> tuple[tuple[int, int, str], ...]:
    """``(start, end, target)`` of every link target outside code, in order (see :func:`rewrite_links`)."""
    return _complete(text).spans or ()


def _link_spans(text: str, lines: list[str], unfenced: list[tuple[int, int]]) -> tuple[tuple[int, int, str], ...]:
    """Paragraphs here are runs of lines that are not blank as written (inline code counts as text)."""
    if "](" not in text and "]:" not in text:
        return ()  # no inline link nor reference definition anywhere
    spans: list[tuple[int, int, str]] = []
    starts = list(itertools.accumulate((len(line) + 1 for line in lines), initial=0))  # offset of each line
    for first, end in unfenced:
        block = first
        for index in [*(i for i in range(first, end) if not lines[i].strip()), end]:
            if block < index:  # lines block … index - 1, without the newline after the last
                chunk = text[starts[block]:starts[index] - 1]
                if "](" in chunk or "]:" in chunk:
                    _block_spans(chunk, starts[block], spans)
            block = index + 1
    return tuple(spans)


def _block_spans(block: str, offset: int, spans: list[tuple[int, int, str]]) -> None:
    """Link targets of one paragraph (lines joined with newlines) that starts at ``offset``."""
    if "\n" in block:
        lines = block.split("\n")
        if any(_REF_DEF_RE.match(item) for item in lines):
            for item in lines:  # a paragraph with a reference definition: line by line
                _block_spans(item, offset, spans)
                offset += len(item) + 1
            return
    else:
        ref = _REF_DEF_RE.match(block)
        if ref:
            # The target's first occurrence in the definition (the label may spell it too).
            start = offset + ref.start(0) + ref.group(0).find(ref.group(1))
            spans.append((start, start + len(ref.group(1)), ref.group(1)))
            return
    last = 0
    for code in [*_INLINE_CODE_RE.finditer(block), None]:
        end = code.start() if code is not None else len(block)
        for link in _LINK_RE.finditer(block, last, end):
            spans.append((offset + link.start(2), offset + link.end(2), link.group(2)))
        if code is not None:
            last = code.end()


MAX_BODY_NESTING = 32
"""Deepest nesting of lists, quotes, indented blocks or brackets a body may have. Python-Markdown
recurses once per level (600 nested list items end in RecursionError after 20 s of work) and its
bracket matching is quadratic; real articles stay under five levels."""
MAX_MARKUP_RUN = 200
"""Longest run of one markup character (``*`` × 3,000 is a RecursionError in the renderer)."""

_LIST_MARKER_RE = re.compile(r"^(?:[-*+]|\d{1,9}[.)])(?:\s|$)")
_QUOTES_RE = re.compile(r"^(?:>\s?)+")
_MARKUP_RUN_RE = re.compile(r"([*_\[\]{}<>~])\1{%d,}" % (MAX_MARKUP_RUN - 1))


def find_too_deep(text: str) -> tuple[int, str] | None:
    """The first line (1-based, in ``text``) whose structure is too deep for the renderer, and why."""
    return scan(text).too_deep


def _find_too_deep(prose: Sequence[tuple[int, str]], paragraphs: list[tuple[int, str]]) -> tuple[int, str] | None:
    # A run cannot span lines (a newline is none of its characters): look for one in all lines at once.
    run = _MARKUP_RUN_RE.search("\n".join([line for _, line in prose]))
    run_index = len(prose)
    if run:
        run_index = run.string.count("\n", 0, run.start())
    stack: list[int] = []  # indents of the open list items
    for number, line in prose[:run_index]:
        if not line.strip():
            continue
        if line[0] not in " \t>":  # no indent, no quote: at most the list item this line starts
            stack = [0] if _LIST_MARKER_RE.match(line) else []
            continue
        expanded = line.expandtabs(4)
        quotes = _QUOTES_RE.match(expanded.lstrip(" "))
        depth_quotes = quotes.group(0).count(">") if quotes else 0
        rest = expanded.lstrip(" ")[quotes.end():] if quotes else expanded
        indent = len(rest) - len(rest.lstrip(" "))
        while stack and stack[-1] >= indent:
            stack.pop()
        if _LIST_MARKER_RE.match(rest.lstrip(" ")):
            stack.append(indent)
        depth = depth_quotes + max(len(stack), indent // 4)
        if depth > MAX_BODY_NESTING:
            return number, (f"lists, quotes or indented blocks nested {depth} levels deep; at most "
                            f"{MAX_BODY_NESTING} can be shown: flatten the structure")
    if run:
        return prose[run_index][0], (f"a run of {len(run.group(0))} '{run.group(1)}' characters; at most "
                                     f"{MAX_MARKUP_RUN} in a row can be shown: write fewer")
    for start, block in paragraphs:
        if block.count("[") <= MAX_BODY_NESTING:
            continue  # cannot nest deeper than it has brackets: skip the walk over every character
        depth = 0
        for index, char in enumerate(block):
            if char == "[" and (index == 0 or block[index - 1] != "\\"):
                depth += 1
                if depth > MAX_BODY_NESTING:
                    return start + block.count("\n", 0, index), (
                        f"more than {MAX_BODY_NESTING} '[' brackets nested in one paragraph: close some first")
            elif char == "]" and depth and block[index - 1] != "\\":
                depth -= 1
    return None
