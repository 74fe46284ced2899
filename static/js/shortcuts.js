/*
 * "?" opens the keyboard shortcut help (templates/components/shortcut_help.html, a modal <dialog>).
 * It lists the global shortcuts written in the template, then the ones this page offers, found in the DOM:
 *   [data-hotkey="x"]        label: data-hotkey-label, else the element's text, aria-label or title
 *   [data-hotkey-focus="/"]  label: data-hotkey-label, else the template's label for that key
 *   [data-rows] with rows    j / k / Enter (row selection in lists)
 * Labels come from the template, so they are translated like every other string. Escape closes.
 */
(function () {
  "use strict";

  function typing(target) {
    return target.closest && target.closest("input, textarea, select, [contenteditable]");
  }

  function templateLabels() {
    var labels = {};
    var template = document.getElementById("shortcut-labels");
    if (!template) return labels;
    template.content.querySelectorAll("[data-key]").forEach(function (span) {
      labels[span.dataset.key] = span.textContent.trim();
    });
    return labels;
  }

  function visible(element) {
    return !!(element.offsetWidth || element.offsetHeight || element.getClientRects().length);
  }

  function pageShortcuts() {
    var labels = templateLabels(), found = [], seen = {};
    function add(key, label) {
      if (!key || !label || seen[key]) return;
      seen[key] = true;
      found.push({ key: key, label: label });
    }
    document.querySelectorAll("[data-hotkey-focus]").forEach(function (element) {
      if (!visible(element)) return;
      var key = element.dataset.hotkeyFocus;
      add(key, element.dataset.hotkeyLabel || labels[key]);
    });
    document.querySelectorAll("[data-hotkey]").forEach(function (element) {
      if (!visible(element)) return;
      var label = element.dataset.hotkeyLabel || element.textContent.trim() ||
        element.getAttribute("aria-label") || element.getAttribute("title");
      add(element.dataset.hotkey, label);
    });
    if (document.querySelector("[data-rows] tbody tr[data-href]")) {
      ["j", "k", "Enter"].forEach(function (key) { add(key, labels[key]); });
    }
    return found;
  }

  function fill(dialog) {
    var list = dialog.querySelector("[data-page-shortcuts]");
    var none = dialog.querySelector("[data-no-page-shortcuts]");
    list.innerHTML = "";
    var shortcuts = pageShortcuts();
    shortcuts.forEach(function (shortcut) {
      var dt = document.createElement("dt");
      var kbd = document.createElement("kbd");
      kbd.textContent = shortcut.key;
      dt.appendChild(kbd);
      var dd = document.createElement("dd");
      dd.textContent = shortcut.label;
      list.appendChild(dt);
      list.appendChild(dd);
    });
    list.hidden = shortcuts.length === 0;
    if (none) none.hidden = shortcuts.length > 0;
  }

  var returnFocus = null;

  function open() {
    var dialog = document.getElementById("shortcut-help");
    if (!dialog || dialog.open) return;
    fill(dialog);
    returnFocus = document.activeElement;
    if (typeof dialog.showModal === "function") dialog.showModal();
    else dialog.setAttribute("open", "");
    var close = dialog.querySelector("[data-close-dialog]");
    if (close) close.focus();
  }

  function close(dialog) {
    if (typeof dialog.close === "function") dialog.close();
    else dialog.removeAttribute("open");
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "?" || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    event.preventDefault();
    open();
  });

  document.addEventListener("click", function (event) {
    var dialog = document.getElementById("shortcut-help");
    if (!dialog || !dialog.open) return;
    if (event.target.closest("[data-close-dialog]") || event.target === dialog) close(dialog);
  });

  document.addEventListener("close", function (event) {
    if (event.target.id !== "shortcut-help") return;
    if (returnFocus && typeof returnFocus.focus === "function") returnFocus.focus();
    returnFocus = null;
  }, true);

  window.shortcutHelp = { open: open };
})();
