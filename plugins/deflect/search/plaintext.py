"""The search sections of a simple Markdown body read straight from its source, without rendering it.

``documents.extract_sections`` renders a body with Python-Markdown and reads the text back out of the
HTML; for the plain bodies most articles are (paragraphs, ATX headings with or without ``{#id}``,
flat lists and their items' later paragraphs, admonitions with paragraphs, lists and code, indented
code, links, images, code spans, literal brackets, entities, backslash escapes, ``**strong**`` and
``*em*`` in unambiguous pairs) this module gives the same sections in a tenth of the time. Anything
else (raw HTML, tables, quotes, fenced or nested structures, rules, setext headings, details,
attribute lists outside a heading's end, other emphasis, reference definitions, control
characters…) makes :func:`simple_sections` return ``None``, and the body is rendered as before.
Whitespace only matters as "some or none" here: the section text is whitespace-collapsed. Each
``raise _Unsupported`` marks a case left to the renderer; tests compare both ways on real and
generated bodies (``tests/test_search_sections_fast.py``).
"""
from __future__ import annotations

import html
import re
from collections.abc import Callable

from markdown.blockprocessors import HashHeaderProcessor
from markdown.extensions.admonition import AdmonitionProcessor
from markdown.extensions.toc import slugify, unique

MAX_STEPS = 3
STEP_CHARS = 160
SECTION_TEXT_LIMIT = 4000

# A body with any of these is rendered (see ``_unsupported``): raw HTML or an autolink, a table,
# tabs and control characters (STX/ETX are Markdown's own placeholders), private-use characters
# (this module's placeholders); lines that start a quote, details, a rule or a setext underline, or
# an indented heading or admonition; what looks like an entity but is none Markdown keeps; a
# reference definition.
_UNSUPPORTED_CHARS = re.compile(r"[<|\x00-\x09\x0b-\x1f\x7f\ue000-\uf8ff]")
_UNSUPPORTED_LINES = re.compile(r"\n(?:[ ]*(?:>|\?\?\?|[-=*_][-=*_ ]*(?=\n|\Z))|[ ]+(?:#|!!!))")  # in "\n" + body
_NOT_ENTITY = re.compile(r"&(?!(?:#[0-9]+|#x[0-9a-fA-F]+|[a-zA-Z0-9]+);)#?\w+;")
_REFERENCE = re.compile(r"\[[^\[\]]*\]:")
_HEADING_RE = HashHeaderProcessor.RE
_ADMONITION_RE = AdmonitionProcessor.RE
_OL_RE = re.compile(r"^[ ]{0,3}\d+\.[ ]+(.*)")
_UL_RE = re.compile(r"^[ ]{0,3}[*+-][ ]+(.*)")
_CHILD_RE = re.compile(r"^[ ]{0,3}(?:\d+\.|[*+-])[ ]+(.*)")
# What may start a block inside a list item (or a text line that could become one).
_SPECIAL_START = re.compile(r"[ ]*(?:#|!!!|\?\?\?|>|\d+\.[ ]|[*+-][ ]|[-=*_][-=*_ ]*$)")
_HEADING_ID_RE = re.compile(r"[ ]+\{#([A-Za-z0-9_-]+)\}")
_INLINE = re.compile(r"[`\\\[\]*_{}&]")
_ENTITY_RE = re.compile(r"&(?:#[0-9]+|#x[0-9a-fA-F]+|[a-zA-Z0-9]+);")  # Python-Markdown's ENTITY_RE
_LINK_RE = re.compile(r"(!?)\[([^\[\]]*)\]\(([^\s()<>\"'\[\]\ue000-\uf8ff]*)\)")
_STARS_RE = re.compile(r"\*+")
_ESCAPE_RE = re.compile(r"\\(.)", re.DOTALL)
_ESCAPED = frozenset("\\`*_{}[]()>#+-.!|")  # Markdown.ESCAPED_CHARS with the tables extension
_PLACEHOLDER_RE = re.compile("[\ue000-\uf8ff]")
_PLACEHOLDERS = 0xF8FF - 0xE000
_ALNUM_RE = re.compile(r"[^\W_]")


class _Unsupported(Exception):
    """The body has something this reader does not render exactly."""


def simple_sections(body: str) -> list[tuple[str, str, str, list[str]]] | None:
    """``(anchor, heading, text, steps)`` of every section of ``body`` as ``documents.extract_sections``
    reads them from the rendered HTML (before empty sections are dropped), or ``None`` when the body
    has anything this reader does not handle exactly."""
    if _unsupported(body):
        return None
    try:
        return _Reader().read(body)
    except _Unsupported:
        return None


def _unsupported(body: str) -> bool:
    """Whether ``body`` has something ruled out before reading it (the patterns above, and code a
    backslash or a second backtick may change, a toc marker, a backslash ending a line)."""
    return bool(_UNSUPPORTED_CHARS.search(body) or _UNSUPPORTED_LINES.search("\n" + body)
                or ("&" in body and _NOT_ENTITY.search(body)) or ("]:" in body and _REFERENCE.search(body))
                or "``" in body or "\\`" in body or "[TOC]" in body or "\\\n" in body or body.endswith("\\"))


def clean(text: str) -> str:
    """Text as search stores it: pilcrows (permalinks) dropped, whitespace collapsed."""
    return " ".join(text.replace("¶", "").split())  # str.split's whitespace is re's \s


class _Reader:
    def __init__(self) -> None:
        self.sections: list[tuple[str | None, str, list[str], list[str]]] = [("", "", [], [])]
        self.plain_headings: list[str] = []
        self.last = ""  # the kind of the document's last block: "", "p", "h", "ol", "ul", "div", "pre"
        self.div_last = ""  # the same inside the last admonition
        self.step: list[str] | None = None  # the text of the last list item while it may become a step

    def read(self, body: str) -> list[tuple[str, str, str, list[str]]]:
        if not body.strip():
            return [("", "", "", [])]
        lines = body.split("\n")
        if any(line and line.isspace() and line.strip(" ") for line in lines) or (lines[0] and lines[0].isspace()):
            raise _Unsupported  # a blank line Markdown does not see as blank
        block: list[str] = []
        for line in lines + [""]:
            if line.strip(" "):
                block.append(line)
            elif block:
                self._block(block)
                block = []
        return self._finish()

    def _finish(self) -> list[tuple[str, str, str, list[str]]]:
        self._end_item()
        used = {anchor for anchor, *_ in self.sections if anchor}
        out = []
        plain = iter(self.plain_headings)
        for index, (anchor, heading, parts, steps) in enumerate(self.sections):
            if anchor is None:  # ids toc gives, after every explicit one is known, in order
                anchor = unique(slugify(" ".join(next(plain).split()), "-"), used)  # (toc's counters only save time)
            elif index:
                next(plain)
            out.append((anchor, heading, clean(" ".join(parts))[:SECTION_TEXT_LIMIT], steps))
        return out

    def _block(self, lines: list[str]) -> None:
        """One block of the document (Markdown's block processors in their order)."""
        found = self._split(lines, "!!!", _ADMONITION_RE)
        if found is not None:
            body, rest = _detab(lines[found[0] + 1:])
            self.last, self.div_last = "div", ""
            self._text(self._admonition_title(found[1]))
            if body:
                self._div_block(body)
            if rest:
                self._block(rest)
            return
        if lines[0].startswith("    "):
            if self.last in ("ol", "ul"):
                self._item_paragraph(lines)
                return
            body, rest = _detab(lines)
            if self.last == "div":
                self._div_block(body)
            else:
                self._text("\n".join(body))  # an indented code block: its text as written
                self.last = "pre"
            if rest:
                self._block(rest)
            return
        found = self._split(lines, "#", _HEADING_RE)
        if found is not None:
            self._heading(found[1].group("header").strip())
            if found[0] + 1 < len(lines):
                self._block(lines[found[0] + 1:])
            return
        self.last = self._flow(lines, self.last)

    def _split(self, lines: list[str], start: str, pattern: re.Pattern[str]) -> tuple[int, re.Match[str]] | None:
        """The first line that starts with ``start`` (all of it must match ``pattern``), once the lines
        before it are read; ``None`` when there is none. Markdown splits a block there too."""
        for index, line in enumerate(lines):
            if line.startswith(start):
                match = pattern.match(line)
                if not match or match.end() < len(line):
                    raise _Unsupported
                if index:
                    self._block(lines[:index])
                return index, match
        return None

    def _div_block(self, lines: list[str]) -> None:
        """A block inside the last admonition: paragraphs, lists and code."""
        if any(line.startswith(("#", "!!!")) for line in lines):
            raise _Unsupported
        if lines[0].startswith("    "):
            if self.div_last in ("ol", "ul"):
                raise _Unsupported  # a list item's second paragraph inside an admonition
            body, rest = _detab(lines)
            self._text("\n".join(body))
            self.div_last = "pre"
            if rest:
                self._div_block(rest)
            return
        self.div_last = self._flow(lines, self.div_last)

    def _item_paragraph(self, lines: list[str]) -> None:
        """An indented block after a list: a paragraph of its last item (Markdown's ``ListIndentProcessor``
        takes the four spaces off every line that has them; the lines are read inside the item)."""
        lines = [line[4:] if line.startswith("    ") else line for line in lines]
        if lines[0].startswith("    ") or any(_SPECIAL_START.match(line) for line in lines):
            raise _Unsupported  # code, a heading, a list or an admonition inside the item
        plain = _plain(lines[0].lstrip() + "".join("\n" + line for line in lines[1:]))
        self.sections[-1][2].append(plain)
        if self.step is not None:
            self.step.append(plain)

    def _flow(self, lines: list[str], last: str) -> str:
        """A list or a paragraph; the kind of block it leaves last."""
        ordered = _OL_RE.match(lines[0])
        if not ordered and not _UL_RE.match(lines[0]):
            self._check_lines(lines[1:])
            self._text(_plain(lines[0].lstrip() + "".join("\n" + line for line in lines[1:])))
            return "p"
        kind = last if last in ("ol", "ul") else ("ol" if ordered else "ul")
        items: list[list[str]] = []
        for line in lines:
            child = _CHILD_RE.match(line)
            if child:
                items.append([child.group(1)])
            elif line.startswith("    ") and _SPECIAL_START.match(line):
                raise _Unsupported  # a nested list
            else:
                items[-1].append(line)
        for item in items:
            if not item[0] or _SPECIAL_START.match(item[0]):
                raise _Unsupported  # a heading, list or admonition inside the item (or code after an empty line)
            self._check_lines(item[1:])
            self._item(_plain("\n".join(item)), kind == "ol")
        return kind

    @staticmethod
    def _check_lines(lines: list[str]) -> None:
        """Lines that continue a paragraph or an item; indented markers may start blocks in an item."""
        for line in lines:
            if line.startswith(" ") and _SPECIAL_START.match(line):
                raise _Unsupported

    def _admonition_title(self, match: re.Match[str]) -> str:
        klass, title = re.sub("  +", " ", match.group(1).lower()), match.group(2)
        if title is None:
            title = klass.split(" ", 1)[0].capitalize()
        return _plain(title)

    def _heading(self, raw: str) -> None:
        self._end_item()
        anchor: str | None = None
        if "{" in raw or "}" in raw:
            match = _HEADING_ID_RE.search(raw)
            if not match or match.end() < len(raw):
                raise _Unsupported
            raw, anchor = raw[:match.start()].rstrip("#").rstrip(), match.group(1)
            if "{" in raw or "}" in raw:
                raise _Unsupported
        if anchor is not None and "\\" in raw:
            raise _Unsupported  # attr_list strips a trailing "#" after the escapes are read
        if anchor is None and "&" in raw and _ENTITY_RE.search(raw):
            raise _Unsupported  # toc makes the id from the HTML, whitespace collapsed before entities are read
        plain = _plain(raw)
        self.plain_headings.append(plain)
        self.sections.append((anchor, clean(plain), [], []))
        self.last = "h"

    def _text(self, plain: str) -> None:
        self._end_item()
        self.sections[-1][2].append(plain)

    def _item(self, plain: str, step: bool) -> None:
        """A list item; one of a numbered list is a step while its section has fewer than three."""
        self._end_item()
        self.sections[-1][2].append(plain)
        if step and len(self.sections[-1][3]) < MAX_STEPS:
            self.step = [plain]

    def _end_item(self) -> None:
        """The last list item is complete: nothing else can be added to it."""
        if self.step is not None:
            text = clean(" ".join(self.step))
            if text:
                self.sections[-1][3].append(text[:STEP_CHARS])
            self.step = None


def _detab(lines: list[str]) -> tuple[list[str], list[str]]:
    """Markdown's ``BlockProcessor.detab`` within one block: the lines indented by four spaces, without
    them, and the lines from the first one that is not."""
    for index, line in enumerate(lines):
        if not line.startswith("    "):
            return [line[4:] for line in lines[:index]], lines[index:]
    return [line[4:] for line in lines], []


def _plain(text: str) -> str:
    """The text of one element's inline Markdown (Python-Markdown's inline patterns in their order)."""
    if not _INLINE.search(text):
        return text
    if "{" in text or "}" in text:
        raise _Unsupported  # attribute lists
    found: list[str] = []

    def place(value: str) -> str:
        if len(found) >= _PLACEHOLDERS:
            raise _Unsupported
        found.append(value)
        return chr(0xE000 + len(found) - 1)

    if "`" in text:
        parts = text.split("`")
        if len(parts) % 2 == 0:
            raise _Unsupported  # an unpaired backtick
        text = "".join(part if index % 2 == 0 else place(part.strip()) for index, part in enumerate(parts))
    if "\\" in text:
        text = _ESCAPE_RE.sub(lambda m: place(m.group(1)) if m.group(1) in _ESCAPED else m.group(0), text)
    if "[" in text or "]" in text:
        text = _LINK_RE.sub(lambda m: place("" if m.group(1) else _emphasis(_entities(m.group(2), place))), text)
        if "](" in text:
            raise _Unsupported  # a link this reader does not take apart (other brackets are text)
    text = _emphasis(_entities(text, place))
    if found:
        text = _PLACEHOLDER_RE.sub(lambda m: _expand(found[ord(m.group(0)) - 0xE000], found), text)
    return text


def _entities(text: str, place: Callable[[str], str]) -> str:
    """Entities stay as they are in the HTML, which search reads unescaped."""
    if "&" not in text:
        return text
    return _ENTITY_RE.sub(lambda m: place(_character(html.unescape(m.group(0)))), text)


def _character(text: str) -> str:
    if _PLACEHOLDER_RE.search(text):
        raise _Unsupported  # an entity for a private-use character: read as a placeholder
    return text


def _expand(value: str, found: list[str]) -> str:
    """A placeholder's text, with the placeholders inside a link's text expanded too."""
    return _PLACEHOLDER_RE.sub(lambda m: _expand(found[ord(m.group(0)) - 0xE000], found), value) if value else value


def _emphasis(text: str) -> str:
    """``text`` without the ``*``/``**`` pairs Python-Markdown reads as emphasis; any other use of
    ``*`` or ``_`` (except ``_`` between two letters or digits) is unsupported."""
    if "_" in text:
        for match in re.finditer("_", text):
            start = match.start()
            if not (0 < start < len(text) - 1 and _alnum(text[start - 1]) and _alnum(text[start + 1])):
                raise _Unsupported
    if "*" not in text:
        return text
    runs = list(_STARS_RE.finditer(text))
    if len(runs) % 2:
        raise _Unsupported
    out: list[str] = []
    last = 0
    for opener, closer in zip(runs[::2], runs[1::2]):
        size = len(opener.group(0))
        if size > 2 or len(closer.group(0)) != size:
            raise _Unsupported
        after, before = text[opener.end()], text[closer.start() - 1]
        if after.isspace() or before.isspace():
            raise _Unsupported
        out += (text[last:opener.start()], text[opener.end():closer.start()])
        last = closer.end()
    out.append(text[last:])
    return "".join(out)


def _alnum(char: str) -> bool:
    return bool(_ALNUM_RE.match(char))
