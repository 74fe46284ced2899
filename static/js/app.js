/* Keyboard shortcuts and small conveniences; every page also works without this file. */
(function () {
  "use strict";

  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable]");
  }

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-rows] tbody tr[data-href]"));
  }

  function moveSelection(step) {
    var all = rows();
    if (!all.length) return;
    var current = all.findIndex(function (r) { return r.classList.contains("selected"); });
    var next = Math.min(all.length - 1, Math.max(0, current + step));
    if (current >= 0) all[current].classList.remove("selected");
    all[next].classList.add("selected");
    all[next].scrollIntoView({block: "nearest"});
  }

  // An element with data-hotkey="x" (listed by the "?" help): a link is followed, a field focused, anything else
  // clicked; then the element named by data-hotkey-focus-target (e.g. the reply box) gets the focus.
  function hotkey(key) {
    if (key.length !== 1 || !/[a-z]/.test(key)) return false;
    var target = document.querySelector("[data-hotkey='" + key + "']");
    if (!target) return false;
    if (target.tagName === "A" && target.href) { window.location.href = target.href; return true; }
    if (target.matches("input, textarea, select")) { target.focus(); return true; }
    target.click();
    var focus = target.dataset.hotkeyFocusTarget && document.querySelector(target.dataset.hotkeyFocusTarget);
    if (focus) focus.focus();
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (event.key === "/" || event.key === "s") {
      // "/" is the page's own search when it has one, else the header search; "s" is always the header's.
      var search = (event.key === "/" && document.querySelector("[data-hotkey-focus='/']")) ||
                   document.querySelector("[data-hotkey-focus='s']");
      if (search) { event.preventDefault(); search.focus(); search.select(); }
    } else if (hotkey(event.key)) {
      event.preventDefault();
    } else if (event.key === "j" || event.key === "k") {
      event.preventDefault();
      moveSelection(event.key === "j" ? 1 : -1);
    } else if (event.key === "Enter") {
      var selected = document.querySelector("[data-rows] tr.selected[data-href]");
      if (selected) { event.preventDefault(); window.location.href = selected.dataset.href; }
    }
  });

  document.addEventListener("click", function (event) {
    var row = event.target.closest("[data-rows] tr[data-href]");
    if (row && !event.target.closest("a, button, input, select")) window.location.href = row.dataset.href;
  });

  document.addEventListener("DOMContentLoaded", function () {
    if (window.history.length < 2) return;
    document.querySelectorAll("[data-history-back]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.history.back(); });
    });
  });

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("[data-autosubmit]")) target.form.submit();
    if (target.matches("[data-agents-url]")) {
      var assignee = target.form.querySelector("select[name=assignee]");
      if (!assignee) return;
      if (!target.value) { assignee.value = ""; return; }
      fetch(target.dataset.agentsUrl.replace("/0/", "/" + encodeURIComponent(target.value) + "/"),
            {credentials: "same-origin"})
        .then(function (response) { return response.text(); })
        .then(function (html) { assignee.innerHTML = html; assignee.dataset.team = target.value; });
    }
  });
})();
