"""Language analysis for search: tokenize, lemmatize, stem and fold diacritics.

The same analysis runs on content (at build time) and on queries (``deflect search``). The
browser cannot run it, so the static export carries a surface-form → term map, expanded with
every inflected form the lemmatizer's dictionary knows for the lemmas in the content.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

import Stemmer  # PyStemmer (Snowball)

WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)

# Snowball algorithm and simplemma dictionary per language. Croatian uses the Serbo-Croatian
# dictionary (hbs) and Snowball's Serbian stemmer, which handles Latin script.
SNOWBALL = {"en": "english", "et": "estonian", "hr": "serbian", "sr": "serbian", "bs": "serbian",
            "de": "german", "fr": "french", "es": "spanish", "it": "italian", "nl": "dutch",
            "pt": "portuguese", "sv": "swedish", "fi": "finnish", "da": "danish", "no": "norwegian",
            "ru": "russian", "hu": "hungarian", "ro": "romanian", "tr": "turkish", "lt": "lithuanian",
            "id": "indonesian", "cs": "czech", "pl": "polish"}
LEMMA_DICT = {"hr": "hbs", "sr": "hbs", "bs": "hbs", "et": "et", "tl": "tl", "en": "en"}

STOP_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset("""a an and are as at be but by can do does for from how i if in into is it its
        me my of on or our so that the their then there these this to was what when where which who
        why will with you your""".split()),
    "hr": frozenset("""a ali bi bio biti da do ga i ih ili iz je jer još ju kad kako kao koja koje
        koji kojim li me mi mu na nakon ne ni o od pa po pri sa se si su ta te to tu u uz za že
        što ste sam smo vam vas vi nije""".split()),
    "et": frozenset("""aga ei ja jah kas kui kuid kus mida mis mu mul mulle nad need nii ning oli
        on ole oma pole sa see seda sest siis sind sinu ta te teie tema et ka kes veel või ja""".split()),
    "tl": frozenset("""ako ang at ay ba din dito diyan ito iyan iyon ka kami kayo ko kung lang mga
        mo na namin nang ng ni nila niya nito po sa si sila siya tayo yung yun rin natin ninyo
        mag nag i paano hindi""".split()),  # verb prefixes split off by a hyphen (mag-reset), "how", "not"
}

VOWELS = frozenset("aeiou")
COMPOUNDING = frozenset({"et", "hr", "de", "fi", "nl", "sv", "da", "no", "hu"})
TL_PREFIXES = ("nakikipag", "makikipag", "pinakama", "nakipag", "makipag", "ipinag", "pinag", "ipag",
               "nagpa", "magpa", "pagpa", "naka", "maka", "nag", "mag", "pag", "nang", "mang", "pang",
               "na", "ma", "ka", "pa", "i")
TL_SUFFIXES = ("han", "hin", "an", "in")
TL_INFIXES = ("um", "in")

FOLD_SPECIAL = {"đ": "d", "ß": "ss", "æ": "ae", "ø": "o", "ł": "l", "œ": "oe"}  # letters NFKD leaves whole
_SPECIAL_FOLD = str.maketrans({**FOLD_SPECIAL, "Đ": "d"})
MAX_WORD_CHARS = 40  # a longer "word" has no term (a hash, a URL fragment)


def fold(text: str) -> str:
    """Lowercase and strip diacritics: ``Pritužba`` → ``prituzba``, ``õun`` → ``oun``."""
    text = text.lower().translate(_SPECIAL_FOLD)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tagalog_stem(word: str) -> str:
    """A light Tagalog affix stripper (prefix, infix -um-/-in-, first-syllable reduplication,
    suffix). The browser script (``stem`` in search-analysis.js) runs the same steps on the rules
    the static index's manifest carries (``static.client_constants``)."""
    w = word
    if len(w) <= 4:
        return w
    for prefix in TL_PREFIXES:
        if w.startswith(prefix) and len(w) - len(prefix) >= 4:
            w = w[len(prefix):]
            break
    if len(w) >= 6 and w[0] not in VOWELS and w[1:3] in TL_INFIXES:
        w = w[0] + w[3:]
    if len(w) >= 6 and w[0] not in VOWELS and w[1] in VOWELS and w[:2] == w[2:4]:
        w = w[2:]
    elif len(w) >= 5 and w[0] in VOWELS and w[0] == w[1]:
        w = w[1:]
    for suffix in TL_SUFFIXES:
        if w.endswith(suffix) and len(w) - len(suffix) >= 4:
            w = w[: -len(suffix)]
            break
    return w


@dataclass(frozen=True, slots=True)
class Token:
    surface: str  # folded form as written
    term: str  # index term
    pos: int
    start: int
    end: int


class Analyzer:
    """Text → index terms for one language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.stop_words = STOP_WORDS.get(lang, frozenset())
        self.folded_stops = frozenset(fold(w) for w in self.stop_words)
        algorithm = SNOWBALL.get(lang)
        self._stemmer = Stemmer.Stemmer(algorithm) if algorithm else None
        self._lemma_lang = LEMMA_DICT.get(lang)
        self._cache: dict[str, str] = {}
        self._words: dict[str, tuple[str, str, bool]] = {}
        self.compounds: set[tuple[str, bytes]] = set()
        self._compound_words: dict[str, tuple[str, bytes]] = {}
        self._lemma_terms: dict[bytes, str] = {}  # lemma → term, kept across expansions() calls

    def term(self, word: str) -> str:
        """The index term of one lowercase word (not folded yet)."""
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        base = word
        if self._lemma_lang:
            dictionary = _lemma_dictionary(self._lemma_lang)
            lemma = dictionary.get(word.encode())
            if lemma is not None:
                base = lemma.decode().lower()
            elif len(word) >= 8 and self.lang in COMPOUNDING:
                base = self._compound_lemma(word, dictionary) or word
        term = self._finish(base)
        if len(self._cache) < 500_000:
            self._cache[word] = term
        return term

    def _finish(self, base: str) -> str:
        if self._stemmer is not None:
            base = self._stemmer.stemWord(base)
        term = fold(base)
        return tagalog_stem(term) if self.lang == "tl" else term

    def _compound_lemma(self, word: str, dictionary: dict[bytes, bytes]) -> str | None:
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
            raw = match.group()
            info = words.get(raw)
            if info is None:
                info = self._word_info(raw)
                if len(words) < 500_000:
                    words[raw] = info
            surface, term, stop = info
            if not term or (stop and not keep_stops):
                continue
            yield Token(surface, term, pos, match.start(), match.end())
            pos += 1

    def _word_info(self, raw: str) -> tuple[str, str, bool]:
        """(folded surface, term, is a stop word) of one word as written; term "" when too long."""
        word = raw.lower().replace("’", "'")
        surface = fold(word)
        if len(surface) > MAX_WORD_CHARS:
            return surface, "", False
        stop = word in self.stop_words or surface in self.folded_stops
        return surface, self.term(word), stop

    def terms(self, text: str) -> list[str]:
        return [t.term for t in self.tokens(text)]

    def compounds_in(self, text: str) -> set[tuple[str, bytes]]:
        """The compounds (head, tail lemma) that lemmatizing the words of ``text`` splits."""
        found = set()
        for match in WORD_RE.finditer(text):
            word = match.group().lower().replace("’", "'")
            if len(word) < 8 or len(fold(word)) > MAX_WORD_CHARS:
                continue  # _compound_lemma looks at words of 8 letters or more; longer than 40 have no term
            self.term(word)
            compound = self._compound_words.get(word)
            if compound is not None:
                found.add(compound)
        return found

    def expansions(self, terms: set[str], compounds: Iterable[tuple[str, bytes]] | None = None
                   ) -> Iterator[tuple[str, str]]:
        """(folded surface form, term) for every form in the lemma dictionary whose term is in
        ``terms``: the inflections a reader may type that the content never uses. ``compounds``
        (default: every compound this analyzer has split) add the inflections of their last part."""
        if not self._lemma_lang:
            return
        mapping = _lemma_dictionary(self._lemma_lang)
        lemma_terms = self._lemma_terms
        heads: dict[bytes, list[str]] = {}
        for head, tail_lemma in sorted(self.compounds if compounds is None else compounds):
            heads.setdefault(tail_lemma, []).append(head)
        for form, lemma in mapping.items():
            term: str | None = lemma_terms.get(lemma)
            if term is None:
                term = lemma_terms[lemma] = self._finish(lemma.decode().lower())
            if term not in terms:
                term = None
            compound_heads = heads.get(lemma)
            if term is None and compound_heads is None:
                continue
            text = form.decode().lower()
            if not WORD_RE.fullmatch(text):
                continue
            if term is not None:
                yield fold(text), term
            for head in compound_heads or ():
                compound_term = self._finish(head + lemma.decode().lower())
                if compound_term in terms:
                    yield fold(head + text), compound_term


@lru_cache(maxsize=8)
def _lemma_dictionary(code: str) -> dict[bytes, bytes]:
    """simplemma's form → lemma dictionary for ``code`` (bytes → bytes), loaded once."""
    from simplemma.strategies.dictionaries.dictionary_factory import DefaultDictionaryFactory

    try:
        return DefaultDictionaryFactory(cache_max_size=0).get_dictionary(code)._dict  # type: ignore[attr-defined]
    except (ValueError, AttributeError, OSError):
        return {}


@lru_cache(maxsize=32)
def analyzer_for(lang: str) -> Analyzer:
    return Analyzer(lang)


def unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
