"""Language analysis for search: tokenize, lemmatize, stem and fold diacritics.

The same analysis runs on content (at build time) and on queries (``deflect search``). The
browser cannot run it, so the static export carries a surface-form → term map, expanded with
every inflected form the lemmatizer's dictionary knows for the lemmas in the content.
"""
from __future__ import annotations

import logging
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import Stemmer  # PyStemmer (Snowball)

from deflect.locales import Affixes, analysis as language_analysis, forget_with
from deflect.search import lemmas

WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)

FOLD_SPECIAL = {"đ": "d", "ß": "ss", "æ": "ae", "ø": "o", "ł": "l", "œ": "oe"}  # letters NFKD leaves whole
_SPECIAL_FOLD = str.maketrans({**FOLD_SPECIAL, "Đ": "d"})
MAX_WORD_CHARS = 40  # a longer "word" has no term (a hash, a URL fragment)


PREFETCH_ENV = "DEFLECT_PREFETCH"
"""``0``: a cold build reads its lemma dictionaries in the search worker only (see :func:`prefetch_dictionaries`)."""


class _FoldTable(dict[int, str]):
    """Lowercase letter → folded text, worked out for each letter when first met (``str.translate``
    asks for each letter): the special letters, else the NFKD decomposition without combining marks.
    Letter by letter equals the whole text's: NFKD decomposes each letter on its own, and its only
    cross-letter step (reordering combining marks) moves only marks, which are all dropped."""

    def __missing__(self, code: int) -> str:
        letter = chr(code)
        special = _SPECIAL_FOLD.get(code)
        folded = special if isinstance(special, str) else "".join(
            ch for ch in unicodedata.normalize("NFKD", letter) if not unicodedata.combining(ch))
        self[code] = folded
        return folded


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """Lowercase and strip diacritics: ``Pritužba`` → ``prituzba``, ``õun`` → ``oun``."""
    if text.isascii():
        return text.lower()  # most words: nothing to map or decompose
    return text.lower().translate(_FOLD)


def affix_stem(word: str, rules: Affixes) -> str:
    """A light rule-based stemmer for a language Snowball lacks (its ``affixes`` in the language
    registry): strip one prefix, an infix after a first consonant, a reduplicated first syllable,
    then one suffix. Mirrored in the browser script (``tlStem`` in search.js)."""
    w, least, vowels = word, rules.min_stem, rules.vowels
    if len(w) <= least:
        return w
    for prefix in rules.prefixes:
        if w.startswith(prefix) and len(w) - len(prefix) >= least:
            w = w[len(prefix):]
            break
    if len(w) >= least + 2 and w[0] not in vowels and w[1:3] in rules.infixes:
        w = w[0] + w[3:]
    if rules.reduplication:
        if len(w) >= least + 2 and w[0] not in vowels and w[1] in vowels and w[:2] == w[2:4]:
            w = w[2:]
        elif len(w) >= least + 1 and w[0] in vowels and w[0] == w[1]:
            w = w[1:]
    for suffix in rules.suffixes:
        if w.endswith(suffix) and len(w) - len(suffix) >= least:
            w = w[: -len(suffix)]
            break
    return w


def tagalog_stem(word: str) -> str:
    """Tagalog's affix stripper (prefix, infix -um-/-in-, first-syllable reduplication, suffix)."""
    rules = language_analysis("tl").affixes
    return affix_stem(word, rules) if rules is not None else word


class Token(NamedTuple):
    """One word of a text (a tuple: built for every word of every document, three times faster
    than a frozen dataclass)."""

    surface: str  # folded form as written
    term: str  # index term
    pos: int
    start: int
    end: int


class Analyzer:
    """Text → index terms for one language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        rules = language_analysis(lang)  # the language registry's choices (deflect.locales)
        self.stop_words = rules.stop_words
        self.folded_stops = frozenset(fold(w) for w in self.stop_words)
        self._stemmer = Stemmer.Stemmer(rules.snowball) if rules.snowball else None
        self._lemma_lang = rules.simplemma
        self._compounding = rules.compounds
        self._affixes = rules.affixes
        self._cache: dict[str, str] = {}
        self._words: dict[str, tuple[str, str, bool, tuple[str, bytes] | None]] = {}
        self.compounds: set[tuple[str, bytes]] = set()
        self._compound_words: dict[str, tuple[str, bytes]] = {}
        self._lemma_terms: tuple[list[bytes], list[str]] | None = None  # every lemma and its term, kept
        # across expansions() calls

    def term(self, word: str) -> str:
        """The index term of one lowercase word (not folded yet)."""
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        base = word
        if self._lemma_lang:  # word by word through a kept block index, if there is one (deflect.search.lemmas)
            dictionary = lemmas.lookup(self._lemma_lang) or _lemma_dictionary(self._lemma_lang)
            lemma = dictionary.get(word.encode())
            if lemma is not None:
                base = lemma.decode().lower()
            elif len(word) >= 8 and self._compounding:
                base = self._compound_lemma(word, dictionary) or word
        term = self._finish(base)
        if len(self._cache) < 500_000:
            self._cache[word] = term
        return term

    def _finish(self, base: str) -> str:
        if self._stemmer is not None:
            base = self._stemmer.stemWord(base)
        term = fold(base)
        return affix_stem(term, self._affixes) if self._affixes is not None else term

    def _compound_lemma(self, word: str, dictionary: lemmas.BlockIndex | lemmas.Plain) -> str | None:
        """Lemmatize a compound the dictionary lacks by its longest known last part:
        ``tagastustingimustest`` → ``tagastus`` + ``tingimus``."""
        for cut in range(3, len(word) - 4):
            tail_lemma = dictionary.get(word[cut:].encode())
            if tail_lemma is not None:
                head, lemma = word[:cut], tail_lemma.decode().lower()
                self.compounds.add((head, tail_lemma))
                self._compound_words[word] = (head, tail_lemma)
                return head + lemma
        return None

    def tokens(self, text: str, *, keep_stops: bool = False) -> Iterator[Token]:
        pos = 0
        words = self._words
        for match in WORD_RE.finditer(text):
            surface, term, stop, _ = words.get(match.group()) or self._info(match.group())
            if not term or (stop and not keep_stops):
                continue
            yield Token(surface, term, pos, match.start(), match.end())
            pos += 1

    def word(self, raw: str) -> tuple[str, str] | None:
        """(folded surface, term) of one word as written (a ``WORD_RE`` match), as ``tokens`` gives
        it; None for a word ``tokens`` skips (a stop word, one too long). Kept per analyzer."""
        surface, term, stop, _ = self._words.get(raw) or self._info(raw)
        return (surface, term) if term and not stop else None

    def scan(self, text: str, compounds: set[tuple[str, bytes]]) -> list[tuple[str, str, int]]:
        """(surface, term, start) of each token of ``text`` (what ``tokens`` yields, as plain tuples:
        the hot path of a build's analysis); adds the compounds its words split (stop words' too)
        to ``compounds``."""
        out = []
        words = self._words
        for match in WORD_RE.finditer(text):
            surface, term, stop, compound = words.get(match.group()) or self._info(match.group())
            if compound is not None:
                compounds.add(compound)
            if term and not stop:
                out.append((surface, term, match.start()))
        return out

    def _info(self, raw: str) -> tuple[str, str, bool, tuple[str, bytes] | None]:
        """``_word_info`` of a word not seen yet, remembered."""
        info = self._word_info(raw)
        if len(self._words) < 500_000:
            self._words[raw] = info
        return info

    def _word_info(self, raw: str) -> tuple[str, str, bool, tuple[str, bytes] | None]:
        """(folded surface, term, is a stop word, the compound lemmatizing it split) of one word as
        written; term "" when too long."""
        word = raw.lower().replace("’", "'")
        surface = fold(word)
        if len(surface) > MAX_WORD_CHARS:
            return surface, "", False, None
        stop = word in self.stop_words or surface in self.folded_stops
        term = self.term(word)
        return surface, term, stop, (self._compound_words.get(word) if len(word) >= 8 else None)

    def terms(self, text: str) -> list[str]:
        return [term for _, term, _ in self.scan(text, set())]

    def expansions(self, terms: set[str], compounds: Iterable[tuple[str, bytes]] | None = None,
                   identity: str = "") -> Iterator[tuple[str, str]]:
        """(folded surface form, term) for every form in the lemma dictionary whose term is in
        ``terms``: the inflections a reader may type that the content never uses. ``compounds``
        (default: every compound this analyzer has split) add the inflections of their last part.
        ``identity`` (what this analysis is made of: the code and the language files) lets the term of
        every lemma be kept in the machine's cache (see :meth:`_dictionary_terms`)."""
        if not self._lemma_lang:
            return
        dictionary = _lemma_dictionary(self._lemma_lang)
        heads: dict[bytes, list[str]] = {}
        for head, tail_lemma in sorted(self.compounds if compounds is None else compounds):
            heads.setdefault(tail_lemma, []).append(head)
        # Every lemma's term first (far fewer lemmas than forms), then only the forms of a wanted
        # lemma: the dictionaries hold up to 3.7 million forms. Lemmas go by their number in the
        # dictionary (a dict of up to 330,000 lemmas a language cost more than the lists).
        if not self._lemma_terms:
            every = dictionary.lemmas()
            self._lemma_terms = (every, self._dictionary_terms(every, dictionary, identity))
        every, lemma_terms = self._lemma_terms
        wanted = [n for n, term in enumerate(lemma_terms) if term in terms]
        tails = {n: heads[lemma] for n, lemma in enumerate(every) if lemma in heads} if heads else {}
        for form, number in dictionary.numbered_forms(set(wanted).union(tails) if tails else wanted):
            text = form.decode().lower()
            if not WORD_RE.fullmatch(text):
                continue
            term = lemma_terms[number]
            if term in terms:
                yield fold(text), term
            for head in tails.get(number, ()):
                compound_term = self._finish(head + every[number].decode().lower())
                if compound_term in terms:
                    yield fold(head + text), compound_term

    def _dictionary_terms(self, every: list[bytes], dictionary: lemmas.Dictionary | lemmas.Plain,
                          identity: str) -> list[str]:
        """The term of each of the dictionary's lemmas ``every``. They depend on the dictionary and on
        this analysis alone, so with an ``identity`` they are kept in the machine's cache, as the
        dictionary's pass is (``lemmas.kept_on_machine``): stemming a dictionary's lemmas (up to
        330,000) cost a cold 12-language build about 1 s of CPU, reading them back 0.1 s."""
        dictionary_stamp = lemmas.stamp_of(self._lemma_lang, dictionary) if identity and self._lemma_lang else None
        if dictionary_stamp is None:
            return self._finish_all([lemma.decode().lower() for lemma in every])
        name, stamp = f"terms-{self.lang}", f"{identity}:{dictionary_stamp}:{len(every)}"
        kept = lemmas.kept_on_machine(name, stamp)
        if isinstance(kept, list) and len(kept) == len(every):
            return kept
        found = self._finish_all([lemma.decode().lower() for lemma in every])
        lemmas.keep_on_machine(name, stamp, found)
        return found

    def _finish_all(self, bases: list[str]) -> list[str]:
        """``[self._finish(base) for base in bases]`` for a dictionary's lemmas (up to 330,000): the
        Snowball stemmer's word cache, which only helps repeated words, would cost four times the
        stemming itself, so it is off for this one call."""
        stemmer = self._stemmer
        if stemmer is not None:
            size = stemmer.maxCacheSize
            stemmer.maxCacheSize = 0
            try:
                bases = stemmer.stemWords(bases)
            finally:
                stemmer.maxCacheSize = size
        rules = self._affixes
        if rules is None:
            return [fold(base) for base in bases]
        return [affix_stem(fold(base), rules) for base in bases]


@lru_cache(maxsize=32)
def _lemma_dictionary(code: str) -> lemmas.Dictionary | lemmas.Plain:
    """simplemma's form → lemma dictionary for ``code``, read once per process (``lemmas.load``).

    Room for every language of a large site: analysis and the cross-language tables look words up
    in one language after another, and a cache smaller than the site's languages (it was 8) reloaded
    dictionaries 32 times in a 12-language build, a quarter of its CPU (2.5 s for Finnish each time)."""
    return lemmas.whole(code)


@lru_cache(maxsize=32)
def analyzer_for(lang: str) -> Analyzer:
    return Analyzer(lang)


forget_with(analyzer_for.cache_clear)  # analyzers (and the words they keep) follow the registry's choices


WordMemo = dict[str, tuple[dict[str, str], dict[str, tuple[str, bytes]]]]
"""Per language: word → term, and word → the compound (head, tail lemma) lemmatizing split."""


def known_words(langs: Iterable[str]) -> WordMemo:
    """What this process's analyzers of ``langs`` have worked out, to seed another process with."""
    return {lang: (analyzer_for(lang)._cache, analyzer_for(lang)._compound_words) for lang in langs}


def prefetch_dictionaries(cache_dir: Path, langs: Iterable[str]) -> list[str]:
    """Start reading, in a forked process (``lemmas.prefetch``), the lemma dictionaries of ``langs`` that
    this search cache has never read (no block index kept: a cold build, or a new language) and the
    machine's cache does not keep (the first build on a machine: 0.1 to 1.5 s each); the dictionary
    codes it reads, or [] when none is missing, no process could start or ``DEFLECT_PREFETCH=0``. One the
    machine keeps is read by the worker itself, in a tenth of that: a prefetch of those cost more than it
    saved (its process, and sending the dictionaries over: 0.75 s of CPU in a 12-language build)."""
    if os.environ.get(PREFETCH_ENV, "1") == "0":
        return []
    codes = unique(code for code in (language_analysis(lang).simplemma for lang in langs)  # not one this process
                   if code and not lemmas.holds(code) and not (cache_dir / f"lemmas-{code}.pickle").exists()  # has
                   and not lemmas.on_machine(code))
    if not lemmas.prefetch(codes):
        return []
    logging.getLogger("deflect.search").debug(f"reading the lemma dictionaries {', '.join(codes)} in another process")
    return codes


def prepare_machine(langs: Iterable[str], identity: str) -> Iterator[tuple[str, str | None, list[str]]]:
    """Fill the machine's cache (``lemmas.kept_on_machine``) for the analyzers of ``langs``: each lemma
    dictionary's pass and the terms of its lemmas under ``identity`` (``cache.analysis_version()``), all
    that a cold build would otherwise work out the first time on a machine; what is kept already is read
    back. Yields, as each language is done, (language, its dictionary's code or None, the files it is
    kept in, in the machine's cache folder ``lemmas``)."""
    for lang in langs:
        analyzer = analyzer_for(lang)
        code, kept = analyzer._lemma_lang, []
        if code:
            dictionary = lemmas.read_kept(code)
            if isinstance(dictionary, lemmas.Dictionary):
                analyzer._dictionary_terms(dictionary.lemmas(), dictionary, identity)
                kept = [f"{code}.pickle.zst", f"{code}.stream", f"terms-{lang}.pickle.zst"]
        yield lang, code, kept


def known_dictionaries(langs: Iterable[str]) -> dict[str, lemmas.Dictionary | lemmas.Plain]:
    """The lemma dictionaries this process read whole for the analyzers of ``langs``, to give the
    process that forked it (:func:`seed_dictionaries`)."""
    return lemmas.read_whole({analyzer_for(lang)._lemma_lang for lang in langs} - {None})  # type: ignore[arg-type]


def seed_dictionaries(found: dict[str, lemmas.Dictionary | lemmas.Plain]) -> None:
    """Take the lemma dictionaries a forked helper read (:func:`known_dictionaries`): the export reads
    them whole again otherwise, one to three seconds each (``lemmas.load``)."""
    lemmas.adopt(found)


def seed_words(memo: WordMemo) -> None:
    """Give the analyzers words worked out before (same code and language choices), so that text
    made of known words needs no lemma dictionary: loading one costs about a second per language."""
    for lang, (terms, compounds) in memo.items():
        analyzer = analyzer_for(lang)
        for word, term in terms.items():
            analyzer._cache.setdefault(word, term)
        for word, compound in compounds.items():
            analyzer._compound_words.setdefault(word, compound)


def unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
