/* Deflect search, query analysis: a query's words as index terms, and its synonyms. The rules shared
 * with Python come from the manifest (info.analysis: client_constants in static.py). */
import { EMPTY } from "./search-index.js";

export var WORD_RE = /[\p{L}\p{N}]+(?:['\u2019][\p{L}\p{N}]+)*/gu;

// Lowercase, map the letters decomposition leaves whole (rules.fold: đ → d), strip diacritics.
export function fold(text, rules) {
  return text.toLowerCase().replace(/[^\0-\x7f]/g, c => rules.fold[c] || c).normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "");
}

// The language's affix stripper (Tagalog: affix_stem in analysis.py, rules from the language registry), else the word itself.
export function stem(w, rules) {
  var a = rules.affixes, v = a && a.vowels, least = a && a.min_stem;
  if (!a || w.length <= least) return w;
  var p = a.prefixes.find(p => w.indexOf(p) === 0 && w.length - p.length >= least);
  if (p) w = w.slice(p.length);
  if (w.length >= least + 2 && v.indexOf(w[0]) < 0 && a.infixes.indexOf(w.slice(1, 3)) >= 0) w = w[0] + w.slice(3);
  if (a.reduplication) {
    if (w.length >= least + 2 && v.indexOf(w[0]) < 0 && v.indexOf(w[1]) >= 0 && w.slice(0, 2) === w.slice(2, 4)) w = w.slice(2);
    else if (w.length >= least + 1 && v.indexOf(w[0]) >= 0 && w[0] === w[1]) w = w.slice(1);
  }
  var s = a.suffixes.find(s => w.length - s.length >= least && w.slice(-s.length) === s);
  return s ? w.slice(0, -s.length) : w;
}

// The query's folded words, stop words left out, within the query limits.
export function words(text, info) {
  var rules = info.analysis;
  return (text.slice(0, rules.max_query_chars).match(WORD_RE) || []).map(w => fold(w.replace("\u2019", "'"), rules))
    .filter(f => !info.stopSet[f] && f.length <= rules.max_word_chars).slice(0, rules.max_query_words);
}

export function editDistance(a, b, max) {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  var prev2 = null, prev = [], cur, i, j;
  for (j = 0; j <= b.length; j++) prev[j] = j;
  for (i = 1; i <= a.length; i++) {
    cur = [i];
    var best = i;
    for (j = 1; j <= b.length; j++) {
      var v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (prev2 && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
      cur[j] = v;
      if (v < best) best = v;
    }
    if (best > max) return max + 1;
    prev2 = prev; prev = cur;
  }
  return prev[b.length];
}

// One query word as {term: weight}, trying: surface form, the term itself, the stem, the longest known
// stem that starts the word, then typos; the last word also matches the terms it starts. Every shard
// this needs is fetched in one round.
function resolveWord(index, lang, info, word, isLast) {
  var stemmed = stem(word, info.analysis), prefix = isLast && word.length >= 2;
  return Promise.all([
    index.shard(lang, info, word),
    stemmed !== word ? index.shard(lang, info, stemmed) : EMPTY,
    prefix ? index.prefixShards(lang, info, word) : [],
  ]).then(([shard, stemShard, prefixShards]) => {
    var found = {}, count = 0, n;
    var add = (term, weight) => { if (!(found[term] >= weight)) found[term] = weight; };
    var none = () => !Object.keys(found).length;
    var each = (s, f) => [s.t, s.f].forEach((map, isForm) => Object.keys(map).forEach(c => f(c, isForm ? map[c] : c)));
    if (shard.f[word]) add(shard.f[word], 1);
    if (shard.t[word]) add(word, 1);
    if (stemShard.t[stemmed]) add(stemmed, 0.95);
    if (stemShard.f[stemmed]) add(stemShard.f[stemmed], 0.9);
    for (n = word.length - 1; none() && n >= Math.max(4, word.length - 5); n--) {
      var p = word.slice(0, n);
      if (shard.t[p]) add(p, 0.85);
      else if (shard.f[p]) add(shard.f[p], 0.8);
    }
    if (none() && word.length >= 4) {
      var max = word.length >= 8 ? 2 : 1;
      each(shard, (cand, term) => {
        var d = editDistance(word, cand, max);
        if (d <= max) add(term, d === 1 ? 0.7 : 0.55);
      });
    }
    if (prefix) prefixShards.concat([shard]).forEach(s => each(s, (cand, term) => {
      if (count < 40 && cand.length > word.length && cand.indexOf(word) === 0) { add(term, 0.6); count++; }
    }));
    return found;
  });
}

// resolved: [{word, terms}]. Where a member of a synonym group is typed, its first word gets the group's
// other members: a one-word member as a term (at the synonym weight), a phrase in its `phrases` ({terms,
// weight}: a document must have all its terms, each at the synonym weight over their number). A typed
// phrase becomes one word: its first word, or better the whole phrase (each term at its own weight); its
// other words alone count for nothing. As query.py's apply_synonyms.
export function applySynonyms(info, resolved) {
  var firsts = resolved.map(r => Object.keys(r.terms)), matches = [], taken = {};
  (info.synonyms || []).forEach(group => group.forEach(member => {
    for (var start = 0; start + member.length <= resolved.length; start++) {
      if (member.every((t, k) => firsts[start + k].indexOf(t) >= 0 || resolved[start + k].word === t)) {
        matches.push([start, member, group]);
      }
    }
  }));
  matches.slice().sort((a, b) => a[0] - b[0] || b[1].length - a[1].length).forEach(([start, member]) => {
    var span = member.map((t, k) => start + k);
    if (member.length < 2 || span.some(i => taken[i])) return;
    span.forEach(i => {
      taken[i] = true;
      if (i > start) resolved[i].merged = true;
    });
    resolved[start].phrases = [{ terms: member, weight: 1 }];
  });
  matches.forEach(([start, member, group]) => {
    var r = resolved[start];
    if (r.merged) return;  // a word inside another typed phrase
    group.forEach(other => {
      var w = info.analysis.synonym_weight / other.length;
      if (other === member) return;
      if (other.length === 1) { if (!(r.terms[other[0]] >= w)) r.terms[other[0]] = w; return; }
      r.phrases = r.phrases || [];
      if (!r.phrases.some(p => p.terms.join(" ") === other.join(" "))) r.phrases.push({ terms: other, weight: w });
    });
  });
  return resolved.filter(r => !r.merged);
}

// Requests with the words' shards those of the synonyms the query probably brings in.
function prefetchSynonyms(index, lang, info, ws, prefix) {
  (info.synonyms || []).forEach(group => {
    if (group.some(([t]) => ws.some((w, i) => w === t || (t.length >= 4 && w.indexOf(t) === 0)
        || (prefix && i === ws.length - 1 && w.length >= 3 && t.indexOf(w) === 0)
        || (w.length >= 4 && editDistance(w, t, w.length >= 8 ? 2 : 1) <= (w.length >= 8 ? 2 : 1))))) {
      group.forEach(member => member.forEach(term => index.shard(lang, info, term).catch(() => {})));
    }
  });
}

// `text` in `lang` (manifest entry `info`) as [{word, terms: {term: weight}}], a word or synonym phrase each.
export function analyse(index, lang, info, text) {
  var ws = words(text, info), prefix = !/\s$/.test(text);
  if (!ws.length) return Promise.resolve([]);
  prefetchSynonyms(index, lang, info, ws, prefix);
  return Promise.all(ws.map((w, i) => resolveWord(index, lang, info, w, prefix && i === ws.length - 1)
    .then(terms => ({ word: w, terms: terms })))).then(resolved => applySynonyms(info, resolved));
}
