/*
 * Search pickers and selects that follow another field (core/widgets.py renders the markup).
 *
 * Picker: <input type="text" data-picker
 *           data-picker-target="id_requester"        hidden input that receives the chosen id
 *           data-picker-url="/api/v1/users/"          JSON list: {"results": [{id, ...}]}
 *           data-picker-param="search"                query parameter of the typed text
 *           data-picker-label="name"                  key shown as the result's text and in the box
 *           data-picker-detail="email organization_name"   keys shown after it, smaller
 *           data-picker-fill='{"id_organization": "organization"}'>   other fields set from the result
 * Editing the text clears the id until a result is chosen. Keyboard: arrows, Enter, Escape.
 *
 * Following select: <select data-follows="id_category"> whose options carry data-parent: only the options
 * of the value chosen in the followed field are offered; a choice that no longer fits is cleared.
 *
 * Both re-attach after htmx swaps. Same-origin fetch with the session cookie; no dependencies.
 */
(function () {
  "use strict";
  if (window.pickers) return;

  function debounce(fn, ms) {
    var timer;
    return function () {
      var args = arguments, self = this;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(self, args); }, ms);
    };
  }

  function text(value) { return value === null || value === undefined ? "" : String(value); }

  function companion(hidden) {
    return document.querySelector("[data-picker-target='" + hidden.id + "']");
  }

  function setField(element, value, label) {
    if (!element || value === null || value === undefined || value === "") return;
    value = String(value);
    if (element.tagName === "SELECT") {
      var found = Array.prototype.some.call(element.options, function (o) { return o.value === value; });
      if (!found) element.add(new Option(label || value, value));
      element.value = value;
    } else {
      element.value = value;
      var box = companion(element);
      if (box && label) box.value = label;
    }
    element.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function attach(input) {
    if (input.dataset.pickerReady) return;
    input.dataset.pickerReady = "1";
    var hidden = document.getElementById(input.dataset.pickerTarget);
    var url = input.dataset.pickerUrl;
    var param = input.dataset.pickerParam || "search";
    var labelKey = input.dataset.pickerLabel || "name";
    var detailKeys = (input.dataset.pickerDetail || "").split(/\s+/).filter(Boolean);
    var fill = {};
    try { fill = JSON.parse(input.dataset.pickerFill || "{}"); } catch (e) { fill = {}; }
    var minChars = parseInt(input.dataset.pickerMin || "2", 10);
    var list = document.createElement("ul");
    list.id = (hidden ? hidden.id : input.id) + "_results";
    list.className = "picker-results";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.setAttribute("aria-controls", list.id);
    input.insertAdjacentElement("afterend", list);
    var results = [], active = -1, seq = 0, chosenText = input.value;

    function open(yes) {
      list.hidden = !yes;
      input.setAttribute("aria-expanded", yes ? "true" : "false");
      if (!yes) { active = -1; input.removeAttribute("aria-activedescendant"); }
    }

    function choose(item) {
      if (hidden) {
        hidden.value = item.id;
        hidden.dispatchEvent(new Event("change", { bubbles: true }));
      }
      input.value = chosenText = text(item[labelKey]);
      Object.keys(fill).forEach(function (targetId) {
        var key = fill[targetId];
        setField(document.getElementById(targetId), item[key], text(item[key + "_name"]));
      });
      open(false);
    }

    function render() {
      list.innerHTML = "";
      results.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = list.id + "_" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", i === active ? "true" : "false");
        li.dataset.id = item.id;
        if (i === active) li.className = "active";
        var main = document.createElement("span");
        main.textContent = text(item[labelKey]);
        li.appendChild(main);
        var details = detailKeys.map(function (k) { return text(item[k]); }).filter(Boolean);
        if (details.length) {
          var small = document.createElement("small");
          small.textContent = details.join(" · ");
          li.appendChild(small);
        }
        li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(item); });
        list.appendChild(li);
      });
      if (active >= 0) {
        input.setAttribute("aria-activedescendant", list.id + "_" + active);
        list.children[active].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
      open(results.length > 0);
    }

    var search = debounce(function () {
      var typed = input.value.trim();
      if (typed.length < minChars) { results = []; render(); return; }
      var mine = ++seq;
      var sep = url.indexOf("?") < 0 ? "?" : "&";
      fetch(url + sep + encodeURIComponent(param) + "=" + encodeURIComponent(typed) + "&page_size=15", {
        credentials: "same-origin", headers: { Accept: "application/json" }
      }).then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (body) {
          if (mine !== seq) return;
          results = body.results || [];
          active = results.length ? 0 : -1;
          render();
        })
        .catch(function () { results = []; render(); });
    }, 200);

    input.addEventListener("input", function () {
      if (hidden && input.value !== chosenText && hidden.value) {
        hidden.value = "";
        hidden.dispatchEvent(new Event("change", { bubbles: true }));
      }
      search();
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        if (!results.length) return;
        e.preventDefault();
        if (list.hidden) { open(true); }
        var step = e.key === "ArrowDown" ? 1 : -1;
        active = Math.min(results.length - 1, Math.max(0, active + step));
        render();
      } else if (e.key === "Enter" && !list.hidden && active >= 0) {
        e.preventDefault();
        choose(results[active]);
      } else if (e.key === "Escape" && !list.hidden) {
        e.preventDefault();
        e.stopPropagation();
        open(false);
      } else if (e.key === "Tab") {
        open(false);
      }
    });
    input.addEventListener("blur", function () { setTimeout(function () { open(false); }, 150); });
  }

  function follow(select) {
    if (select.dataset.followsReady) return;
    var parent = document.getElementById(select.dataset.follows);
    if (!parent) return;
    select.dataset.followsReady = "1";

    function apply(clear) {
      var chosen = parent.value;
      Array.prototype.forEach.call(select.options, function (option) {
        if (!option.value) return;
        var fits = option.dataset.parent === chosen || (!clear && option.selected);
        option.hidden = !fits;
        option.disabled = !fits;
      });
      var current = select.options[select.selectedIndex];
      if (clear && current && current.value && current.disabled) select.value = "";
    }

    parent.addEventListener("change", function () { apply(true); });
    apply(false);
  }

  function init() {
    document.querySelectorAll("input[data-picker]").forEach(attach);
    document.querySelectorAll("select[data-follows]").forEach(follow);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { init(); });
  else init();
  document.addEventListener("htmx:afterSwap", function () { init(); });
  window.pickers = { init: init };
})();
