"""Lemma dictionaries read in one pass (``deflect.search.lemmas``) answer as simplemma's own decoder's
whole dict, and ``Analyzer.expansions`` gives exactly the (surface form, term) pairs of the
straightforward algorithm it replaced (kept here as the reference), on real words."""
from __future__ import annotations

import mmap
import os
import pickle
import random
import zlib
from pathlib import Path

import pytest
from simplemma.strategies.dictionaries import dictionary_factory, frontcode
from simplemma.strategies.dictionaries.dictionary_factory import _read_decompressed

from conftest import forms_of
from deflect.search import lemmas
from deflect.search.analysis import WORD_RE, Analyzer, fold

ROOT = Path(__file__).resolve().parent.parent


def whole(code: str) -> dict[bytes, bytes]:
    """simplemma's form → lemma dict, decoded by simplemma."""
    return frontcode._decode_stream(_read_decompressed(code))


def reference_expansions(analyzer: Analyzer, mapping: dict[bytes, bytes], lemma_terms: dict[bytes, str],
                         terms: set[str], compounds: list[tuple[str, bytes]]) -> list[tuple[str, str]]:
    """Every form of a wanted lemma, over the whole dict, given every lemma's term (what expansions did)."""
    heads: dict[bytes, list[str]] = {}
    for head, tail_lemma in sorted(compounds):
        heads.setdefault(tail_lemma, []).append(head)
    wanted = {lemma for lemma, term in lemma_terms.items() if term in terms}.union(heads)
    pairs = []
    for form, lemma in [(form, lemma) for form, lemma in mapping.items() if lemma in wanted]:
        text = form.decode().lower()
        if not WORD_RE.fullmatch(text):
            continue
        if lemma_terms[lemma] in terms:
            pairs.append((fold(text), lemma_terms[lemma]))
        for head in heads.get(lemma, ()):
            compound_term = analyzer._finish(head + lemma.decode().lower())
            if compound_term in terms:
                pairs.append((fold(head + text), compound_term))
    return pairs


def test_one_pass_answers_as_the_whole_dictionary() -> None:
    mapping = whole("hbs")
    dictionary = lemmas.load("hbs")
    assert isinstance(dictionary, lemmas.Dictionary)
    every = set(mapping.values())
    assert sorted(dictionary.lemmas()) == sorted(every)  # each lemma once
    assert forms_of(dictionary, every) == list(mapping.items())
    some = set(random.Random(3).sample(sorted(every), 500))
    assert forms_of(dictionary, some) == [(form, lemma) for form, lemma in mapping.items() if lemma in some]
    assert forms_of(dictionary, set()) == [] and forms_of(dictionary, {b"no-such-lemma"}) == []
    forms = list(mapping)
    for form in forms[::401] + [b"", b"\xff", forms[0][:-1], forms[-1] + b"a", b"kompjutorskog"]:
        assert dictionary.get(form) == mapping.get(form), form
        assert dictionary.get(form + b"q") == mapping.get(form + b"q"), form


def test_the_machine_cache_keeps_a_dictionary_pass_for_later_builds(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("DEFLECT_MACHINE_CACHE", str(tmp_path / "machine"))
    kept = tmp_path / "machine" / "lemmas" / "hbs.pickle.zst"
    stream = tmp_path / "machine" / "lemmas" / "hbs.stream"
    first = lemmas._read("hbs")
    assert isinstance(first, lemmas.Dictionary) and kept.is_file() and stream.read_bytes() == first._data
    scan, decompress = lemmas._scan, dictionary_factory._read_decompressed
    monkeypatch.setattr(lemmas, "_scan", lambda *args: pytest.fail("scanned although kept"))
    monkeypatch.setattr(dictionary_factory, "_read_decompressed", lambda code: pytest.fail("decompressed although kept"))
    again = lemmas._read("hbs")  # the stream and its pass, both from the machine's cache
    assert isinstance(again, lemmas.Dictionary) and isinstance(again._data, mmap.mmap)  # the stream mapped
    assert (bytes(again._data), again._reverse, again._firsts, again._seeds, again._lemma_ids, again._lemmas,
            again._filter) == (first._data, first._reverse, first._firsts, first._seeds, first._lemma_ids,
                               first._lemmas, first._filter)
    assert again.get(b"kompjutorskog") == whole("hbs").get(b"kompjutorskog")
    some = set(first.lemmas()[::500])
    assert forms_of(again, some) == forms_of(first, some)
    monkeypatch.setattr(lemmas, "_scan", scan)
    monkeypatch.setattr(dictionary_factory, "_read_decompressed", decompress)
    # Sent to another process (a prefetch, a helper): the mapped stream is named, mapped again there, or
    # read from simplemma's file when the machine's copy is gone meanwhile
    sent = pickle.dumps(again)
    assert isinstance(pickle.loads(sent)._data, mmap.mmap)
    assert len(pickle.dumps(first)) - len(sent) > len(first._data) - 1000  # without the stream's bytes
    for copy in (pickle.loads(sent), (stream.unlink(), pickle.loads(sent))[1]):
        assert copy.get(b"kompjutorskog") == again.get(b"kompjutorskog")
        assert forms_of(copy, some) == forms_of(first, some)
    assert not isinstance(copy._data, mmap.mmap)
    # Damaged, or kept by another simplemma: read, scanned again and kept anew
    stamp = lemmas._file_stamp("hbs", dictionary_factory)
    assert stamp is not None and lemmas._file_stamp("xx", dictionary_factory) is None
    for damage in (b"not zstd", kept.read_bytes()[:1000]):
        kept.write_bytes(damage)
        assert lemmas._read("hbs")._lemma_ids == first._lemma_ids
        assert lemmas.kept_on_machine("hbs", stamp) is not None
    # The stream's file gone, cut or written since its pass was kept: read, scanned and kept anew
    for damage in (None, first._data[:1000], first._data):
        if damage is None:
            stream.unlink(missing_ok=True)
        else:
            stream.write_bytes(damage)
        assert lemmas._read("hbs").get(b"kompjutorskog") == again.get(b"kompjutorskog")
        assert isinstance(lemmas._read("hbs")._data, mmap.mmap)  # kept anew, mapped from then on
    assert lemmas.kept_on_machine("hbs", "another simplemma") is None
    # A file others could have written is not unpickled (unpickling runs code): scanned again
    kept.chmod(0o666)
    assert lemmas.kept_on_machine("hbs", stamp) is None
    kept.chmod(0o644)
    assert lemmas.kept_on_machine("hbs", stamp) is not None
    # Turned off, or a cache that cannot be written: nothing kept, the same answers
    monkeypatch.setenv("DEFLECT_MACHINE_CACHE", "off")
    assert lemmas._read("tl").get(b"kumain") == whole("tl").get(b"kumain")
    assert not (tmp_path / "machine" / "lemmas" / "tl.pickle.zst").exists()
    (tmp_path / "file").write_text("a file, not a folder")
    monkeypatch.setenv("DEFLECT_MACHINE_CACHE", str(tmp_path / "file"))
    assert lemmas._read("tl").get(b"kumain") == whole("tl").get(b"kumain")


@pytest.mark.parametrize("code", ["hbs", "et"])
def test_a_kept_block_index_answers_as_the_whole_dictionary(code: str) -> None:
    """Lookups through the block starts a later build keeps (every BLOCK-th record, ``_note_index``)
    decode up to BLOCK records each: every form at a block's edges, a sample of the others, and words
    between and around them answer as simplemma's dict. A stream of reversed keys (simplemma may store
    a language so) is read the other way: the same stream taken as reversed answers reversed words."""
    mapping = whole(code)
    dictionary = lemmas.load(code)
    assert isinstance(dictionary, lemmas.Dictionary)
    step = lemmas.BLOCK // lemmas.STEP
    index = lemmas.BlockIndex(dictionary._data, dictionary._reverse, dictionary._firsts[::step],
                              dictionary._seeds[::step])
    forms = list(mapping)
    ordered = sorted(forms, key=lambda form: form[::-1] if dictionary._reverse else form)  # the stream's order
    edges = {n for start in range(0, len(ordered), lemmas.BLOCK) for n in (start - 1, start, start + 1)}
    chosen = [ordered[n] for n in sorted(edges) if 0 <= n < len(ordered)] + forms[::97]
    for form in chosen + [b"", b"\x00", b"\xff\xff", ordered[0][:-1], ordered[-1] + b"z"]:
        for probe in (form, form + b"q", form[1:]):
            assert index.get(probe) == mapping.get(probe) == dictionary.get(probe), probe
    reversed_index = lemmas.BlockIndex(dictionary._data, True, dictionary._firsts[::step], dictionary._seeds[::step])
    for form in chosen[::5]:
        assert reversed_index.get(form[::-1]) == mapping[form][::-1]


@pytest.mark.parametrize("code", ["hbs", "tl"])
def test_the_filter_of_a_dictionary_passes_every_form_and_few_others(code: str) -> None:
    """Every stored key has its bit set (a lookup never misses a form), and most words the dictionary
    lacks are answered without decoding anything."""
    dictionary = lemmas.load(code)
    assert isinstance(dictionary, lemmas.Dictionary) and dictionary._filter is not None
    bits, mask = dictionary._filter, dictionary._mask
    assert len(bits) * 8 >= lemmas.FILTER_BITS * len(dictionary._lemma_ids)

    def passes(key: bytes) -> bool:
        bit = zlib.crc32(key) & mask
        return bool(bits[bit >> 3] >> (bit & 7) & 1)

    mapping = whole(code)
    stored = [form[::-1] if dictionary._reverse else form for form in mapping]
    assert all(map(passes, stored))
    absent = [form + b"zq" for form in list(mapping)[::7]]
    assert not any(form in mapping for form in absent)
    assert sum(map(passes, absent)) < len(absent) / 8
    decoded = []
    real = lemmas._find
    try:
        lemmas._find = lambda *args: decoded.append(args) or real(*args)  # type: ignore[assignment]
        sample = random.Random(code).sample(sorted(mapping), 200)
        assert [dictionary.get(form + b"zq") for form in sample] == [None] * 200
        assert len(decoded) < 200 / 8  # the others answered by the filter alone
        assert [dictionary.get(form) for form in sample] == [mapping[form] for form in sample]
    finally:
        lemmas._find = real


def test_lengths_read_as_simplemma_writes_them() -> None:
    """The one varint reader of the pass and the lookups reads what simplemma's reader reads."""
    for number in (0, 1, 0x7F, 0x80, 300, 0x3FFF, 0x4000, 2**21 + 5, 2**35 + 1):
        encoded, rest = bytearray(), number
        while True:
            byte, rest = rest & 0x7F, rest >> 7
            encoded.append(byte | (0x80 if rest else 0))
            if not rest:
                break
        data = b"x" + bytes(encoded) + b"y"
        assert lemmas._varint(data, 1) == frontcode._read_varint(data, 1) == (number, 1 + len(encoded))
    with pytest.raises(IndexError):  # a length cut short: _scan and _find turn it into their ValueError
        lemmas._varint(b"\x80\x80", 0)


def test_a_truncated_stream_is_an_error() -> None:
    data = _read_decompressed("tl")
    _, count, pos = frontcode._read_header(data)
    assert len(lemmas._scan(data, pos, count)[2]) == count
    for cut in (len(data) // 2, len(data) - 1, len(data) - 3):
        with pytest.raises(ValueError):
            lemmas._scan(data[:cut], pos, count)
    # a lookup that runs into the cut: an error, not a wrong answer
    dictionary = lemmas.load("tl")
    assert isinstance(dictionary, lemmas.Dictionary)
    seed = dictionary._seeds[-1]
    last = list(frontcode._iter_records(data, *seed))[-1]
    assert lemmas._find(data, *seed, last[1]) == last[2]
    with pytest.raises(ValueError):
        lemmas._find(data[:len(data) - 2], *seed, last[1])
    # the keys of a block's first records, as the forms of chosen lemmas read them: all or an error
    records = list(frontcode._iter_records(data, *seed))
    assert lemmas._keys(data, seed[0], seed[1], len(records)) == [key for _, key, _ in records]
    for cut in (len(data) - 1, len(data) - 2):
        with pytest.raises(ValueError):
            lemmas._keys(data[:cut], seed[0], seed[1], len(records))


LANGUAGES = ["en", "hr", "tl", pytest.param("et", marks=pytest.mark.slow), pytest.param("fi", marks=pytest.mark.slow)]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_expansions_equal_the_whole_dictionary_pass(lang: str) -> None:
    """The content's words (the repository's articles; Finnish: forms drawn from its dictionary and
    compounds made of two) give terms; the pairs equal the reference's, also for a second, larger set
    of terms (lemma terms kept from the first call)."""
    analyzer = Analyzer(lang)
    mapping = whole(analyzer._lemma_lang or "")
    forms = [form.decode() for form in list(mapping)[::1009]]
    words = [m.group().lower() for path in sorted((ROOT / "articles" / lang).glob("*.md"))
             for m in WORD_RE.finditer(path.read_text(encoding="utf-8"))] if lang != "fi" else forms
    words += [a + b for a, b in zip(forms[::7], forms[3::7]) if WORD_RE.fullmatch(a + b)]
    terms = {analyzer.term(word) for word in words}
    assert len(terms) > 500
    compounds = sorted(analyzer.compounds)
    if analyzer._compounding:
        assert len(compounds) > 10
    lemma_terms = {lemma: analyzer._finish(lemma.decode().lower()) for lemma in set(mapping.values())}
    half = set(sorted(terms)[::2])
    first = list(analyzer.expansions(half, compounds))
    assert len(first) > 500 and first == reference_expansions(analyzer, mapping, lemma_terms, half, compounds)
    assert analyzer._lemma_terms is not None  # every lemma's term (static.py's export memo relies on it)
    assert dict(zip(*analyzer._lemma_terms)) == lemma_terms
    second = list(analyzer.expansions(terms, None))  # the analyzer's own compounds
    assert len(second) > len(first)
    assert second == reference_expansions(analyzer, mapping, lemma_terms, terms, compounds)


def test_a_prefetch_hands_over_the_dictionaries_it_read_whole() -> None:
    """A cold build's dictionaries read in a forked process while the build loads its content answer as
    those read here; a helper forked later does not send them back (its parent has them)."""
    codes = ["tl", "en"]
    earlier = {code: lemmas._whole.pop(code) for code in codes if code in lemmas._whole}  # read by other tests
    assert lemmas.prefetch(codes)
    assert lemmas.take_prefetched(wait=True) == codes
    try:
        for code in codes:
            prefetched = lemmas.whole(code)
            assert lemmas._whole[code] is prefetched and code not in lemmas._prefetched
            read_here = lemmas._read(code)
            sample = random.Random(code).sample(sorted(whole(code)), 300) + [b"notaword"]
            assert [prefetched.get(form) for form in sample] == [read_here.get(form) for form in sample]
            assert prefetched.lemmas() == read_here.lemmas()
            chosen = set(random.Random(1).sample(read_here.lemmas(), 50))
            assert forms_of(prefetched, chosen) == forms_of(read_here, chosen)
        assert lemmas.read_whole(codes) == {}
        assert lemmas.take_prefetched() == []  # once
    finally:
        for code in codes:
            lemmas._whole.pop(code, None)
        lemmas._whole.update(earlier)


def test_a_build_prefetches_only_the_dictionaries_the_machine_does_not_keep(tmp_path: Path, monkeypatch) -> None:
    """The prefetch is for a dictionary's first read on a machine (its slow pass); one the machine's
    cache keeps is left to the worker, as is one whose block index the search cache keeps."""
    from deflect.search.analysis import prefetch_dictionaries

    monkeypatch.setenv("DEFLECT_MACHINE_CACHE", str(tmp_path / "machine"))
    monkeypatch.setattr(lemmas, "holds", lambda code: False)  # as in a build's fresh process
    search_cache = tmp_path / "search"
    search_cache.mkdir()
    try:
        assert prefetch_dictionaries(search_cache, ["en", "hr", "tl"]) == ["en", "hbs", "tl"]
        lemmas.take_prefetched(wait=True)  # a first build on the machine: its passes are kept there now
        assert all(lemmas.on_machine(code) for code in ("en", "hbs", "tl"))
        assert prefetch_dictionaries(search_cache, ["en", "hr", "tl"]) == []
        (tmp_path / "machine" / "lemmas" / "hbs.pickle.zst").unlink()
        assert prefetch_dictionaries(search_cache, ["en", "hr", "tl"]) == ["hbs"]
        lemmas.take_prefetched(wait=True)
        (tmp_path / "machine" / "lemmas" / "hbs.stream").unlink()  # the pass without its stream: not kept
        assert not lemmas.on_machine("hbs")
        assert prefetch_dictionaries(search_cache, ["en", "hr", "tl"]) == ["hbs"]
        lemmas.take_prefetched(wait=True)
        (tmp_path / "machine" / "lemmas" / "hbs.pickle.zst").unlink()
        (search_cache / "lemmas-hbs.pickle").write_bytes(b"")  # a block index: the build looks words up in it
        assert prefetch_dictionaries(search_cache, ["en", "hr", "tl"]) == []
    finally:
        lemmas._prefetched.clear()


def test_taking_stops_the_prefetch_after_the_dictionary_it_is_reading() -> None:
    """Taken at once, the prefetch gives what it is reading (or nothing yet) and no more, and ends."""
    codes = ["et", "fi", "de"]
    assert lemmas.prefetch(codes)
    pid = lemmas._prefetcher[0][0]
    kept = lemmas.take_prefetched()
    try:
        assert kept == codes[:len(kept)] and len(kept) < len(codes)
        assert os.waitpid(pid, 0)[0] == pid  # stopped, not reading the rest
    finally:
        lemmas._prefetched.clear()


def test_a_dictionary_held_before_a_build_gets_its_index_kept(tmp_path: Path) -> None:
    """A process that builds again (tests, a long-lived tool) looks words up in the dictionaries it
    holds; a new search cache still gets their block indexes, which tell a later build what was read."""
    held = lemmas.whole("tl")
    saved = list(lemmas._folder)
    try:
        lemmas.keep_index_in(tmp_path)
        index = lemmas.BlockIndex.load(tmp_path / "lemmas-tl.pickle", "tl")
    finally:
        lemmas._folder[:] = saved
    assert index is not None
    sample = random.Random(3).sample(sorted(whole("tl")), 200) + [b"notaword"]
    assert [index.get(form) for form in sample] == [held.get(form) for form in sample]


def test_a_prefetch_that_fails_hands_over_what_it_read_and_prints_nothing(
        monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    """Only a speed-up: a dictionary it cannot read ends it quietly (no traceback in the build's
    output), and the worker reads that one and the rest itself."""
    real_read = lemmas._read

    def read(code: str) -> lemmas.Dictionary | lemmas.Plain:
        if code == "xx":
            raise RuntimeError("a damaged dictionary")
        return real_read(code)

    monkeypatch.setattr(lemmas, "_read", read)
    assert lemmas.prefetch(["tl", "xx", "en"])
    try:
        assert lemmas.take_prefetched(wait=True) == ["tl"]
    finally:
        lemmas._prefetched.clear()
    assert "Traceback" not in capfd.readouterr().err


def test_the_machine_cache_keeps_the_terms_of_a_dictionarys_lemmas(tmp_path: Path, monkeypatch) -> None:
    """The term of every lemma (stemmed and folded: a dictionary's worth of stemming) is kept on the
    machine with what the analysis is made of; a later analyzer reads it back and expands the same,
    another analysis or a damaged file makes it stem again."""
    monkeypatch.setenv("DEFLECT_MACHINE_CACHE", str(tmp_path / "machine"))
    kept = tmp_path / "machine" / "lemmas" / "terms-hr.pickle.zst"
    terms = {Analyzer("hr").term(w) for w in ("lozinka", "račun", "plaćanje", "narudžba", "kartica")}
    reference = sorted(Analyzer("hr").expansions(terms, []))  # no identity: nothing kept
    assert reference and not kept.exists()
    assert sorted(Analyzer("hr").expansions(terms, [], "code-1")) == reference and kept.is_file()
    finish = Analyzer._finish_all
    monkeypatch.setattr(Analyzer, "_finish_all", lambda self, bases: pytest.fail("stemmed although kept"))
    assert sorted(Analyzer("hr").expansions(terms, [], "code-1")) == reference
    monkeypatch.setattr(Analyzer, "_finish_all", finish)
    stemmed: list[int] = []

    def counting(self, bases):
        stemmed.append(len(bases))
        return finish(self, bases)

    monkeypatch.setattr(Analyzer, "_finish_all", counting)
    assert sorted(Analyzer("hr").expansions(terms, [], "code-2")) == reference  # another analysis: stemmed
    kept.write_bytes(kept.read_bytes()[:500])  # damaged: stemmed again
    assert sorted(Analyzer("hr").expansions(terms, [], "code-2")) == reference
    assert len(stemmed) == 2 and stemmed[0] > 10_000
    assert sorted(Analyzer("hr").expansions(terms, [], "code-2")) == reference and len(stemmed) == 2
    assert not (tmp_path / "machine" / "lemmas" / "terms-en.pickle.zst").exists()
