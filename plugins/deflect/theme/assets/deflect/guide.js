/* Deflect troubleshooting guides: one step at a time. The page stays plain, readable Markdown
 * without JavaScript; this turns each "## step" into a card with the answers as buttons. */
// Once per page: on Material's document$ (each instant navigation too), else now.
(window.document$ ? window.document$.subscribe.bind(window.document$) : function (f) { f(); })(function () {
  "use strict";
  var root = document.querySelector("[data-deflect-guide]");
  if (!root) return;
  var strings = JSON.parse(((document.querySelector("[data-deflect-guide-strings]") || {}).content || {}).textContent || "{}");
  function t(key, fallback) { return strings[key] || fallback; }

  // Split the content into an intro and one block per h2 step.
  var nodes = Array.prototype.slice.call(root.children);
  var steps = [], intro = [], current = null;
  nodes.forEach(function (node) {
    if (node.tagName === "H2" && node.id) {
      current = { id: node.id, nodes: [node] };
      steps.push(current);
    } else if (current) {
      current.nodes.push(node);
    } else {
      intro.push(node);
    }
  });
  if (steps.length < 2) return;
  var byId = {};
  steps.forEach(function (step, index) {
    var wrap = document.createElement("section");
    wrap.className = "deflect-step";
    wrap.setAttribute("data-deflect-step", step.id);
    step.nodes[0].parentNode.insertBefore(wrap, step.nodes[0]);
    step.nodes.forEach(function (n) { wrap.appendChild(n); });
    step.el = wrap;
    step.index = index;
    byId[step.id] = step;
    // Answer lists: items that start with a bold label and link to another step.
    step.answers = [];
    Array.prototype.forEach.call(wrap.querySelectorAll("li"), function (li) {
      var link = li.querySelector("a[href^='#']");
      var label = li.querySelector("strong");
      if (link && label) step.answers.push({ li: li, label: label.textContent, target: link.getAttribute("href").slice(1) });
    });
  });
  root.classList.add("deflect-guide--interactive");

  var history = [];
  var SOLVED = "deflect-solved";
  var controls = document.createElement("div");
  controls.className = "deflect-guide__controls";
  var done = document.createElement("div");
  done.className = "admonition success deflect-guide__done";
  done.hidden = true;
  done.setAttribute("data-deflect-guide-done", "");
  done.textContent = t("guide_done", "Great, glad it works now!");
  root.appendChild(done);

  function button(text, cls, onClick, attr) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "md-button " + (cls || "");
    b.textContent = text;
    if (attr) b.setAttribute(attr, "");
    b.addEventListener("click", onClick);
    return b;
  }

  // Each step is an entry in the browser's history, so Back (or a phone's swipe) goes to the
  // previous step instead of leaving the guide. The trail of steps taken rides in the entry.
  function record(id, push) {
    var state = { deflectStep: id, trail: history.slice() };
    var url = id === SOLVED ? location.pathname + location.search + "#" + steps[0].id : "#" + id;
    if (push && window.history.pushState) window.history.pushState(state, "", url);
    else if (window.history.replaceState) window.history.replaceState(state, "", url);
  }

  function toTop() { window.scrollTo({ top: Math.max(0, root.offsetTop - 80) }); }

  function solved() {
    steps.forEach(function (s) { s.el.hidden = true; });
    controls.textContent = "";
    controls.appendChild(button(t("guide_restart", "Start over"), "", function () {
      history = []; show(steps[0].id, true); toTop();
    }, "data-deflect-guide-restart"));
    done.hidden = false;
    done.parentNode.insertBefore(controls, done.nextSibling);
    root.setAttribute("data-deflect-current-step", "solved");
    // "This solved it" answers "Was this helpful?": the widget thanks instead of asking again.
    document.dispatchEvent(new CustomEvent("deflect:solved"));
  }

  function show(id, push) {
    if (id === SOLVED) { if (push) { history.push(current.id); record(SOLVED, true); } solved(); return; }
    var step = byId[id];
    if (!step) return;
    if (push && current) history.push(current.id);
    current = step;
    done.hidden = true;
    steps.forEach(function (s) { s.el.hidden = s !== step; });
    intro.forEach(function (n) { if (n.tagName !== "H1" && !n.classList.contains("md-content__button")) n.hidden = step.index !== 0; });
    controls.textContent = "";
    var last = step.index === steps.length - 1;
    if (!step.answers.length && !last) {
      controls.appendChild(button(t("guide_solved", "This solved it"), "md-button--primary", function () {
        show(SOLVED, true);
      }, "data-deflect-guide-solved"));
      // A step whose text links to other steps lets the reader pick the link that applies;
      // otherwise "still not working" leads to the next step.
      var links = Array.prototype.filter.call(step.el.querySelectorAll("a[href^='#']"), function (a) {
        return !a.classList.contains("headerlink") && byId[a.getAttribute("href").slice(1)];
      });
      if (!links.length) {
        var next = steps[step.index + 1];
        controls.appendChild(button(t("guide_not_solved", "Still not working"), "", function () { show(next.id, true); toTop(); }, "data-deflect-guide-next"));
      }
    }
    if (last) {
      var contact = document.querySelector("[data-deflect-contact-link]");
      if (contact) {
        var a = document.createElement("a");
        a.className = "md-button md-button--primary";
        a.href = contact.getAttribute("href");
        a.textContent = t("contact", "Contact us");
        a.setAttribute("data-deflect-guide-contact", "");
        controls.appendChild(a);
      }
    }
    if (history.length) controls.appendChild(button(t("guide_back", "Back"), "", function () {
      // Show the previous step at once, then step the browser back too (its popstate shows the same).
      show(history.pop(), null);
      window.history.back();
    }, "data-deflect-guide-back"));
    step.el.appendChild(controls);
    root.setAttribute("data-deflect-current-step", step.id);
    if (push !== null) record(step.id, push);
  }

  // Answers and in-text links to other steps move through the guide instead of scrolling.
  root.addEventListener("click", function (ev) {
    var link = ev.target.closest ? ev.target.closest("a[href^='#']") : null;
    if (!link || link.classList.contains("headerlink")) return;
    var id = link.getAttribute("href").slice(1);
    if (byId[id]) { ev.preventDefault(); show(id, true); toTop(); }
  });
  window.addEventListener("popstate", function (ev) {
    if (!root.isConnected) return;  // instant navigation replaced this guide
    var state = ev.state;
    var id = state && state.deflectStep;
    if (id !== SOLVED && !byId[id]) id = byId[location.hash.slice(1)] ? location.hash.slice(1) : steps[0].id;
    history = state && state.trail ? state.trail.slice() : [];
    show(id, null);
    toTop();
  });
  window.addEventListener("hashchange", function () {
    // A hash typed or linked from outside the guide (entries made by pushState fire no hashchange).
    var id = location.hash.slice(1);
    if (root.isConnected && byId[id] && (!current || current.id !== id)) { show(id, false); toTop(); }
  });
  if ("scrollRestoration" in window.history) window.history.scrollRestoration = "manual";
  var start = location.hash.slice(1);
  var restored = window.history.state && window.history.state.deflectStep;
  if (restored && (restored === SOLVED || byId[restored])) {
    history = (window.history.state.trail || []).slice();
    show(restored, null);
  } else {
    show(byId[start] ? start : steps[0].id, false);
  }
  // The browser scrolls to a #step anchor once the page has loaded, past the guide's title: the
  // guide shows one step under its title, so it starts at the top unless the reader scrolled.
  var touched = false;
  ["wheel", "touchstart", "keydown", "mousedown"].forEach(function (type) {
    window.addEventListener(type, function () { touched = true; }, { once: true, passive: true });
  });
  function settle() { if (!touched) window.scrollTo(0, 0); }
  settle();
  window.addEventListener("load", function () {
    settle();
    window.setTimeout(settle, 0);
    window.requestAnimationFrame(function () { window.requestAnimationFrame(settle); });
  });
});
