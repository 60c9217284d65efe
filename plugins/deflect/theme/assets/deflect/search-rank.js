/* Deflect search, ranking: the documents an analysed query finds, scored, merged across languages
 * and described by the result line of their best posting. */
import { analyse } from "./search-analysis.js";

// The hits of the analysed words `resolved`. A document scores the sum of its best posting per word,
// doubled when it matches every word, else scaled by the share it matches; its result line comes
// from the posting that adds the most.
export function score(index, lang, info, resolved) {
  return Promise.all(resolved.map(r => Promise.all(Object.keys(r.terms).map(term =>
    index.shard(lang, info, term).then(s => [term, r.terms[term], s]))))).then(perWord => {
    var scores = {}, terms = [];
    perWord.forEach(entries => {
      var best = {};
      entries.forEach(([term, weight, shard]) => {
        var postings = shard.t[term] || [];
        for (var i = 0; i < postings.length; i += 3) {
          var doc = postings[i], s = weight * postings[i + 1];
          if (!best[doc] || best[doc].score < s) best[doc] = { score: s, shard: shard, term: term, at: i };
        }
      });
      Object.keys(best).forEach(doc => {
        var b = best[doc], e = scores[doc] || (scores[doc] = { doc: +doc, score: 0, matched: 0, top: 0, from: b, shards: [] });
        e.shards.push(b.shard);
        e.score += b.score;
        e.matched += 1;
        if (b.score > e.top) { e.top = b.score; e.from = b; }
      });
    });
    resolved.forEach(r => { terms = terms.concat(Object.keys(r.terms)); terms.push(r.word); });
    return Object.values(scores).map(e => Object.assign(e, {
      lang: lang, terms: terms, rank: e.score * (e.matched === perWord.length ? 2 : e.matched / perWord.length),
    }));
  });
}

// Give `hits` their result lines: the excerpt and section of their best posting, the rest from their
// document's card, which that posting's shard carries for each term's best documents, else from the
// language's card files (fetched then). A hit described already is left as it is.
export function describe(index, hits) {
  var todo = hits.filter(h => h.from), langs = Object.create(null);
  todo.forEach(h => {
    h.card = shardCard(h);
    if (!h.card) (langs[h.lang] = langs[h.lang] || []).push(h.doc);
  });
  var fetched = Object.keys(langs).length ? index.manifest().then(m => Promise.all(Object.keys(langs).map(lang =>
    index.cards(m, lang, langs[lang]).then(cards => [lang, cards])))) : Promise.resolve([]);
  return fetched.then(found => {
    var byLang = Object.fromEntries(found);
    todo.forEach(h => { if (h.from) fill(h, h.card || byLang[h.lang][h.doc]); });  // (another call may have)
    return hits;
  });
}

// A hit's card from a shard of its query that carries it with the section of its best posting (a
// shard's card names the sections of that shard's postings), else null.
function shardCard(h) {
  var f = h.from, section = f.shard.t[f.term][f.at + 2];
  var shards = [f.shard].concat(h.shards || []);
  for (var i = 0; i < shards.length; i++) {
    var card = shards[i].d[h.doc];
    if (card && (section < 0 || card[3][section])) return card;
  }
  return null;
}

// A hit's result line from its best posting and `card` (a card file's sections are a list, a shard's
// an object by section number: both answer card[3][section]).
function fill(h, card) {
  var f = h.from, section = f.shard.t[f.term][f.at + 2];
  var sec = (section >= 0 && card[3][section]) || ["", ""];
  Object.assign(h, { url: card[0], title: card[1], category: card[2], source: card[4] || null, section: section,
    anchor: sec[0], heading: sec[1], excerpt: f.shard.x[f.term][f.at / 3] });
  delete h.from;
  delete h.shards;
  delete h.card;
}

// Whether document `doc` of a language (manifest entry `info`) is an untranslated article it also covers.
var isCopy = (info, doc) => info.copies.some(([start, end]) => start <= doc && doc < end);

// Every hit of `text` in `langs`, best first (at most `limit`), the first `described` of them (all by
// default) with their result lines (`describe` the others when they are shown). `all`: each language
// in its own right, so an untranslated article a language also covers (crosslingual.py) is left to its own.
export function search(index, langs, text, limit, all, described) {
  return Promise.all(langs.map(lang => index.manifest().then(m => {
    var info = m.languages[lang];
    if (!info) return [];
    return analyse(index, lang, info, text).then(r => r.length ? score(index, lang, info, r) : [])
      .then(hits => all ? hits.filter(h => !isCopy(info, h.doc)) : hits);
  }))).then(lists => {
    var hits = [].concat.apply([], lists);
    hits.sort((a, b) => b.rank - a.rank || a.doc - b.doc);
    if (limit) hits = hits.slice(0, limit);
    return describe(index, described === undefined ? hits : hits.slice(0, described)).then(() => hits);
  });
}
