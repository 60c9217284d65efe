/* Deflect search, index loading: the static index's files (deflect/search/static.py), fetched when
 * needed, gunzipped, cached. */

export var EMPTY = { t: {}, x: {}, f: {}, d: {} };  // the shard of a word no shard key starts

// The browser's gzip decoder, else (Safari < 16.4, Firefox < 113) search-gunzip.js, fetched only then.
export function inflate(bytes) {
  if (typeof DecompressionStream != "function") return import("./search-gunzip.js").then(m => m.gunzip(bytes));
  return new Response(new Response(bytes).body.pipeThrough(new DecompressionStream("gzip"))).arrayBuffer()
    .then(buf => new Uint8Array(buf));
}

// The index of the site at `base`. A file is fetched once; a failed fetch is tried again next time.
export function createIndex(base, format) {
  var cache = {}, manifest = null, loaded = null, stale = false;

  // `reload`: past the browser's HTTP cache, to the server (every file, once the cache proved stale).
  function fetchJSON(url, reload) {
    reload = reload || stale;
    var key = (reload ? "reload " : "") + url;
    if (!cache[key]) {
      cache[key] = fetch(url, reload ? { cache: "reload" } : {}).then(r => {
        if (!r.ok) throw new Error(url + ": HTTP " + r.status);
        return r.arrayBuffer();
      }).then(buf => {
        var bytes = new Uint8Array(buf);
        // A host may have sent the file with Content-Encoding: gzip, which the browser undid.
        return bytes[0] === 0x1f && bytes[1] === 0x8b ? inflate(bytes) : bytes;
      }).then(bytes => JSON.parse(new TextDecoder().decode(bytes)));
      cache[key].catch(() => { delete cache[key]; });
    }
    return cache[key];
  }

  // The manifest in the index format `format` (the page's, from static.py's FORMAT_VERSION). A copy of
  // another format is a cached one from before the site was rebuilt: fetched again past the cache.
  function currentManifest() {
    var url = base + "search/manifest.json";
    var current = m => format === undefined || (m && m.version === format);
    return fetchJSON(url).then(m => {
      if (current(m)) return m;
      stale = true;  // the shards and records in the cache are that older index's too
      return fetchJSON(url).then(fresh => {
        if (!current(fresh)) throw new Error(url + ": index format " + (fresh && fresh.version) + ", not " + format);
        return fresh;
      });
    });
  }

  function loadManifest() {
    if (!manifest) {
      manifest = currentManifest().then(m => {
        Object.values(m.languages).forEach(info => {
          info.stopSet = {};
          info.stop.forEach(w => { info.stopSet[w] = true; });
          info.keySet = {};
          info.shards.forEach(k => { info.keySet[k] = true; });
        });
        return (loaded = m);
      });
      manifest.catch(() => { manifest = null; });
    }
    return manifest;
  }

  var shardFile = (lang, key) => fetchJSON(base + "search/" + lang + "/t/" + encodeURIComponent(key) + ".json.gz");
  var cardFile = (lang, n) => fetchJSON(base + "search/" + lang + "/c/" + n + ".json.gz");

  return {
    manifest: loadManifest,
    loaded: () => loaded,  // the manifest, once loaded, for what must answer at once (highlighting)
    // The shard that holds `word`'s terms and forms: the longest shard key that starts it.
    shard(lang, info, word) {
      for (var n = Math.min(word.length, info.analysis.key_length); n >= 1; n--) {
        if (info.keySet[word.slice(0, n)]) return shardFile(lang, word.slice(0, n));
      }
      return Promise.resolve(EMPTY);
    },
    // Every shard whose terms may start with `word` (for prefix matching of the last word).
    prefixShards: (lang, info, word) => Promise.all(info.shards.filter(k => k.indexOf(word) === 0).slice(0, 6)
      .map(k => shardFile(lang, k))),
    // The result cards of `docs` of `lang` (manifest `m`): {doc: [url, title, category, [[anchor, heading], …]]}.
    cards(m, lang, docs) {
      var size = m.languages[lang].cards, chunks = {};
      docs.forEach(doc => { chunks[Math.floor(doc / size)] = true; });
      return Promise.all(Object.keys(chunks).map(n => cardFile(lang, n).then(list => [+n, list]))).then(lists => {
        var found = {};
        lists.forEach(([n, list]) => list.forEach((card, i) => { found[n * size + i] = card; }));
        return found;
      });
    },
    // A hit's document record (static.py), for what its result line leaves out.
    record: h => loadManifest().then(m => fetchJSON(base + "search/" + h.lang + "/d/" + Math.floor(h.doc / m.chunk)
      + ".json.gz").then(docs => docs[h.doc % m.chunk])),
  };
}
