/* Deflect search: queries the static, sharded index in search/ (see deflect/search/static.py), with
 * no server. This module wires the parts, each with one job: search-index.js (loading),
 * search-analysis.js (query analysis), search-rank.js (ranking), search-ui.js (the search box) and
 * search-beacon.js (analytics), then offers them to the other scripts as window.deflectSearch
 * (contact.js, helpcenter.js) and says so with the event deflect:search-ready. */
import { createIndex } from "./search-index.js";
import { search as rankedSearch } from "./search-rank.js";
import { highlight as mark, startInterface } from "./search-ui.js";
import { createBeacons } from "./search-beacon.js";

var root = document.querySelector("[data-deflect-search]");
if (root) {
  var config = JSON.parse(root.querySelector("[data-deflect-search-config]").textContent);
  var index = createIndex(config.base);
  var beacons = createBeacons(config);
  var allBox = root.querySelector("[data-deflect-search-all]");
  var noRules = { fold: {} };

  // Every hit, best first. The page's language also covers the articles not translated into it
  // (found through term translations, see crosslingual.py); with "All languages" each article is
  // found in its own language instead. `limit`: at most that many (the results page asks for 200).
  var search = function (text, limit) {
    var all = allBox && allBox.checked;
    return rankedSearch(index, all ? Object.keys(config.languages) : [config.lang], text, limit, all);
  };
  // Highlighting folds words as the page language's analysis does (known once the manifest is).
  var highlight = function (parent, text, terms) {
    var m = index.loaded(), info = m && m.languages[config.lang];
    mark(parent, text, terms, info ? info.analysis : noRules);
  };
  var run = startInterface(root, config, {
    search: search, record: index.record, highlight: highlight, beacons: beacons, manifest: index.manifest,
  });
  window.deflectSearch = {
    search: search, record: index.record, run: run, send: beacons.send, config: config, highlight: highlight,
  };
  document.dispatchEvent(new CustomEvent("deflect:search-ready"));
}
