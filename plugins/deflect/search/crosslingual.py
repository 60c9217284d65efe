"""Cross-lingual search: a reader's query also reaches the articles not translated into their language.

An untranslated article (in the default language) is not indexed again in every other language: the
reader's query is translated instead. Each language has a :class:`CrossTable`: for every term of that
language that translates words of its untranslated articles, the default-language terms (or phrases)
it stands for. A search in that language looks those terms up in the default language's index, keeps
its untranslated articles, weighs them CROSS_WEIGHT against the reader's own and shows them at their
fallback page in the reader's section; the browser does the same with the static index.
Term translations come from two sources, both in the repository, nothing downloaded:

* the help center's own translations: an article or FAQ entry and its translation, aligned unit by
  unit (title, summary, the section with the same anchor, an FAQ answer), form a parallel corpus;
  a term pair that keeps appearing in aligned units and rarely apart (Dice coefficient) is learned;
* ``search/glossary.yml``: English word or phrase → the words a customer of each language uses.

Words spelled alike in both languages (brand names, loanwords such as "account" in Tagalog) carry
over when the other language's content uses them.
"""
from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

import yaml

from deflect.content.yamlsafe import LimitedLoader, error_line, error_text
from deflect.search.analysis import WORD_RE, analyzer_for
from deflect.search.documents import SearchDoc, index_fields

GLOSSARY_FILE = "search/glossary.yml"
"""Where a help center keeps its glossary, relative to its root (the default of every entry point)."""
MIN_PAIRS = 2  # aligned units a learned pair must share
MIN_DICE = 0.5
LEARNED_PER_TERM = 2
CROSS_WEIGHT = 0.6
"""Weight of an untranslated article against one in the reader's language (each index's typical title-word
weight counting the same, ``engine.SearchIndex.cross_factor``): their own first. It keeps the balance of
the earlier design, which indexed a translated copy of each such article in every language at half
weight: a copy's fields held only the translated words, so its BM25 weights ran 1.21-1.23 times those
of its English text (hr, et, tl of the example help center)."""


class GlossaryError(ValueError):
    """The glossary is unusable: ``str()`` names the file and line, ``line`` and ``reason`` say where and why."""

    def __init__(self, message: str, *, line: int = 1, reason: str | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.reason = reason or message


@dataclass
class Translations:
    """English (default-language) term sequences → terms of one other language."""

    lang: str
    phrases: dict[tuple[str, ...], list[str]] = field(default_factory=dict)  # from the glossary
    learned: dict[str, list[str]] = field(default_factory=dict)  # from the aligned translations
    vocabulary: frozenset[str] = frozenset()  # the language's own index terms


def load_glossary(path: Path, codes: list[str], default: str) -> dict[str, list[tuple[str, list[str], int]]]:
    """``{lang: [(english phrase, [translations], line), …]}`` from ``path``; missing file → empty.

    Format: a mapping of language code → mapping of an English word or phrase → one translation
    or a list of them (words or phrases in that language)."""
    if not path.is_file():
        return {}

    def fail(line: int, reason: str) -> GlossaryError:
        return GlossaryError(f"{path}:{line}: {reason}", line=line, reason=reason)

    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=LimitedLoader)
    except yaml.YAMLError as exc:
        raise fail(error_line(exc), f"not valid YAML: {error_text(exc)}") from exc
    except UnicodeDecodeError as exc:
        raise fail(1, f"not valid UTF-8: {exc}") from exc
    if root is None:
        return {}
    if not isinstance(root, yaml.MappingNode):
        raise fail(root.start_mark.line + 1, "expected a mapping of language code → {english: translations}")
    out: dict[str, list[tuple[str, list[str], int]]] = {}
    for key, value in root.value:
        line = key.start_mark.line + 1
        lang = str(key.value)
        if lang not in codes or lang == default:
            others = ", ".join(c for c in codes if c != default)
            raise fail(line, f"'{lang}' is not one of the site's other languages ({others})")
        if not isinstance(value, yaml.MappingNode):
            raise fail(line, f"'{lang}' must map English words to translations, e.g. parcel: [paket, pošiljka]")
        entries = out.setdefault(lang, [])
        for english, targets in value.value:
            line = english.start_mark.line + 1
            if not isinstance(english, yaml.ScalarNode) or not analyzer_for(default).terms(str(english.value)):
                raise fail(line, "the English side must be a word or phrase with at least one searchable word")
            items = [targets] if isinstance(targets, yaml.ScalarNode) else targets.value \
                if isinstance(targets, yaml.SequenceNode) else None
            if not items or not all(isinstance(i, yaml.ScalarNode) and str(i.value).strip() for i in items):
                raise fail(line, f"'{english.value}' needs a translation or a list of them, e.g. [paket, pošiljka]")
            words = [str(i.value) for i in items]
            empty = [w for w in words if not analyzer_for(lang).terms(w)]
            if empty:
                raise fail(line, f"'{empty[0]}' has no searchable word in {lang} (only stop words?)")
            entries.append((str(english.value), words, line))
    return out


@dataclass(frozen=True)
class DocTerms:
    """The terms of one document that learning translations needs: all of them, and those of each
    unit that aligns with a translation (title, summary, each section with its heading)."""

    all: frozenset[str]
    title: frozenset[str]
    summary: frozenset[str]
    sections: tuple[tuple[str, frozenset[str]], ...]  # (anchor, terms of heading and text)


def doc_terms(doc: SearchDoc, title: list[str] | None = None,
              sections: list[frozenset[str]] | None = None) -> DocTerms:
    """The terms learning needs of ``doc``: those of its title, summary and each section (heading and
    text), and all of them together (a word never spans the whitespace between the parts). ``title``
    and ``sections``, the terms of its title and of each section that its analysis already has, spare
    reading those texts again."""
    words = analyzer_for(doc.lang).word
    title_terms = frozenset(title) if title is not None else _term_set(words, doc.title)
    summary = _term_set(words, doc.summary)
    units = sections if sections is not None else [_term_set(words, s.heading + " " + s.text) for s in doc.sections]
    if len(units) != len(doc.sections):
        raise ValueError(f"{doc.id}: {len(units)} section term sets for {len(doc.sections)} sections")
    return DocTerms(title_terms.union(summary, *units), title_terms, summary,
                    tuple((section.anchor, terms) for section, terms in zip(doc.sections, units)))


def learn(docs: list[SearchDoc], default: str, lang: str, glossary: list[tuple[str, list[str], int]] | None = None,
          terms_of: Callable[[SearchDoc], DocTerms] = doc_terms) -> Translations:
    """Term translations default → ``lang`` from the aligned translations in ``docs`` and the glossary
    (``terms_of`` gives a document's terms, which a cache can keep: see :func:`doc_terms`)."""
    source, target = analyzer_for(default), analyzer_for(lang)
    by_key = {_key(d): d for d in docs if d.lang == default}
    units: list[tuple[frozenset[str], frozenset[str]]] = []
    vocabulary: set[str] = set()
    for doc in docs:
        if doc.lang != lang or doc.internal:
            continue
        mine = terms_of(doc)
        vocabulary.update(mine.all)
        original = by_key.get(_key(doc))
        if original is None:
            continue
        theirs = terms_of(original)
        pairs = [(theirs.title, mine.title), (theirs.summary, mine.summary)]
        sections = dict(theirs.sections)
        for anchor, right in mine.sections:
            match = sections.get(anchor)
            if match is not None:
                pairs.append((match, right))
        units += [(left, right) for left, right in pairs if left and right]
    learned = _aligned_pairs(units)
    phrases: dict[tuple[str, ...], list[str]] = {}
    for english, words, _ in glossary or []:
        key = tuple(source.terms(english))
        translated = phrases.setdefault(key, [])
        for word in words:
            translated += [t for t in target.terms(word) if t not in translated]
    return Translations(lang, phrases, learned, frozenset(vocabulary))


def learned_from(docs: list[SearchDoc], default: str, lang: str) -> list[int]:
    """The positions in ``docs`` of the documents :func:`learn` reads for ``lang``: those in ``lang`` and
    the ``default``-language ones they translate (given these alone, it learns the same table). An
    edit of any other document (an untranslated article, another language's) leaves ``lang``'s table
    as it was."""
    theirs = {_key(doc) for doc in docs if doc.lang == lang}
    return [n for n, doc in enumerate(docs) if doc.lang == lang or (doc.lang == default and _key(doc) in theirs)]


def _aligned_pairs(units: list[tuple[frozenset[str], frozenset[str]]]) -> dict[str, list[str]]:
    """For each English term, the LEARNED_PER_TERM terms it keeps meeting in aligned ``units`` (at least
    MIN_PAIRS units together, Dice coefficient at least MIN_DICE), best first, ties in term order.
    Counted as arrays (every pair of a unit's English and other terms, then the units each pair is in),
    leaving out terms seen in fewer than MIN_PAIRS units, which no pair can reach; ranked as arrays, so
    only the kept pairs become objects.
    (numpy loads here, in the search worker: importing it at the build's start cost 0.7 s with scipy, whose
    sparse product this counting replaces: its import alone took a cold build 0.13 s of CPU.)"""
    import numpy as np

    sides = []
    for side in (0, 1):
        ids = {term: n for n, term in enumerate(dict.fromkeys(chain.from_iterable(unit[side] for unit in units)))}
        columns = np.fromiter(map(ids.__getitem__, chain.from_iterable(unit[side] for unit in units)), dtype=np.int64)
        rows = np.repeat(np.arange(len(units)), [len(unit[side]) for unit in units])
        alone = np.bincount(columns, minlength=len(ids))  # units each term is in (a unit holds a term once)
        keep = np.flatnonzero(alone >= MIN_PAIRS)
        number = np.full(len(ids), -1)
        number[keep] = np.arange(len(keep))  # kept terms renumbered
        kept = number[columns] >= 0
        sides.append((rows[kept], number[columns][kept], alone[keep], np.array(list(ids), dtype=object)[keep]))
    (rows_e, cols_e, alone_e, terms_e), (rows_f, cols_f, alone_f, terms_f) = sides
    # Units each (English term, other term) pair shares: every pair of a unit's kept terms, counted
    per_unit_f = np.bincount(rows_f, minlength=len(units))
    starts_f = np.r_[0, np.cumsum(per_unit_f)[:-1]]  # rows_f is in unit order
    repeat = per_unit_f[rows_e]  # each English term of a unit meets each other term of that unit
    total = int(repeat.sum())
    offsets = np.arange(total) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    pair_e = np.repeat(cols_e, repeat)
    pair_f = cols_f[np.repeat(starts_f[rows_e], repeat) + offsets]
    width = max(len(terms_f), 1)
    keys, n = np.unique(pair_e * width + pair_f, return_counts=True)
    e, f = keys // width, keys % width
    dice = 2 * n / (alone_e[e] + alone_f[f])  # float64 as in Python: exact integers, one correctly rounded division
    chosen = np.flatnonzero((n >= MIN_PAIRS) & (dice >= MIN_DICE))
    e, f, dice = e[chosen], f[chosen], dice[chosen]
    spelling = np.empty(len(terms_f), dtype=np.int64)
    spelling[np.argsort(terms_f, kind="stable")] = np.arange(len(terms_f))  # each other term's rank in str order
    order = np.lexsort((spelling[f], -dice, e))  # by English term, then best first, then the other term
    e, f = e[order], f[order]
    first = np.flatnonzero(np.r_[True, e[1:] != e[:-1]]) if len(e) else np.arange(0)  # where each English term starts
    rank = np.arange(len(e)) - np.repeat(first, np.diff(np.r_[first, len(e)]))  # place within its term
    top = rank < LEARNED_PER_TERM
    learned: dict[str, list[str]] = {}
    for english, other in zip(terms_e[e[top]].tolist(), terms_f[f[top]].tolist()):
        learned.setdefault(english, []).append(other)
    return learned


def untranslated(docs: list[SearchDoc], default: str, codes: list[str]) -> list[tuple[str, SearchDoc]]:
    """(language, public default-language document) for each document that language has no
    translation of, languages in ``codes`` order."""
    out: list[tuple[str, SearchDoc]] = []
    originals = [d for d in docs if d.lang == default and not d.internal]
    for lang in codes:
        if lang == default:
            continue
        have = {_key(d) for d in docs if d.lang == lang}
        out += [(lang, doc) for doc in originals if _key(doc) not in have]
    return out


def word_pairs(doc: SearchDoc) -> frozenset[tuple[str, str]]:
    """Every (folded surface, term) of the indexed fields of ``doc``: what a cross table translates."""
    words = analyzer_for(doc.lang).word
    return frozenset(word for text in index_fields(doc).values() for word in map(words, WORD_RE.findall(text))
                     if word is not None)


@dataclass(frozen=True)
class CrossTable:
    """How a reader of ``lang`` reaches the articles of ``source`` (the default language) not translated
    into ``lang``: ``docs``, their ids, and ``terms``: each term of ``lang`` that translates words of
    theirs → the ``source`` term sequences it stands for (a word: one term; a glossary phrase: all of
    its terms, which an article must all have). Sorted, so that equal tables are equal. ``home``: those
    of ``docs`` that ``lang``'s part of the site does not show at a page of its own (``fallback: link``
    lists an article at its own page, ``fallback: false`` shows none): a result links to their page."""

    lang: str
    source: str
    terms: dict[str, list[list[str]]]
    docs: tuple[str, ...]
    home: frozenset[str] = frozenset()

    @functools.cached_property
    def digest(self) -> str:
        return hashlib.sha256(json.dumps([self.lang, self.source, self.terms, self.docs, sorted(self.home)],
                                         ensure_ascii=False).encode()).hexdigest()

    def url(self, doc: str, url: str) -> str:
        """Where a result for ``doc`` (its ``url`` in ``source``'s section) takes a reader of ``lang``."""
        return url if doc in self.home else f"{self.lang}/{url.split('/', 1)[1]}"

    def __getstate__(self) -> dict[str, object]:
        return {name: value for name, value in self.__dict__.items() if name != "digest"}


def cross_table(table: Translations, source: str, docs: list[SearchDoc],
                pairs_of: Callable[[SearchDoc], frozenset[tuple[str, str]]] = word_pairs,
                home: frozenset[str] = frozenset()) -> CrossTable:
    """The :class:`CrossTable` of ``table.lang`` for the untranslated ``docs``: ``table`` inverted, kept to
    what those documents say. A learned pair or a glossary entry counts when the documents have its
    English terms; a word spelled alike when its term in ``table.lang`` is one that language's content
    uses (``pairs_of`` gives a document's (surface, term) pairs, which a cache can keep). A term of
    ``table.lang`` that is also the English term (Tagalog "email") stands for itself and the glossary's
    phrases only: the pairs learned for it are its neighbours in the aligned texts ("address")."""
    pairs = frozenset().union(*map(pairs_of, docs)) if docs else frozenset()
    present = {term for _, term in pairs}
    found: dict[str, set[tuple[str, ...]]] = {}
    for term, targets in table.learned.items():
        if term in present:
            for target in targets:
                found.setdefault(target, set()).add((term,))
    for phrase, targets in table.phrases.items():
        if phrase and present.issuperset(phrase):
            for target in targets:
                found.setdefault(target, set()).add(phrase)
    same, vocabulary = analyzer_for(table.lang).term, table.vocabulary
    identical: set[str] = set()  # terms spelled as the English ones: a loanword, a product name
    for surface, term in sorted(pairs):
        target = same(surface)
        if target in vocabulary:
            found.setdefault(target, set()).add((term,))
            if target == term:
                identical.add(target)
    for target in identical:  # translates to itself, not to the words learned beside it ("email address")
        found[target] = {group for group in found[target] if len(group) > 1 or group == (target,)}
    terms = {target: [list(group) for group in sorted(groups)] for target, groups in sorted(found.items())}
    return CrossTable(table.lang, source, terms, tuple(doc.id for doc in docs), home)


def table_digest(table: Translations) -> str:
    """The identity of a whole term table (what a language's cross table is made from besides its documents)."""
    return hashlib.sha256(json.dumps([table.lang, sorted((list(k), v) for k, v in table.phrases.items()),
                                      sorted(table.learned.items()), sorted(table.vocabulary)],
                                     ensure_ascii=False).encode()).hexdigest()


def _term_set(word: Callable[[str], tuple[str, str] | None], text: str) -> frozenset[str]:
    """The terms of ``text``'s words (``word``: an analyzer's ``word``)."""
    return frozenset([found[1] for found in map(word, WORD_RE.findall(text)) if found is not None])


def _key(doc: SearchDoc) -> tuple[bool, str]:
    """What a document and its translations share: FAQ or not, and ``<category>/<slug>``."""
    return doc.kind == "faq", doc.id.split("/", 1)[1]
