"""Troubleshooting guides (``type: troubleshooting``) as a graph of steps: read it and check it.

The Markdown convention (see CONTENT_GUIDE.md, "Troubleshooting guides"):

- every ``## Title {#id}`` heading is a step, in reading order; the first one is where the reader starts;
- a step that asks a question has a bold paragraph ending in ``?`` (``**Is the light on?**``) and a
  list of answers, each ``- **Label** → [Step title](#id)``;
- a step without answers leads on to the steps its text links to (``[check the light](#colour)``),
  or, when its text links to no step, to the next step in reading order;
- the guide ends with ``## Still not working? {#contact}``, which tells the reader how to contact support.

The same rules drive ``guide.js``, which shows the guide one step at a time, so what the check
accepts is what the reader can click through. Nothing here imports MkDocs.
"""

from __future__ import annotations

import difflib
import re
from collections import deque
from dataclasses import dataclass, field
from typing import NamedTuple

from .markdown_scan import Link, _paragraphs, _prose_lines, find_links
from .model import Document
from .problems import Problem, error

CONTACT_ID = "contact"
"""Id of the final step that tells the reader how to reach support."""

MIN_STEPS = 2
MIN_ANSWERS = 2

_ITEM_RE = re.compile(r"^\s{0,3}[-*+]\s+")
# "- **Yes** → [Title](#id)": a bullet that starts with a bold label, then (an arrow and) the link.
_ANSWER_RE = re.compile(
    r"^\s{0,3}[-*+]\s+(\*\*|__)(?P<label>(?:(?!\1).)+?)\1\s*(?:→|->|=>|⇒|⟶|:|–|—)?\s*\[", re.S)
# "**Is the light on?**": a paragraph that is entirely bold and ends with a question mark.
_QUESTION_RE = re.compile(r"^(\*\*|__)(?P<text>(?:(?!\1).)*?[?？])\1$", re.S)


class Answer(NamedTuple):
    """One answer of a step's question: ``- **label** → [Title](target)``; ``target`` and ``line`` as in
    :class:`StepLink`."""

    label: str
    target: str
    line: int

    @property
    def step_id(self) -> str | None:
        """The id this answer points at, or ``None`` when it links to another page."""
        return _in_page_id(self.target)


class StepLink(NamedTuple):
    """A link to an id of the same file in a step's text (outside its answers)."""

    target: str
    """The link target as written, e.g. ``#colour``."""
    line: int
    """File line of the link target."""

    @property
    def step_id(self) -> str | None:
        return _in_page_id(self.target)


@dataclass(eq=False)
class Step:
    """One ``## Title {#id}`` section of a guide."""

    id: str
    title: str
    line: int
    """File line of the heading."""
    question: str | None = None
    """The bold question without its ``**``, or ``None`` for a step that asks nothing."""
    question_line: int | None = None
    answers: list[Answer] = field(default_factory=list)
    links: list[StepLink] = field(default_factory=list)
    """In-text links to ``#ids`` of the same file, in order."""


@dataclass
class Guide:
    """The steps of one troubleshooting guide, in reading order, and the ways between them."""

    path: str
    steps: list[Step]

    def __post_init__(self) -> None:
        self.by_id: dict[str, Step] = {}
        for step in self.steps:
            self.by_id.setdefault(step.id, step)

    @property
    def first(self) -> Step | None:
        return self.steps[0] if self.steps else None

    @property
    def last(self) -> Step | None:
        return self.steps[-1] if self.steps else None

    def step(self, step_id: str) -> Step | None:
        return self.by_id.get(step_id)

    def exits(self, step: Step) -> list[str]:
        """Ids of the steps a reader can go to from ``step``.

        Answers and in-text links to steps always count. A step without answers whose text links
        to no step continues with the next step (the last step continues nowhere).
        """
        targets = [a.step_id for a in step.answers] + [link.step_id for link in step.links]
        out = list(dict.fromkeys(t for t in targets if t is not None and t in self.by_id))
        if not step.answers and not out:
            index = next(i for i, s in enumerate(self.steps) if s is step)
            if index + 1 < len(self.steps):
                out.append(self.steps[index + 1].id)
        return out

    def terminals(self) -> set[str]:
        """Where a guide ends: the ``contact`` step, and the last step if it leads nowhere."""
        ends = {CONTACT_ID} & set(self.by_id)
        if self.last is not None and not self.exits(self.last):
            ends.add(self.last.id)
        return ends

    def reachable(self) -> set[str]:
        """Ids of the steps a reader can get to from the first step."""
        if self.first is None:
            return set()
        seen = {self.first.id}
        queue = deque([self.first.id])
        while queue:
            for target in self.exits(self.by_id[queue.popleft()]):
                if target not in seen:
                    seen.add(target)
                    queue.append(target)
        return seen

    def finishing(self) -> set[str]:
        """Ids of the steps from which some terminal step can be reached."""
        done = set(self.terminals())
        changed = True
        while changed:
            changed = False
            for step in self.by_id.values():
                if step.id not in done and any(t in done for t in self.exits(step)):
                    done.add(step.id)
                    changed = True
        return done


def parse_guide(doc: Document) -> Guide:
    """Read the steps, questions, answers and links of a guide, with file line numbers."""
    headings = [h for h in doc.headings if h.level == 2]
    prose = _prose_lines(doc.body)
    links = [link for link in find_links(doc.body) if not link.is_image]
    steps = []
    for index, heading in enumerate(headings):
        end = headings[index + 1].line if index + 1 < len(headings) else doc.body.count("\n") + 2
        lines = [(n, text) for n, text in prose if heading.line < n < end]
        steps.append(_parse_step(doc, heading.anchor, heading.text, heading.line, lines,
                                 [link for link in links if heading.line < link.line < end]))
    return Guide(doc.rel_path, steps)


def _parse_step(doc: Document, step_id: str, title: str, line: int, lines: list[tuple[int, str]],
                links: list[Link]) -> Step:
    step = Step(step_id, title, doc.body_line(line))
    answer_links: set[Link] = set()
    for first, text, last in _segments(lines):
        if _ITEM_RE.match(text):
            match = _ANSWER_RE.match(text)
            link = next((lk for lk in links if first <= lk.line <= last), None)
            if match and link is not None:
                label = " ".join(match.group("label").split())
                step.answers.append(Answer(label, link.target, doc.body_line(link.line)))
                answer_links.add(link)
            continue
        question = _QUESTION_RE.match(" ".join(part.strip() for part in text.split("\n")))
        if question and step.question is None:
            step.question = " ".join(question.group("text").split())
            step.question_line = doc.body_line(first)
    step.links = [StepLink(lk.target, doc.body_line(lk.line)) for lk in links
                  if lk not in answer_links and _in_page_id(lk.target) is not None]
    return step


def _segments(lines: list[tuple[int, str]]) -> list[tuple[int, str, int]]:
    """Paragraphs, with every bullet item of a list as a segment of its own (continuation lines
    included): ``(first line, text, last line)`` in body lines."""
    segments: list[tuple[int, str, int]] = []
    for start, block in _paragraphs(lines):
        current: list[str] = []
        first = start
        for offset, text in enumerate(block.split("\n")):
            if _ITEM_RE.match(text) and current:
                segments.append((first, "\n".join(current), start + offset - 1))
                current, first = [], start + offset
            current.append(text)
        segments.append((first, "\n".join(current), first + len(current) - 1))
    return segments


def _in_page_id(target: str) -> str | None:
    return target[1:] if target.startswith("#") and len(target) > 1 else None


# --- checks --------------------------------------------------------------------------------------


def check_guide(doc: Document) -> list[Problem]:
    """Everything that keeps a reader from getting through a guide, as ``path:line`` problems."""
    guide = parse_guide(doc)
    if len(guide.steps) < MIN_STEPS:
        return [error(doc.rel_path, doc.source.line_of("type"),
                      f"a troubleshooting guide needs at least two steps ('## ' headings), found {len(guide.steps)}")]
    problems = _check_ids(guide)
    for step in guide.steps:
        problems += _check_question(guide, step)
        problems += _check_answers(guide, step, doc.anchors)
    if len(guide.by_id) < len(guide.steps):
        return problems  # with two steps of the same id, where answers lead is ambiguous
    problems += _check_reachable(guide)
    problems += _check_end(guide)
    problems += _check_loops(guide)
    return problems


def _check_ids(guide: Guide) -> list[Problem]:
    problems = []
    for step in guide.steps:
        owner = guide.by_id[step.id]
        if owner is not step:
            problems.append(error(guide.path, step.line,
                                  f"duplicate step id '#{step.id}' (already used by the step on line {owner.line}): "
                                  "give every step its own id"))
    return problems


def _check_question(guide: Guide, step: Step) -> list[Problem]:
    count = len(step.answers)
    if step.question is not None and step.question_line is not None and count < MIN_ANSWERS:
        found = "no answers" if count == 0 else "only one answer"
        return [error(guide.path, step.question_line,
                      f"question '{step.question}' has {found}: list at least two, "
                      "each as '- **Answer** → [Step title](#id)'")]
    if step.question is None and count >= MIN_ANSWERS:
        return [error(guide.path, step.answers[0].line,
                      f"{count} answers without a question in step '#{step.id}': "
                      "put the question in bold on its own line before them ('**Is the light on?**')")]
    return []


def _check_answers(guide: Guide, step: Step, anchors: set[str]) -> list[Problem]:
    problems = []
    for answer in step.answers:
        target = answer.step_id
        if target is None:
            problems.append(error(guide.path, answer.line,
                                  f"answer '{answer.label}' links to '{answer.target}': an answer must point to "
                                  "a step of this guide ('#id')"))
        elif target not in guide.by_id:
            if target in anchors:
                message = (f"answer '{answer.label}' points to '#{target}', "
                           "which is not a step ('## ' heading) of this guide")
            else:
                hint = difflib.get_close_matches(target, list(guide.by_id), n=1)
                steps = ", ".join(f"'#{s}'" for s in guide.by_id)
                message = (f"answer '{answer.label}' points to a step that does not exist: '#{target}'"
                           + (f" (did you mean '#{hint[0]}'?)" if hint else f" (steps: {steps})"))
            problems.append(error(guide.path, answer.line, message))
    return problems


def _check_reachable(guide: Guide) -> list[Problem]:
    assert guide.first is not None
    reached = guide.reachable()
    return [error(guide.path, step.line,
                  f"step '#{step.id}' cannot be reached from the first step '#{guide.first.id}': "
                  "no answer or link leads to it, and the step before it does not continue to it")
            for step in guide.steps if step.id not in reached]


def _check_end(guide: Guide) -> list[Problem]:
    last = guide.last
    assert last is not None
    if last.id == CONTACT_ID:
        return []
    onward = guide.exits(last)
    if not onward:
        return []
    targets = ", ".join(f"'#{t}'" for t in onward)
    return [error(guide.path, last.line,
                  f"the guide has no final step: the last step '#{last.id}' leads on to {targets}; "
                  f"end the guide with '## Still not working? {{#{CONTACT_ID}}}' "
                  "telling the reader how to contact support")]


def _check_loops(guide: Guide) -> list[Problem]:
    """Loops a reader cannot leave: steps that lead only to each other and never to a terminal step."""
    terminals = guide.terminals()
    if not terminals:
        return []  # _check_end already says the guide has no end
    finishing = guide.finishing()
    trapped = [s for s in guide.steps if s.id not in finishing]
    reach = {s.id: _reach(guide, s.id) for s in trapped}
    problems: list[Problem] = []
    reported: set[str] = set()
    for step in trapped:
        if step.id in reported:
            continue
        loop = [s for s in trapped if s.id in reach[step.id] and step.id in reach[s.id]]
        if not loop:
            continue  # leads into a loop reported on its own, or stops at a broken answer
        reported.update(s.id for s in loop)
        end = f"'#{CONTACT_ID}'" if CONTACT_ID in terminals else "the last step"
        if len(loop) == 1:
            message = (f"loop with no way out: step '#{step.id}' leads only back to itself and never to {end}; "
                       "add an answer that leads on")
        else:
            names = ", ".join(f"'#{s.id}'" for s in loop)
            message = (f"loop with no way out: steps {names} lead only to each other and never to {end}; "
                       "add an answer that leads out of the loop")
        problems.append(error(guide.path, step.line, message))
    return problems


def _reach(guide: Guide, start: str) -> set[str]:
    """Ids reachable from ``start`` in one or more moves (``start`` itself only through a loop)."""
    seen: set[str] = set()
    queue = deque(guide.exits(guide.by_id[start]))
    while queue:
        current = queue.popleft()
        if current in seen:
            continue
        seen.add(current)
        queue.extend(guide.exits(guide.by_id[current]))
    return seen
