/* Deflect search, query analysis: a query's words as index terms (folding, the language's affix
 * rules, the surface-form → term maps of the shards, prefixes, typos) and its synonyms. The rules and
 * limits it shares with Python's analysis (deflect/search/analysis.py, query.py) come from the
 * manifest (`info.analysis`, written by static.py's client_constants), never from this file. */
import { EMPTY } from "./search-index.js";

export var WORD_RE = /[\p{L}\p{N}]+(?:['\u2019][\p{L}\p{N}]+)*/gu;

// Lowercase and strip diacritics: "Pritužba" → "prituzba"; `rules.fold` maps the letters that
// Unicode decomposition leaves whole (đ → d).
export function fold(text, rules) {
  return text.toLowerCase().replace(/[^\u0000-\u007f]/g, function (c) { return rules.fold[c] || c; })
    .normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
}

// The affix stripper (prefix, infix -um-/-in-, first-syllable reduplication, suffix) of the languages
// whose rules have one (Tagalog), as tagalog_stem in analysis.py; other languages: the word itself.
export function stem(w, rules) {
  var a = rules.affixes, vowels = a && a.vowels;
  if (!a || w.length <= 4) return w;
  for (var i = 0; i < a.prefixes.length; i++) {
    var p = a.prefixes[i];
    if (w.indexOf(p) === 0 && w.length - p.length >= 4) { w = w.slice(p.length); break; }
  }
  if (w.length >= 6 && vowels.indexOf(w[0]) < 0 && a.infixes.indexOf(w.slice(1, 3)) >= 0) w = w[0] + w.slice(3);
  if (w.length >= 6 && vowels.indexOf(w[0]) < 0 && vowels.indexOf(w[1]) >= 0 && w.slice(0, 2) === w.slice(2, 4)) w = w.slice(2);
  else if (w.length >= 5 && vowels.indexOf(w[0]) >= 0 && w[0] === w[1]) w = w.slice(1);
  for (var j = 0; j < a.suffixes.length; j++) {
    var s = a.suffixes[j];
    if (w.length - s.length >= 4 && w.slice(-s.length) === s) { w = w.slice(0, -s.length); break; }
  }
  return w;
}

// The query's folded words, without stop words, within the query limits.
export function words(text, info) {
  var rules = info.analysis, out = [];
  (text.slice(0, rules.max_query_chars).match(WORD_RE) || []).forEach(function (w) {
    var f = fold(w.replace("\u2019", "'"), rules);
    if (!info.stopSet[f] && f.length <= rules.max_word_chars) out.push(f);
  });
  return out.slice(0, rules.max_query_words);
}

export function editDistance(a, b, max) {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  var prev2 = null, prev = [], cur, i, j;
  for (j = 0; j <= b.length; j++) prev[j] = j;
  for (i = 1; i <= a.length; i++) {
    cur = [i];
    var best = i;
    for (j = 1; j <= b.length; j++) {
      var cost = a[i - 1] === b[j - 1] ? 0 : 1;
      var v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (prev2 && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
      cur[j] = v;
      if (v < best) best = v;
    }
    if (best > max) return max + 1;
    prev2 = prev; prev = cur;
  }
  return prev[b.length];
}

// Resolve one query word to {term: weight}, trying: surface form, the term itself, the stem, the
// longest known stem that starts the word, then typo-tolerant matches; the last word also matches
// the terms it starts. Every shard this needs is fetched in one round.
export function resolveWord(index, lang, info, word, isLast) {
  var stemmed = stem(word, info.analysis);
  var prefix = isLast && word.length >= 2;
  return Promise.all([
    index.shard(lang, info, word),
    stemmed !== word ? index.shard(lang, info, stemmed) : EMPTY,
    prefix ? index.prefixShards(lang, info, word) : [],
  ]).then(function (loaded) {
    var shard = loaded[0], stemShard = loaded[1], prefixShards = loaded[2];
    var found = {};
    function add(term, weight) { if (!(term in found) || found[term] < weight) found[term] = weight; }
    if (shard.f[word]) add(shard.f[word], 1);
    if (shard.t[word]) add(word, 1);
    if (stemShard.t[stemmed]) add(stemmed, 0.95);
    if (stemShard.f[stemmed]) add(stemShard.f[stemmed], 0.9);
    if (!Object.keys(found).length) {
      for (var n = word.length - 1; n >= Math.max(4, word.length - 5); n--) {
        var p = word.slice(0, n);
        if (shard.t[p]) { add(p, 0.85); break; }
        if (shard.f[p]) { add(shard.f[p], 0.8); break; }
      }
    }
    if (!Object.keys(found).length && word.length >= 4) {
      var max = word.length >= 8 ? 2 : 1;
      [shard.t, shard.f].forEach(function (map, isForm) {
        Object.keys(map).forEach(function (cand) {
          var d = editDistance(word, cand, max);
          if (d <= max) add(isForm ? map[cand] : cand, d === 1 ? 0.7 : 0.55);
        });
      });
    }
    if (!prefix) return found;
    var count = 0;
    prefixShards.concat([shard]).forEach(function (s) {
      [s.t, s.f].forEach(function (map, isForm) {
        Object.keys(map).forEach(function (cand) {
          if (count < 40 && cand.length > word.length && cand.indexOf(word) === 0) {
            add(isForm ? map[cand] : cand, 0.6); count++;
          }
        });
      });
    });
    return found;
  });
}

// resolved: [{word, terms: {term: weight}}]; a group member matching consecutive words adds the
// other members' terms to the first of those words (weight: the synonym weight over their length).
export function applySynonyms(info, resolved) {
  var firsts = resolved.map(function (r) { return Object.keys(r.terms); });
  (info.synonyms || []).forEach(function (group) {
    group.forEach(function (member) {
      for (var start = 0; start + member.length <= resolved.length; start++) {
        var ok = true;
        for (var k = 0; k < member.length; k++) {
          if (firsts[start + k].indexOf(member[k]) < 0 && resolved[start + k].word !== member[k]) { ok = false; break; }
        }
        if (!ok) continue;
        group.forEach(function (other) {
          if (other === member) return;
          other.forEach(function (term) {
            var w = info.analysis.synonym_weight / other.length;
            if (!(term in resolved[start].terms) || resolved[start].terms[term] < w) resolved[start].terms[term] = w;
          });
        });
        for (var m = 1; m < member.length; m++) resolved[start + m].merged = true;
      }
    });
  });
  return resolved.filter(function (r) { return !r.merged; });
}

// The shards of the synonyms a query will probably bring in, requested in the same round as the
// words' own shards: a member's first term starts a word (its inflected form), is started by the
// last word (prefix) or is a typo away from a word.
function prefetchSynonyms(index, lang, info, ws, prefix) {
  (info.synonyms || []).forEach(function (group) {
    var likely = group.some(function (member) {
      var t = member[0];
      return ws.some(function (w, i) {
        if (w === t || (t.length >= 4 && w.indexOf(t) === 0)) return true;
        if (prefix && i === ws.length - 1 && w.length >= 3 && t.indexOf(w) === 0) return true;
        var max = w.length >= 8 ? 2 : 1;
        return w.length >= 4 && editDistance(w, t, max) <= max;
      });
    });
    if (likely) group.forEach(function (member) {
      member.forEach(function (term) { index.shard(lang, info, term).catch(function () {}); });
    });
  });
}

// The query `text` in language `lang` (its manifest entry `info`) as [{word, terms: {term: weight}}],
// one entry per word or synonym phrase; [] when no word is left.
export function analyse(index, lang, info, text) {
  var ws = words(text, info);
  if (!ws.length) return Promise.resolve([]);
  var trailingSpace = /\s$/.test(text);
  prefetchSynonyms(index, lang, info, ws, !trailingSpace);
  return Promise.all(ws.map(function (w, i) {
    return resolveWord(index, lang, info, w, i === ws.length - 1 && !trailingSpace).then(function (terms) {
      return { word: w, terms: terms };
    });
  })).then(function (resolved) { return applySynonyms(info, resolved); });
}
