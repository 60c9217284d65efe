"""The analysis' costs that grow with a site's languages: dictionaries loaded once, folding's fast path."""

from __future__ import annotations

import random
import unicodedata

from deflect.search.analysis import FOLD_SPECIAL, _lemma_dictionary, fold


def test_every_language_of_a_large_site_keeps_its_lemma_dictionary() -> None:
    # A 12-language site has 10 simplemma languages; with a smaller cache, analysis and the
    # cross-language copies (one language after another) reloaded dictionaries 32 times in a build.
    assert (_lemma_dictionary.cache_info().maxsize or 10**9) >= 12


def test_fold_of_plain_ascii_equals_the_full_fold() -> None:
    def full(text: str) -> str:
        text = text.lower().translate(str.maketrans({**FOLD_SPECIAL, "Đ": "d"}))
        return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))

    for word in ["Password", "RESET", "wi-fi", "a1b2", "Pritužba", "Đak", "Straße", "K", "ﬁle", "İ"]:
        assert fold(word) == full(word), word


def _full_fold(text: str) -> str:
    """The fold as written before the letter table: the whole text's NFKD without combining marks."""
    text = text.lower().translate(str.maketrans({**FOLD_SPECIAL, "Đ": "d"}))
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def test_the_letter_by_letter_fold_equals_the_whole_text_fold() -> None:
    letters = [chr(code) for code in range(0x110000) if not 0xD800 <= code < 0xE000]
    assert [fold(letter) for letter in letters] == [_full_fold(letter) for letter in letters]
    marks = [letter for letter in letters[:0x3000] if unicodedata.combining(letter)]
    rng = random.Random(7)
    pool = letters[:0x3000] + marks * 4  # marks in runs, where NFKD reorders them
    for _ in range(20_000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(1, 9)))
        assert fold(text) == _full_fold(text), ascii(text)
    assert fold("ΣΟΦΟΣ Pritužba ﬁle") == _full_fold("ΣΟΦΟΣ Pritužba ﬁle") == "σοφος prituzba file"
