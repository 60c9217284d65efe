/* Deflect search: queries the static, sharded index in search/ (see deflect/search/static.py).
 * No server: shards are fetched on demand, gunzipped in the browser and cached. A term shard
 * carries the result lines (title, URL, section, excerpt) of its terms' documents, so results
 * render after one round of fetches: one shard per query word. */
(function () {
  "use strict";

  var root = document.querySelector("[data-deflect-search]");
  if (!root) return;
  var config = JSON.parse(root.querySelector("[data-deflect-search-config]").textContent);
  var S = config.strings;
  var input = root.querySelector("[data-deflect-search-input]");
  var list = root.querySelector("[data-deflect-search-results]");
  var meta = root.querySelector("[data-deflect-search-meta]");
  var allBox = root.querySelector("[data-deflect-search-all]");
  var toggle = document.getElementById("__search");
  var base = config.base;
  var PAGE_RESULTS = 10;  // shown at once; "Show more" adds as many again
  var WORD_RE = /[\p{L}\p{N}]+(?:['\u2019][\p{L}\p{N}]+)*/gu;
  var SPECIAL = { "\u0111": "d", "\u00df": "ss", "\u00e6": "ae", "\u00f8": "o", "\u0142": "l", "\u0153": "oe" };
  var TL_PREFIXES = ["nakikipag", "makikipag", "pinakama", "nakipag", "makipag", "ipinag", "pinag", "ipag",
    "nagpa", "magpa", "pagpa", "naka", "maka", "nag", "mag", "pag", "nang", "mang", "pang", "na", "ma", "ka", "pa", "i"];
  var TL_SUFFIXES = ["han", "hin", "an", "in"];
  var VOWELS = "aeiou";

  var cache = {};        // url → Promise of parsed JSON
  var manifest = null;
  var sequence = 0;

  /* ---------------------------------------------------------------- analysis (mirrors analysis.py) */
  function fold(text) {
    return text.toLowerCase().replace(/[\u0111\u00df\u00e6\u00f8\u0142\u0153]/g, function (c) { return SPECIAL[c]; })
      .normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
  }

  function tlStem(w) {
    if (w.length <= 4) return w;
    for (var i = 0; i < TL_PREFIXES.length; i++) {
      var p = TL_PREFIXES[i];
      if (w.indexOf(p) === 0 && w.length - p.length >= 4) { w = w.slice(p.length); break; }
    }
    if (w.length >= 6 && VOWELS.indexOf(w[0]) < 0 && (w.slice(1, 3) === "um" || w.slice(1, 3) === "in")) w = w[0] + w.slice(3);
    if (w.length >= 6 && VOWELS.indexOf(w[0]) < 0 && VOWELS.indexOf(w[1]) >= 0 && w.slice(0, 2) === w.slice(2, 4)) w = w.slice(2);
    else if (w.length >= 5 && VOWELS.indexOf(w[0]) >= 0 && w[0] === w[1]) w = w.slice(1);
    for (var j = 0; j < TL_SUFFIXES.length; j++) {
      var s = TL_SUFFIXES[j];
      if (w.length - s.length >= 4 && w.slice(-s.length) === s) { w = w.slice(0, -s.length); break; }
    }
    return w;
  }

  function words(text, info) {
    var out = [];
    var stop = info.stopSet;
    (text.slice(0, 256).match(WORD_RE) || []).forEach(function (w) {
      var f = fold(w.replace("\u2019", "'"));
      if (!stop[f] && f.length <= 40) out.push(f);
    });
    return out.slice(0, 12);
  }

  function editDistance(a, b, max) {
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

  /* ---------------------------------------------------------------- gunzip (RFC 1952, 1951) */
  // Synchronous inflate: for a shard of a few KB it takes well under a millisecond, while
  // DecompressionStream's asynchronous plumbing adds several to every fetch. (Canonical Huffman
  // decoding as in zlib's puff.c.)
  var LEN_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163,
    195, 227, 258];
  var LEN_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
  var DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049,
    3073, 4097, 6145, 8193, 12289, 16385, 24577];
  var DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
  var CODE_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

  function huffman(lengths) {
    var counts = new Uint16Array(16), offsets = new Uint16Array(16), symbols = new Uint16Array(lengths.length), i;
    for (i = 0; i < lengths.length; i++) counts[lengths[i]]++;
    counts[0] = 0;
    for (i = 1; i < 16; i++) offsets[i] = offsets[i - 1] + counts[i - 1];
    for (i = 0; i < lengths.length; i++) if (lengths[i]) symbols[offsets[lengths[i]]++] = i;
    return { counts: counts, symbols: symbols };
  }

  function gunzip(bytes) {
    var n = bytes.length, flags = bytes[3], at = 10, bitBuf = 0, bitCount = 0;
    if (flags & 4) at += 2 + (bytes[10] | bytes[11] << 8);
    if (flags & 8) while (bytes[at++]);
    if (flags & 16) while (bytes[at++]);
    if (flags & 2) at += 2;
    var out = new Uint8Array((bytes[n - 4] | bytes[n - 3] << 8 | bytes[n - 2] << 16 | bytes[n - 1] << 24) >>> 0), o = 0;
    function bits(count) {
      while (bitCount < count) {
        if (at >= n) throw new Error("truncated gzip data");
        bitBuf |= bytes[at++] << bitCount; bitCount += 8;
      }
      var value = bitBuf & ((1 << count) - 1);
      bitBuf >>>= count; bitCount -= count;
      return value;
    }
    function decode(h) {
      for (var len = 1, code = 0, first = 0, index = 0; len < 16; len++) {
        code |= bits(1);
        var count = h.counts[len];
        if (code - first < count) return h.symbols[index + code - first];
        index += count; first = (first + count) << 1; code <<= 1;
      }
      throw new Error("bad gzip data");
    }
    var last, i;
    do {
      last = bits(1);
      var type = bits(2), lit, dist;
      if (type === 0) {
        bitBuf = bitCount = 0;
        var stored = bytes[at] | bytes[at + 1] << 8;
        out.set(bytes.subarray(at + 4, at + 4 + stored), o);
        at += 4 + stored; o += stored;
        continue;
      }
      if (type === 1) {
        var fixed = new Uint8Array(288);
        for (i = 0; i < 288; i++) fixed[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8;
        lit = huffman(fixed);
        dist = huffman(new Uint8Array(30).fill(5));
      } else if (type === 2) {
        var nLit = bits(5) + 257, nDist = bits(5) + 1, nCode = bits(4) + 4;
        var codeLengths = new Uint8Array(19);
        for (i = 0; i < nCode; i++) codeLengths[CODE_ORDER[i]] = bits(3);
        var codes = huffman(codeLengths), lengths = new Uint8Array(nLit + nDist);
        for (i = 0; i < nLit + nDist;) {
          var sym = decode(codes);
          if (sym < 16) { lengths[i++] = sym; continue; }
          var repeat = sym === 16 ? 3 + bits(2) : sym === 17 ? 3 + bits(3) : 11 + bits(7);
          var value = sym === 16 ? lengths[i - 1] : 0;
          while (repeat--) lengths[i++] = value;
        }
        lit = huffman(lengths.subarray(0, nLit));
        dist = huffman(lengths.subarray(nLit));
      } else {
        throw new Error("bad gzip data");
      }
      for (;;) {
        var s = decode(lit);
        if (s < 256) { out[o++] = s; continue; }
        if (s === 256) break;
        s -= 257;
        var length = LEN_BASE[s] + bits(LEN_EXTRA[s]), d = decode(dist);
        var from = o - DIST_BASE[d] - bits(DIST_EXTRA[d]);
        while (length--) out[o++] = out[from++];
      }
    } while (!last);
    return out.subarray(0, o);
  }

  /* ---------------------------------------------------------------- loading */
  function fetchJSON(url) {
    if (!cache[url]) {
      cache[url] = fetch(url).then(function (r) {
        if (!r.ok) throw new Error(url + ": HTTP " + r.status);
        return r.arrayBuffer();
      }).then(function (buf) {
        var bytes = new Uint8Array(buf);
        // A host may have sent the file with Content-Encoding: gzip, which the browser undid.
        return new TextDecoder().decode(bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzip(bytes) : bytes);
      }).then(JSON.parse);
      cache[url].catch(function () { delete cache[url]; });
    }
    return cache[url];
  }

  function loadManifest() {
    if (!manifest) {
      manifest = fetchJSON(base + "search/manifest.json").then(function (m) {
        Object.keys(m.languages).forEach(function (code) {
          var info = m.languages[code];
          info.stopSet = {};
          info.stop.forEach(function (w) { info.stopSet[w] = true; });
          info.keySet = {};
          info.shards.forEach(function (k) { info.keySet[k] = true; });
        });
        return m;
      });
    }
    return manifest;
  }

  function shardKey(info, word) {
    for (var n = Math.min(word.length, 5); n >= 1; n--) {
      var k = word.slice(0, n);
      if (info.keySet[k]) return k;
    }
    return null;
  }

  var EMPTY = { t: {}, x: {}, f: {}, d: {} };

  function loadShard(lang, info, word) {
    var key = shardKey(info, word);
    if (key === null) return Promise.resolve(EMPTY);
    return fetchJSON(base + "search/" + lang + "/t/" + encodeURIComponent(key) + ".json.gz");
  }

  function loadPrefixShards(lang, info, word) {
    // Every shard whose terms may start with `word` (for prefix matching of the last word).
    var keys = info.shards.filter(function (k) { return k.indexOf(word) === 0; }).slice(0, 6);
    return Promise.all(keys.map(function (k) {
      return fetchJSON(base + "search/" + lang + "/t/" + encodeURIComponent(k) + ".json.gz");
    }));
  }

  /* ---------------------------------------------------------------- query */
  // Resolve one query word to [{term, weight}], trying: surface form, the term itself, the
  // Tagalog stem, the longest known stem that starts the word, then typo-tolerant matches; the
  // last word also matches the terms it starts. Every shard this needs is fetched in one round.
  function resolveWord(lang, info, word, isLast) {
    var stem = lang === "tl" ? tlStem(word) : word;
    var prefix = isLast && word.length >= 2;
    return Promise.all([
      loadShard(lang, info, word),
      stem !== word ? loadShard(lang, info, stem) : EMPTY,
      prefix ? loadPrefixShards(lang, info, word) : [],
    ]).then(function (loaded) {
      var shard = loaded[0], stemShard = loaded[1], prefixShards = loaded[2];
      var found = {};
      function add(term, weight) { if (!(term in found) || found[term] < weight) found[term] = weight; }
      if (shard.f[word]) add(shard.f[word], 1);
      if (shard.t[word]) add(word, 1);
      if (stemShard.t[stem]) add(stem, 0.95);
      if (stemShard.f[stem]) add(stemShard.f[stem], 0.9);
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

  function applySynonyms(info, resolved) {
    // resolved: [{word, terms: {term: weight}}]; a group member matching consecutive words
    // adds the other members' terms to the first of those words.
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
              var w = 0.8 / other.length;
              if (!(term in resolved[start].terms) || resolved[start].terms[term] < w) resolved[start].terms[term] = w;
            });
          });
          for (var m = 1; m < member.length; m++) resolved[start + m].merged = true;
        }
      });
    });
    return resolved.filter(function (r) { return !r.merged; });
  }

  // The shards of the synonyms a query will probably bring in, requested in the same round as
  // the words' own shards: a member's first term starts a word (its inflected form), is started
  // by the last word (prefix) or is a typo away from a word.
  function prefetchSynonyms(lang, info, ws, prefix) {
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
        member.forEach(function (term) { loadShard(lang, info, term).catch(function () {}); });
      });
    });
  }

  function searchLanguage(lang, text) {
    return loadManifest().then(function (m) {
      var info = m.languages[lang];
      if (!info) return [];
      var ws = words(text, info);
      if (!ws.length) return [];
      var trailingSpace = /\s$/.test(text);
      prefetchSynonyms(lang, info, ws, !trailingSpace);
      return Promise.all(ws.map(function (w, i) {
        return resolveWord(lang, info, w, i === ws.length - 1 && !trailingSpace).then(function (terms) {
          return { word: w, terms: terms };
        });
      })).then(function (resolved) {
        resolved = applySynonyms(info, resolved);
        return Promise.all(resolved.map(function (r) {
          return Promise.all(Object.keys(r.terms).map(function (term) {
            return loadShard(lang, info, term).then(function (s) { return [term, r.terms[term], s]; });
          }));
        })).then(function (perWord) {
          // A document's result line comes from the posting that adds the most to its score.
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

  // Every hit, best first. The page's language also covers the articles not translated into it
  // (found through term translations, see crosslingual.py); with "All languages" each article is
  // found in its own language instead. `limit`: at most that many (the results page asks for 200).
  function search(text, limit) {
    var all = allBox && allBox.checked;
    var langs = all ? Object.keys(config.languages) : [config.lang];
    return Promise.all(langs.map(function (l) { return searchLanguage(l, text); })).then(function (lists) {
      var hits = [].concat.apply([], lists);
      if (all) hits = hits.filter(function (h) { return !h.from.shard.d[h.doc][4]; });
      hits.sort(function (a, b) { return b.rank - a.rank || a.doc - b.doc; });
      return (limit ? hits.slice(0, limit) : hits).map(describe);
    });
  }

  // The document record of a hit ([url, title, kind, category, summary, sections]), from the
  // document chunks: for what needs more than the result line (the contact page's summaries).
  function record(h) {
    return loadManifest().then(function (m) {
      return fetchJSON(base + "search/" + h.lang + "/d/" + Math.floor(h.doc / m.chunk) + ".json.gz")
        .then(function (docs) { return docs[h.doc % m.chunk]; });
    });
  }

  /* ---------------------------------------------------------------- rendering */
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  function highlight(parent, text, terms) {
    var prefixes = terms.filter(function (t) { return t.length >= 3; });
    var last = 0;
    text.replace(WORD_RE, function (w, offset) {
      var f = fold(w);
      var hit = prefixes.some(function (t) { return f.indexOf(t) === 0 || (f.length >= 4 && t.indexOf(f) === 0); });
      if (hit) {
        parent.appendChild(document.createTextNode(text.slice(last, offset)));
        parent.appendChild(el("mark", null, w));
        last = offset + w.length;
      }
      return w;
    });
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function plural(count) {
    if (count === 0) return S.search_none;
    if (count === 1) return S.search_one;
    return S.search_other.replace("{count}", count);
  }

  function render(query, hits) {
    list.textContent = "";
    meta.textContent = plural(hits.length);
    showAnswer(null);
    renderPage(query, hits, 0);
  }

  function renderPage(query, hits, from) {
    var more = list.querySelector("[data-deflect-search-more]");
    if (more) more.remove();
    hits.slice(from, from + PAGE_RESULTS).forEach(function (h, n) {
      var i = from + n;
      var url = h.url;
      if (h.anchor && url.indexOf("#") < 0) url += "#" + h.anchor;
      var li = el("li", "md-search-result__item");
      li.setAttribute("data-deflect-result", h.url);
      var a = el("a", "md-search-result__link");
      a.href = base + url;
      a.setAttribute("data-result-index", i);
      var art = el("article", "md-search-result__article md-typeset");
      var h1 = el("h1");
      highlight(h1, h.title, h.terms);
      if (h.source) {  // in another language: say which, in the reader's language
        var label = el("span", "deflect-search__lang", (config.labels || {})[h.source] || h.source);
        label.setAttribute("data-deflect-lang", h.source);
        h1.appendChild(label);
      } else if (h.lang !== config.lang) {
        h1.appendChild(el("span", "deflect-search__lang", h.lang));
      }
      art.appendChild(h1);
      var where = h.category + (h.heading ? " \u203a " + h.heading : "");
      art.appendChild(el("p", "deflect-search__section", where));
      var p = el("p");
      highlight(p, h.excerpt, h.terms);
      art.appendChild(p);
      a.appendChild(art);
      a.addEventListener("click", function () { beacon(query, hits.length, h.url); });
      li.appendChild(a);
      list.appendChild(li);
    });
    if (hits.length > from + PAGE_RESULTS) {
      var li = el("li", "deflect-search__more");
      var button = el("button", "md-button", S.search_more || "Show more");
      button.type = "button";
      li.setAttribute("data-deflect-search-more", "");
      button.addEventListener("click", function () { renderPage(query, hits, from + PAGE_RESULTS); });
      li.appendChild(button);
      list.appendChild(li);
    }
  }

  // The instant answer: when the top result is an FAQ entry or links to a section with steps,
  // its answer (the FAQ answer or the first steps, from the document chunk) above the results.
  var answerBox = null;
  function showAnswer(box) {
    if (answerBox) answerBox.remove();
    answerBox = box;
    if (box) list.parentNode.insertBefore(box, list);
  }

  function instantAnswer(query, hit, mine) {
    return record(hit).then(function (doc) {
      var answer = doc && doc[7];
      if (mine !== sequence || !answer) return;
      var isFaq = doc[2] === "faq";
      if (!isFaq && hit.section !== answer[0] && hit.section >= 0) return;
      var anchor = doc[5][answer[0]] ? doc[5][answer[0]][0] : "";
      var url = doc[0] + (anchor && doc[0].indexOf("#") < 0 ? "#" + anchor : "");
      var box = el("div", "deflect-search__answer");
      box.setAttribute("data-deflect-answer", url);
      var a = el("a", "deflect-search__answer-title", hit.title);
      a.href = base + url;
      a.addEventListener("click", function () { beacon(query, 1, hit.url); });
      box.appendChild(a);
      var lines = el(isFaq ? "div" : "ol", "deflect-search__answer-text");
      answer[1].forEach(function (line) { lines.appendChild(el(isFaq ? "p" : "li", null, line)); });
      box.appendChild(lines);
      showAnswer(box);
    }).catch(function () { /* the results stand without it */ });
  }

  /* ---------------------------------------------------------------- events */
  function send(event) {
    if (!config.collector) return;
    event.lang = event.lang || config.lang;
    event.page = location.pathname;
    try {
      if (navigator.sendBeacon) navigator.sendBeacon(config.collector.replace(/\/$/, "") + "/api/events",
        new Blob([JSON.stringify(event)], { type: "text/plain;charset=UTF-8" }));
    } catch (e) { /* analytics must never break the page */ }
  }

  function beacon(query, count, clicked) {
    if (!query) return;
    send({ type: "search", query: query, results: count, clicked: clicked || null });
  }

  var timer = null, beaconTimer = null;
  function run() {
    var query = input.value;
    var mine = ++sequence;
    if (!query.trim()) { list.textContent = ""; meta.textContent = S.search_type; return; }
    search(query).then(function (hits) {
      if (mine !== sequence) return;
      render(query, hits);
      root.setAttribute("data-deflect-ready", query);
      if (hits.length) instantAnswer(query, hits[0], mine);
      clearTimeout(beaconTimer);
      beaconTimer = setTimeout(function () { beacon(query, hits.length, null); }, 1500);
    }).catch(function (err) {
      if (mine !== sequence) return;
      meta.textContent = S.search_error;
      if (window.console) console.error("deflect search:", err);
    });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(run, 0);  // stale answers are dropped by `sequence`, so no debounce is needed
  });
  input.addEventListener("keydown", function (ev) {
    var links = list.querySelectorAll(".md-search-result__link");
    var current = list.querySelector("[aria-selected=true]");
    var index = current ? Array.prototype.indexOf.call(list.children, current) : -1;
    if (ev.key === "Enter") {
      ev.preventDefault();
      var target = links[Math.max(index, 0)];
      if (target) target.click();
    } else if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      ev.preventDefault();
      if (!links.length) return;
      index = ev.key === "ArrowDown" ? Math.min(index + 1, links.length - 1) : Math.max(index - 1, 0);
      Array.prototype.forEach.call(list.children, function (li, i) { li.setAttribute("aria-selected", i === index); });
      list.children[index].scrollIntoView({ block: "nearest" });
    } else if (ev.key === "Escape") {
      toggle.checked = false;
      input.blur();
    }
  });
  if (allBox) allBox.addEventListener("change", run);
  root.querySelector("button[type=reset]").addEventListener("click", function () {
    input.value = ""; run(); input.focus();
  });
  if (toggle) toggle.addEventListener("change", function () {
    if (toggle.checked) { setTimeout(function () { input.focus(); }, 50); loadManifest().catch(function () {}); }
  });
  input.addEventListener("focus", function () { if (toggle && !toggle.checked) toggle.checked = true; });
  document.addEventListener("keydown", function (ev) {
    var t = ev.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    // Ctrl/Cmd/Alt combinations stay the browser's (find, save, …).
    if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.isComposing) return;
    if (ev.key === "/" || ev.key === "s" || ev.key === "f") {
      ev.preventDefault();
      if (toggle) toggle.checked = true;
      input.focus();
    }
  });
  // A ?q= parameter opens search with that query (shareable links, the contact page); the full
  // results page shows the results itself.
  var q = new URLSearchParams(location.search).get("q");
  if (q && !document.querySelector("[data-deflect-search-page]")) { input.value = q; if (toggle) toggle.checked = true; run(); }
  window.deflectSearch = { search: search, record: record, run: run, send: send, config: config, highlight: highlight };
  document.dispatchEvent(new CustomEvent("deflect:search-ready"));
})();
