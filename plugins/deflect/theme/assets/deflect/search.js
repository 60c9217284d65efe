/* Deflect search, the interface: the search box, its results, the instant answer and the keyboard,
 * over search-index.js, search-analysis.js, search-rank.js (and search-beacon.js with a collector).
 * window.deflectSearch lends them to contact.js and helpcenter.js. */
import { createIndex } from "./search-index.js";
import { WORD_RE, fold } from "./search-analysis.js";
import { search as rankedSearch, describe } from "./search-rank.js";

var PAGE_RESULTS = 10;  // shown at once; "Show more" adds as many again
var root = document.querySelector("[data-deflect-search]");
if (root) start(JSON.parse(root.querySelector("[data-deflect-search-config]").textContent));

function el(tag, cls, text) {
  var e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text) e.textContent = text;
  return e;
}

function start(config) {
  // The box lives in the header, which instant navigation keeps: `base` is made absolute once, so
  // it holds on every page reached without a reload.
  var base = config.base = new URL(config.base, location.href).href;
  var S = config.strings, index = createIndex(base, config.format);
  var input = root.querySelector("[data-deflect-search-input]");
  var list = root.querySelector("[data-deflect-search-results]");
  var meta = root.querySelector("[data-deflect-search-meta]");
  var allBox = root.querySelector("[data-deflect-search-all]");
  var toggle = document.getElementById("__search");
  var beacons = config.collector ? import("./search-beacon.js").then(m => m.createBeacons(config)) : null;
  var send = event => { if (beacons) beacons.then(b => b.send(event)); };
  var beacon = (query, count, clicked) => { if (beacons) beacons.then(b => b.search(query, count, clicked)); };
  var sequence = 0, answerBox = null, timer = null, beaconTimer = null;

  // Every hit, best first: in the page's language, or in every language with "All languages"; the first
  // `described` (default: all) with their result lines.
  function search(text, limit, described) {
    var all = allBox && allBox.checked;
    return rankedSearch(index, all ? Object.keys(config.languages) : [config.lang], text, limit, all, described);
  }

  // `text` into `parent`, in <mark> the words a term starts (or that start a term).
  function highlight(parent, text, terms) {
    var m = index.loaded(), rules = m && m.languages[config.lang] ? m.languages[config.lang].analysis : { fold: {} };
    var prefixes = terms.filter(t => t.length >= 3), last = 0;
    text.replace(WORD_RE, (w, offset) => {
      var f = fold(w, rules);
      if (prefixes.some(t => f.indexOf(t) === 0 || (f.length >= 4 && t.indexOf(f) === 0))) {
        parent.appendChild(document.createTextNode(text.slice(last, offset)));
        parent.appendChild(el("mark", null, w));
        last = offset + w.length;
      }
      return w;
    });
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function render(query, hits) {
    list.textContent = "";
    meta.textContent = hits.length > 1 ? S.search_other.replace("{count}", hits.length)
      : hits.length ? S.search_one : S.search_none;
    showAnswer(null);
    renderPage(query, hits, 0);
  }

  function renderPage(query, hits, from) {
    var more = list.querySelector("[data-deflect-search-more]");
    if (more) more.remove();
    hits.slice(from, from + PAGE_RESULTS).forEach((h, n) => {
      var li = el("li", "md-search-result__item"), a = el("a", "md-search-result__link");
      var art = el("article", "md-search-result__article md-typeset"), h1 = el("h1"), p = el("p");
      li.setAttribute("data-deflect-result", h.url);
      a.href = base + h.url + (h.anchor && h.url.indexOf("#") < 0 ? "#" + h.anchor : "");
      a.setAttribute("data-result-index", from + n);
      highlight(h1, h.title, h.terms);
      if (h.source) {  // in another language: say which, in the reader's language
        var label = el("span", "deflect-search__lang", (config.labels || {})[h.source] || h.source);
        label.setAttribute("data-deflect-lang", h.source);
        h1.appendChild(label);
      } else if (h.lang !== config.lang) {
        h1.appendChild(el("span", "deflect-search__lang", h.lang));
      }
      art.appendChild(h1);
      art.appendChild(el("p", "deflect-search__section", h.category + (h.heading ? " \u203a " + h.heading : "")));
      highlight(p, h.excerpt, h.terms);
      art.appendChild(p);
      a.appendChild(art);
      a.addEventListener("click", () => beacon(query, hits.length, h.url));
      li.appendChild(a);
      list.appendChild(li);
    });
    if (hits.length > from + PAGE_RESULTS) {
      var li = el("li", "deflect-search__more"), button = el("button", "md-button", S.search_more || "Show more");
      button.type = "button";
      li.setAttribute("data-deflect-search-more", "");
      button.addEventListener("click", () => {
        button.disabled = true;
        var mine = sequence, next = from + PAGE_RESULTS;
        describe(index, hits.slice(next, next + PAGE_RESULTS)).then(() => {
          if (mine === sequence) renderPage(query, hits, next);
        }, () => { button.disabled = false; });
      });
      li.appendChild(button);
      list.appendChild(li);
    }
  }

  function showAnswer(box) {
    if (answerBox) answerBox.remove();
    answerBox = box;
    if (box) list.parentNode.insertBefore(box, list);
  }

  // The instant answer: when the top result is an FAQ entry or links to a section with steps, its
  // answer (the FAQ answer or the first steps, from the document chunk) above the results.
  function instantAnswer(query, hit, mine) {
    return index.record(hit).then(doc => {
      var answer = doc && doc[6], isFaq = doc && doc[2] === "faq";
      if (mine !== sequence || !answer || (!isFaq && hit.section !== answer[0] && hit.section >= 0)) return;
      var anchor = doc[5][answer[0]] ? doc[5][answer[0]][0] : "", page = hit.url;  // (doc[0], in the reader's section)
      var url = page + (anchor && page.indexOf("#") < 0 ? "#" + anchor : "");
      var box = el("div", "deflect-search__answer"), a = el("a", "deflect-search__answer-title", hit.title);
      var lines = el(isFaq ? "div" : "ol", "deflect-search__answer-text");
      box.setAttribute("data-deflect-answer", url);
      a.href = base + url;
      a.addEventListener("click", () => beacon(query, 1, hit.url));
      box.appendChild(a);
      answer[1].forEach(line => lines.appendChild(el(isFaq ? "p" : "li", null, line)));
      box.appendChild(lines);
      showAnswer(box);
    }).catch(() => { /* the results stand without it */ });
  }

  function run() {
    var query = input.value, mine = ++sequence;
    if (!query.trim()) { list.textContent = ""; meta.textContent = S.search_type; return; }
    search(query, 0, PAGE_RESULTS).then(hits => {
      if (mine !== sequence) return;
      render(query, hits);
      root.setAttribute("data-deflect-ready", query);
      if (hits.length) instantAnswer(query, hits[0], mine);
      clearTimeout(beaconTimer);
      beaconTimer = setTimeout(() => beacon(query, hits.length, null), 1500);
    }).catch(err => {
      if (mine !== sequence) return;
      meta.textContent = S.search_error;
      if (window.console) console.error("deflect search:", err);
    });
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(run, 0);  // stale answers are dropped by `sequence`, so no debounce is needed
  });
  input.addEventListener("keydown", ev => {
    var links = list.querySelectorAll(".md-search-result__link");
    var current = list.querySelector("[aria-selected=true]");
    var i = current ? Array.prototype.indexOf.call(list.children, current) : -1;
    if (ev.key === "Enter") {
      ev.preventDefault();
      if (links[Math.max(i, 0)]) links[Math.max(i, 0)].click();
    } else if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      ev.preventDefault();
      if (!links.length) return;
      i = ev.key === "ArrowDown" ? Math.min(i + 1, links.length - 1) : Math.max(i - 1, 0);
      Array.prototype.forEach.call(list.children, (li, k) => li.setAttribute("aria-selected", k === i));
      list.children[i].scrollIntoView({ block: "nearest" });
    } else if (ev.key === "Escape") {
      toggle.checked = false;
      input.blur();
    }
  });
  if (allBox) allBox.addEventListener("change", run);
  root.querySelector("button[type=reset]").addEventListener("click", () => { input.value = ""; run(); input.focus(); });
  if (toggle) toggle.addEventListener("change", () => {
    if (toggle.checked) { setTimeout(() => input.focus(), 50); index.manifest().catch(() => {}); }
  });
  input.addEventListener("focus", () => { if (toggle && !toggle.checked) toggle.checked = true; });
  document.addEventListener("keydown", ev => {
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
  // The page scripts' search (helpcenter.js, contact.js): up to `limit` hits (default: all), the first
  // `described` (default: `limit`, else a page's worth) with their result lines; `describe(hits)` gives
  // others theirs (a Promise of the same hits).
  window.deflectSearch = { search: (text, limit, described) => search(text, limit, described || limit || PAGE_RESULTS),
    describe: hits => describe(index, hits), record: index.record, run: run, send: send, config: config, highlight: highlight };
  if (window.document$) window.document$.subscribe(page); else page();

  // Each page, the first and each one reached by Material's instant navigation.
  var pages = 0;
  function page() {
    // Navigated into another language: the header (this box, its strings, the language menu) is
    // the last language's, so load the page whole.
    var pageConfig = document.querySelector("[data-deflect-feedback-config]");
    var lang = pageConfig ? JSON.parse(pageConfig.content.textContent).lang : config.lang;
    if (pages++ && lang !== config.lang) { location.reload(); return; }
    // A ?q= parameter opens search with that query (shareable links, the contact page); the full
    // results page shows the results itself.
    var q = new URLSearchParams(location.search).get("q");
    if (q && !document.querySelector("[data-deflect-search-page]")) { input.value = q; if (toggle) toggle.checked = true; run(); }
    document.dispatchEvent(new CustomEvent("deflect:search-ready"));
  }
}
