"""Snippet and section choice: which section of a result a query links to, and its excerpt.

One rule serves ``deflect search`` (all of a query's terms) and the static index (each term's
section), so the browser and the CLI link to the same place.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from deflect.search.analysis import analyzer_for

SNIPPET_WIDTH = 180


LEAD_CHARS = 200
"""A section's first paragraph, roughly: where it says what it is about."""


@dataclass
class SectionTerms:
    """One section of a record, analysed once: where each term first occurs, how often, the terms
    of its heading and of its first paragraph, and whether it has steps."""
    anchor: str
    heading: str
    text: str
    heading_terms: frozenset[str]
    counts: Counter[str]
    first: dict[str, int]
    lead_terms: frozenset[str] = frozenset()
    steps: bool = False


def analyse_sections(record: dict, lang: str) -> list[SectionTerms]:
    analyzer = analyzer_for(lang)
    found: set[tuple[str, bytes]] = set()
    return [section_terms(anchor, heading, text, rest, analyzer.scan(heading, found), analyzer.scan(text, found))
            for anchor, heading, text, *rest in record["sections"]]


def section_terms(anchor: str, heading: str, text: str, rest: list, heading_tokens: list[tuple[str, str, int]],
                  tokens: list[tuple[str, str, int]]) -> SectionTerms:
    """One section analysed from its heading's and text's tokens (``Analyzer.scan``); ``rest`` is what
    follows the text in the record's section (its steps)."""
    counts: dict[str, int] = {}
    first: dict[str, int] = {}
    lead: set[str] = set()
    for _, term, start in tokens:
        counts[term] = counts.get(term, 0) + 1
        first.setdefault(term, start)
        if start < LEAD_CHARS:
            lead.add(term)
    return SectionTerms(anchor, heading, text, frozenset(term for _, term, _ in heading_tokens), Counter(counts), first,
                        frozenset(lead), bool(rest and rest[0]))


def article_terms(record: dict, lang: str) -> frozenset[str]:
    """The terms of a record's title and summary: what the whole article is about."""
    return frozenset(analyzer_for(lang).terms(record["title"] + "\n" + (record.get("summary") or "")))


def pick_section(sections: list[SectionTerms], terms: set[str] | frozenset[str],
                 article: frozenset[str] = frozenset()) -> int:
    """The section a result for ``terms`` links to; -1 for the top of the article. The one rule
    for ``deflect search`` (all the query's terms) and the browser (each term of the static index).

    The section whose heading and first paragraph name the most query terms is the candidate. When
    the title and summary already name every query term it names, the article as a whole answers
    the query: the link goes to its first section with steps (the answer), or to its top, not to a
    later section that mentions the words again ("After the reset"). A section wins when it names a
    query term the title and summary do not ("The email doesn't arrive"); a term found only deeper
    in the text links to where it is mentioned most."""
    if len(terms) == 1:  # the static index asks per term, hundreds of thousands of times: the same rule, unrolled
        return _pick_one(sections, next(iter(terms)), article)
    covered = article & terms
    best, best_key = -1, (0, 0, 0)
    for index, section in enumerate(sections):
        named = (section.heading_terms | section.lead_terms) & terms
        key = (len(named - covered), len(section.heading_terms & terms) + len(section.lead_terms & terms),
               sum(section.counts[t] for t in terms))
        if key > best_key:
            best, best_key = index, key
    if covered and not best_key[0]:
        return next((i for i, section in enumerate(sections) if section.steps), -1)
    return best


def pick_each(sections: list[SectionTerms], terms: list[str], article: frozenset[str] = frozenset()) -> dict[str, int]:
    """``pick_section(sections, {term}, article)`` for each of ``terms``, looking at only the sections
    that name or mention each term (the others never win: their key is all zeros, so a term no
    section mentions, and the title and summary do not name, links to the top)."""
    where: dict[str, list[int]] = {}
    for index, section in enumerate(sections):
        for term in section.heading_terms.union(section.counts):
            where.setdefault(term, []).append(index)
    return {term: _pick_one(sections, term, article, where.get(term, ())) if term in where or term in article else -1
            for term in terms}


def _pick_one(sections: list[SectionTerms], term: str, article: frozenset[str],
              candidates: Iterable[int] | None = None) -> int:
    """``pick_section`` for one term: a term the title or summary names leaves no section naming an
    uncovered term, so the article as a whole answers. ``candidates``: the indexes, in order, of the
    sections that may win (default: all)."""
    if term in article:
        return next((i for i, section in enumerate(sections) if section.steps), -1)
    best, best_key = -1, (0, 0, 0)
    for index in range(len(sections)) if candidates is None else candidates:
        section = sections[index]
        heading, lead = term in section.heading_terms, term in section.lead_terms
        key = (heading or lead, heading + lead, section.counts.get(term, 0))
        if key > best_key:
            best, best_key = index, key
    return best


def section_excerpt(record: dict, sections: list[SectionTerms], index: int, terms: set[str] | frozenset[str],
                    width: int = SNIPPET_WIDTH) -> str:
    """About ``width`` characters of section ``index`` around the first of ``terms`` (the summary
    when ``index`` is -1)."""
    if index < 0:
        return summary_excerpt(record, width)
    section = sections[index]
    first = min((section.first[t] for t in terms if t in section.first), default=0)
    return text_excerpt(section.text, first, width)


def summary_excerpt(record: dict, width: int = SNIPPET_WIDTH) -> str:
    """The excerpt of a result that links to the top of its article: its summary (or first section)."""
    return (record.get("summary") or (record["sections"][0][2] if record["sections"] else ""))[:width]


def text_excerpt(text: str, first: int, width: int = SNIPPET_WIDTH) -> str:
    """About ``width`` characters of ``text`` around offset ``first``, starting on a word."""
    start = max(0, first - width // 3)
    if start:  # start on a word
        space = text.find(" ", start, first)
        start = space + 1 if space >= 0 else start
    snippet = text[start:start + width].strip()
    return ("… " if start else "") + snippet + (" …" if start + width < len(text) else "")


def best_section(record: dict, terms: set[str], lang: str, width: int = SNIPPET_WIDTH) -> tuple[str, str]:
    """The anchor and a snippet of the section a result for ``terms`` links to (see pick_section)."""
    sections = analyse_sections(record, lang)
    index = pick_section(sections, terms, article_terms(record, lang))
    return (sections[index].anchor if index >= 0 else ""), section_excerpt(record, sections, index, terms, width)
