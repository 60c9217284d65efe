/* Deflect feedback: "Was this helpful?" below each article and inside each FAQ answer (see
 * partials/deflect-feedback.html), and one page view per page load.
 *
 * No cookies: a random voter id and each article's last vote live in localStorage (in memory when
 * storage is unavailable). Votes go to <collector>/api/votes; a vote that could not be delivered stays
 * "pending" in localStorage and is sent again on the next page load, so no vote is lost. Without a
 * collector, votes go to Material's analytics (gtag) when configured; otherwise the widget stays hidden. */
// Once per page: on Material's document$ (each instant navigation too), else now.
(window.document$ ? window.document$.subscribe.bind(window.document$) : function (f) { f(); })(function () {
  "use strict";
  var configEl = document.querySelector("[data-deflect-feedback-config]");
  if (!configEl) return;
  var config = JSON.parse(configEl.content.textContent);
  var collector = (config.collector || "").replace(/\/$/, "");
  var REASONS = config.reasons || [];  // the reasons the collector accepts (feedback_reasons.py)
  var KEY_VOTER = "deflect.voter", KEY_VOTES = "deflect.votes", KEY_PENDING = "deflect.pending";

  /* ---------------------------------------------------------------- storage (localStorage or memory) */
  var memory = {};
  var storage = (function () {
    try {
      var ls = window.localStorage, probe = "deflect.probe";
      ls.setItem(probe, "1");
      ls.removeItem(probe);
      return ls;
    } catch (e) {
      return null;
    }
  })();

  function load(key, fallback) {
    var raw = null;
    try { raw = storage ? storage.getItem(key) : memory[key]; } catch (e) { raw = memory[key]; }
    if (raw == null) return fallback;
    try { return JSON.parse(raw); } catch (e) { return fallback; }
  }

  function save(key, value) {
    var raw = JSON.stringify(value);
    memory[key] = raw;
    try { if (storage) storage.setItem(key, raw); } catch (e) { /* full or blocked: memory keeps it */ }
  }

  function randomId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    if (window.crypto && crypto.getRandomValues) crypto.getRandomValues(bytes);
    else for (var i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  function voter() {
    var id = load(KEY_VOTER, null);
    if (typeof id !== "string" || !id) {
      id = randomId();
      save(KEY_VOTER, id);
    }
    return id;
  }

  /* ---------------------------------------------------------------- delivery */
  function analytics() {
    if (typeof window.gtag === "function") return window.gtag;
    if (config.analytics && Array.isArray(window.dataLayer)) {
      return function () { window.dataLayer.push(arguments); };
    }
    return null;
  }

  var enabled = !!collector || !!analytics() || !!config.analytics;

  // Pending votes: article → body of the newest vote not yet acknowledged by the collector.
  function post(body) {
    var pending = load(KEY_PENDING, {});
    pending[body.article] = body;
    save(KEY_PENDING, pending);
    var sent = JSON.stringify(body);
    var request;
    try {
      request = fetch(collector + "/api/votes", {
        method: "POST", mode: "cors", keepalive: true, credentials: "omit",
        headers: { "Content-Type": "application/json" }, body: sent
      });
    } catch (e) {
      return;
    }
    request.then(function (response) {
      // Delivered, or refused for good (a 4xx other than "try again later"): nothing to retry.
      var retry = response.status >= 500 || response.status === 429 || response.status === 408;
      if (!retry) done(body.article, sent);
    }).catch(function () { /* offline or blocked: stays pending for the next page load */ });
  }

  function done(article, sent) {
    var pending = load(KEY_PENDING, {});
    if (pending[article] && JSON.stringify(pending[article]) === sent) {
      delete pending[article];
      save(KEY_PENDING, pending);
    }
  }

  function flushPending() {
    var pending = load(KEY_PENDING, {});
    Object.keys(pending).forEach(function (article) {
      if (pending[article] && typeof pending[article] === "object") post(pending[article]);
    });
  }

  function deliver(body) {
    if (collector) {
      post(body);
      return;
    }
    var gtag = analytics();
    if (gtag) {
      try { gtag("event", "feedback", { page: body.article, data: body.helpful ? 1 : 0 }); } catch (e) { /* never break the page */ }
    }
  }

  function pageview() {
    if (!collector || !navigator.sendBeacon) return;
    try {
      navigator.sendBeacon(collector + "/api/events", new Blob(
        [JSON.stringify({ type: "pageview", page: config.page, lang: config.lang })], { type: "text/plain;charset=UTF-8" }));
    } catch (e) { /* analytics must never break the page */ }
  }

  /* ---------------------------------------------------------------- the widget */
  var count = 0;

  function widget(root, article) {
    var ask = root.querySelector("[data-deflect-feedback-ask]");
    var yes = root.querySelector("[data-deflect-feedback-vote='yes']");
    var no = root.querySelector("[data-deflect-feedback-vote='no']");
    var form = root.querySelector("[data-deflect-feedback-form]");
    var status = root.querySelector("[data-deflect-feedback-status]");
    var thanks = root.querySelector("[data-deflect-feedback-thanks]");
    var change = root.querySelector("[data-deflect-feedback-change]");
    var thanksText = root.querySelector("[data-deflect-feedback-thanks-text]").textContent;
    var comment = form.querySelector("textarea");
    var name = "deflect-feedback-reason-" + (++count);
    Array.prototype.forEach.call(form.querySelectorAll("input[type=radio]"), function (r) { r.name = name; });
    root.setAttribute("data-deflect-article", article);

    function showAsk(focus) {
      var last = load(KEY_VOTES, {})[article];
      ask.hidden = false;
      form.hidden = true;
      thanks.hidden = true;
      status.textContent = "";
      yes.setAttribute("aria-pressed", "false");
      no.setAttribute("aria-pressed", "false");
      if (focus) (last && last.helpful === false ? no : yes).focus();
    }

    function showThanks(focus) {
      ask.hidden = true;
      form.hidden = true;
      thanks.hidden = false;
      status.textContent = thanksText;
      root.setAttribute("data-deflect-feedback-state", "thanks");
      if (focus) change.focus();
    }

    function vote(helpful, reason, text, quiet) {
      var body = {
        article: article, lang: config.lang, helpful: helpful,
        reason: helpful || REASONS.indexOf(reason) < 0 ? null : reason,
        comment: helpful || !text || !text.trim() ? null : text.trim().slice(0, 2000),
        voter: voter()
      };
      var votes = load(KEY_VOTES, {});
      votes[article] = { helpful: body.helpful, reason: body.reason, at: new Date().toISOString() };
      save(KEY_VOTES, votes);
      deliver(body);
      showThanks(!quiet);
    }

    yes.addEventListener("click", function () { vote(true, null, null); });
    no.addEventListener("click", function () {
      var last = load(KEY_VOTES, {})[article];
      yes.setAttribute("aria-pressed", "false");
      no.setAttribute("aria-pressed", "true");
      form.hidden = false;
      Array.prototype.forEach.call(form.querySelectorAll("input[type=radio]"), function (r) {
        r.checked = !!(last && last.helpful === false && last.reason === r.value);
      });
      var first = form.querySelector("input[type=radio]:checked") || form.querySelector("input[type=radio]");
      first.focus();
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var checked = form.querySelector("input[type=radio]:checked");
      vote(false, checked ? checked.value : null, comment.value);
      comment.value = "";
    });
    change.addEventListener("click", function () {
      root.removeAttribute("data-deflect-feedback-state");
      showAsk(true);
    });

    if (config.role === "article") {
      // A troubleshooting guide's "This solved it" is a helpful vote, unless the reader voted already.
      document.addEventListener("deflect:solved", function () {
        if (root.isConnected && !load(KEY_VOTES, {})[article]) vote(true, null, null, true);
      });
    }
    if (load(KEY_VOTES, {})[article]) showThanks(false);
    else showAsk(false);
    root.hidden = false;
  }

  pageview();
  if (collector) flushPending();
  if (!enabled) return;

  if (config.role === "article") {
    var section = document.querySelector("[data-deflect-feedback]");
    if (section) widget(section, config.page);
  } else if (config.role === "faq") {
    var template = document.querySelector("template[data-deflect-feedback-template]");
    if (template) {
      Array.prototype.forEach.call(document.querySelectorAll("details.deflect-faq[id]"), function (details) {
        var fragment = template.content.cloneNode(true);
        var section = fragment.querySelector("[data-deflect-feedback]");
        section.classList.add("deflect-feedback--small");
        details.appendChild(fragment);
        widget(section, config.page + "#" + details.id);
      });
    }
  }
});
