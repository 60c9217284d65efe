"""A document's search analysis (``cache.analyse_doc``) tokenizes each text once and feeds every
result from that pass; these tests pin it to the straightforward computation (each field, the
record text and the compounds analysed apart, every term's section picked over every section)."""
from __future__ import annotations

import pickle
from collections import Counter
from dataclasses import replace
from pathlib import Path

import markdown
import pytest

from deflect.helpcenter import HelpCenter
from deflect.search.analysis import WORD_RE, MAX_WORD_CHARS, Analyzer, analyzer_for, fold
from deflect.search.cache import DocAnalysis, analyse_doc, copy_sections
from deflect.search.crosslingual import PRE_ANALYSED
from deflect.search.documents import (EXTENSIONS, SearchDoc, Section, _SectionParser, extract_sections, index_fields,
                                      to_search_doc)
from deflect.search.engine import _record
from deflect.search.snippets import SectionTerms, article_terms, pick_section

ROOT = Path(__file__).resolve().parent.parent


def _compounds_in(analyzer: Analyzer, text: str) -> set[tuple[str, bytes]]:
    found = set()
    for match in WORD_RE.finditer(text):
        word = match.group().lower().replace("’", "'")
        if len(word) >= 8 and len(fold(word)) <= MAX_WORD_CHARS:
            analyzer.term(word)
            if word in analyzer._compound_words:
                found.add(analyzer._compound_words[word])
    return found


def _sections(record: dict, analyzer: Analyzer) -> list[SectionTerms]:
    out = []
    for anchor, heading, text, *rest in record["sections"]:
        counts: Counter[str] = Counter()
        first: dict[str, int] = {}
        lead: set[str] = set()
        if not record.get("source"):
            for token in analyzer.tokens(text):
                counts[token.term] += 1
                first.setdefault(token.term, token.start)
                if token.start < 200:
                    lead.add(token.term)
        heading_terms = frozenset() if record.get("source") else frozenset(t.term for t in analyzer.tokens(heading))
        out.append(SectionTerms(anchor, heading, text, heading_terms, counts, first, frozenset(lead),
                                bool(rest and rest[0])))
    return out


def _reference(doc: SearchDoc, record: dict) -> tuple:
    """What analyse_doc computed before it tokenized each text once."""
    analyzer = analyzer_for(doc.lang)
    texts = index_fields(doc)
    analysed = _sections(record, analyzer)
    sections = [(s.heading_terms, dict(s.counts), s.first, s.lead_terms, s.steps) for s in analysed]
    if doc.translated is not None:
        fields = {name: text.removeprefix(PRE_ANALYSED).split() for name, text in texts.items()}
        best = {term: pick_section(analysed, {term}) for term in sorted(set().union(*fields.values()))}
        return fields, sections, [], [], best
    fields = {name: [t.term for t in analyzer.tokens(text)] for name, text in texts.items()}
    article = article_terms(record, doc.lang)
    best = {term: pick_section(analysed, {term}, article) for term in sorted(set().union(*fields.values()))}
    votes: Counter[tuple[str, str]] = Counter()
    text = " ".join([record["title"], record["summary"]] + [h + " " + t for _, h, t, *_ in record["sections"]])
    for token in analyzer.tokens(text):
        if token.surface != token.term:
            votes[token.surface, token.term] += 1
    compounds: set[tuple[str, bytes]] = set()
    for text in texts.values():
        compounds |= _compounds_in(analyzer, text)
    return fields, sections, [(s, t, n) for (s, t), n in votes.items()], sorted(compounds), best


def _computed(entry: DocAnalysis) -> tuple:
    best = entry.best
    if entry.doc.translated is not None:  # a copy's answers every term with -1 and holds no entries
        assert not best
        best = {term: best.get(term) for term in sorted(set().union(*entry.fields.values()))}
    return entry.fields, entry.sections, entry.votes, entry.compounds, best


@pytest.fixture(scope="module")
def search_docs() -> list[SearchDoc]:
    center = HelpCenter.open(ROOT, history=False).content
    return [to_search_doc(center, document) for document in center.published_documents()]


def test_analysis_equals_the_straightforward_computation_on_the_example_articles(search_docs: list[SearchDoc]) -> None:
    assert {doc.lang for doc in search_docs} >= {"en", "hr", "et", "tl"}
    assert any(doc.tags for doc in search_docs) and any(doc.kind == "faq" for doc in search_docs)
    split = 0
    for doc in search_docs:
        record = _record(doc)
        expected = _reference(doc, record)
        got = _computed(analyse_doc(doc, record))
        assert got == expected, doc.id
        assert pickle.dumps(got) == pickle.dumps(expected), doc.id  # the cache and the export see the same bytes
        split += bool(got[3])
    assert split  # some Estonian compounds were split, so their equality was tested too


def test_a_copy_for_another_language_and_a_record_with_a_source_are_analysed_as_before(
        search_docs: list[SearchDoc]) -> None:
    doc = next(d for d in search_docs if d.lang == "en" and len(d.sections) > 2)
    terms = {name: PRE_ANALYSED + " ".join(t.term for t in analyzer_for("hr").tokens(text))
             for name, text in index_fields(doc).items()}
    copy = replace(doc, lang="hr", source_lang="en", translated=terms)
    assert _computed(analyse_doc(copy, _record(copy))) == _reference(copy, _record(copy))
    # Its sections' analysis, made once for the copies in every language (service._cross_entries)
    et = replace(copy, lang="et", translated={name: PRE_ANALYSED + " ".join(t.term for t in analyzer_for("et").tokens(text))
                                              for name, text in index_fields(doc).items()})
    shared = copy_sections(_record(copy), "hr")
    assert _computed(analyse_doc(et, _record(et), shared)) == _reference(et, _record(et))
    with pytest.raises(ValueError, match="not an untranslated article's copy"):
        copy_sections(_record(doc), "en")
    odd = replace(doc, source_lang="hr")  # a source without pre-analysed fields: sections stay empty
    assert _computed(analyse_doc(odd, _record(odd))) == _reference(odd, _record(odd))


def test_a_copy_analysed_from_its_terms_equals_one_analysed_from_its_text(search_docs: list[SearchDoc]) -> None:
    """The build hands a copy's analysis the terms its table made (``copy_and_terms``) instead of splitting
    its text again: the same analysis, with the table's strings shared by all the copies that use them
    (one string per word of each copy took 350 MB at 12 languages × 400 articles)."""
    from itertools import chain

    from deflect.search.crosslingual import copy_and_terms, learn, source_terms, untranslated

    table = learn(search_docs, "en", "hr")
    copies = [copy_and_terms(doc, table, source_terms(doc)) for _, doc in untranslated(search_docs, "en", ["en", "hr"])]
    assert len(copies) > 10
    for copy, terms in copies:
        assert terms == {name: text.removeprefix(PRE_ANALYSED).split() for name, text in index_fields(copy).items()}
        record = _record(copy)
        assert _computed(analyse_doc(copy, record, terms=terms)) == _reference(copy, record), copy.id
    every = list(chain.from_iterable(chain.from_iterable(terms.values() for _, terms in copies)))
    assert len(every) > 5 * len(set(every))
    assert len({id(term) for term in every}) <= 2 * len(set(every))  # not one object per word


def test_the_reused_markdown_gives_each_document_the_heading_ids_a_fresh_one_gives() -> None:
    first = "# Reset\n\n## Steps\n\nOne.\n\n## Steps\n\nTwo.\n\n<div markdown>\n**Raw** [x][r]\n</div>\n\n[r]: /a\n"
    # Raw HTML in each: both are rendered (a plain body is read without Markdown, see ``plaintext``).
    second = "## Steps\n\nThree.\n\n## Steps {#own}\n\n!!! note\n    Four.\n\n[x][r] <b>five</b>\n"
    for body in [first, second, first, second]:
        fresh = markdown.markdown(body, extensions=EXTENSIONS)
        assert [s.anchor for s in extract_sections(body)] == [s.anchor for s in _parse(fresh)]
    assert [s.anchor for s in extract_sections(second)] == ["steps", "own"]  # not "steps_2" after the first
    assert "[x][r]" in extract_sections(second)[-1].text  # the first document's link reference is gone


def _parse(html: str) -> list[Section]:
    parser = _SectionParser()
    parser.feed(html)
    parser.close()
    return [s for s in parser.finish() if s.text or s.heading]
