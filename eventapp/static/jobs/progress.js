// Polls a job's state and updates the progress bar; reloads nothing, works behind any number of servers.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) return;
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("job-progress");
  var message = document.getElementById("job-message");
  var error = document.getElementById("job-error");
  var download = document.getElementById("job-download");
  var retry = document.getElementById("job-retry");

  function show(state) {
    bar.value = state.percent;
    bar.textContent = state.percent + "%";
    var text = state.status === "done" ? "Done." : state.status === "failed" ? "Failed." : state.message;
    if (state.total) text += " " + state.done + " of " + state.total;
    message.textContent = text;
    error.hidden = !state.error;
    error.textContent = state.error || "";
    download.hidden = !state.download;
    if (state.download) download.querySelector("a").setAttribute("href", state.download);
    retry.hidden = state.status !== "failed";
    return state.status === "queued" || state.status === "running";
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (state) { if (show(state)) setTimeout(poll, 1000); })
      .catch(function () { setTimeout(poll, 3000); });
  }

  var status = box.getAttribute("data-status");
  if (status === "queued" || status === "running") setTimeout(poll, 500);
})();
