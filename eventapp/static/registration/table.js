// The registrations table: a box that ticks every row of the page, and how many are ticked, next to the actions.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("selection");
    if (!form) return;
    var boxes = Array.prototype.slice.call(form.querySelectorAll("input[name=registration_id]"));
    var count = form.querySelector("[data-selected-count]");
    var head = form.querySelector("thead th.select");
    if (!boxes.length || !head) return;
    var all = document.createElement("input");
    all.type = "checkbox";
    all.id = "select-all";
    all.setAttribute("aria-label", "Select everyone on this page");
    head.textContent = "";
    head.appendChild(all);
    var matching = form.querySelector("#scope-matching");
    function update() {
      var ticked = boxes.filter(function (b) { return b.checked; }).length;
      all.checked = ticked === boxes.length;
      all.indeterminate = ticked > 0 && ticked < boxes.length;
      // "All N matching" stands for every row on every page: the count says so rather than the ticks.
      count.textContent = matching && matching.checked ? "(all matching selected)" : "(" + ticked + " selected)";
    }
    if (matching) {
      matching.addEventListener("change", function () {
        if (matching.checked) boxes.forEach(function (b) { b.checked = true; });
        update();
      });
      boxes.forEach(function (b) {
        b.addEventListener("change", function () { if (!b.checked) matching.checked = false; });
      });
    }
    all.addEventListener("change", function () {
      boxes.forEach(function (b) { b.checked = all.checked; });
      if (matching && !all.checked) matching.checked = false;
      update();
    });
    boxes.forEach(function (b) { b.addEventListener("change", update); });
    update();
  });
})();
