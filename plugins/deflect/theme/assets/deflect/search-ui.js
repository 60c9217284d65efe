/* Deflect search, the interface: the search box in the header, its results (highlighted, ten at a
 * time), the instant answer above them and the keyboard (/, s or f to search, arrows, Enter, Esc). */
import { WORD_RE, fold } from "./search-analysis.js";

var PAGE_RESULTS = 10;  // shown at once; "Show more" adds as many again

function el(tag, cls, text) {
  var e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text) e.textContent = text;
  return e;
}

// Append `text` to `parent` with the words that start with (or start) one of `terms` in <mark>;
// `rules`: the analysis constants the words are folded with.
export function highlight(parent, text, terms, rules) {
  var prefixes = terms.filter(function (t) { return t.length >= 3; });
  var last = 0;
  text.replace(WORD_RE, function (w, offset) {
    var f = fold(w, rules);
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

// Run the search box `root`. api: {search(text), record(hit), highlight(parent, text, terms),
// beacons: {search(query, count, clicked)}, manifest()}. Returns run(), which searches the box's text.
export function startInterface(root, config, api) {
  var S = config.strings;
  var base = config.base;
  var input = root.querySelector("[data-deflect-search-input]");
  var list = root.querySelector("[data-deflect-search-results]");
  var meta = root.querySelector("[data-deflect-search-meta]");
  var allBox = root.querySelector("[data-deflect-search-all]");
  var toggle = document.getElementById("__search");
  var sequence = 0;
  var beacon = api.beacons.search;

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
      api.highlight(h1, h.title, h.terms);
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
      api.highlight(p, h.excerpt, h.terms);
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
    return api.record(hit).then(function (doc) {
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

  var timer = null, beaconTimer = null;
  function run() {
    var query = input.value;
    var mine = ++sequence;
    if (!query.trim()) { list.textContent = ""; meta.textContent = S.search_type; return; }
    api.search(query).then(function (hits) {
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
    if (toggle.checked) { setTimeout(function () { input.focus(); }, 50); api.manifest().catch(function () {}); }
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
  return run;
}
