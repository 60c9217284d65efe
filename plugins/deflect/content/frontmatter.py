"""Split a Markdown source into YAML front matter and body, keeping line numbers.

Every message names the file and the line, so ``deflect check`` can print ``path:line``.
"""

from __future__ import annotations

import functools
import hashlib
import re
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..cachefiles import code_digest, memo_on_disk
from .problems import Problem, error
from .yamlsafe import LimitedLoader, YamlLimitError, construct, fast_loader

_FENCE = re.compile(r"^---[ \t]*$")
_CLOSE = re.compile(r"^(---|\.\.\.)[ \t]*$")


class _UniqueKeyLoader(LimitedLoader):
    """The project's limited safe loader (alias budget, depth cap; see ``yamlsafe``)."""


@dataclass
class SourceText:
    """A Markdown source split into front matter and body."""

    meta: dict[str, Any]
    body: str
    body_line: int
    """1-based line number of the first body line in the file."""
    key_lines: dict[tuple[str | int, ...], int] = field(default_factory=dict)
    """1-based line of every front-matter key and list item, by its path (``("tags", 1)``)."""
    front_matter_line: int = 1

    def line_of(self, *loc: str | int) -> int:
        """Best line for a location: the deepest known prefix of ``loc``."""
        for end in range(len(loc), 0, -1):
            found = self.key_lines.get(tuple(loc[:end]))
            if found:
                return found
        return self.front_matter_line


def read_text(path: Path, rel: str) -> tuple[str | None, list[Problem]]:
    """Read a file as UTF-8; a clear problem instead of a traceback when it is not."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [error(rel, 1, f"cannot read file: {exc.strerror or exc}")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [
            error(
                rel,
                line,
                f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
                "save the file with UTF-8 encoding",
            )
        ]
    return text.replace("\r\n", "\n").replace("\r", "\n"), []


# Parsed sources by a hash of (text, path): ``mkdocs serve`` reloads every file after each save, and
# YAML parsing is most of that; an unchanged file is parsed once per process, and, with
# ``parsed_on_disk``, once per project. The parsed source is shared, not copied (copying every
# source on every load cost more than the parse it saved): callers read it and never change it;
# each gets its own list of problems, which the loader extends.
_PARSED: dict[str, tuple[SourceText | None, list[Problem]]] = {}
_PARSED_MAX = 50_000
_USED: set[str] = set()
_CODE = ("frontmatter.py", "yamlsafe.py", "problems.py")


def split_front_matter(text: str, rel: str) -> tuple[SourceText | None, list[Problem]]:
    """Parse ``---`` delimited YAML front matter at the top of ``text``.

    Returns the parsed source, or ``None`` and the problems when the file cannot be used.
    """
    key, found = parsed_entry(text, rel)
    _USED.add(key)
    return found[0], list(found[1])


def parsed_entry(text: str, rel: str) -> tuple[str, tuple[SourceText | None, list[Problem]]]:
    """The remembered parse of ``text`` (the file ``rel``) and its key, parsed now if it is not
    remembered: a helper process parses for another with it (see ``loader``), which
    :func:`adopt_parsed` the entry. Callers must not change the value."""
    key = hashlib.sha256(f"{rel}\0{text}".encode("utf-8", "surrogatepass")).hexdigest()
    found = _PARSED.get(key)
    if found is None:
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        found = _PARSED[key] = _split_front_matter(text, rel)
    return key, found


def parsed_count() -> int:
    """How many parses are remembered (those of earlier loads included)."""
    return len(_PARSED)


def adopt_parsed(key: str, found: tuple[SourceText | None, list[Problem]]) -> None:
    """Remember a parse another process made (:func:`parsed_entry`)."""
    if len(_PARSED) >= _PARSED_MAX:
        _PARSED.clear()
    _PARSED.setdefault(key, found)


@functools.cache
def _version() -> str:
    """This parser's code and PyYAML's version: a change to either makes saved results unusable."""
    return code_digest(Path(__file__).parent, _CODE, yaml.__version__)


def parsed_on_disk(path: Path | None) -> AbstractContextManager[None]:
    """Front matter parsed by earlier loads, saved at ``path`` (``.deflect/frontmatter.pickle``), is
    reused, and the results this load used are saved there (a missing or damaged file: parse again)."""
    return memo_on_disk(path, _version, _PARSED, _USED)


def _split_front_matter(text: str, rel: str) -> tuple[SourceText | None, list[Problem]]:
    if not text.strip():
        return None, [error(rel, 1, "empty file: start it with front matter (--- title: … ---) and some text")]
    lines = text.split("\n")
    if not _FENCE.match(lines[0]):
        return None, [error(rel, 1, "missing front matter: the file must start with a line '---'")]
    close = next((i for i in range(1, len(lines)) if _CLOSE.match(lines[i])), None)
    if close is None:
        return None, [error(rel, 1, "front matter is not closed: add a line '---' after the last key")]
    yaml_text = "\n".join(lines[1:close])
    body = "\n".join(lines[close + 1 :])
    # Line 1 is the opening fence, so YAML line 0 is file line 2.
    offset = 2
    fast = _parse_fast(yaml_text)
    # Without libyaml's result, one checked loader composes (for key lines) and then constructs the
    # same nodes: the text is parsed once. It is made only then (making it reads the whole text).
    loader = _UniqueKeyLoader(yaml_text) if fast is None else None
    fast_node, fast_data = fast if fast is not None else (None, None)
    try:
        node = fast_node if loader is None else loader.get_single_node()
    except YamlLimitError as exc:
        # A file built to exhaust the build (alias bomb, deep nesting) stops every build, not only --strict.
        line = (exc.problem_mark.line + offset) if exc.problem_mark else 1
        return None, [error(rel, line, f"invalid YAML in front matter: {exc.problem}", fatal=True)]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + offset) if mark else 1
        reason = (exc.problem or "invalid YAML").strip()
        return None, [error(rel, line, f"invalid YAML in front matter: {reason}")]
    except yaml.YAMLError as exc:  # pragma: no cover - non-marked YAML errors are rare
        return None, [error(rel, 1, f"invalid YAML in front matter: {exc}")]
    if node is None:
        return SourceText({}, body, close + 2, {}, 1), []
    if not isinstance(node, yaml.MappingNode):
        return None, [error(rel, node.start_mark.line + offset, "front matter must be a mapping of 'key: value' lines")]

    key_lines: dict[tuple[str | int, ...], int] = {}
    problems: list[Problem] = []
    seen: set[str] = set()
    for key_node, value_node in node.value:
        key = str(key_node.value)
        line = key_node.start_mark.line + offset
        if key in seen:
            problems.append(error(rel, line, f"duplicate key '{key}' in front matter"))
        seen.add(key)
        key_lines[(key,)] = line
        if isinstance(value_node, yaml.SequenceNode):
            for index, item in enumerate(value_node.value):
                key_lines[(key, index)] = item.start_mark.line + offset
        elif isinstance(value_node, yaml.MappingNode):
            for sub_key, sub_value in value_node.value:
                key_lines[(key, str(sub_key.value))] = sub_key.start_mark.line + offset
    try:
        data = fast_data if loader is None else loader.construct_document(node)
    except yaml.YAMLError as exc:  # constructor errors, e.g. an impossible date
        mark = getattr(exc, "problem_mark", None)
        line = (mark.line + offset) if mark else 1
        return None, [error(rel, line, f"invalid YAML in front matter: {getattr(exc, 'problem', exc)}")]
    except ValueError as exc:  # e.g. 2026-02-30 parsed as a timestamp
        line = _line_of_bad_value(yaml_text, str(exc)) + offset
        return None, [error(rel, line, f"invalid value in front matter: {exc}")]
    return SourceText(dict(data or {}), body, close + 2, key_lines, 1), problems


def _parse_fast(yaml_text: str) -> tuple[Any, Any] | None:
    """The node and the value by libyaml, when the text cannot break a limit and parses cleanly; None
    sends it to the checked loader (which also words every error)."""
    loader_class = fast_loader(yaml_text)
    if loader_class is None:
        return None
    loader = loader_class(yaml_text)
    try:
        node = loader.get_single_node()
        return node, (construct(loader, node) if isinstance(node, yaml.MappingNode) else None)
    except Exception:  # noqa: BLE001 - any mistake is reported by the checked loader, as before
        return None
    finally:
        loader.dispose()


def _line_of_bad_value(yaml_text: str, message: str) -> int:
    """Impossible dates raise a bare ValueError; guess the line from the date-looking values."""
    for index, line in enumerate(yaml_text.split("\n")):
        if re.search(r":\s*\d{4}-\d{1,2}-\d{1,2}\s*$", line):
            try:
                yaml.safe_load(line)
            except ValueError:
                return index
    return 0
