/*
 * Catalogue item forms (servicerequests/item_forms.py renders the markup): fields shown only when another
 * field has a given value.
 *
 *   <input name="os" data-item-field="os" data-shown-when='{"field": "kind", "value": "Laptop"}'>
 *
 * Every element with data-item-field is a field, named without any form prefix (a checkbox list has one per
 * option; a picker is a span around its inputs). A field with data-shown-when is visible only while the named (earlier) field is
 * visible and has that value (for checkboxes: that value is among those ticked; numbers compare as numbers).
 * A hidden field's wrapper (its ".field" label or fieldset) is hidden and its inputs disabled, so the browser
 * neither requires nor submits them. Without JavaScript every field shows and the server drops the answers
 * of hidden fields. Re-applied on every input and change, and after htmx swaps.
 */
(function () {
  "use strict";
  if (window.itemForm) return;

  function rule(element) {
    try { return JSON.parse(element.dataset.shownWhen || "null"); } catch (e) { return null; }
  }

  // The inputs of a field, found by data-item-field (so a form prefix does not matter); a picker's value
  // is its hidden input.
  function inputsOf(form, name) {
    var inputs = [];
    form.querySelectorAll("[data-item-field='" + name + "']").forEach(function (el) {
      if (el.matches("input, select, textarea")) inputs.push(el);
      else el.querySelectorAll("input[type=hidden]").forEach(function (hidden) { inputs.push(hidden); });
    });
    return inputs;
  }

  function valuesOf(form, name) {
    var values = [];
    inputsOf(form, name).forEach(function (el) {
      if (el.disabled) return;
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked) values.push(el.value);
      } else if (el.tagName === "SELECT" && el.multiple) {
        Array.prototype.forEach.call(el.selectedOptions, function (o) { values.push(o.value); });
      } else if (el.type !== "file" && el.value.trim() !== "") {
        values.push(el.value.trim());
      }
    });
    return values;
  }

  function isNumber(text) { return /^[+-]?\d+(\.\d+)?$/.test(text); }

  function matches(values, expected) {
    return values.some(function (value) {
      return value === expected || (isNumber(value) && isNumber(expected) && Number(value) === Number(expected));
    });
  }

  function wrapperOf(element) {
    return element.closest(".field") || element.closest(".item-picker") || element;
  }

  function update(form) {
    var shown = {};
    var seen = {};
    form.querySelectorAll("[data-item-field]").forEach(function (element) {
      var name = element.dataset.itemField;
      if (seen[name]) return;  // a checkbox list: its first option speaks for the field
      seen[name] = true;
      var when = rule(element);
      var visible = !when || (shown[when.field] === true && matches(valuesOf(form, when.field), when.value));
      shown[name] = visible;
      var wrapper = wrapperOf(element);
      wrapper.hidden = !visible;
      wrapper.style.display = visible ? "" : "none";  // stylesheets that display labels win over [hidden]
      wrapper.querySelectorAll("input, select, textarea").forEach(function (input) { input.disabled = !visible; });
      if (wrapper.matches("input, select, textarea")) wrapper.disabled = !visible;
    });
  }

  function init(root) {
    (root || document).querySelectorAll("form").forEach(function (form) {
      if (form.dataset.itemFormReady || !form.querySelector("[data-shown-when]")) return;
      form.dataset.itemFormReady = "1";
      form.addEventListener("change", function () { update(form); });
      form.addEventListener("input", function () { update(form); });
      update(form);
    });
  }

  window.itemForm = { init: init, update: update };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { init(); });
  else init();
  document.addEventListener("htmx:afterSwap", function () { init(); });
})();
