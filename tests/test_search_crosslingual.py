"""Search across languages (issue 12): untranslated articles in every language's index, the
glossary and its errors, answer-first section links, related articles, instant-answer data."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import copy_example, make_help_center, run_check, write
from deflect.cli import main
from deflect.helpcenter import HelpCenter
from deflect.search.analysis import analyzer_for
from deflect.search.crosslingual import GlossaryError, learn, load_glossary
from deflect.search.documents import search_documents
from deflect.search.matching import ticket_matcher
from deflect.search.service import SearchService

ROOT = Path(__file__).resolve().parent.parent
CODES = ["en", "hr", "et", "tl"]


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> SearchService:
    return HelpCenter.open(ROOT, history=False, cache_dir=tmp_path_factory.mktemp("index")).search_service


@pytest.mark.parametrize(("lang", "query", "slug"), [
    ("hr", "tvornički reset uređaja", "troubleshooting/factory-reset"),
    ("hr", "aplikacija mi se stalno ruši", "troubleshooting/app-keeps-closing"),
    ("et", "kaamera ei näita pilti", "troubleshooting/camera-no-video"),
    ("tl", "i-update ang firmware", "devices/update-firmware"),
])
def test_an_english_only_article_is_found_in_the_readers_section(service: SearchService, lang: str, query: str,
                                                                 slug: str) -> None:
    hit = service.search(query, lang)[0]
    assert hit.id == f"en/{slug}"  # the English article itself …
    assert hit.lang == "en"  # … labelled with its language …
    assert hit.url.split("#")[0] == f"{lang}/{slug}/"  # … at its fallback page inside the reader's section
    assert hit.anchor == "" or f"#{hit.anchor}" in hit.url  # the answering section, as an English search picks it


def test_the_readers_own_articles_come_first_when_both_answer(service: SearchService) -> None:
    hits = service.search("lozinka", "hr")
    assert hits[0].lang == "hr" and hits[0].id == "hr/account/reset-password"
    # Searching every language finds each article once, in its own language.
    everywhere = service.search("factory reset", None, limit=50)
    assert [h.url.split("#")[0] for h in everywhere].count("en/troubleshooting/factory-reset/") == 1
    assert not any(h.url.startswith("hr/troubleshooting/factory-reset") for h in everywhere)


def test_term_pairs_are_learned_from_the_aligned_translations() -> None:
    center = HelpCenter.open(ROOT, history=False).content
    docs = search_documents(center)
    en, hr, et = analyzer_for("en"), analyzer_for("hr"), analyzer_for("et")
    assert hr.term("lozinka") in learn(docs, "en", "hr").learned[en.term("password")]
    assert et.term("parool") in learn(docs, "en", "et").learned[en.term("password")]


@pytest.mark.parametrize(("lang", "query", "anchor"), [
    ("hr", "zaboravio lozinku", "request"),  # the steps, not "Nakon postavljanja nove lozinke" (#after)
    ("tl", "paano mag-reset ng password", "request"),
    ("en", "password reset email never arrives", "no-email"),  # a section naming what the title does not
])
def test_a_result_links_to_the_answering_section(service: SearchService, lang: str, query: str,
                                                       anchor: str) -> None:
    hit = next(h for h in service.search(query, lang, limit=3) if h.id == f"{lang}/account/reset-password")
    assert hit.url == f"{lang}/account/reset-password/#{anchor}", hit.url


@pytest.mark.parametrize(("lang", "query", "wanted"), [
    ("hr", "narudzba nije stigla", {"hr/shipping/track-your-order", "en/shipping/missed-delivery"}),
    ("et", "kus on minu pakk", {"et/shipping/track-your-order", "en/shipping/missed-delivery"}),
    ("tl", "hindi dumating ang order ko", {"tl/shipping/track-your-order", "en/shipping/missed-delivery",
                                           "en/shipping/delivery-times"}),
])
def test_everyday_phrasings_rank_the_delivery_answers_above_refunds(service: SearchService, lang: str, query: str,
                                                                    wanted: set[str]) -> None:
    ids = [h.id for h in service.search(query, lang, limit=3)]
    assert wanted & set(ids), ids
    assert not ids[0].endswith(("refund-timing", "return-policy", "sign-in-problems")), ids


def test_related_articles_share_more_than_one_word(service: SearchService) -> None:
    related = service.related_all(5)
    titles = [title for _, title, _ in related["en/account/reset-password"]]
    assert titles and "Factory reset a device" not in titles and "Stop marketing emails" not in titles
    assert any("sign" in t.lower() for t in titles), titles
    # Only articles of the page's own language (an untranslated one is not listed twice).
    assert all(rid.startswith("hr/") for rid, _, _ in related["hr/account/reset-password"])


def test_ticket_matching_reaches_untranslated_articles(service: SearchService) -> None:
    with ticket_matcher(service.index, "hr") as match:
        found = match("Kamera ne prikazuje video", "Kamera je spojena, ali slika je crna već dva dana.")
    assert found and found[0].id == "en/troubleshooting/camera-no-video"


def test_static_index_reaches_untranslated_articles_and_carries_instant_answers(service: SearchService,
                                                                               tmp_path: Path) -> None:
    """A Croatian term's shard names the English terms it translates (``e``); the manifest says which
    English documents Croatian readers reach that way and how much they weigh (``cross``); no English
    article is indexed again in Croatian."""
    service.export(tmp_path / "search")
    manifest = json.loads((tmp_path / "search" / "manifest.json").read_text(encoding="utf-8"))
    hr, en = manifest["languages"]["hr"], manifest["languages"]["en"]
    assert "cross" not in en
    assert hr["cross"]["from"] == "en" and 0 < hr["cross"]["weight"] < 1

    def shard_of(lang: str, term: str) -> dict:
        keys = set(manifest["languages"][lang]["shards"])
        key = next(term[:n] for n in range(min(len(term), 5), 0, -1) if term[:n] in keys)
        return json.loads(gzip.decompress((tmp_path / "search" / lang / "t" / f"{key}.json.gz").read_bytes()))

    term = analyzer_for("hr").term("tvornički")
    translations = shard_of("hr", term)["e"][term]
    factory = analyzer_for("en").term("factory")
    assert [factory] in translations
    size = en["cards"]
    postings = shard_of("en", factory)["t"][factory]
    cards = {doc: json.loads(gzip.decompress((tmp_path / "search" / "en" / "c" / f"{doc // size}.json.gz")
                                             .read_bytes()))[doc % size] for doc in postings[::3]}
    reset_doc = next(doc for doc, card in cards.items() if card[0] == "en/troubleshooting/factory-reset/")
    assert any(start <= reset_doc < end for start, end in hr["cross"]["docs"])
    chunks = sorted((tmp_path / "search" / "en" / "d").glob("*.json.gz"), key=lambda p: int(p.name[:-8]))
    en_records = [r for chunk in chunks for r in json.loads(gzip.decompress(chunk.read_bytes()))]
    assert en_records[reset_doc][0] == "en/troubleshooting/factory-reset/"
    translated = next(n for n, r in enumerate(en_records) if r[0] == "en/account/reset-password/")
    assert not any(start <= translated < end for start, end in hr["cross"]["docs"])  # Croatian has its own
    hr_records = [r for chunk in sorted((tmp_path / "search" / "hr" / "d").glob("*.json.gz"))
                  for r in json.loads(gzip.decompress(chunk.read_bytes()))]
    assert hr["docs"] == len(hr_records) and not any("factory-reset" in r[0] for r in hr_records)
    faq = next(r for r in hr_records if r[0].endswith("#forgot-password"))
    assert faq[2] == "faq" and faq[6] and "lozink" in faq[6][1][0].lower()
    article = next(r for r in hr_records if r[0] == "hr/account/reset-password/")
    section, steps = article[6]
    assert article[5][section][0] == "request" and len(steps) == 3 and steps[0].startswith("Na zaslonu za prijavu")


@pytest.mark.parametrize("mode", ["link", "false"])
def test_without_a_fallback_page_the_result_links_to_the_article_s_own(tmp_path: Path, mode: str) -> None:
    """``fallback: link`` lists an untranslated article at its own page, ``false`` does not show it in
    Croatian at all: a Croatian search still reaches it (labelled English), at the page that exists; an
    untranslated FAQ entry, which ``link`` shows in the Croatian FAQ, stays there."""
    config = copy_example(tmp_path)
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("      audience:", f"      fallback: {mode}\n      audience:", 1), encoding="utf-8")
    write(tmp_path, "faq/en/gift-wrap.md", "---\ntitle: Can you gift-wrap an order?\ncategory: orders\n---\n"
                                           "Yes: tick Gift wrap at checkout and we wrap every item.\n")
    service = HelpCenter.open(tmp_path, history=False).search_service
    hit = service.search("tvornički reset uređaja", "hr")[0]
    assert hit.id == "en/troubleshooting/factory-reset" and hit.lang == "en"
    assert hit.url.split("#")[0] == "en/troubleshooting/factory-reset/"
    table = service.index.cross["hr"]
    articles = {doc for doc in table.docs if doc != "en/faq/gift-wrap"}
    assert "en/faq/gift-wrap" in table.docs and articles <= table.home
    assert ("en/faq/gift-wrap" in table.home) == (mode == "false")
    service.export(tmp_path / "search")
    manifest = json.loads((tmp_path / "search" / "manifest.json").read_text(encoding="utf-8"))
    cross = manifest["languages"]["hr"]["cross"]
    assert cross["home"] == (cross["docs"] if mode == "false" else cross["home"]) and cross["home"]


def test_cli_search_in_croatian_finds_the_english_article() -> None:
    result = CliRunner().invoke(main, ["search", "tvornički reset", "--lang", "hr", "--json",
                                       "--config", str(ROOT / "mkdocs.yml")])
    assert result.exit_code == 0, result.output
    first = json.loads(result.output)["results"][0]
    assert first["url"].split("#")[0] == "hr/troubleshooting/factory-reset/" and first["lang"] == "en"


@pytest.mark.parametrize(("text", "line", "message"), [
    ("hr:\n  parcel: [paket]\nde:\n  parcel: Paket\n", 3, "'de' is not one of the site's other languages"),
    ("hr:\n  parcel: [paket]\n  invoice: []\n", 3, "'invoice' needs a translation"),
    ("et:\n  the: [see]\n", 2, "the English side must be a word or phrase"),
    ("tl:\n  parcel: [ang, ng]\n", 2, "'ang' has no searchable word in tl"),
    ("hr:\n  parcel: [paket\n", 3, "not valid YAML"),
    ("hr: [paket]\n", 1, "'hr' must map English words to translations"),
])
def test_glossary_errors_name_the_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = tmp_path / "glossary.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(GlossaryError) as caught:
        load_glossary(path, CODES, "en")
    assert caught.value.line == line, str(caught.value)
    assert message in caught.value.reason
    assert str(caught.value).startswith(f"{path}:{line}: ")


def test_the_example_glossary_is_valid() -> None:
    glossary = load_glossary(ROOT / "search" / "glossary.yml", CODES, "en")
    assert set(glossary) == {"hr", "et", "tl"} and all(len(entries) >= 40 for entries in glossary.values())


def test_check_reports_a_bad_glossary_as_path_line(tmp_path: Path) -> None:
    config = make_help_center(tmp_path)
    config.write_text(config.read_text(encoding="utf-8") + "  - deflect/search\n", encoding="utf-8")
    write(tmp_path, "search/glossary.yml", "hr:\n  parcel: [paket]\n  invoice:\n")
    run = run_check(tmp_path)
    assert run.exit_code == 1, run.lines
    assert run.find("search/glossary.yml:3: 'invoice' needs a translation"), run.lines
