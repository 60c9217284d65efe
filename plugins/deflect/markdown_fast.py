"""Python-Markdown's inline step without the pattern calls that cannot match: same output, less CPU.

Python-Markdown's ``InlineProcessor`` tries every inline pattern (14 to 25 with a help center's
extensions) on every text of the tree, one ``__applyPattern`` call each: the call checks the pattern's
``ANCESTOR_EXCLUDES``, asks ``getCompiledRegExp()``, opens a ``finditer`` and returns ``(data, False, 0)``
when the regular expression finds nothing. Nearly all find nothing (1.65 million calls in a 1,000-article
build), and that, with the regular expressions that start with a lookbehind (``backtick``, ``link``,
``reference``: no fast scan for a first character), was the largest share of a cold build's CPU.

:func:`speed_up_inline` changes the class of a converter's ``InlineProcessor`` objects (the ``inline``
treeprocessor, and smarty's or smartsymbols' own) to :class:`FastInlineProcessor`: the same objects
under the same names and priorities, whose ``__handleInline`` loop moves on to the next pattern (from
index 0) by itself when the pattern's regular expression cannot match ``data`` from ``startIndex``:

* when none of the one or two characters :func:`required_chars` found is in ``data[startIndex:]``: every
  match consumes or looks ahead at one of them at or after where it starts (read from the parsed
  expression; lookbehinds, which may look before ``startIndex``, never count), or else
* when ``compiled_re.search(data, startIndex)`` is None.

Why that is exact: ``finditer(data, startIndex)`` yields first what ``search(data, startIndex)`` finds,
so when there is no match ``__applyPattern`` returns ``(data, False, 0)`` whatever the ancestors, and no
code of the pattern runs. A possible match, an old-style pattern, a pattern with its own
``getCompiledRegExp`` or a ``compiled_re`` that is not a ``re`` pattern of ``str`` go through the original
``__applyPattern``. The patterns and expressions are those of the moment each is tried, as in the
original: the registry counts its ``register``/``deregister`` calls (its class becomes
:class:`_CountedRegistry`), the plan is made again when the count or the registry changed, and a pattern
whose ``compiled_re`` is no longer the planned one (pymdownx's delimiter processor makes new ones) is
tried the original way and planned again. A Markdown other than the 3.x whose loop this mirrors (checked
on 3.11; a private method renamed) keeps its own processor.
"""

from __future__ import annotations

import functools
import itertools
import operator
import os
import re
from re import _constants, _parser  # type: ignore[attr-defined]  # the parser re compiles with
from typing import Any

import markdown
from markdown import inlinepatterns, treeprocessors, util

_Plan = tuple[re.Pattern[str], tuple[str, ...]]  # a pattern's compiled_re, the characters a match needs

FAST_ENV = "DEFLECT_MARKDOWN_FAST"
_BASE = treeprocessors.InlineProcessor
_APPLY = getattr(_BASE, "_InlineProcessor__applyPattern", None)
_COMPILED = inlinepatterns.Pattern.getCompiledRegExp
_REPEATS = {_constants.MAX_REPEAT, _constants.MIN_REPEAT, _constants.POSSESSIVE_REPEAT}


def supported() -> bool:
    """Whether this Markdown's inline loop is the one :class:`FastInlineProcessor` mirrors (and
    ``DEFLECT_MARKDOWN_FAST=0`` does not turn it off, to compare)."""
    version = getattr(markdown, "__version_info__", (0,))
    return (os.environ.get(FAST_ENV, "1") != "0" and version[0] == 3 and _APPLY is not None
            and hasattr(_BASE, "_InlineProcessor__handleInline"))


def _candidates(parsed: Any) -> list[frozenset[str]]:
    """Sets of characters such that every match of the parsed sequence consumes, or looks ahead at, a
    character of each set at or after where the match starts (empty: nothing is certain)."""
    found: list[frozenset[str]] = []
    for op, av in parsed:
        if op == _constants.LITERAL:
            found.append(frozenset(chr(av)))
        elif op == _constants.IN and all(kind == _constants.LITERAL for kind, _ in av):  # no range, class or ^
            found.append(frozenset(chr(code) for _, code in av))
        elif op == _constants.SUBPATTERN and not av[1] & re.IGNORECASE:  # (group, add_flags, del_flags, seq)
            found += _candidates(av[3])
        elif op == _constants.ATOMIC_GROUP:
            found += _candidates(av)
        elif op in _REPEATS and av[0] >= 1:  # (min, max, seq) at least once
            found += _candidates(av[2])
        elif op == _constants.ASSERT and av[0] == 1:  # a lookahead: at or after the position
            found += _candidates(av[1])
        elif op == _constants.BRANCH:  # (None, alternatives): a set of each one, the smallest union
            choices = [sorted(_candidates(branch), key=len)[:3] for branch in av[1]]
            if all(choices):
                choices = choices if len(choices) <= 5 else [choice[:1] for choice in choices]
                found.append(min((frozenset().union(*pick) for pick in itertools.product(*choices)), key=len))
    return found


@functools.lru_cache(maxsize=512)
def required_chars(pattern: str, flags: int) -> tuple[str, ...]:
    """One or two characters one of which every match of the expression found by a search from any
    position consumes or looks ahead at, at or after that position; () when there are no such few."""
    if flags & re.IGNORECASE:
        return ()
    try:
        parsed = _parser.parse(pattern, flags)
    except Exception:  # noqa: BLE001 - not what re compiled: no shortcut
        return ()
    if parsed.state.flags & re.IGNORECASE:
        return ()
    sets = [chars for chars in _candidates(parsed) if len(chars) <= 2]
    if not sets:
        return ()
    fewest = min(sets, key=len)
    return tuple(sorted(fewest))


def _plan_of(pattern: Any) -> _Plan | None:
    """How to tell that ``pattern`` cannot match, or None when the original must try it."""
    if not isinstance(pattern, inlinepatterns.InlineProcessor) or type(pattern).getCompiledRegExp is not _COMPILED:
        return None
    compiled = vars(pattern).get("compiled_re")
    if not isinstance(compiled, re.Pattern) or not isinstance(compiled.pattern, str):
        return None
    return compiled, required_chars(compiled.pattern, compiled.flags)


class _CountedRegistry(util.Registry):
    """A ``Registry`` that counts the calls that change it, so a plan knows when to look again."""

    changes = 0

    def register(self, item: Any, name: str, priority: float) -> None:
        self.changes += 1
        super().register(item, name, priority)

    def deregister(self, name: str, strict: bool = True) -> None:
        self.changes += 1
        super().deregister(name, strict)


class FastInlineProcessor(treeprocessors.InlineProcessor):
    """``InlineProcessor`` whose loop skips, by itself, the patterns that cannot match."""

    _registry: Any = None
    _changes = -1
    _patterns: list[Any]
    _plans: list[_Plan | None]

    def _plan(self) -> list[_Plan | None]:
        """A plan for each pattern the registry holds now (the same list while it and they do not change)."""
        registry = self.inlinePatterns
        if type(registry) is util.Registry:
            registry.__class__ = _CountedRegistry
        counted = type(registry) is _CountedRegistry
        if registry is not self._registry or not counted or registry.changes != self._changes:
            patterns = list(registry)
            known = getattr(self, "_patterns", [])
            self._registry, self._changes = registry, getattr(registry, "changes", -1)
            if len(known) != len(patterns) or any(map(operator.is_not, patterns, known)):
                self._patterns, self._plans = patterns, [_plan_of(pattern) for pattern in patterns]
        return self._plans

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802, N803
        """The original loop (same names), with the patterns that cannot match skipped here."""
        if isinstance(data, util.AtomicString):
            return data
        plans = self._plan()
        startIndex, count = 0, len(plans)  # noqa: N806
        while patternIndex < count:
            plan, pattern = plans[patternIndex], self._patterns[patternIndex]
            if plan is not None and pattern.compiled_re is not plan[0]:  # a new expression (pymdownx does that)
                plan, self._patterns, self._changes = None, [], -1  # try it the original way, then plan again
            if plan is not None:
                compiled, chars = plan
                for char in chars:
                    if data.find(char, startIndex) >= 0:
                        break
                else:
                    if chars:  # none of the characters a match needs: what __applyPattern returns
                        patternIndex, startIndex = patternIndex + 1, 0
                        continue
                if compiled.search(data, startIndex) is None:  # likewise
                    patternIndex, startIndex = patternIndex + 1, 0
                    continue
            data, matched, startIndex = _APPLY(self, pattern, data, patternIndex, startIndex)  # type: ignore[misc]
            plans = self._plan()  # the pattern's code ran
            if not matched:
                patternIndex += 1
        return data


def speed_up_inline(md: markdown.Markdown) -> markdown.Markdown:
    """Give ``md``'s ``InlineProcessor`` treeprocessors the fast loop (on another Markdown: nothing)."""
    if supported():
        for processor in md.treeprocessors:
            if type(processor) is _BASE:
                processor.__class__ = FastInlineProcessor
    return md
