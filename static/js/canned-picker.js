/*
 * Canned-response picker: fills <div data-canned-picker> (templates/components/canned_picker.html) with the
 * responses the user may use, filters them as you type and inserts the one chosen, rendered for the ticket,
 * at the cursor of the target textarea.
 * Keyboard: type to filter; ArrowDown moves into the list; Enter (in the box or the list) inserts;
 * Escape goes back to the box / clears it. Same-origin fetch with the session cookie; no dependencies.
 */
(function () {
  "use strict";
  if (window.cannedPicker) { window.cannedPicker.init(); return; }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); });
  }

  function insertAtCursor(textarea, text) {
    var start = textarea.selectionStart || 0, end = textarea.selectionEnd || 0;
    textarea.focus();
    if (typeof textarea.setRangeText === "function") textarea.setRangeText(text, start, end, "end");
    else textarea.value = textarea.value.slice(0, start) + text + textarea.value.slice(end);
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function attach(root) {
    if (root.dataset.cannedReady) return;
    root.dataset.cannedReady = "1";
    var search = root.querySelector("[data-canned-search]");
    var list = root.querySelector("[data-canned-list]");
    var status = root.querySelector("[data-canned-status]");
    var button = root.querySelector("[data-canned-insert]");
    var all = [];

    function say(text) { status.textContent = text || ""; }

    function fill() {
      var words = search.value.trim().toLowerCase();
      list.innerHTML = "";
      all.filter(function (r) {
        return !words || (r.title + " " + r.body).toLowerCase().indexOf(words) >= 0;
      }).forEach(function (r) {
        var option = new Option(r.team_name ? r.title + " · " + r.team_name : r.title, r.id);
        option.title = r.body.slice(0, 300);
        list.add(option);
      });
      if (list.options.length) list.selectedIndex = 0;
      button.disabled = !list.options.length;
    }

    function insert() {
      var id = list.value;
      var textarea = document.getElementById(root.dataset.target);
      if (!id || !textarea) return;
      var url = root.dataset.renderUrl.replace(/\/0\/render\/$/, "/" + encodeURIComponent(id) + "/render/") +
        "?ticket=" + encodeURIComponent(root.dataset.ticket);
      getJSON(url).then(function (body) {
        insertAtCursor(textarea, body.body);
        say(root.dataset.insertedText);
      }).catch(function () { say(root.dataset.errorText); });
    }

    search.addEventListener("input", function () { say(""); fill(); });
    search.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown" && list.options.length) { list.focus(); e.preventDefault(); }
      else if (e.key === "Enter") { e.preventDefault(); insert(); }
      else if (e.key === "Escape" && search.value) { search.value = ""; fill(); e.preventDefault(); }
    });
    list.addEventListener("keydown", function (e) {
      if (e.key === "Enter") { e.preventDefault(); insert(); }
      else if (e.key === "Escape") { search.focus(); e.preventDefault(); }
    });
    list.addEventListener("dblclick", insert);
    button.addEventListener("click", insert);

    getJSON(root.dataset.listUrl + "?page_size=200").then(function (body) {
      all = (body.results || []).filter(function (r) { return r.active; });
      fill();
      root.hidden = false;
      if (!all.length) say(root.dataset.emptyText);
    }).catch(function () { root.hidden = true; });
  }

  function init(scope) {
    (scope || document).querySelectorAll("[data-canned-picker]").forEach(attach);
  }

  window.cannedPicker = { init: init };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { init(); });
  else init();
  document.addEventListener("htmx:afterSwap", function (e) { init(e.target); });
})();
