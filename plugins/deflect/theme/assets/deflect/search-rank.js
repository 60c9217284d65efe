/* Deflect search, ranking: scores the documents an analysed query finds in the term shards, merges
 * the languages searched and describes each hit by the result line of its best posting. */
import { analyse } from "./search-analysis.js";

// The hits of analysed words `resolved` in language `lang`. A document scores the sum over the words
// of its best posting's weight, doubled when it matches every word (else scaled by the share of
// words it matches); its result line comes from the posting that adds the most to its score.
export function score(index, lang, info, resolved) {
  return Promise.all(resolved.map(function (r) {
    return Promise.all(Object.keys(r.terms).map(function (term) {
      return index.shard(lang, info, term).then(function (s) { return [term, r.terms[term], s]; });
    }));
  })).then(function (perWord) {
    var scores = {};
    perWord.forEach(function (entries) {
      var best = {};
      entries.forEach(function (entry) {
        var term = entry[0], weight = entry[1], shard = entry[2], postings = shard.t[term] || [];
        for (var i = 0; i < postings.length; i += 3) {
          var doc = postings[i], s = weight * postings[i + 1];
          if (!best[doc] || best[doc].score < s) best[doc] = { score: s, shard: shard, term: term, at: i };
        }
      });
      Object.keys(best).forEach(function (doc) {
        var b = best[doc];
        var e = scores[doc] || (scores[doc] = { doc: +doc, score: 0, matched: 0, top: 0, from: b });
        e.score += b.score;
        e.matched += 1;
        if (b.score > e.top) { e.top = b.score; e.from = b; }
      });
    });
    var n = perWord.length;
    var terms = [];
    resolved.forEach(function (r) { terms = terms.concat(Object.keys(r.terms)); terms.push(r.word); });
    return Object.keys(scores).map(function (k) {
      var e = scores[k];
      e.lang = lang;
      e.rank = e.score * (e.matched === n ? 2 : e.matched / n);
      e.terms = terms;
      return e;
    });
  });
}

function searchLanguage(index, lang, text) {
  return index.manifest().then(function (m) {
    var info = m.languages[lang];
    if (!info) return [];
    return analyse(index, lang, info, text).then(function (resolved) {
      return resolved.length ? score(index, lang, info, resolved) : [];
    });
  });
}

// The result line of a hit, from the shard of the posting it came from: url (no anchor), title,
// category, section anchor and heading, excerpt.
function describe(h) {
  var f = h.from, card = f.shard.d[h.doc], section = f.shard.t[f.term][f.at + 2];
  var sec = (section >= 0 && card[3][section]) || ["", ""];
  h.url = card[0];
  h.title = card[1];
  h.category = card[2];
  h.source = card[4] || null;  // an untranslated article, shown at its page in this language's section
  h.section = section;
  h.anchor = sec[0];
  h.heading = sec[1];
  h.excerpt = f.shard.x[f.term][f.at / 3];
  delete h.from;
  return h;
}

// Every hit of `text` in the languages `langs`, best first (at most `limit` when given). `all`
// (every language searched in its own right) drops the untranslated articles a language's section
// also covers (crosslingual.py), so that each article is found in its own language.
export function search(index, langs, text, limit, all) {
  return Promise.all(langs.map(function (l) { return searchLanguage(index, l, text); })).then(function (lists) {
    var hits = [].concat.apply([], lists);
    if (all) hits = hits.filter(function (h) { return !h.from.shard.d[h.doc][4]; });
    hits.sort(function (a, b) { return b.rank - a.rank || a.doc - b.doc; });
    return (limit ? hits.slice(0, limit) : hits).map(describe);
  });
}
