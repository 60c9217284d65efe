/* Deflect help-center pages: "Recently viewed articles" (kept in this browser only), the full search
 * results page, and "X of Y found this helpful". Text from storage, the index or the collector only
 * ever reaches the page through textContent. */
// Once per page: on Material's document$ (each instant navigation too), else now.
(window.document$ ? window.document$.subscribe.bind(window.document$) : function (f) { f(); })(function () {
  "use strict";
  var configEl = document.querySelector("[data-deflect-feedback-config]");
  var page = configEl ? JSON.parse(configEl.content.textContent) : {};
  var stringsEl = document.querySelector("[data-deflect-page-strings]");
  var S = stringsEl ? JSON.parse(stringsEl.content.textContent) : {};
  var KEY = "deflect-recently-viewed", KEEP = 5;

  function load() {
    try {
      var list = JSON.parse(localStorage.getItem(KEY) || "[]");
      return Array.isArray(list) ? list : [];
    } catch (e) { return []; }
  }
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (m, k) { return values[k] !== undefined ? values[k] : m; });
  }

  // Remember each article this reader opens (newest first, one entry per page).
  if (page.role === "article") {
    var h1 = document.querySelector(".md-content h1");
    var entry = { url: location.pathname, title: h1 ? h1.textContent.replace(/\s*¶\s*$/, "").trim() : document.title, lang: page.lang };
    var list = load().filter(function (e) { return e && e.url !== entry.url; });
    list.unshift(entry);
    try { localStorage.setItem(KEY, JSON.stringify(list.slice(0, 20))); } catch (e) { /* storage full or off */ }
  }

  // The home page lists them, in its own language.
  var recent = document.querySelector("[data-deflect-recently-viewed]");
  if (recent) {
    var ul = recent.querySelector("[data-deflect-recently-viewed-list]");
    load().filter(function (e) {
      // Only same-site paths: never a javascript: or another site's URL, whatever the storage holds.
      return e && typeof e.url === "string" && /^\/(?![\/\\])/.test(e.url) && typeof e.title === "string" && e.lang === page.lang;
    }).slice(0, KEEP).forEach(function (e) {
      var li = document.createElement("li"), a = document.createElement("a");
      a.href = e.url;
      a.textContent = e.title;
      li.appendChild(a);
      ul.appendChild(li);
    });
    recent.hidden = !ul.children.length;
  }

  // The full search results page: the results for ?q=, 20 at a time.
  var results = document.querySelector("[data-deflect-search-page]");
  if (results) {
    var query = (new URLSearchParams(location.search).get("q") || "").slice(0, 256);
    var input = results.querySelector("[data-deflect-search-form-input]");
    var meta = results.querySelector("[data-deflect-search-page-meta]");
    var ol = results.querySelector("[data-deflect-search-page-results]");
    input.value = query;
    var PAGE = 20, counted = "";  // counted: "N results for …", shown again after a failed "Show more"
    var show = function (api, hits, from) {
      var old = results.querySelector("[data-deflect-search-page-more]");
      if (old) old.remove();
      hits.slice(from, from + PAGE).forEach(function (h) {
        var li = document.createElement("li"), a = document.createElement("a");
        a.href = api.config.base + h.url + (h.anchor && h.url.indexOf("#") < 0 ? "#" + h.anchor : "");
        a.className = "deflect-search-page__title";
        api.highlight(a, h.title, h.terms);
        li.appendChild(a);
        var where = document.createElement("p");
        where.className = "deflect-search-page__where";
        where.textContent = h.category + (h.heading ? " \u203a " + h.heading : "");
        li.appendChild(where);
        var p = document.createElement("p");
        api.highlight(p, h.excerpt || "", h.terms);
        li.appendChild(p);
        ol.appendChild(li);
      });
      if (hits.length > from + PAGE) {
        var more = document.createElement("button");
        more.type = "button";
        more.className = "md-button deflect-search-page__more";
        more.setAttribute("data-deflect-search-page-more", "");
        more.textContent = S.search_more || "Show more";
        more.addEventListener("click", function () {
          more.disabled = true;
          api.describe(hits.slice(from + PAGE, from + 2 * PAGE)).then(function () {
            meta.textContent = counted;
            show(api, hits, from + PAGE);
          }, function () { more.disabled = false; meta.textContent = S.search_error || ""; });  // a card file failed: try again
        });
        ol.parentNode.insertBefore(more, ol.nextSibling);
      }
    };
    var run = function () {
      var api = window.deflectSearch;
      if (!query.trim() || !api) return;
      // Up to 200 results, shown PAGE at a time ("Show more"): a result's card may need a fetch.
      api.search(query, 200, PAGE).then(function (hits) {
        ol.textContent = "";
        meta.textContent = counted = hits.length ? fill(S.search_page_count || "{count}", { count: hits.length, query: query })
          : (S.search_none || "");
        show(api, hits, 0);
        results.setAttribute("data-deflect-ready", String(hits.length));
      }, function () { meta.textContent = S.search_error || ""; });  // the index could not be read
    };
    if (window.deflectSearch) run(); else document.addEventListener("deflect:search-ready", run);
  }

  // "X of Y found this helpful": the collector's cached per-article counts, shown from a minimum of votes.
  var helpful = document.querySelector("[data-deflect-helpful-count]");
  if (helpful && page.collector && window.fetch) {
    var min = +helpful.getAttribute("data-deflect-helpful-min") || 1;
    fetch(page.collector.replace(/\/$/, "") + "/api/helpful?article=" + encodeURIComponent(page.page), { mode: "cors" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data || typeof data.votes !== "number" || typeof data.helpful !== "number" || data.votes < min) return;
        helpful.textContent = fill(S.helpful_count || "{yes} of {total}", { yes: data.helpful, total: data.votes });
        helpful.hidden = false;
      }).catch(function () { /* no count: nothing shown */ });
  }
});
