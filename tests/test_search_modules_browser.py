"""Browser tests of search.js's parts, each imported alone as the ES module it is: query analysis
(folding and the affix rules match Python's, an inflected form finds its term), ranking on a tiny
index, ``deflect search`` ranking the example as the browser does, both gzip paths (DecompressionStream
and the hand-written fallback) and the beacons."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from browser_fixtures import _QuietHandler, needs_chromium
from deflect.helpcenter import HelpCenter
from deflect.search.analysis import analyzer_for, fold, tagalog_stem
from deflect.search.static import client_constants

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [needs_chromium, pytest.mark.slow]


def run_module(page: object, site_url: str, script: str, body: str, arg: object = None) -> object:
    """Evaluate ``body`` (an async function body) with ``m``: the module ``assets/deflect/<script>``, and ``arg``."""
    if not page.url.startswith(site_url):
        page.goto(f"{site_url}en/")
    return page.evaluate(f"async ([url, arg]) => {{ const m = await import(url); {body} }}",
                         [f"{site_url}assets/deflect/{script}", arg])


@pytest.mark.parametrize("text", ["Pritužba", "ĐAK Łódź", "Straße Æble Øl", "œuvre Čćž", "tööd ÕUN",
                                  "naïve café"])
def test_folding_matches_python(page: object, site_url: str, text: str) -> None:
    folded = run_module(page, site_url, "search-analysis.js", "return m.fold(arg[0], arg[1]);",
                        [text, client_constants("hr")])
    assert folded == fold(text)


def test_the_affix_rules_strip_tagalog_words_as_python_does(page: object, site_url: str) -> None:
    words = ["nagbayad", "pinagbayaran", "bumili", "binili", "babayaran", "nakikipag-usap", "tinanggal", "umuwi",
             "burahin", "mag", "aalis", "susulatan"]
    stems = run_module(page, site_url, "search-analysis.js",
                       "return arg[0].map(w => [m.stem(w, arg[1]), m.stem(w, arg[2])]);",
                       [words, client_constants("tl"), client_constants("en")])
    assert stems == [[tagalog_stem(w), w] for w in words]  # English has no affix rules: words stay


@pytest.mark.parametrize(("lang", "query"), [
    ("hr", "lozinkama"),  # a Croatian form absent from the content, mapped to its term by the form map
    ("et", "paroolidega"),  # an Estonian form absent from the content
    ("tl", "nagbayad"),  # a Tagalog verb form the affix rules strip
    ("hr", "Načini plaćanja"),  # diacritics and capitals
])
def test_an_inflected_query_resolves_to_the_python_term(page: object, site_url: str, lang: str, query: str) -> None:
    """What the browser makes of each query word, from the built example's manifest and shards, is the
    term Python's analysis gives it (the trailing space: no prefix matching of the last word)."""
    resolved = run_module(page, site_url, "search-analysis.js", """
        const index = (await import(arg[0])).createIndex(arg[1]);
        const info = (await index.manifest()).languages[arg[2]];
        return await m.analyse(index, arg[2], info, arg[3] + " ");""",
                          [f"{site_url}assets/deflect/search-index.js", site_url, lang, query])
    expected = analyzer_for(lang).terms(query)
    assert [r["word"] for r in resolved] == [fold(w) for w in query.split()]
    for word, term in zip(resolved, expected):  # the term itself, a form of it or its stem: weight 0.95 or more
        assert max(word["terms"], key=word["terms"].get) == term and word["terms"][term] >= 0.95, word


TINY_INDEX = """
    const rules = arg;
    const card = (n) => ["en/a/doc" + n + "/", "Doc " + n, "Cat", [["s" + n, "Section " + n]]];
    const shard = {
      t: {reset: [0, 200, -1, 1, 100, 0, 2, 90, 0], password: [1, 255, 0, 2, 250, 0, 3, 255, -1],
          passcode: [0, 255, 0]},
      x: {reset: ["r0", "r1", "r2"], password: ["p1", "p2", "p3"], passcode: ["c0"]},
      f: {passwords: "password"},
      // the cards the shard carries (of its terms' best documents), with the sections its postings name:
      // doc 0's lacks section 0, which its passcode posting names, so that card comes from a card file
      d: {"0": ["en/a/doc0/", "Doc 0", "Cat", {}], "1": ["en/a/doc1/", "Doc 1", "Cat", {"0": ["s1", "Section 1"]}]},
    };
    const info = {analysis: rules, stopSet: {the: true}, keySet: {}, shards: [], docs: 4, cards: 256,
                  synonyms: [[["password"], ["passcode"]]]};
    const asked = [];  // the documents whose cards were asked for, per call
    const index = {
      manifest: () => Promise.resolve({chunk: 8, languages: {en: info}}),
      shard: () => Promise.resolve(shard),
      prefixShards: () => Promise.resolve([]),
      cards: (manifest, lang, docs) => {
        asked.push(docs.slice());
        return Promise.resolve(Object.fromEntries(docs.map(n => [n, card(n)])));
      },
    };
    const hits = async (q) => (await m.search(index, ["en"], q, 0, false)).map(h => [h.title, h.anchor, h.excerpt]);
"""


def test_ranking_order_on_a_tiny_index(page: object, site_url: str) -> None:
    """A document matching every word ranks above one matching some, however strong; then by weight; a
    synonym counts at the synonym weight; the result line comes from the strongest posting."""
    ranked = run_module(page, site_url, "search-rank.js", TINY_INDEX + """
        const ranked = [await hits("reset the passwords "), await hits("reset "), await hits("password ")];
        asked.length = 0;
        const some = await m.search(index, ["en"], "password ", 0, false, 2);  // the first two described
        const lines = some.map(h => h.title || null);
        await m.describe(index, some);
        const all = (await m.search(index, ["en"], "password ", 0, true)).map(h => h.title);
        return ranked.concat([lines, some.map(h => h.title), asked.slice(0, 2), all]);""", client_constants("en"))
    both, reset, password, lines, later, asked, every_language = ranked
    # doc1: (100 + 255) * 2, doc2: (90 + 250) * 2, doc3: 255 / 2, doc0: (200 + synonym 0.8 * 255) * 2 = 808
    assert [title for title, _, _ in both] == ["Doc 0", "Doc 1", "Doc 2", "Doc 3"]
    assert both[0][1:] == ["s0", "c0"]  # doc0's line comes from its synonym posting (204 > 200)
    assert both[1][1:] == ["s1", "p1"]
    assert [title for title, _, _ in reset] == ["Doc 0", "Doc 1", "Doc 2"]
    assert reset[0][1:] == ["", "r0"]  # section -1: no anchor
    assert [title for title, _, _ in password] == ["Doc 1", "Doc 3", "Doc 2", "Doc 0"]  # ties: lower doc first
    # The cards the shards lack, fetched for the hits shown: the others' later, those described not again
    assert lines == ["Doc 1", "Doc 3", None, None] and later == ["Doc 1", "Doc 3", "Doc 2", "Doc 0"]
    assert asked == [[3], [2, 0]]
    assert every_language == [title for title, _, _ in password]


CROSS_INDEX = """
    const rules = arg;
    // English: doc 0 translated into Croatian (not reached from it), docs 1 and 2 not (reached); the
    // Croatian section has no page of doc 2 ("home": fallback link or false), so it links to its own
    const en = {
      t: {password: [0, 255, -1, 1, 200, 0, 2, 100, -1], reset: [1, 180, 0, 0, 120, -1]},
      x: {password: ["p0", "p1", "p2"], reset: ["r1", "r0"]},
      f: {}, d: {"1": ["en/a/doc1/", "Doc 1", "Cat", {"0": ["steps", "Steps"]}]},
    };
    // Croatian: its own doc 0; "lozink" translates "password", "resetir" the phrase "reset password"
    const hr = {
      t: {lozink: [0, 150, -1], resetir: []}, x: {lozink: ["l0"], resetir: []}, f: {lozinka: "lozink"},
      d: {"0": ["hr/a/doc0/", "Hr 0", "Kat", {}]},
      e: {lozink: [["password"]], resetir: [["reset", "password"]]},
    };
    const base = {analysis: rules, stopSet: {}, keySet: {}, shards: [], cards: 256, synonyms: []};
    const manifest = {chunk: 8, languages: {en: Object.assign({docs: 3}, base),
      hr: Object.assign({docs: 1, cross: {from: "en", weight: 0.5, docs: [[1, 3]], home: [[2, 3]]}}, base)}};
    const index = {
      manifest: () => Promise.resolve(manifest),
      shard: (lang) => Promise.resolve(lang === "hr" ? hr : en),
      prefixShards: () => Promise.resolve([]),
      cards: (m, lang, docs) => Promise.resolve(Object.fromEntries(docs.map(n =>
        [n, ["en/a/doc" + n + "/", "Doc " + n, "Cat", []]]))),
    };
    const line = h => [h.url, h.title, h.lang, h.source, h.anchor, h.excerpt, Math.round(h.rank)];
"""


def test_a_reader_s_terms_reach_the_untranslated_articles_through_their_translations(page: object,
                                                                                     site_url: str) -> None:
    """A Croatian word reaches the English articles not translated into Croatian through its translations
    (a phrase: only an article with all of its words, at its weakest one's weight), at the cross weight,
    at their page in the Croatian section (else at their own) and labelled English; a translated one is
    not reached (Croatian has its own), nor is any with "All languages", where each article is in its own
    language."""
    found = run_module(page, site_url, "search-rank.js", CROSS_INDEX + """
        return [(await m.search(index, ["hr"], "lozinka ", 0, false)).map(line),
                (await m.search(index, ["hr"], "resetir ", 0, false)).map(line),
                (await m.search(index, ["hr", "en"], "lozinka password ", 0, true)).map(h => h.url)];""",
                       client_constants("hr"))
    word, phrase, every_language = found
    synonym = run_module(page, site_url, "search-rank.js", CROSS_INDEX + CROSS_PHRASE + """
        return (await m.search(index, ["hr"], "sifra ", 0, false)).map(line);""", client_constants("hr"))
    # doc 1: 0.4 * (200 + 180) * 0.5 * 2; own doc 0 has "lozink" but not "resetir": not found
    assert synonym == [["hr/a/doc1/", "Doc 1", "en", "en", "steps", "p1", 152]]
    # own doc 0: 150 * 2; English doc 1: 200 * 0.5 * 2, doc 2: 100 * 0.5 * 2; English doc 0 is translated
    assert word == [["hr/a/doc0/", "Hr 0", "hr", None, "", "l0", 300],
                    ["hr/a/doc1/", "Doc 1", "en", "en", "steps", "p1", 200],
                    ["en/a/doc2/", "Doc 2", "en", "en", "", "p2", 100]]
    # "reset password": doc 1 has both (the weaker, 180, counts); doc 2 lacks "reset"
    assert phrase == [["hr/a/doc1/", "Doc 1", "en", "en", "steps", "r1", 180]]
    assert sorted(every_language) == ["en/a/doc0/", "en/a/doc1/", "en/a/doc2/", "hr/a/doc0/"]


PHRASE_INDEX = """
    const rules = arg;
    // "refund" and the phrase "money back": doc 0 has both words, doc 1 only "back" (a parcel sent back),
    // doc 2 only "money"; doc 3 has "refund" itself
    const shard = {
      t: {refund: [3, 100, -1], money: [0, 120, -1, 2, 250, -1], back: [0, 80, -1, 1, 250, -1]},
      x: {refund: ["f3"], money: ["m0", "m2"], back: ["b0", "b1"]}, f: {},
      d: {},
    };
    const info = {analysis: rules, stopSet: {}, keySet: {}, shards: [], docs: 4, cards: 256,
                  synonyms: [[["refund"], ["money", "back"]]]};
    const index = {
      manifest: () => Promise.resolve({chunk: 8, languages: {en: info}}),
      shard: () => Promise.resolve(shard),
      prefixShards: () => Promise.resolve([]),
      cards: (m, lang, docs) => Promise.resolve(Object.fromEntries(docs.map(n =>
        [n, ["en/a/doc" + n + "/", "Doc " + n, "Cat", []]]))),
    };
    const ranked = async (q) => (await m.search(index, ["en"], q, 0, false)).map(h => [h.title, Math.round(h.rank)]);
"""


def test_a_synonym_phrase_counts_only_in_articles_with_all_its_words(page: object, site_url: str) -> None:
    """"refund" brings in "money back" as a phrase: only the article with both words has it (at the synonym
    weight over its length, summed), not those with one of them; typed, the phrase counts whole (each word
    at its own weight) where it is, its first word alone elsewhere, its other words alone not at all."""
    refund, typed = run_module(page, site_url, "search-rank.js", PHRASE_INDEX + """
        return [await ranked("refund "), await ranked("money back ")];""", client_constants("en"))
    # doc 3: 100 * 2; doc 0: 0.4 * (120 + 80) * 2 = 160
    assert refund == [["Doc 3", 200], ["Doc 0", 160]]
    # doc 0: (120 + 80) * 2 = 400; doc 2: 250 * 2 ("money" alone); doc 3: 0.8 * 100 * 2; doc 1 ("back") none
    assert typed == [["Doc 2", 500], ["Doc 0", 400], ["Doc 3", 160]]


CROSS_PHRASE = """
    // Croatian "sifra" brings in the phrase "lozinka resetirati": each word through its translations, and
    // only English doc 1 has both ("password", and "reset password"); doc 2 lacks "reset"
    Object.assign(manifest.languages.hr, {synonyms: [[["sifr"], ["lozink", "resetir"]]]});
    hr.t.sifr = []; hr.x.sifr = [];
"""


PARITY_QUERIES = [  # a typo, inflections, missing diacritics, synonyms (a phrase among them), cross-lingual
    ("en", "pasword reset"), ("en", "invoicing for companies"), ("en", "turn on 2fa"),
    ("hr", "refundacija"), ("hr", "nacini placanja"), ("hr", "zaporka ne radi"),
    ("hr", "kako vratiti uređaj na tvorničke postavke"),
    ("et", "tellimuse jalgimine"), ("et", "salasõna taastamine"), ("et", "google kontoga sisse logimine"),
    ("tl", "pag-track ng order"), ("tl", "nasaan na ang package ko"), ("tl", "paano palitan ang email ko"),
]


def test_deflect_search_finds_and_ranks_as_the_search_box_does(page: object, site_url: str,
                                                              tmp_path_factory: pytest.TempPathFactory) -> None:
    """``deflect search`` resolves and scores a query as the browser does (typos, inflections,
    synonyms, the untranslated articles reached through translations): the same first three results."""
    service = HelpCenter.open(ROOT, history=False, cache_dir=tmp_path_factory.mktemp("parity")).search_service
    found = run_module(page, site_url, "search-rank.js", """
        const index = (await import(arg[0])).createIndex(arg[1]);
        const out = [];
        for (const [lang, q] of arg[2]) out.push((await m.search(index, [lang], q, 3, false)).map(h => h.url));
        return out;""", [f"{site_url}assets/deflect/search-index.js", site_url, PARITY_QUERIES])

    def page_of(url: str) -> str:  # an article's page (its section aside), an FAQ entry's anchor
        path, _, anchor = url.partition("#")
        return url if path.endswith("/faq/") else path

    for (lang, query), browser in zip(PARITY_QUERIES, found, strict=True):
        assert len(browser) == 3, query
        assert [page_of(hit.url) for hit in service.search(query, lang, 3)] == browser, query


GZIP_CASES = {
    "stored": (b'{"stored": "' + b"abc" * 40 + b'"}', 0),  # level 0: stored blocks
    "fixed": (b'{"t": {"reset": [0, 200, -1]}}', 9),  # short: fixed Huffman codes
    "dynamic": (json.dumps({f"term{i}": [i, i * 7 % 255, -1, "excerpt " * (i % 5)] for i in range(400)}).encode(), 9),
}


def test_both_gzip_decoders_read_what_python_writes(page: object, site_url: str) -> None:
    cases = {name: list(gzip.compress(raw, compresslevel=level, mtime=0)) for name, (raw, level) in GZIP_CASES.items()}
    decoded = run_module(page, site_url, "search-gunzip.js", """
        const index = await import(arg[0]);
        const text = (bytes) => new TextDecoder().decode(bytes);
        const out = {};
        for (const [name, data] of Object.entries(arg[1])) {
          const bytes = new Uint8Array(data);
          out[name] = [text(m.gunzip(bytes)), text(await index.inflate(bytes))];
        }
        return out;""", [f"{site_url}assets/deflect/search-index.js", cases])
    for name, (raw, _) in GZIP_CASES.items():
        assert decoded[name] == [raw.decode(), raw.decode()], name


@pytest.mark.parametrize("native", [True, False], ids=["DecompressionStream", "fallback"])
def test_search_reads_the_index_with_or_without_decompression_stream(browser: object, site_url: str,
                                                                     native: bool) -> None:
    """Without DecompressionStream the fallback is fetched and search works; with it, it never is."""
    context = browser.new_context()
    if not native:
        context.add_init_script("delete window.DecompressionStream;")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url))
    page.goto(f"{site_url}hr/")
    box = page.locator("[data-deflect-search-input]")
    box.click()
    box.fill("lozinkama")
    page.wait_for_function("document.querySelector('[data-deflect-search]').getAttribute('data-deflect-ready')",
                           timeout=10_000)
    first = page.locator("[data-deflect-result]").first.get_attribute("data-deflect-result")
    context.close()
    assert first == "hr/account/reset-password/" and not errors, errors
    assert any(url.endswith("search-gunzip.js") for url in fetched) is not native, fetched


def test_a_beacon_reaches_the_collector_and_none_leaves_without_one(page: object, collector_site: str) -> None:
    _QuietHandler.events.clear()
    run_module(page, collector_site, "search-beacon.js", """
        m.createBeacons({collector: "", lang: "en"}).search("nowhere", 1, null);
        const beacons = m.createBeacons({collector: arg + "collect/", lang: "hr"});
        beacons.search("", 0, null);  // an empty query is never sent
        beacons.search("lozinka", 3, "hr/account/reset-password/");
        beacons.send({type: "contact", action: "contacted", channel: "email", lang: "en"});""", collector_site)
    def sent() -> list[dict]:
        return [e for e in _QuietHandler.events if e["body"].get("type") != "pageview"]  # feedback.js's page view

    for _ in range(50):  # the beacons arrive on their own time
        if len(sent()) >= 2:
            break
        page.wait_for_timeout(100)
    page.wait_for_timeout(300)
    assert sorted((e["body"] for e in sent()), key=lambda body: body["type"]) == [
        {"type": "contact", "action": "contacted", "channel": "email", "lang": "en", "page": "/en/"},
        {"type": "search", "query": "lozinka", "results": 3, "clicked": "hr/account/reset-password/", "lang": "hr",
         "page": "/en/"},
    ]
    assert all(e["path"] == "/collect/api/events" for e in sent())

