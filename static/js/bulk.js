/* The bulk bar: select all rows of the page, show only the chosen action's fields. Works without it too. */
(function () {
  "use strict";
  var bar = document.querySelector("[data-bulk-bar]");
  if (!bar) return;
  var boxes = function () { return document.querySelectorAll("input[data-select-row]"); };

  function refresh() {
    var chosen = Array.prototype.filter.call(boxes(), function (b) { return b.checked; }).length;
    var count = bar.querySelector("[data-bulk-count]");
    if (count) count.textContent = chosen ? "(" + chosen + ")" : "";
    var action = bar.querySelector("[data-bulk-action]").value;
    bar.querySelectorAll("[data-bulk-for]").forEach(function (group) {
      group.hidden = group.dataset.bulkFor !== action;
    });
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("input[data-select-all]")) {
      boxes().forEach(function (b) { b.checked = target.checked; });
    }
    if (target.matches("input[data-select-row], input[data-select-all], [data-bulk-action]")) refresh();
  });
  refresh();
})();
