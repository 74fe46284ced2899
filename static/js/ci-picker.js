/*
 * CI picker: turns <input data-ci-picker> into a search box over /api/v1/cis/?search=.
 *
 *   <input type="text" data-ci-picker
 *          data-ci-target="id_configuration_item"   (hidden input that receives the CI id)
 *          data-service-target="id_service"          (optional: select filled with the CI's service)
 *          data-ci-url="/api/v1/cis/">               (optional)
 *
 * Choosing a result sets the hidden id, shows "name (class)" in the box and selects the CI's service
 * (adding the option if the select lacks it). Clearing the box clears the id. Keyboard: arrows, Enter, Escape.
 * Uses the session cookie (same-origin fetch); no dependencies.
 */
(function () {
  "use strict";

  function debounce(fn, ms) {
    var timer;
    return function () {
      var args = arguments, self = this;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(self, args); }, ms);
    };
  }

  function label(ci) {
    return ci.class_label ? ci.name + " (" + ci.class_label + ")" : ci.name;
  }

  function setService(select, ci) {
    if (!select || !ci.service) return;
    var value = String(ci.service);
    var found = Array.prototype.some.call(select.options, function (o) { return o.value === value; });
    if (!found) select.add(new Option(ci.service_name || value, value));
    select.value = value;
    select.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function attach(input) {
    if (input.dataset.ciPickerReady) return;
    input.dataset.ciPickerReady = "1";
    var hidden = document.getElementById(input.dataset.ciTarget || "id_configuration_item");
    var service = document.getElementById(input.dataset.serviceTarget || "");
    var url = input.dataset.ciUrl || "/api/v1/cis/";
    var list = document.createElement("ul");
    list.className = "ci-picker-results";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    list.style.cssText = "position:absolute;z-index:20;background:#fff;border:1px solid #ccd;list-style:none;" +
      "margin:0;padding:0;max-height:16rem;overflow:auto;min-width:16rem;";
    input.setAttribute("autocomplete", "off");
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.parentNode.style.position = input.parentNode.style.position || "relative";
    input.insertAdjacentElement("afterend", list);
    var results = [], active = -1, seq = 0;

    function close() { list.hidden = true; active = -1; }

    function choose(ci) {
      if (hidden) {
        hidden.value = ci.id;
        hidden.dispatchEvent(new Event("change", { bubbles: true }));
      }
      input.value = label(ci);
      setService(service, ci);
      close();
    }

    function render() {
      list.innerHTML = "";
      results.forEach(function (ci, i) {
        var li = document.createElement("li");
        li.setAttribute("role", "option");
        li.dataset.ciId = ci.id;
        li.style.cssText = "padding:.25rem .5rem;cursor:pointer;" + (i === active ? "background:#eef4ff;" : "");
        li.textContent = label(ci) + (ci.service_name ? " · " + ci.service_name : "");
        li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(ci); });
        list.appendChild(li);
      });
      list.hidden = results.length === 0;
    }

    var search = debounce(function () {
      var text = input.value.trim();
      if (text.length < 2) { results = []; render(); return; }
      var mine = ++seq;
      fetch(url + "?search=" + encodeURIComponent(text) + "&page_size=15", {
        credentials: "same-origin", headers: { Accept: "application/json" }
      }).then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (body) {
          if (mine !== seq) return;
          results = body.results || [];
          active = -1;
          render();
        })
        .catch(function () { results = []; render(); });
    }, 200);

    input.addEventListener("input", function () {
      if (hidden && !input.value.trim()) hidden.value = "";
      search();
    });
    input.addEventListener("keydown", function (e) {
      if (list.hidden) return;
      if (e.key === "ArrowDown") { active = Math.min(active + 1, results.length - 1); render(); e.preventDefault(); }
      else if (e.key === "ArrowUp") { active = Math.max(active - 1, 0); render(); e.preventDefault(); }
      else if (e.key === "Enter" && active >= 0) { choose(results[active]); e.preventDefault(); }
      else if (e.key === "Escape") { close(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  function init(root) {
    (root || document).querySelectorAll("input[data-ci-picker]").forEach(attach);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { init(); });
  else init();
  document.addEventListener("htmx:afterSwap", function (e) { init(e.target); });
  window.ciPicker = { init: init };
})();
