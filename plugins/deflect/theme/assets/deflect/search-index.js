/* Deflect search, index loading: the manifest, term shards and document chunks of the static index
 * (deflect/search/static.py), fetched on demand, gunzipped in the browser and cached per URL. */

export var EMPTY = { t: {}, x: {}, f: {}, d: {} };  // the shard of a word no shard key starts

// The browser's own gzip decoder where it has one; the hand-written inflate (search-gunzip.js) only
// where it has not (Safari before 16.4, Firefox before 113), loaded then and only then.
export function inflate(bytes) {
  if (typeof DecompressionStream === "function") {
    return new Response(new Response(bytes).body.pipeThrough(new DecompressionStream("gzip"))).arrayBuffer()
      .then(function (buf) { return new Uint8Array(buf); });
  }
  return import("./search-gunzip.js").then(function (m) { return m.gunzip(bytes); });
}

// The index under `base` (the site root). Each file is fetched once; a failed fetch is tried again.
export function createIndex(base) {
  var cache = {};  // url → Promise of parsed JSON
  var manifest = null, loaded = null;

  function fetchJSON(url) {
    if (!cache[url]) {
      cache[url] = fetch(url).then(function (r) {
        if (!r.ok) throw new Error(url + ": HTTP " + r.status);
        return r.arrayBuffer();
      }).then(function (buf) {
        var bytes = new Uint8Array(buf);
        // A host may have sent the file with Content-Encoding: gzip, which the browser undid.
        return bytes[0] === 0x1f && bytes[1] === 0x8b ? inflate(bytes) : bytes;
      }).then(function (bytes) { return JSON.parse(new TextDecoder().decode(bytes)); });
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
        return (loaded = m);
      });
      manifest.catch(function () { manifest = null; });
    }
    return manifest;
  }

  function shardKey(info, word) {
    for (var n = Math.min(word.length, info.analysis.key_length); n >= 1; n--) {
      var k = word.slice(0, n);
      if (info.keySet[k]) return k;
    }
    return null;
  }

  function shardFile(lang, key) {
    return fetchJSON(base + "search/" + lang + "/t/" + encodeURIComponent(key) + ".json.gz");
  }

  return {
    manifest: loadManifest,
    // The manifest once loaded, else null: for what must answer at once (highlighting).
    loaded: function () { return loaded; },
    // The shard that holds `word`'s terms and forms.
    shard: function (lang, info, word) {
      var key = shardKey(info, word);
      return key === null ? Promise.resolve(EMPTY) : shardFile(lang, key);
    },
    // Every shard whose terms may start with `word` (for prefix matching of the last word).
    prefixShards: function (lang, info, word) {
      var keys = info.shards.filter(function (k) { return k.indexOf(word) === 0; }).slice(0, 6);
      return Promise.all(keys.map(function (k) { return shardFile(lang, k); }));
    },
    // The document record of a hit ([url, title, kind, category, summary, sections, source, answer]),
    // from the document chunks: for what needs more than the result line (summaries, instant answers).
    record: function (h) {
      return loadManifest().then(function (m) {
        return fetchJSON(base + "search/" + h.lang + "/d/" + Math.floor(h.doc / m.chunk) + ".json.gz")
          .then(function (docs) { return docs[h.doc % m.chunk]; });
      });
    },
  };
}
