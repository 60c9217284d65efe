/* Deflect search, ranking: the documents an analysed query finds, scored, merged across languages
 * and described by the result line of their best posting. */
import { analyse } from "./search-analysis.js";

// The hits of the analysed words `resolved`. A document scores the sum of its best posting per word (a
// synonym phrase: only in a document with all its terms, the sum of their levels), doubled when it
// matches every word, else scaled by the share it matches; its result line comes from the posting that
// adds the most. With the manifest `m`, the articles not translated into `lang` (info.cross) count too: a
// word reaches them through its terms' translations (a shard's `e`: each a term, or a phrase whose terms
// an article must all have, weighing as its weakest), looked up in the default language's shards, their
// levels multiplied by the cross weight (their weight against the reader's own articles, rescaled to this
// language's levels: engine.SearchIndex.cross_factor).
export function score(index, lang, info, resolved, m) {
  var cross = m && info.cross, from = cross && m.languages[cross.from], scale = from ? cross.weight : 0;
  return Promise.all(resolved.map(r => withShards(alternatives(r), t => index.shard(lang, info, t))
    .then(entries => !from ? [entries, []] : translated(entries, t => index.shard(cross.from, from, t))
      .then(reached => [entries, reached])))).then(perWord => {
    var scores = {}, terms = [], crossTerms = {};
    perWord.forEach(([entries, reached]) => {
      var best = {};
      var offer = (key, s, posting) => { if (!best[key] || best[key].score < s) best[key] = posting; };
      entries.forEach(({ terms, weight, shards }) => {
        var others = terms.slice(1).map((t, k) => levels(shards[k + 1].t[t] || []));
        var postings = shards[0].t[terms[0]] || [];
        for (var i = 0; i < postings.length; i += 3) {
          var doc = postings[i], level = postings[i + 1];
          if (!others.every(other => other[doc])) continue;
          others.forEach(other => { level += other[doc]; });
          var s = weight * level;
          offer(doc, s, { score: s, shard: shards[0], term: terms[0], at: i });
        }
      });
      reached.forEach(({ weight, parts }) => {
        var found = parts.map(groups => reachedLevels(groups, cross.docs, crossTerms));
        Object.keys(found[0]).forEach(doc => {
          if (!found.every(f => f[doc])) return;
          var s = weight * scale * found.reduce((sum, f) => sum + f[doc].level, 0), first = found[0][doc];
          offer("x" + doc, s, { score: s, shard: first.shard, term: first.term, at: first.at });
        });
      });
      Object.keys(best).forEach(key => {
        var b = best[key];
        var e = scores[key] || (scores[key] = { key: key, score: 0, matched: 0, top: 0, from: b, shards: [] });
        e.shards.push(b.shard);
        e.score += b.score;
        e.matched += 1;
        if (b.score > e.top) { e.top = b.score; e.from = b; }
      });
    });
    resolved.forEach(r => { alternatives(r).forEach(([ts]) => { terms = terms.concat(ts); }); terms.push(r.word); });
    var theirTerms = terms.concat(Object.keys(crossTerms));
    return Object.values(scores).map(e => {
      var reached = e.key[0] === "x", hit = Object.assign(e, {
        doc: reached ? +e.key.slice(1) : +e.key, lang: reached ? cross.from : lang, terms: reached ? theirTerms : terms,
        rank: e.score * (e.matched === perWord.length ? 2 : e.matched / perWord.length),
      });
      if (reached) hit.via = inRanges(cross.home || [], hit.doc) ? "" : lang;  // "": shown at its own page
      delete hit.key;
      return hit;
    });
  });
}

// An analysed word's alternatives as [[term, …], weight]: its terms, and the synonym phrases it brings
// in, which a document must have every term of (weighing the sum of their levels).
function alternatives(r) {
  return Object.keys(r.terms).map(t => [[t], r.terms[t]]).concat((r.phrases || []).map(p => [p.terms, p.weight]));
}

// Alternatives [[term, …], weight] as [{terms, weight, shards}], each term's shard from `shard(term)`.
function withShards(alts, shard) {
  return Promise.all(alts.map(([terms, weight]) => Promise.all(terms.map(shard))
    .then(shards => ({ terms, weight, shards }))));
}

// The translations of `entries` (withShards) as [{weight, parts}]: per term of an entry, its
// translations ({group, shards}, the shards from `theirs(term)`, of the default language).
function translated(entries, theirs) {
  return Promise.all(entries.map(e => Promise.all(e.terms.map((t, k) =>
    Promise.all(((e.shards[k].e || {})[t] || []).map(group => Promise.all(group.map(theirs))
      .then(shards => ({ group, shards }))))))
    .then(parts => ({ weight: e.weight, parts }))));
}

// The untranslated articles that one term reaches through its translations `groups` ({group, shards}: a
// term, or a phrase whose terms an article must all have, weighing as its weakest), among the document
// ranges `docs`, as {doc: {level, shard, term, at}} with each article's best; their terms go into `seen`.
function reachedLevels(groups, docs, seen) {
  var out = {};
  groups.forEach(({ group, shards }) => {
    var others = group.slice(1).map((t, k) => levels(shards[k + 1].t[t] || []));
    var postings = shards[0].t[group[0]] || [];
    group.forEach(t => { seen[t] = true; });
    for (var i = 0; i < postings.length; i += 3) {
      var doc = postings[i], level = postings[i + 1];
      if (!inRanges(docs, doc)) continue;
      others.forEach(other => { level = Math.min(level, other[doc] || 0); });
      if (level > 0 && !(out[doc] && out[doc].level >= level)) {
        out[doc] = { level, shard: shards[0], term: group[0], at: i };
      }
    }
  });
  return out;
}

// A term's postings as {doc: weight level}.
function levels(postings) {
  var out = {};
  for (var i = 0; i < postings.length; i += 3) out[postings[i]] = postings[i + 1];
  return out;
}

// Whether `n` is in one of the [start, end) `ranges`.
var inRanges = (ranges, n) => ranges.some(([start, end]) => start <= n && n < end);

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
  // An untranslated article a reader of `h.via` reaches: at its page in that language's section (in
  // its own when that section has none, `via` "").
  var url = h.via ? h.via + card[0].slice(card[0].indexOf("/")) : card[0];
  Object.assign(h, { url: url, title: card[1], category: card[2], source: "via" in h ? h.lang : null, section: section,
    anchor: sec[0], heading: sec[1], excerpt: f.shard.x[f.term][f.at / 3] });
  delete h.from;
  delete h.shards;
  delete h.card;
}

// Every hit of `text` in `langs`, best first (at most `limit`), the first `described` of them (all by
// default) with their result lines (`describe` the others when they are shown). `all`: each language
// in its own right, so an untranslated article is found in its own language, not reached from the others.
export function search(index, langs, text, limit, all, described) {
  return Promise.all(langs.map(lang => index.manifest().then(m => {
    var info = m.languages[lang];
    if (!info) return [];
    return analyse(index, lang, info, text).then(r => r.length ? score(index, lang, info, r, all ? null : m) : []);
  }))).then(lists => {
    var hits = [].concat.apply([], lists);
    hits.sort((a, b) => b.rank - a.rank || (a.lang < b.lang ? -1 : a.lang > b.lang ? 1 : a.doc - b.doc));
    if (limit) hits = hits.slice(0, limit);
    return describe(index, described === undefined ? hits : hits.slice(0, described)).then(() => hits);
  });
}
