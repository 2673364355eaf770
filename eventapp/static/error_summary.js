// The error summary: the focus starts on it (autofocus does this too; this covers browsers that ignore autofocus
// on a non-field), and each of its links puts the focus in its field with the field's label in view, as GOV.UK's do.
(function () {
  "use strict";
  var summary = document.querySelector(".error-summary");
  if (!summary) return;
  if (document.activeElement !== summary) summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) return;
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    var label = document.querySelector("label[for='" + CSS.escape(field.id) + "']");
    (label || field).scrollIntoView();
    field.focus({ preventScroll: true });
  });
})();
