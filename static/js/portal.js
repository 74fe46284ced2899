/*
 * The portal home: "Report a problem" is a <details> section. On a wide screen it starts open beside the
 * catalogue; on a phone it stays closed (one tap opens it) so it never pushes the lists out of sight.
 * Shown again with errors or answers, the server renders it open already.
 */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var panel = document.getElementById("report-problem");
    if (panel && !panel.open && window.matchMedia("(min-width: 901px)").matches) panel.open = true;
  });
})();
