"""Read links, headings and anchors out of Markdown source without rendering it.

Used by ``deflect check`` (line numbers for every broken link) and by the site build (which
rewrites source-relative links). Code blocks and inline code are skipped. What a scan finds
depends on the text alone, so it is remembered per text (``scancache``): a text is scanned once.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Callable

from markdown.extensions.toc import slugify, unique

from .scancache import remembered

_FENCE_RE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_ATTR_ID_RE = re.compile(r"\{[^}]*#([A-Za-z][\w\-:.]*)[^}]*\}\s*$")
_HTML_ID_RE = re.compile(r"""\bid\s*=\s*["']([^"']+)["']""")
_INLINE_CODE_RE = re.compile(r"(`+)(?:(?!\1).)+?\1")
_LINK_RE = re.compile(r"(!?)\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'(][^)]*[\"')])?\s*\)")
_REF_DEF_RE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$")
_MD_INLINE_RE = re.compile(r"[*_`]|!?\[([^\]]*)\]\([^)]*\)")


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
        return bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", self.target)) or self.target.startswith("//")


@dataclass(frozen=True)
class Heading:
    line: int
    level: int
    text: str
    anchor: str


@functools.lru_cache(maxsize=64)
def _prose_lines(text: str) -> tuple[tuple[int, str], ...]:
    """Lines outside fenced code blocks, with inline code removed, numbered from 1. Kept for the
    last texts: a new text's scans (nesting, links, anchors, headings, a guide's steps) each ask."""
    lines: list[tuple[int, str]] = []
    fence: str | None = None
    for number, line in enumerate(text.split("\n"), start=1):
        match = _FENCE_RE.match(line)
        if fence is None and match:
            fence = match.group(1)[0] * len(match.group(1))
            continue
        if fence is not None:
            if line.strip().startswith(fence):
                fence = None
            continue
        lines.append((number, _INLINE_CODE_RE.sub("", line)))
    return tuple(lines)


def prose_line_numbers(text: str) -> set[int]:
    """Numbers (from 1) of the lines outside fenced code blocks."""
    return set(remembered("prose", text, lambda text: frozenset(number for number, _ in _prose_lines(text))))


def _paragraphs(lines: Sequence[tuple[int, str]]) -> list[tuple[int, str]]:
    """Consecutive non-blank lines joined with newlines (a link's text may wrap), with the
    number of each block's first line."""
    blocks: list[tuple[int, str]] = []
    current: list[str] = []
    start, previous = 0, -1
    for number, line in lines:
        if not line.strip() or number != previous + 1:
            if current:
                blocks.append((start, "\n".join(current)))
            current = []
        if line.strip():
            if not current:
                start = number
            current.append(line)
        previous = number
    if current:
        blocks.append((start, "\n".join(current)))
    return blocks


def find_links(text: str) -> list[Link]:
    """Every inline link, image and reference definition in ``text`` (link text may wrap lines)."""
    return list(remembered("links", text, lambda text: tuple(_find_links(text))))


def _find_links(text: str) -> list[Link]:
    links = []
    for start, block in _paragraphs(_prose_lines(text)):
        for match in _LINK_RE.finditer(block):
            number = start + block.count("\n", 0, match.start(2))
            links.append(Link(number, match.group(2), is_image=bool(match.group(1))))
        for offset, line in enumerate(block.split("\n")):
            ref = _REF_DEF_RE.match(line)
            if ref:
                links.append(Link(start + offset, ref.group(1)))
    return links


def heading_text(raw: str) -> str:
    """Heading text as the reader sees it (attribute lists and inline markup removed)."""
    raw = _ATTR_ID_RE.sub("", raw).strip()
    raw = re.sub(r"\{:?[^}]*\}\s*$", "", raw).strip()
    return _MD_INLINE_RE.sub(lambda m: m.group(1) or "", raw).strip()


def find_headings(text: str) -> list[Heading]:
    """ATX headings with the anchor the ``toc`` extension gives them."""
    headings: list[Heading] = []
    used: set[str] = set()
    for number, line in _prose_lines(text):
        match = _HEADING_RE.match(line)
        if not match:
            continue
        raw = match.group(2)
        explicit = _ATTR_ID_RE.search(raw)
        title = heading_text(raw)
        anchor = explicit.group(1) if explicit else unique(slugify(title, "-"), used)
        used.add(anchor)
        headings.append(Heading(number, len(match.group(1)), title, anchor))
    return headings


def find_anchors(text: str) -> set[str]:
    """Every id a link may point at: headings, attribute lists and raw HTML ids."""
    return set(remembered("anchors", text, lambda text: frozenset(_find_anchors(text))))


def _find_anchors(text: str) -> set[str]:
    anchors = {heading.anchor for heading in find_headings(text)}
    for _, line in _prose_lines(text):
        anchors.update(_HTML_ID_RE.findall(line))
        anchors.update(re.findall(r"\{[^}]*#([A-Za-z][\w\-:.]*)[^}]*\}", line))
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
    return remembered("spans", text, _link_spans)


def _link_spans(text: str) -> tuple[tuple[int, int, str], ...]:
    spans: list[tuple[int, int, str]] = []
    fence: str | None = None
    block_start, offset = -1, 0  # where the open paragraph and the current line start in ``text``
    for line in text.split("\n"):
        match = _FENCE_RE.match(line)
        starts_fence = fence is None and match is not None
        if fence is not None or starts_fence or not line.strip():
            if block_start >= 0:
                _block_spans(text[block_start : offset - 1], block_start, spans)
                block_start = -1
            if starts_fence and match is not None:
                fence = match.group(1)[0] * len(match.group(1))
            elif fence is not None and line.strip().startswith(fence):
                fence = None
        elif block_start < 0:
            block_start = offset
        offset += len(line) + 1
    if block_start >= 0:
        _block_spans(text[block_start:], block_start, spans)
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
    return remembered("too_deep", text, _find_too_deep)


def _find_too_deep(text: str) -> tuple[int, str] | None:
    stack: list[int] = []  # indents of the open list items
    prose = _prose_lines(text)
    for number, line in prose:
        if not line.strip():
            continue
        run = _MARKUP_RUN_RE.search(line)
        if run:
            return number, (f"a run of {len(run.group(0))} '{run.group(1)}' characters; at most "
                            f"{MAX_MARKUP_RUN} in a row can be shown: write fewer")
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
    for start, block in _paragraphs(prose):
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
