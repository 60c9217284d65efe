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
        var b = best[doc], e = scores[doc] || (scores[doc] = { doc: +doc, score: 0, matched: 0, top: 0, from: b });
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

// A hit's result line, from the shard of its best posting.
function describe(h) {
  var f = h.from, card = f.shard.d[h.doc], section = f.shard.t[f.term][f.at + 2];
  var sec = (section >= 0 && card[3][section]) || ["", ""];
  Object.assign(h, { url: card[0], title: card[1], category: card[2], source: card[4] || null, section: section,
    anchor: sec[0], heading: sec[1], excerpt: f.shard.x[f.term][f.at / 3] });
  delete h.from;
  return h;
}

// Every hit of `text` in `langs`, best first (at most `limit`). `all`: each language in its own right,
// so an untranslated article a language also covers (crosslingual.py) is left to its own.
export function search(index, langs, text, limit, all) {
  return Promise.all(langs.map(lang => index.manifest().then(m => {
    var info = m.languages[lang];
    return info ? analyse(index, lang, info, text).then(r => r.length ? score(index, lang, info, r) : []) : [];
  }))).then(lists => {
    var hits = [].concat.apply([], lists);
    if (all) hits = hits.filter(h => !h.from.shard.d[h.doc][4]);
    hits.sort((a, b) => b.rank - a.rank || a.doc - b.doc);
    return (limit ? hits.slice(0, limit) : hits).map(describe);
  });
}
