"""The analysis' costs that grow with a site's languages: dictionaries loaded once, folding's fast path."""

from __future__ import annotations

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
