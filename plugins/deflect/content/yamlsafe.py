"""The one YAML loader for everything Deflect reads from a help center's repository.

Front matter, ``categories.yml``, ``synonyms.yml`` and ``mkdocs.yml`` are written by anyone who
can open a pull request, so parsing them must stay cheap whatever they contain:

* **Alias expansion is budgeted.** An alias does not copy data while parsing, but everything
  that later walks the value (validation, indexing, ``repr``) does; nine levels of nine aliases
  ("billion laughs") take a few lines and expand to 387 million values. The loader adds up the
  size each alias stands for while composing and stops past :data:`ALIAS_BUDGET`.
* **Nesting depth is capped.** The composer (and whatever walks the result) recurses once per
  level, so ``[[[[…]]]]`` 3,000 deep ends in ``RecursionError``; no real file needs more than a
  handful of levels, so :data:`MAX_DEPTH` stops it with a message instead.
* **Aliases may not contain themselves** (``&a [*a]``): a recursive value cannot be validated,
  indexed or printed.

Violations raise :class:`YamlLimitError`, a ``MarkedYAMLError`` whose mark is the line of the
offending node, so callers report it as ``path:line: …`` like any other YAML mistake.

The checks run in Python and make parsing about six times slower than libyaml's. A text that
cannot break a limit (no anchors or aliases, too few brackets and too little indentation to nest
:data:`MAX_DEPTH` deep) may be parsed by libyaml instead (:func:`fast_loader`): same constructor,
same values.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.events import AliasEvent

ALIAS_BUDGET = 100_000
"""Most values that aliases may stand for in one document, counted after expansion."""
MAX_DEPTH = 64
"""Deepest nesting of lists and mappings in one document."""


class YamlLimitError(yaml.MarkedYAMLError):
    """A YAML document breaks one of the loader's limits (alias budget, depth, recursion)."""


class LimitedLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` with a budget on alias expansion and a cap on nesting depth."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._depth = 0
        self._expanded = 0
        # id(node) → number of values the node stands for once every alias inside it is expanded.
        # Nodes stay alive in the composed tree, so their ids are not reused while composing.
        self._sizes: dict[int, int] = {}

    def compose_document(self) -> Any:
        self._depth, self._expanded, self._sizes = 0, 0, {}
        return super().compose_document()

    def fetch_flow_collection_start(self, token_class: Any) -> None:
        # The scanner looks far ahead inside flow collections ('[' may start a key), at a cost that
        # grows with the square of the depth: stop deep '[[[[…' here, before the composer sees it.
        if self.flow_level >= MAX_DEPTH:
            raise YamlLimitError(None, None, f"nested more than {MAX_DEPTH} levels deep: "
                                 "flatten the lists and mappings", self.get_mark())
        super().fetch_flow_collection_start(token_class)

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(AliasEvent):
            event = self.peek_event()
            node = super().compose_node(parent, index)
            size = self._sizes.get(id(node))
            if size is None:
                raise YamlLimitError(None, None, f"alias '*{event.anchor}' refers to a list or mapping that "
                                     "contains it; write the values out instead", event.start_mark)
            self._expanded += size
            if self._expanded > ALIAS_BUDGET:
                raise YamlLimitError(None, None, f"aliases expand to more than {ALIAS_BUDGET:,} values "
                                     f"(at '*{event.anchor}'): write the values out instead of nesting aliases",
                                     event.start_mark)
            return node
        mark = self.peek_event().start_mark
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise YamlLimitError(None, None, f"nested more than {MAX_DEPTH} levels deep: "
                                     "flatten the lists and mappings", mark)
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        if node is not None:
            self._sizes[id(node)] = 1 + self._children_size(node)
        return node

    def _children_size(self, node: yaml.Node) -> int:
        if isinstance(node, yaml.SequenceNode):
            return sum(self._sizes.get(id(child), 1) for child in node.value)
        if isinstance(node, yaml.MappingNode):
            return sum(self._sizes.get(id(key), 1) + self._sizes.get(id(value), 1) for key, value in node.value)
        return 0


_COMPACT_NESTING = re.compile(r"[-?:][ \t]+[-?](?:[ \t]|$)", re.M)


def fast_loader(text: str) -> type[Any] | None:
    """libyaml's safe loader when ``text`` cannot break a limit and libyaml is installed, else None.

    Without ``&`` and ``*`` there are no anchors or aliases (so no expansion and no recursion), and
    nesting is at most one level per ``[`` or ``{`` plus one per column of indentation, once compact
    nested entries (``- - x``, ``- ? x``: a level each, with no indentation) are ruled out."""
    loader = getattr(yaml, "CSafeLoader", None)
    if loader is None or "&" in text or "*" in text or _COMPACT_NESTING.search(text):
        return None
    brackets = text.count("[") + text.count("{")
    indent = max((len(line) - len(line.lstrip(" ")) for line in text.split("\n")), default=0)
    return loader if brackets + indent + 1 < MAX_DEPTH else None


_STR, _SEQ, _MAP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"


def construct(loader: Any, node: yaml.Node) -> Any:
    """``loader.construct_document(node)`` of a document without anchors (what :func:`fast_loader`
    lets through), with the plain cases built here: a text is its node's value, a list and a mapping
    with text keys are built item by item (later keys win, as in PyYAML); every other node (dates,
    numbers, merge keys …) is built by ``loader``, so the values are the same."""
    if isinstance(node, yaml.ScalarNode) and node.tag == _STR:
        return node.value
    if isinstance(node, yaml.SequenceNode) and node.tag == _SEQ:
        return [construct(loader, item) for item in node.value]
    if isinstance(node, yaml.MappingNode) and node.tag == _MAP and all(
            isinstance(key, yaml.ScalarNode) and key.tag == _STR for key, _ in node.value):
        return {key.value: construct(loader, value) for key, value in node.value}
    return loader.construct_object(node, deep=True)


def load_yaml(text: str, loader: type[LimitedLoader] = LimitedLoader) -> Any:
    """Parse one YAML document with the limits above (``YamlLimitError`` when one is broken)."""
    return _parse(yaml.load, text, loader)


def compose_yaml(text: str) -> Any:
    """The node tree of one YAML document (for line numbers), with the limits above."""
    return _parse(yaml.compose, text, LimitedLoader)


def _parse(parse: Any, text: str, loader: type[LimitedLoader]) -> Any:
    fast = fast_loader(text) if loader is LimitedLoader else None  # a subclass may add constructors
    if fast is not None:
        try:
            return parse(text, Loader=fast)  # noqa: S506 - libyaml's safe loader
        except yaml.YAMLError:
            pass  # the checked loader words the mistake
    return parse(text, Loader=loader)  # noqa: S506 - a SafeLoader subclass


def error_line(exc: yaml.YAMLError, offset: int = 1) -> int:
    """1-based line of a YAML error (``offset`` is added to the 0-based mark), or ``offset``."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return mark.line + offset if mark is not None else offset


def error_text(exc: yaml.YAMLError) -> str:
    """The reason of a YAML error, without PyYAML's multi-line excerpt of the file."""
    return str(getattr(exc, "problem", None) or exc).strip()
