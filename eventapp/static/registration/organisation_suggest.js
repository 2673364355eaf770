// Fills the organisation field's list from the server as the person types, for events with too many known
// organisations to put in the page. Without JavaScript the field is a plain text box: any name can be typed.
(function () {
  "use strict";
  var list = document.getElementById("organisation-names");
  if (!list || !list.getAttribute("data-suggest-url")) return;
  var input = document.querySelector("input[list='organisation-names']");
  if (!input) return;
  var url = list.getAttribute("data-suggest-url");
  var timer = null;
  var asked = "";

  function fill(names) {
    while (list.firstChild) list.removeChild(list.firstChild);
    names.forEach(function (name) {
      var option = document.createElement("option");
      option.value = name; // a property, never markup: a name is shown as text
      list.appendChild(option);
    });
  }

  function ask() {
    var typed = input.value.trim();
    if (typed === asked) return;
    asked = typed;
    if (typed.length < 2) { fill([]); return; }
    fetch(url + "?q=" + encodeURIComponent(typed), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (answer) { if (input.value.trim() === typed) fill(answer.names || []); })
      .catch(function () { /* no suggestions: the field still takes any name */ });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 200);
  });
}());
