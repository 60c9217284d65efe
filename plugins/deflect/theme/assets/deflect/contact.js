/* Deflect contact page: suggest articles while the reader describes the problem (static search
 * index, no server), then the contact options. With a collector configured, records whether the
 * reader opened a suggestion (deflected) or went on to contact support. */
// Once per page: on Material's document$ (each instant navigation too), else now.
(window.document$ ? window.document$.subscribe.bind(window.document$) : function (f) { f(); })(function () {
  "use strict";
  var root = document.querySelector("[data-deflect-contact]");
  if (!root) return;
  var input = root.querySelector("[data-deflect-contact-input]");
  var box = root.querySelector("[data-deflect-suggestions]");
  var list = root.querySelector("[data-deflect-suggestion-list]");
  var none = root.querySelector("[data-deflect-no-suggestions]");
  var opened = [];
  var shown = [];
  var timer = null, sequence = 0;

  function api() { return window.deflectSearch; }

  function suggest() {
    var text = input.value;
    var mine = ++sequence;
    if (!api() || text.trim().length < 3) { box.hidden = true; return; }
    api().search(text).then(function (hits) {
      hits = hits.slice(0, 5);
      // The summaries are in the full records (search results carry only a result line).
      return Promise.all(hits.map(api().record)).then(function (records) {
        hits.forEach(function (h, i) { h.summary = records[i] ? records[i][4] : ""; });
        return hits;
      });
    }).then(function (hits) {
      if (mine !== sequence) return;
      list.textContent = "";
      shown = hits.map(function (h) { return h.url; });
      hits.forEach(function (h) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = api().config.base + h.url;
        a.setAttribute("data-deflect-suggestion", h.url);
        api().highlight(a, h.title, h.terms);
        if (h.source) {  // an article not translated into this language: say which language it is in
          var label = document.createElement("span");
          label.className = "deflect-search__lang";
          label.setAttribute("data-deflect-lang", h.source);
          label.textContent = (api().config.labels || {})[h.source] || h.source;
          a.appendChild(label);
        }
        a.addEventListener("click", function () {
          opened.push(h.url);
          api().send({ type: "contact", action: "deflected", article: h.url, query: input.value.slice(0, 256) });
        });
        li.appendChild(a);
        if (h.summary) {
          var p = document.createElement("p");
          p.textContent = h.summary;
          li.appendChild(p);
        }
        list.appendChild(li);
      });
      none.hidden = hits.length > 0;
      box.hidden = false;
      root.setAttribute("data-deflect-ready", text);
    }).catch(function (err) { if (window.console) console.error("deflect contact:", err); });
  }

  // The email link carries what the reader typed, so they need not type it twice: the first line
  // (shortened) as the subject, the whole text as the body, each percent-encoded for a mailto: URL.
  var mail = root.querySelector("[data-deflect-contact-option=email]");
  function updateMail() {
    if (!mail) return;
    var address = mail.getAttribute("data-deflect-contact-email") || "";
    var text = input.value.trim();
    var subject = text.split(/\r?\n/)[0].slice(0, 80);
    mail.href = "mailto:" + address + (text ? "?subject=" + encodeURIComponent(subject) + "&body=" + encodeURIComponent(text) : "");
  }
  input.addEventListener("input", function () { updateMail(); clearTimeout(timer); timer = setTimeout(suggest, 120); });
  updateMail();
  Array.prototype.forEach.call(root.querySelectorAll("[data-deflect-contact-option]"), function (a) {
    a.addEventListener("click", function () {
      if (!api()) return;
      api().send({ type: "contact", action: "contacted", channel: a.getAttribute("data-deflect-contact-option"),
        suggested: shown, opened: opened, query: input.value.slice(0, 256) });
    });
  });
  if (!api()) document.addEventListener("deflect:search-ready", function () { if (input.value) suggest(); });
});
