/* Deflect troubleshooting guides: one step at a time. The page stays plain, readable Markdown
 * without JavaScript; this turns each "## step" into a card with the answers as buttons. */
(function () {
  "use strict";
  var root = document.querySelector("[data-deflect-guide]");
  if (!root) return;
  var strings = JSON.parse((document.querySelector("[data-deflect-guide-strings]") || {}).textContent || "{}");
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

  function show(id, push) {
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
        steps.forEach(function (s) { s.el.hidden = true; });
        controls.textContent = "";
        controls.appendChild(button(t("guide_restart", "Start over"), "", function () { history = []; show(steps[0].id, false); }, "data-deflect-guide-restart"));
        done.hidden = false;
        done.parentNode.insertBefore(controls, done.nextSibling);
        root.setAttribute("data-deflect-current-step", "solved");
      }, "data-deflect-guide-solved"));
      // A step whose text links to other steps lets the reader pick the link that applies;
      // otherwise "still not working" leads to the next step.
      var links = Array.prototype.filter.call(step.el.querySelectorAll("a[href^='#']"), function (a) {
        return !a.classList.contains("headerlink") && byId[a.getAttribute("href").slice(1)];
      });
      if (!links.length) {
        var next = steps[step.index + 1];
        controls.appendChild(button(t("guide_not_solved", "Still not working"), "", function () { show(next.id, true); }, "data-deflect-guide-next"));
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
      var previous = history.pop();
      show(previous, false);
    }, "data-deflect-guide-back"));
    step.el.appendChild(controls);
    root.setAttribute("data-deflect-current-step", step.id);
    if (window.history.replaceState) window.history.replaceState(null, "", "#" + step.id);
  }

  // Answers and in-text links to other steps move through the guide instead of scrolling.
  root.addEventListener("click", function (ev) {
    var link = ev.target.closest ? ev.target.closest("a[href^='#']") : null;
    if (!link || link.classList.contains("headerlink")) return;
    var id = link.getAttribute("href").slice(1);
    if (byId[id]) { ev.preventDefault(); show(id, true); window.scrollTo({ top: root.offsetTop - 80 }); }
  });
  window.addEventListener("hashchange", function () {
    var id = location.hash.slice(1);
    if (byId[id] && (!current || current.id !== id)) show(id, true);
  });
  var start = location.hash.slice(1);
  show(byId[start] ? start : steps[0].id, false);
})();
