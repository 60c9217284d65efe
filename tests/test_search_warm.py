"""The index phase of a warm build: learned term tables and related articles computed the fast way equal
the plain loops they replace (ties included), and an edit re-analyses only what depends on it."""
from __future__ import annotations

import math
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

from conftest import copy_example, forms_of
from test_incremental_build import site_files

import deflect.search.service as service_module
from deflect.helpcenter import HelpCenter
from deflect.search import lemmas
from deflect.search.cache import DocAnalysis
from deflect.search.analysis import analyzer_for
from deflect.search.crosslingual import (GLOSSARY_FILE, LEARNED_PER_TERM, MIN_DICE, MIN_PAIRS, DocTerms, Translations,
                                         _aligned_pairs, doc_terms, learn, load_glossary, untranslated, word_pairs)
from deflect.search.documents import SearchDoc, Section, index_fields, search_documents
from deflect.search.related import OTHER_CATEGORY, related_in
from deflect.search.service import SearchService

ROOT = Path(__file__).resolve().parent.parent


def plain_doc_terms(doc: SearchDoc) -> DocTerms:
    """A document's terms for learning with each text analysed on its own, as ``doc_terms`` did first."""
    analyzer = analyzer_for(doc.lang)
    return DocTerms(frozenset(analyzer.terms(" ".join([doc.title, doc.summary, doc.headings, doc.body]))),
                    frozenset(analyzer.terms(doc.title)), frozenset(analyzer.terms(doc.summary)),
                    tuple((s.anchor, frozenset(analyzer.terms(s.heading + " " + s.text))) for s in doc.sections))


def plain_cross_terms(docs: list[SearchDoc], table: Translations) -> dict[str, list[list[str]]]:
    """``cross_table(table, …, docs).terms`` word by word: each token of each untranslated document's texts
    adds the reader's terms that translate it (learned, spelled alike) and every glossary phrase whose
    terms the documents have adds its translations; a reader's term that is the English term keeps only
    itself and phrases."""
    found: dict[str, set[tuple[str, ...]]] = {}
    present: set[str] = set()
    identical: set[str] = set()
    for doc in docs:
        for text in index_fields(doc).values():
            for token in analyzer_for(doc.lang).tokens(text):
                present.add(token.term)
                for target in table.learned.get(token.term, []):
                    found.setdefault(target, set()).add((token.term,))
                same = analyzer_for(table.lang).term(token.surface)
                if same in table.vocabulary:
                    found.setdefault(same, set()).add((token.term,))
                    if same == token.term:
                        identical.add(same)
    for phrase, targets in table.phrases.items():
        if set(phrase) <= present:
            for target in targets:
                found.setdefault(target, set()).add(phrase)
    for target in identical:  # a term spelled as the English one stands for itself (and phrases)
        found[target] = {group for group in found[target] if len(group) > 1 or group == (target,)}
    return {target: [list(group) for group in sorted(groups)] for target, groups in sorted(found.items())}


def plain_learned(docs: list[SearchDoc], default: str, lang: str) -> dict[str, list[str]]:
    """Learned term pairs counted pair by pair, as ``learn`` did before it counted with a sparse product."""
    by_key = {(d.kind == "faq", d.id.split("/", 1)[1]): d for d in docs if d.lang == default}
    together: Counter[tuple[str, str]] = Counter()
    alone_e: Counter[str] = Counter()
    alone_f: Counter[str] = Counter()
    for doc in docs:
        original = by_key.get((doc.kind == "faq", doc.id.split("/", 1)[1]))
        if doc.lang != lang or doc.internal or original is None:
            continue
        mine, theirs = plain_doc_terms(doc), plain_doc_terms(original)
        sections = dict(theirs.sections)
        pairs = [(theirs.title, mine.title), (theirs.summary, mine.summary)]
        pairs += [(sections[anchor], right) for anchor, right in mine.sections if anchor in sections]
        for left, right in pairs:
            if left and right:
                alone_e.update(left)
                alone_f.update(right)
                together.update((e, f) for e in left for f in right)
    candidates: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for (e, f), n in together.items():
        dice = 2 * n / (alone_e[e] + alone_f[f])
        if n >= MIN_PAIRS and dice >= MIN_DICE:
            candidates[e].append((dice, f))
    return {e: [f for _, f in sorted(found, key=lambda x: (-x[0], x[1]))[:LEARNED_PER_TERM]]
            for e, found in candidates.items()}


def plain_related(records: list[dict], weights: dict[str, dict[int, float]], limit: int, key_terms: int = 24,
                  fan_out: int = 40, min_shared: int = 2, min_similarity: float = 0.11) -> dict:
    """Related articles by the dictionary loops ``related_in`` replaced (stable sorts break every tie)."""
    own = [record["kind"] != "faq" for record in records]
    vectors: dict[int, dict[str, float]] = defaultdict(dict)
    for term, per_doc in weights.items():
        if len(per_doc) >= 2:
            for doc, weight in per_doc.items():
                if own[doc]:
                    vectors[doc][term] = weight
    norms = {doc: math.sqrt(sum(w * w for w in vector.values())) or 1.0 for doc, vector in vectors.items()}
    related = {}
    for doc, record in enumerate(records):
        if not own[doc]:
            continue
        scores: dict[int, float] = defaultdict(float)
        shared: Counter[int] = Counter()
        for term, weight in sorted(vectors.get(doc, {}).items(), key=lambda item: -item[1])[:key_terms]:
            postings = [o for o, _ in sorted(weights[term].items(), key=lambda item: -item[1]) if own[o]][:fan_out]
            for other in postings:
                if other != doc:
                    scores[other] += weight * vectors[other][term]
                    shared[other] += 1
        similar = [(o, v / (norms[doc] * norms[o]) * (1.0 if records[o]["category"] == record["category"]
                                                      else OTHER_CATEGORY)) for o, v in scores.items()]
        best = sorted(((o, v) for o, v in similar if v >= min_similarity and shared[o] >= min_shared),
                      key=lambda item: (-item[1], item[0]))[:limit]
        related[record["id"]] = [(records[o]["id"], records[o]["title"], records[o]["url"]) for o, _ in best]
    return related


def generated_help_center(root: Path) -> Path:
    """A bench-generated help center (bench/_synth.py): 40 English articles, a third translated."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from _synth import make_help_center
    finally:
        sys.path.remove(str(ROOT / "bench"))
    make_help_center(root, 40, search=True)
    return root


@pytest.fixture(scope="module", params=["example", "generated"])
def project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> HelpCenter:
    root = ROOT if request.param == "example" else generated_help_center(tmp_path_factory.mktemp("generated"))
    return HelpCenter.open(root, history=False, cache_dir=tmp_path_factory.mktemp("cache"))


def test_learned_tables_equal_counting_pair_by_pair(project: HelpCenter) -> None:
    docs = search_documents(project.content)
    settings = project.settings
    for lang in settings.codes:
        if lang != settings.default_language:
            learned = learn(docs, settings.default_language, lang).learned
            assert learned and learned == plain_learned(docs, settings.default_language, lang), lang


def test_cross_tables_and_document_terms_equal_analysing_each_text(project: HelpCenter) -> None:
    """The shortcuts (words looked up once, terms taken from a document's analysis, a document's words
    kept as a set) give what analysing each text on its own gives."""
    settings, service = project.settings, project.search_service
    default = settings.default_language
    glossary = load_glossary(settings.root / GLOSSARY_FILE, settings.codes, default)
    analyses = [entry for entries in (service.analyses or {}).values() for entry in entries]
    docs = [entry.doc for entry in analyses]
    for entry in analyses:
        doc = entry.doc
        expected = plain_doc_terms(doc)
        assert doc_terms(doc) == expected, doc.id
        sections = [frozenset([*heading, *counts]) for heading, counts, *_ in entry.sections]
        assert doc_terms(doc, entry.fields["title"], sections) == expected, doc.id
    phrased = 0
    for lang in settings.codes:
        if lang == default:
            continue
        table = learn(docs, default, lang, glossary.get(lang))
        missing = [doc for other, doc in untranslated(docs, default, settings.codes) if other == lang]
        cross = service.index.cross[lang]
        assert missing and cross.docs == tuple(doc.id for doc in missing)
        assert cross.terms == plain_cross_terms(missing, table), lang
        phrased += any(len(group) > 1 for groups in cross.terms.values() for group in groups)
    assert phrased or not glossary  # the example's glossary has phrases its untranslated articles use


def test_source_words_are_the_analyzers_tokens() -> None:
    """Stop words, over-long words, apostrophes, diacritics and a split compound, as ``Analyzer.tokens`` has them."""
    for lang, text in (("en", "The customer’s parcel isn't at the Café; " + "x" * 45 + " it's THERE, naïve-ish."),
                       ("et", "Tagastustingimustest ja kohaletoimetamise ajast: pakk jõuab kohale.")):
        doc = SearchDoc(id=f"{lang}/c/a", lang=lang, kind="article", title=text, url=f"{lang}/c/a/", category="c",
                        category_title="C", summary=text.upper(), tags=["x-y", "café"],
                        sections=[Section("", "", text), Section("a", text, text.lower())])
        analyzer = analyzer_for(lang)
        assert word_pairs(doc) == {(t.surface, t.term) for value in index_fields(doc).values()
                                   for t in analyzer.tokens(value)}
        assert doc_terms(doc) == plain_doc_terms(doc)


def test_learned_pairs_break_ties_by_term() -> None:
    """Terms that meet an English term equally often (the same Dice coefficient) are kept in term order."""
    units = [(frozenset({"parcel", "late"}), frozenset({"paket", "kasni", "pošiljka", "zakašnjeli"}))] * 3
    units += [(frozenset({"late"}), frozenset({"kasni"}))] * 2 + [(frozenset({"refund"}), frozenset({"povrat"}))]
    assert _aligned_pairs(units) == {"parcel": ["paket", "pošiljka"], "late": ["kasni", "paket"]}
    assert _aligned_pairs([]) == {}


def test_related_articles_equal_the_plain_loops(project: HelpCenter) -> None:
    index = project.search_service.index
    for lang in index.languages:
        records, weights = index.term_weights(lang)
        for limit in (1, 5, 50):
            expected = plain_related(records, weights, limit)
            assert any(expected.values())
            found = related_in(records, weights, limit)
            assert list(found.items()) == list(expected.items()), (lang, limit)


def test_related_articles_break_ties_as_the_plain_loops() -> None:
    """Weights of a few distinct values make equal weights and equal similarities everywhere: which
    key terms, which postings and which articles win a tie must not change."""
    chance = random.Random(7)
    records = [{"id": f"en/c{n % 3}/a{n}", "title": f"A{n}", "url": f"en/a{n}/", "category": f"c{n % 3}",
                "kind": "faq" if n % 11 == 0 else "article"}
               for n in range(120)]
    weights: dict[str, dict[int, float]] = {}
    for term in range(600):
        docs = chance.sample(range(len(records)), chance.choice([1, 2, 3, 8, 30, 70]))
        weights[f"t{term}"] = {doc: chance.choice([0.5, 1.0, 2.0]) for doc in docs}
    for key_terms, fan_out in ((24, 40), (3, 5)):
        expected = plain_related(records, weights, 6, key_terms, fan_out, min_shared=1, min_similarity=0.0)
        found = related_in(records, weights, 6, key_terms, fan_out, min_shared=1, min_similarity=0.0)
        assert sum(map(len, expected.values())) > 300
        assert list(found.items()) == list(expected.items())


def test_an_edit_reanalyses_only_what_depends_on_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Editing a translated English article changes the learned tables, so the cross tables of the
    languages it is translated into are made again (from the untranslated articles' words, kept), and no
    other document is analysed again; the result equals a cold build."""
    (tmp_path / "project").mkdir()
    copy_example(tmp_path / "project")
    project = HelpCenter.open(tmp_path / "project", history=False)
    others = [lang for lang in project.settings.codes if lang != project.settings.default_language]
    assert project.search_service.index.cross  # the cold build, which fills the cache
    article = tmp_path / "project" / "articles" / "en" / "reset-password.md"
    article.write_text(article.read_text(encoding="utf-8") + "\nThe link works once from any device.\n",
                       encoding="utf-8")
    analysed: list[str] = []
    crossed: list[str] = []
    pairs: list[str] = []
    real, real_cross, real_pairs = service_module.analyse_doc, service_module.cross_table, service_module.word_pairs

    def spy(doc: SearchDoc, record: dict) -> DocAnalysis:  # the real analysis, counted
        analysed.append(doc.id)
        return real(doc, record)

    def spy_cross(table: Translations, *rest: Any) -> Any:
        crossed.append(table.lang)
        return real_cross(table, *rest)

    def spy_pairs(doc: SearchDoc) -> Any:
        pairs.append(doc.id)
        return real_pairs(doc)

    monkeypatch.setattr(service_module, "analyse_doc", spy)
    monkeypatch.setattr(service_module, "cross_table", spy_cross)
    monkeypatch.setattr(service_module, "word_pairs", spy_pairs)
    center = HelpCenter.open(tmp_path / "project", history=False).content
    warm = SearchService.build(center)
    assert analysed == ["en/account/reset-password"]
    assert 0 < len(crossed) <= len(others) and not pairs  # the tables changed; the untranslated articles did not
    cold = SearchService.build(center, cache_dir=tmp_path / "fresh-cache")
    assert warm.fingerprint == cold.fingerprint and warm.index.cross == cold.index.cross
    assert [[(e.doc, e.fields, e.best) for e in entries] for entries in (warm.analyses or {}).values()] == [
        [(e.doc, e.fields, e.best) for e in entries] for entries in (cold.analyses or {}).values()]
    assert warm.related_all(5) == cold.related_all(5)
    again = SearchService.build(center)
    assert again.related_all(5) == cold.related_all(5)  # kept in the cache (related.pickle)


def test_a_language_s_table_is_learned_again_only_when_its_inputs_change(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A language's term table is learned from its documents and the English ones they translate: editing
    an untranslated English article learns no table again, editing a Croatian one only Croatian's; the
    result equals a cold build either way."""
    (tmp_path / "project").mkdir()
    copy_example(tmp_path / "project")
    HelpCenter.open(tmp_path / "project", history=False).search_service  # the cache, warm
    learned: list[str] = []
    real = service_module.learn

    def spy(docs: list[SearchDoc], default: str, lang: str, *rest: Any) -> Any:
        learned.append(lang)
        return real(docs, default, lang, *rest)

    monkeypatch.setattr(service_module, "learn", spy)
    articles = tmp_path / "project" / "articles"
    assert not any((articles / lang / "warranty-claim.md").exists() for lang in ("hr", "et", "tl"))
    edits = ((articles / "en" / "warranty-claim.md", []), (articles / "hr" / "reset-password.md", ["hr"]))
    for path, expected in edits:
        path.write_text(path.read_text(encoding="utf-8") + "\nKeep the receipt and the serial number.\n",
                        encoding="utf-8")
        learned.clear()
        center = HelpCenter.open(tmp_path / "project", history=False).content
        warm = SearchService.build(center)
        assert learned == expected, path
        cold = SearchService.build(center, cache_dir=tmp_path / f"cold-{path.parent.name}")
        assert warm.fingerprint == cold.fingerprint
        assert [[(e.doc, e.fields, e.best) for e in entries] for entries in (warm.analyses or {}).values()] == [
            [(e.doc, e.fields, e.best) for e in entries] for entries in (cold.analyses or {}).values()]


def test_a_simplemma_without_front_coded_streams_gets_the_same_whole_dictionary() -> None:
    """The fallback for other simplemma versions (its dictionary factory) reads what the stream decoder reads."""
    plain, streamed = lemmas.Plain(lemmas._decode_plain("tl")), lemmas.load("tl")
    every = set(plain.lemmas())
    assert len(every) > 10_000 and every == set(streamed.lemmas())
    forms = forms_of(plain, every)  # every form, in the dictionary's order
    assert len(forms) > 50_000 and forms == forms_of(streamed, every)
    assert all(streamed.get(form) == lemma for form, lemma in forms[::50])


def test_a_cache_that_cannot_be_written_costs_only_its_reuse(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Where each cache file goes stands a folder with a file in it: no file can be read there, and
    none written, by root too (as in a read-only project). The search is built, its related articles
    and export equal those of a working cache, and each cache folder is warned about once."""
    copy_example(tmp_path / "project")
    center = HelpCenter.open(tmp_path / "project", history=False).content
    cold = SearchService.build(center, cache_dir=tmp_path / "working")
    cold.export(tmp_path / "cold")
    blocked = tmp_path / "blocked"
    for name in ("analysis.pickle", "words.pickle", "related.pickle", "memo.pickle", "static.pickle"):
        (blocked / name / "in-the-way").mkdir(parents=True)
    caplog.set_level("WARNING", logger="deflect.cache")
    for out in ("first", "second"):
        service = SearchService.build(center, cache_dir=blocked)
        assert service.related_all(5) == cold.related_all(5)
        service.export(tmp_path / out)
        assert site_files(tmp_path / out) == site_files(tmp_path / "cold")
    warned = [record.getMessage() for record in caplog.records if record.name == "deflect.cache"]
    assert len(warned) == 1 and f"cannot write the cache in {blocked}" in warned[0], warned
    assert all((blocked / name / "in-the-way").is_dir() for name in ("related.pickle", "memo.pickle"))


def test_an_export_reuses_the_last_expansion_only_when_no_added_term_is_a_lemma_s(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The export's dictionary inflections (``static._expansions``): a warm export whose added terms no
    dictionary lemma has (a product name) filters the last expansion instead of reading the whole
    dictionary, with the same answer; an added lemma's term (one or many) reads the dictionary again."""
    from deflect.search import static

    analyzer = analyzer_for("en")
    words = "refund parcel courier invoice password account delivery return".split()
    terms = {analyzer.term(word) for word in words}
    memo = static.Memo()
    first = static._expansions(analyzer, terms, [], memo, "last")
    assert len(first) > 10 and first == list(analyzer.expansions(terms, []))
    kept = memo.used["last"]
    assert isinstance(kept[2], str) and f"\n{analyzer.term('garden')}\n" in kept[2]

    def reads_the_dictionary(*args: Any) -> Any:
        raise AssertionError("the last expansion answers this")

    product = terms | {"zorblatrix", "qwxvproduct"}  # no dictionary lemma has these
    with monkeypatch.context() as patch:
        patch.setattr(analyzer, "expansions", reads_the_dictionary)
        assert static._expansions(analyzer, product, [], static.Memo({"last": kept}), "last") == first
        many = product | {f"sku{n}x" for n in range(100)}  # more than a few added terms: another way to look
        assert static._expansions(analyzer, many, [], static.Memo({"last": kept}), "last") == first
    for added in ({analyzer.term("garden")}, {analyzer.term("garden")} | {f"sku{n}x" for n in range(100)}):
        again = static.Memo({"last": kept})
        grown = static._expansions(analyzer, terms | added, [], again, "last")
        assert grown == list(analyzer.expansions(terms | added, [])) and len(grown) > len(first)
        assert again.used["last"][0] == frozenset(terms | added)


def test_the_search_build_runs_without_the_cycle_collector_and_gives_it_back(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Analysis makes millions of containers and no cycles: the cycle collector is off while it runs
    (``processes.collector_paused``) and on again after it, when it fails too."""
    import gc

    from deflect.search.crosslingual import GlossaryError

    (tmp_path / "project").mkdir()
    copy_example(tmp_path / "project")
    states: list[bool] = []
    real = service_module.analyse_doc

    def spy(*args: Any) -> DocAnalysis:
        states.append(gc.isenabled())
        return real(*args)

    monkeypatch.setattr(service_module, "analyse_doc", spy)
    center = HelpCenter.open(tmp_path / "project", history=False).content
    assert gc.isenabled()
    SearchService.build(center, cache_dir=tmp_path / "cache")
    assert len(states) > 50 and not any(states)
    assert gc.isenabled()
    (tmp_path / "project" / GLOSSARY_FILE).write_text("hr: [not, a, mapping]\n", encoding="utf-8")
    with pytest.raises(GlossaryError):
        SearchService.build(center, cache_dir=tmp_path / "cache")
    assert gc.isenabled()


def test_damaged_entries_of_the_analysis_cache_are_made_again(tmp_path: Path) -> None:
    """Entries of ``analysis.pickle`` that do not unpickle, or unpickle as something else than a
    document's analysis: the next build analyses those documents again, and equals a cold build."""
    import pickle

    (tmp_path / "project").mkdir()
    copy_example(tmp_path / "project")
    center = HelpCenter.open(tmp_path / "project", history=False).content
    cold = SearchService.build(center)
    path = tmp_path / "project" / ".deflect" / "search-public" / "analysis.pickle"
    version, entries, extras = pickle.loads(path.read_bytes())
    wrong = [pickle.dumps(["title", "body"]), b"not a pickle", pickle.dumps({"title": "not a list of terms"})]
    path.write_bytes(pickle.dumps((version, {key: wrong[n % 3] for n, key in enumerate(entries)}, extras)))
    again = SearchService.build(center)

    def analyses(service: SearchService) -> list:
        return [[(e.doc, e.fields, e.sections, e.votes, e.compounds, e.best) for e in entries]
                for entries in (service.analyses or {}).values()]

    assert analyses(again) == analyses(cold) and again.fingerprint == cold.fingerprint
    assert again.search("reset password", "hr") == cold.search("reset password", "hr")
