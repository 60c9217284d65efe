"""Give untitled admonitions (``!!! note``, ``??? tip``) a title in the page's language.

Python-Markdown titles an untitled admonition with its type in English ("Note"), so a Croatian
page would show English labels; writing the translated title into the source fixes that before
rendering, without touching blocks whose author chose a title.
"""

from __future__ import annotations

import re

from deflect.content.markdown_scan import prose_line_numbers
from deflect.site.strings import admonition_title

# "!!! note", "???+ warning inline end"; a quoted title after the type means the author chose one.
_UNTITLED_RE = re.compile(r"^(?P<head>\s*(?:!!!|\?\?\?\+?)\s+(?P<kind>[A-Za-z][\w-]*)(?:\s+[A-Za-z][\w-]*)*)\s*$")


def localize_admonitions(markdown: str, lang: str) -> str:
    """``markdown`` with every untitled admonition outside code blocks titled in ``lang``."""
    if "!!!" not in markdown and "???" not in markdown:
        return markdown
    lines = markdown.split("\n")
    heads = [index for index, line in enumerate(lines) if "!!!" in line or "???" in line]
    prose = prose_line_numbers(markdown) if heads else set()
    for index in heads:
        match = _UNTITLED_RE.match(lines[index])
        if match is None or index + 1 not in prose:
            continue
        title = admonition_title(match.group("kind"), lang)
        if title:
            lines[index] = f'{match.group("head")} "{title}"'
    return "\n".join(lines)
