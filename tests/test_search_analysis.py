"""A document's search analysis (``cache.analyse_doc``) tokenizes each text once and feeds every
result from that pass; these tests pin it to the straightforward computation (each field, the
record text and the compounds analysed apart, every term's section picked over every section)."""
from __future__ import annotations

import pickle
from collections import Counter
from pathlib import Path

import markdown
import pytest

from deflect.helpcenter import HelpCenter
from deflect.search.analysis import WORD_RE, MAX_WORD_CHARS, Analyzer, analyzer_for, fold
from deflect.search.cache import DocAnalysis, analyse_doc
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
        for token in analyzer.tokens(text):
            counts[token.term] += 1
            first.setdefault(token.term, token.start)
            if token.start < 200:
                lead.add(token.term)
        heading_terms = frozenset(t.term for t in analyzer.tokens(heading))
        out.append(SectionTerms(anchor, heading, text, heading_terms, counts, first, frozenset(lead),
                                bool(rest and rest[0])))
    return out


def _reference(doc: SearchDoc, record: dict) -> tuple:
    """What analyse_doc computed before it tokenized each text once."""
    analyzer = analyzer_for(doc.lang)
    texts = index_fields(doc)
    analysed = _sections(record, analyzer)
    sections = [(s.heading_terms, dict(s.counts), s.first, s.lead_terms, s.steps) for s in analysed]
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
    return entry.fields, entry.sections, entry.votes, entry.compounds, entry.best


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


def test_the_cross_table_inverts_the_learned_pairs_the_glossary_and_the_words_spelled_alike(
        search_docs: list[SearchDoc]) -> None:
    """A reader's term leads to the English terms it translates (a learned pair, a glossary phrase whose
    terms an article must all have, a word spelled alike in both languages), kept to what the untranslated
    articles say; the table names those articles."""
    from deflect.search.crosslingual import Translations, cross_table, untranslated, word_pairs

    missing = [doc for _, doc in untranslated(search_docs, "en", ["en", "hr"])]
    said = {term for doc in missing for _, term in word_pairs(doc)}
    assert {"password", "reset", "hub"} <= said and "zzzunused" not in said
    table = Translations("hr", phrases={("reset", "password"): ["resetiranje", "lozink"], ("zzzunused",): ["nikad"]},
                        learned={"password": ["lozink"], "zzzunused": ["nikad"], "reset": ["hub"]},
                        vocabulary=frozenset({"hub"}))
    cross = cross_table(table, "en", missing)
    assert cross.lang == "hr" and cross.source == "en" and cross.docs == tuple(doc.id for doc in missing)
    assert cross.terms["lozink"] == [["password"], ["reset", "password"]]
    assert cross.terms["resetiranje"] == [["reset", "password"]]
    assert cross.terms["hub"] == [["hub"]]  # spelled alike, a word of the reader's content: itself, not "reset"
    assert "nikad" not in cross.terms  # nothing untranslated says it
    assert list(cross.terms) == sorted(cross.terms)
    assert cross_table(table, "en", list(reversed(missing))).terms == cross.terms  # the same table whatever the order
    assert cross.digest != cross_table(table, "en", missing[1:]).digest


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
