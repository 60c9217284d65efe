"""Search core and ``deflect search``: language analysis, synonyms, the JSON contract, bad input."""
from __future__ import annotations

import gzip
import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from deflect.cli import main
from deflect.helpcenter import HelpCenter
from deflect.search import static
from deflect.search.analysis import analyzer_for, fold, tagalog_stem
from deflect.search.query import SynonymError, load_synonyms, parse_query
from deflect.search.service import SearchService
from deflect.search.static import client_constants

from conftest import article, make_help_center, run_check, write

ROOT = Path(__file__).resolve().parent.parent
# The shared data sit beside the repository; DEFLECT_TEST_DATA points elsewhere (e.g. from a git worktree).
SEEDS = Path(os.environ.get("DEFLECT_TEST_DATA") or ROOT.parent / "shared" / "data") / "seeds"


def test_fold_strips_diacritics_in_every_language() -> None:
    assert fold("Pritužba") == "prituzba"
    assert fold("Đurđevac ČĆŠŽ") == "durdevac ccsz"
    assert fold("Õunad ÄÖÜ") == "ounad aou"


@pytest.mark.parametrize(("lang", "forms"), [
    ("hr", ["lozinka", "lozinke", "lozinku", "lozinkom", "lozinkama"]),
    ("hr", ["narudžba", "narudžbe", "narudžbu", "narudžbom", "narudzbi"]),
    ("et", ["parool", "parooli", "parooliga", "paroolidega", "paroolid"]),
    ("et", ["tagastustingimused", "tagastustingimustest", "tagastustingimuste"]),
    ("tl", ["bayad", "nagbayad", "pagbabayad", "magbayad"]),
    ("en", ["refund", "refunds", "refunded", "refunding"]),
])
def test_inflected_forms_share_one_term(lang: str, forms: list[str]) -> None:
    analyzer = analyzer_for(lang)
    terms = {analyzer.term(form) for form in forms}
    assert len(terms) == 1, dict(zip(forms, (analyzer.term(f) for f in forms), strict=True))


def test_tagalog_affixes() -> None:
    assert tagalog_stem("ibinalik") == tagalog_stem("ibalik") == "balik"
    assert tagalog_stem("pagbabayad") == "bayad"
    assert tagalog_stem("ako") == "ako"  # short words are left alone


def test_stop_words_are_dropped_but_content_words_kept() -> None:
    assert analyzer_for("hr").terms("kako da promijenim lozinku") == [analyzer_for("hr").term("promijenim"),
                                                                     analyzer_for("hr").term("lozinku")]


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"shared seed texts not in {SEEDS} (set DEFLECT_TEST_DATA)")
def test_real_multilingual_text_is_analysed_without_losing_words() -> None:
    for path in sorted(SEEDS.glob("*"))[:5]:
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")[:20_000]
        for lang in ("hr", "et", "tl"):
            tokens = list(analyzer_for(lang).tokens(text))
            assert tokens and all(t.term and t.term == fold(t.term) for t in tokens)


def test_synonyms_expand_phrases(tmp_path: Path) -> None:
    groups = [["refund", "money back"]]
    words = parse_query("money back please", "en", groups)
    assert words[0].surface == "money"
    assert ("refund", 0.8) in words[0].alternatives
    assert len(words) == 2  # "back" folded into the phrase; "please" stays


def test_a_synonym_phrase_finds_only_articles_with_all_its_words(tmp_path: Path) -> None:
    """"refund" brings in "money back" as a phrase: an article about sending a parcel back, or paying with
    money, is not about refunds; one with both words is (before, each word of the phrase counted alone)."""
    assert parse_query("refund", "en", [["refund", "money back"]])[0].phrases == [(("money", "back"), 0.4)]
    make_help_center(tmp_path, languages=("en",), articles=False)
    write(tmp_path, "articles/en/start-a-return.md", article("Start a return", category="orders",
                                                             body="Send the parcel back with the label.\n"))
    write(tmp_path, "articles/en/when-it-arrives.md", article("When it arrives", category="orders",
                                                              body="Your money comes back within ten days.\n"))
    write(tmp_path, "articles/en/ways-to-pay.md", article("Ways to pay", category="orders",
                                                          body="Pay with money or a card.\n"))
    write(tmp_path, "search/synonyms.yml", "en:\n  - [refund, money back]\n")
    service = HelpCenter.open(tmp_path, history=False, cache_dir=tmp_path / "cache").search_service
    assert [hit.id for hit in service.search("refund", "en")] == ["en/orders/when-it-arrives"]
    assert [hit.id for hit in service.search("money back", "en")][0] == "en/orders/when-it-arrives"


def test_synonym_file_errors_are_clear(tmp_path: Path) -> None:
    bad = tmp_path / "synonyms.yml"
    bad.write_text("en:\n  - refund\n", encoding="utf-8")
    with pytest.raises(SynonymError, match="list of groups"):
        load_synonyms(bad)
    bad.write_text("en: [unclosed\n", encoding="utf-8")
    with pytest.raises(SynonymError, match="not valid YAML"):
        load_synonyms(bad)
    assert load_synonyms(tmp_path / "missing.yml") == {}


def test_synonyms_of_a_language_the_site_lacks_are_reported_by_check(center: Path) -> None:
    """``deflect check`` finds what would stop the build: synonyms for a language the site has not."""
    (center / "search").mkdir(exist_ok=True)
    path = center / "search" / "synonyms.yml"
    path.write_text("fr:\n  - [remboursement, argent]\n", encoding="utf-8")
    with pytest.raises(SynonymError, match="languages fr are not in the site's languages"):
        load_synonyms(path, ["en", "hr"])
    assert load_synonyms(path) == {"fr": [["remboursement", "argent"]]}  # without codes: any language
    config = center / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "  - deflect/search\n", encoding="utf-8")
    run = run_check(center)
    assert run.exit_code == 1
    [line] = run.find("search/synonyms.yml:")
    assert "languages fr are not in the site's languages" in line, line


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> SearchService:
    return HelpCenter.open(ROOT, history=False, cache_dir=tmp_path_factory.mktemp("index")).search_service


def test_service_finds_inflected_and_misspelled_queries(service: SearchService) -> None:
    assert service.search("lozinkama", "hr")[0].id == "hr/account/reset-password"
    assert service.search("paroolidega", "et")[0].id == "et/account/reset-password"
    assert service.search("warrenty claim", "en")[0].id == "en/returns/warranty-claim"
    assert service.search("nacini placanja", "hr")[0].id == "hr/orders/payment-methods"


def test_service_rejects_bad_arguments(service: SearchService) -> None:
    with pytest.raises(ValueError, match="unknown language 'xx'"):
        service.search("x", "xx")
    assert service.search("", "en") == []
    assert service.search("<b>" * 500, "en") == []


@pytest.mark.slow
def test_static_export_is_sharded_and_public_only(service: SearchService, tmp_path: Path) -> None:
    stats = service.export(tmp_path / "search")
    manifest = json.loads((tmp_path / "search" / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["languages"]) == {"en", "hr", "et", "tl"}
    en = manifest["languages"]["en"]
    assert len(en["shards"]) > 10 and en["forms"] > 0
    # The browser's analysis rules: Python's, per language (only Tagalog strips affixes).
    assert {lang: info["analysis"] for lang, info in manifest["languages"].items()} == {
        lang: client_constants(lang) for lang in ("en", "hr", "et", "tl")}
    assert manifest["languages"]["tl"]["analysis"]["affixes"]["prefixes"][0] == "nakikipag"
    assert en["analysis"]["affixes"] is None and en["analysis"]["max_query_words"] == 12
    shard = json.loads(gzip.decompress((tmp_path / "search" / "hr" / "t" / f"{_key(manifest, 'hr', 'lozinkama')}.json.gz").read_bytes()))
    assert shard["f"]["lozinkama"] == analyzer_for("hr").term("lozinka")
    everything = "".join(gzip.decompress(p.read_bytes()).decode() for p in (tmp_path / "search").rglob("*.gz"))
    assert "refund-exceptions" not in everything and "Refund exceptions" not in everything
    assert stats.files > 20
    biggest = max(p.stat().st_size for p in (tmp_path / "search").rglob("*.gz"))
    assert biggest < 40_000


@pytest.mark.slow
def test_a_term_shard_and_the_card_files_carry_the_result_lines_of_its_postings(
        service: SearchService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A result line's excerpt and section are in the shard of the term that found it; its url, title,
    category and section heading in the shard too for each term's best documents (so the first results
    render after one shard per word), and in the language's card files for every document."""
    monkeypatch.setattr(static, "CARDS_IN_SHARD", 3)  # the example's terms have fewer documents than 20
    static.export_static(service.index, tmp_path / "search", service.synonyms)  # not the cached last export
    manifest = json.loads((tmp_path / "search" / "manifest.json").read_text(encoding="utf-8"))
    term = analyzer_for("en").term("password")
    shard = _shard(tmp_path / "search", manifest, "en", term)
    postings, excerpts = shard["t"][term], shard["x"][term]
    assert len(excerpts) == len(postings) // 3 > 1
    assert len(postings) // 3 > static.CARDS_IN_SHARD  # a term with more documents than carry their cards
    for n in range(0, len(postings), 3):
        doc, weight, section = postings[n:n + 3]
        url, title, category, sections = _card(tmp_path / "search", manifest, "en", doc)
        assert url and title and category and 1 <= weight <= 255
        assert section == -1 or 0 <= section < len(sections)
        in_shard = shard["d"].get(str(doc))
        if n // 3 < static.CARDS_IN_SHARD:  # the same card, with the sections this shard's postings name
            assert in_shard[:3] == [url, title, category]
            assert section == -1 or in_shard[3][str(section)] == sections[section]
    assert len(shard["d"]) < len({doc for postings in shard["t"].values() for doc in postings[0::3]})
    first = _card(tmp_path / "search", manifest, "en", postings[0])
    assert first[0] == "en/account/reset-password/"
    assert "password" in excerpts[0].lower()
    docs, size = manifest["languages"]["en"]["docs"], manifest["languages"]["en"]["cards"]
    assert len(list((tmp_path / "search" / "en" / "c").glob("*.json.gz"))) == -(-docs // size) > 1


@pytest.mark.slow
def test_cli_and_browser_link_to_the_same_section(service: SearchService, tmp_path: Path) -> None:
    """One rule picks a result's section: ``deflect search`` (all query terms) and the static
    index (each term) agree for a one-word query."""
    service.export(tmp_path / "search")
    manifest = json.loads((tmp_path / "search" / "manifest.json").read_text(encoding="utf-8"))
    checked = 0
    for lang, word in [("en", "email"), ("en", "refund"), ("hr", "lozinka"), ("et", "parool"), ("en", "device")]:
        term = analyzer_for(lang).term(word)
        shard = _shard(tmp_path / "search", manifest, lang, term)
        postings = shard["t"][term]
        for hit in service.search(word + " ", lang, limit=5):  # a trailing space: no prefix matches
            doc = next((postings[n:n + 3] for n in range(0, len(postings), 3)
                        if hit.url.startswith(_card(tmp_path / "search", manifest, lang, postings[n])[0])), None)
            if doc is None:
                continue
            sections = _card(tmp_path / "search", manifest, lang, doc[0])[3]
            anchor = sections[doc[2]][0] if doc[2] >= 0 else ""
            assert anchor == hit.anchor, (lang, word, hit.url)
            checked += 1
    assert checked >= 10


def _shard(folder: Path, manifest: dict, lang: str, word: str) -> dict:
    return json.loads(gzip.decompress((folder / lang / "t" / f"{_key(manifest, lang, word)}.json.gz").read_bytes()))


def _card(folder: Path, manifest: dict, lang: str, doc: int) -> list:
    """The result card of document ``doc`` of ``lang``, from its card file."""
    size = manifest["languages"][lang]["cards"]
    return json.loads(gzip.decompress((folder / lang / "c" / f"{doc // size}.json.gz").read_bytes()))[doc % size]


def _key(manifest: dict, lang: str, word: str) -> str:
    keys = set(manifest["languages"][lang]["shards"])
    return next(word[:n] for n in range(min(len(word), 5), 0, -1) if word[:n] in keys)


def test_cli_json_contract() -> None:
    result = CliRunner().invoke(main, ["search", "reset password", "--lang", "en", "--limit", "3", "--json",
                                       "--config", str(ROOT / "mkdocs.yml")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["query"] == "reset password" and data["lang"] == "en"
    assert 1 <= len(data["results"]) <= 3
    first = data["results"][0]
    assert {"url", "title", "score", "snippet"} <= set(first)
    assert first["url"].startswith("en/account/reset-password/")


@pytest.mark.parametrize("query", ["", "x" * 1000, "<script>alert(1)</script>", "(.*)+[", "🙂"])
def test_cli_survives_bad_queries(query: str) -> None:
    result = CliRunner().invoke(main, ["search", query, "--json", "--config", str(ROOT / "mkdocs.yml")])
    assert result.exit_code == 0, result.output
    assert isinstance(json.loads(result.stdout)["results"], list)


def test_cli_unknown_language_is_a_clear_error() -> None:
    result = CliRunner().invoke(main, ["search", "x", "--lang", "xx", "--config", str(ROOT / "mkdocs.yml")])
    assert result.exit_code == 1
    assert "unknown language 'xx'" in result.output and "en, hr, et, tl" in result.output


def test_the_scripts_hard_code_no_rule_the_manifest_carries() -> None:
    """The folding letters, the affix lists and the query limits are Python's, read from the manifest."""
    rules = client_constants("tl")
    affixes = rules["affixes"]
    literals = [*rules["fold"], *affixes["prefixes"], *affixes["infixes"], *affixes["suffixes"]]
    for path in sorted((ROOT / "plugins" / "deflect" / "theme" / "assets" / "deflect").glob("search*.js")):
        text = path.read_text(encoding="utf-8")
        quoted = [word for word in literals if f'"{word}"' in text or f"'{word}'" in text]
        assert not quoted, f"{path.name} spells out {quoted}: read them from info.analysis"
        if path.name != "search-gunzip.js":  # the deflate format's own tables hold 256
            assert not re.search(r"\b256\b|\b12\)|<= 40\b", text), f"{path.name}: a query limit is written out"
