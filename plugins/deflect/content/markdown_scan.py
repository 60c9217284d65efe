"""Read links, headings and anchors out of Markdown source without rendering it.

Used by ``deflect check`` (line numbers for every broken link) and by the site build (which
rewrites source-relative links). Code blocks and inline code are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from markdown.extensions.toc import slugify, unique

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


def _prose_lines(text: str) -> list[tuple[int, str]]:
    """Lines outside fenced code blocks, with inline code removed, numbered from 1."""
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
    return lines


def prose_line_numbers(text: str) -> set[int]:
    """Numbers (from 1) of the lines outside fenced code blocks."""
    return {number for number, _ in _prose_lines(text)}


def _paragraphs(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
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
    anchors = {heading.anchor for heading in find_headings(text)}
    for _, line in _prose_lines(text):
        anchors.update(_HTML_ID_RE.findall(line))
        anchors.update(re.findall(r"\{[^}]*#([A-Za-z][\w\-:.]*)[^}]*\}", line))
    return anchors


def rewrite_links(text: str, replace: Callable[[str], str | None]) -> str:
    """Apply ``replace`` to every link target outside code; ``None`` keeps the target as it is.
    Paragraphs are rewritten whole, so links whose text wraps onto the next line are found."""
    out: list[str] = []
    block: list[str] = []
    fence: str | None = None

    def flush() -> None:
        if block:
            out.extend(_rewrite_line("\n".join(block), replace).split("\n"))
            block.clear()

    for line in text.split("\n"):
        match = _FENCE_RE.match(line)
        if fence is None and match:
            flush()
            fence = match.group(1)[0] * len(match.group(1))
            out.append(line)
        elif fence is not None:
            if line.strip().startswith(fence):
                fence = None
            out.append(line)
        elif not line.strip():
            flush()
            out.append(line)
        else:
            block.append(line)
    flush()
    return "\n".join(out)


def _rewrite_line(line: str, replace: Callable[[str], str | None]) -> str:
    def link(match: re.Match[str]) -> str:
        new = replace(match.group(2))
        if new is None:
            return match.group(0)
        start, end = match.span(2)
        offset = match.start(0)
        whole = match.group(0)
        return whole[: start - offset] + new + whole[end - offset :]

    def ref(match: re.Match[str]) -> str:
        new = replace(match.group(1))
        if new is None:
            return match.group(0)
        return match.group(0).replace(match.group(1), new, 1)

    if "\n" in line:
        lines = line.split("\n")
        if any(_REF_DEF_RE.match(item) for item in lines):
            return "\n".join(_REF_DEF_RE.sub(ref, item) if _REF_DEF_RE.match(item) else _rewrite_line(item, replace)
                             for item in lines)
    elif _REF_DEF_RE.match(line):
        return _REF_DEF_RE.sub(ref, line)
    parts = []
    last = 0
    for code in _INLINE_CODE_RE.finditer(line):
        parts.append(_LINK_RE.sub(link, line[last : code.start()]))
        parts.append(code.group(0))
        last = code.end()
    parts.append(_LINK_RE.sub(link, line[last:]))
    return "".join(parts)


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
