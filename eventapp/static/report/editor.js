// The section editor: the preview follows the text as it is typed, and the text is kept on the server as the
// editor's draft every few seconds while it changes (a draft, not a version: versions are made by Save only).
(function () {
  "use strict";
  var PREVIEW_DELAY = 400;
  var AUTOSAVE_EVERY = 5000;

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("section-editor");
    if (!form || !window.fetch) return;
    var url = form.getAttribute("data-draft-url");
    var state = form.querySelector("[data-autosave-state]");
    var timer = null;
    var dirty = false;
    var submitting = false;

    function send(autosave) {
      var data = new FormData(form);
      data.delete("action");
      data.set("autosave", autosave ? "1" : "0");
      return fetch(url, { method: "POST", body: data, credentials: "same-origin",
                          headers: { "X-Requested-With": "fetch" } })
        .then(function (response) { return response.json(); })
        .then(function (answer) {
          if (!answer.ok) {
            if (state) state.textContent = "Not kept: " + (answer.errors || []).join(" ");
            return;
          }
          Object.keys(answer.preview).forEach(function (name) {
            var part = document.querySelector('[data-preview-part="' + name + '"]');
            if (!part) return;
            part.querySelector(".md").innerHTML = answer.preview[name];  // sanitised by the server's renderer
            part.hidden = !answer.preview[name];
          });
          if (autosave && answer.saved_at && state) {
            state.textContent = "Draft kept at " + new Date(answer.saved_at).toLocaleTimeString([], {hour: "2-digit", minute: "2-digit", second: "2-digit"}) + " (not yet saved as a version)";
          }
        })
        .catch(function () { if (state && autosave) state.textContent = "Could not keep the draft: check the connection."; });
    }

    form.addEventListener("input", function (event) {
      if (!event.target.hasAttribute("data-part")) return;
      dirty = true;
      clearTimeout(timer);
      timer = setTimeout(function () { send(false); }, PREVIEW_DELAY);
    });
    form.addEventListener("submit", function () { submitting = true; });
    setInterval(function () {
      if (dirty && !submitting) {
        dirty = false;
        send(true);
      }
    }, AUTOSAVE_EVERY);
  });
})();
