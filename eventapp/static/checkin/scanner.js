/* The scanner page: the camera (decoded in a Web Worker), the keyboard-wedge field, the name search, full-screen
   answers, live counts; offline, the same answers from the door list kept on the device (offline.js), queued and
   synced when the network returns. No inline script: everything the page needs arrives in data- attributes. */
(function () {
  "use strict";

  var root = document.getElementById("scanner");
  if (!root) { return; }
  var cfg = root.dataset;
  var $ = function (id) { return document.getElementById(id); };

  var RETRIES = 4;  // network failures only; the nonce makes a retry safe
  var COUNTS_EVERY_MS = 10000;
  var ONLINE_WAIT_MS = 3000;  // a check-in with no answer by then is decided on the device, and queued
  var SYNC_EVERY_MS = 20000;
  var REFRESH_EVERY_MS = 60000;

  var TONE = {
    ok: "green", already_checked_in: "amber", wrong_session: "amber",
    unknown_code: "red", badge_replaced: "red", cancelled: "red", waitlisted: "red", not_this_event: "red"
  };
  var HEADLINE = {
    ok: "\u2713 Checked in",
    already_checked_in: "Already checked in",
    wrong_session: "Checked in \u2014 assigned elsewhere",
    unknown_code: "\u2717 Unknown code",
    badge_replaced: "\u2717 Badge replaced",
    cancelled: "\u2717 Registration cancelled",
    waitlisted: "\u2717 On the waiting list",
    not_this_event: "\u2717 Another event's badge"
  };

  // ---- settings, kept per event on this device ----
  var storePrefix = "eventapp.checkin." + cfg.event + ".";
  function load(key, fallback) {
    try { var v = window.localStorage.getItem(storePrefix + key); return v === null ? fallback : v; }
    catch (e) { return fallback; }
  }
  function save(key, value) {
    try { window.localStorage.setItem(storePrefix + key, value); } catch (e) { /* private mode: not kept */ }
  }
  var settings = {
    sound: load("sound", "1") === "1",
    vibrate: load("vibrate", "1") === "1",
    device: load("device", ""),
    token: load("token", "")
  };
  var soundBox = $("setting-sound"), vibrateBox = $("setting-vibrate"), deviceBox = $("setting-device");
  soundBox.checked = settings.sound;
  vibrateBox.checked = settings.vibrate;
  deviceBox.value = settings.device;
  soundBox.addEventListener("change", function () { settings.sound = soundBox.checked; save("sound", settings.sound ? "1" : "0"); });
  vibrateBox.addEventListener("change", function () { settings.vibrate = vibrateBox.checked; save("vibrate", settings.vibrate ? "1" : "0"); });
  deviceBox.addEventListener("change", function () { settings.device = deviceBox.value.trim(); save("device", settings.device); });
  var tokenBox = $("setting-token");
  tokenBox.value = settings.token;
  tokenBox.addEventListener("change", function () {
    settings.token = tokenBox.value.trim();
    save("token", settings.token);
    if (offline) { offline.refresh(true).catch(function () {}); }
  });

  var where = $("where");
  var savedWhere = load("where", "");
  if (Array.prototype.some.call(where.options, function (o) { return o.value === savedWhere; })) { where.value = savedWhere; }
  where.addEventListener("change", function () { save("where", where.value); });

  // ---- talking to the server ----
  function newNonce() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
  }
  function sleep(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  // A device with a scanner token (Settings) speaks as that device; otherwise as the logged-in staff member.
  function apiHeaders() {
    return settings.token ? { "Authorization": "Bearer " + settings.token } : { "X-CSRFToken": cfg.csrf };
  }
  function request(method, url, body, retries, signal) {
    var options = { method: method, credentials: "same-origin", cache: "no-store", headers: apiHeaders(), signal: signal };
    options.headers.Accept = "application/json";
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(url, options).then(function (response) {
      if (response.status >= 502 && response.status <= 504 && retries > 0) { throw new Error("gateway " + response.status); }
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, data: data };
      });
    }).catch(function (error) {
      if (retries > 0) {
        return sleep(300 * (RETRIES - retries + 1)).then(function () { return request(method, url, body, retries - 1, signal); });
      }
      throw error;
    });
  }

  // ---- the full-screen answer ----
  var result = $("result"), hideTimer = null, lastCheckInId = null, lastInput = null;
  function showAnswer(answer) {
    var tone = TONE[answer.result] || "red";
    result.className = "result result-" + tone;
    result.dataset.result = answer.result || "error";
    $("result-headline").textContent = HEADLINE[answer.result] || "\u2717 Not checked in";
    var person = answer.attendee;
    $("result-name").textContent = person ? person.name : "";
    $("result-org").textContent = person && person.organisation ? person.organisation : "";
    $("result-detail").textContent = answer.message || "";
    var sessions = person && person.assigned_sessions ? person.assigned_sessions : [];
    $("result-sessions").textContent = sessions.length ? "Session: " + sessions.map(function (s) {
      return s.title + (s.room ? " (" + s.room + ")" : "");
    }).join("; ") : "";
    $("result-offline").hidden = !answer.offline;
    lastCheckInId = answer.recorded && answer.check_in_id ? answer.check_in_id : null;
    $("result-undo").hidden = !lastCheckInId;
    $("result-undo").disabled = false;
    result.hidden = false;
    feedback(tone);
    clearTimeout(hideTimer);
    hideTimer = setTimeout(hideAnswer, tone === "green" ? 3000 : 6000);
  }
  function showProblem(message) {
    showAnswer({ result: "error", message: message });
  }
  function hideAnswer() {
    clearTimeout(hideTimer);
    result.hidden = true;
    if (lastInput === "wedge") { $("wedge").focus(); }
  }
  $("result-close").addEventListener("click", hideAnswer);
  $("result-undo").addEventListener("click", function () {
    if (!lastCheckInId) { return; }
    var button = $("result-undo");
    button.disabled = true;
    request("POST", cfg.undoUrl.replace(/\/0\/undo$/, "/" + lastCheckInId + "/undo"), {}, RETRIES).then(function (r) {
      lastCheckInId = null;
      button.hidden = true;
      $("result-headline").textContent = r.status === 200 ? "Undone" : "Not undone";
      $("result-detail").textContent = r.data.message || "";
      result.className = "result result-neutral";
      refreshCounts();
    }).catch(function () { button.disabled = false; $("result-detail").textContent = "No answer from the server: try again."; });
  });

  // ---- sound and vibration (a setting) ----
  var audio = null;
  function unlockAudio() {
    // Browsers let a page make sound only after a tap or key press: open the audio context on the first one.
    if (audio || !(window.AudioContext || window.webkitAudioContext)) { return; }
    try { audio = new (window.AudioContext || window.webkitAudioContext)(); } catch (e) { audio = null; }
  }
  document.addEventListener("pointerdown", unlockAudio);
  document.addEventListener("keydown", unlockAudio);
  function feedback(tone) {
    if (settings.vibrate && navigator.vibrate) {
      navigator.vibrate(tone === "green" ? 80 : tone === "amber" ? [90, 80, 90] : [400]);
    }
    if (!settings.sound || !audio) { return; }
    try {
      if (audio.state === "suspended") { audio.resume(); }
      var notes = tone === "green" ? [[1046, 0.12]] : tone === "amber" ? [[660, 0.1], [660, 0.1]] : [[196, 0.45]];
      var t = audio.currentTime;
      notes.forEach(function (note) {
        var osc = audio.createOscillator(), gain = audio.createGain();
        osc.frequency.value = note[0];
        gain.gain.value = 0.25;
        osc.connect(gain);
        gain.connect(audio.destination);
        osc.start(t);
        osc.stop(t + note[1]);
        t += note[1] + 0.07;
      });
    } catch (e) { /* no sound is not a reason to fail a check-in */ }
  }

  // ---- checking in ----
  var busy = false;
  function decideOffline(payload) {
    if (!offline || !offline.meta.eventId) {
      showProblem(offline && offline.wiped ? offline.wiped
        : "No network, and this device has no door list yet: open the scanner once online.");
      return Promise.resolve();
    }
    return offline.decide(payload, settings.device || cfg.scannerName).then(showAnswer, function () {
      showProblem("This device could not store the scan. Scan again, or check in by name when online.");
    });
  }
  function checkIn(payload) {
    busy = true;
    payload.nonce = newNonce();
    payload.session = where.value ? Number(where.value) : null;
    if (settings.device) { payload.device = settings.device; }
    if (!navigator.onLine) {
      return decideOffline(payload).then(function () { busy = false; });
    }
    var abort = window.AbortController ? new AbortController() : null;
    var timer = abort ? setTimeout(function () { abort.abort(); }, ONLINE_WAIT_MS) : null;
    return request("POST", cfg.checkinUrl, payload, 0, abort && abort.signal).then(function (r) {
      clearTimeout(timer);
      if (r.data && r.data.result) {
        showAnswer(r.data);
        if (offline) { offline.learn(r.data); }
        if (r.data.recorded) { refreshCountsSoon(); }
      } else if (r.status === 401) {
        showProblem("You are logged out. Reload the page and log in again.");
      } else {
        showProblem((r.data && r.data.message) || "The server refused this (" + r.status + ").");
      }
    }).catch(function () {
      // No answer: decided here and queued with the same nonce, so a request that did arrive is not counted twice.
      clearTimeout(timer);
      markOffline();
      return decideOffline(payload);
    }).then(function () { busy = false; });
  }

  // The keyboard-wedge scanner types the code and presses Enter.
  var wedge = $("wedge");
  $("wedge-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var code = wedge.value.trim();
    wedge.value = "";
    if (!code) { return; }
    lastInput = "wedge";
    checkIn({ code: code, method: "typed" });
  });
  if (window.matchMedia && window.matchMedia("(pointer: fine)").matches) { wedge.focus(); }

  // ---- name / organisation search ----
  var results = $("search-results");
  function renderHits(hits) {
    results.textContent = "";
    if (!hits.length) {
      var none = document.createElement("li");
      none.className = "muted";
      none.textContent = "Nobody found.";
      results.appendChild(none);
      return;
    }
    hits.forEach(function (hit) {
      var li = document.createElement("li");
      var who = document.createElement("span");
      who.className = "hit-who";
      var name = document.createElement("strong");
      name.textContent = hit.name;
      who.appendChild(name);
      var rest = [hit.organisation, hit.status !== "confirmed" ? hit.status : null,
        hit.checked_in_at_local ? "arrived " + hit.checked_in_at_local : null].filter(Boolean).join(" \u00b7 ");
      if (rest) { who.appendChild(document.createTextNode(" \u00b7 " + rest)); }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button";
      button.textContent = "Check in";
      button.dataset.registration = String(hit.id);
      li.appendChild(who);
      li.appendChild(button);
      results.appendChild(li);
    });
  }
  $("search-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var q = $("search").value.trim();
    if (!q) { results.textContent = ""; return; }
    var local = function () {
      if (offline && offline.meta.eventId) { renderHits(offline.search(q)); }
      else { showProblem("No answer from the server, and no door list on this device. Try the search again."); }
    };
    if (!navigator.onLine || settings.token) { local(); return; }
    request("GET", cfg.searchUrl + "?q=" + encodeURIComponent(q), undefined, 1).then(function (r) {
      if (r.status !== 200) { local(); return; }
      renderHits(r.data.results || []);
    }).catch(function () { markOffline(); local(); });
  });
  results.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-registration]");
    if (!button) { return; }
    lastInput = "search";
    checkIn({ registration: Number(button.dataset.registration), method: "search" }).then(function () {
      $("search-form").dispatchEvent(new Event("submit", { cancelable: true }));
    });
  });

  // ---- live counts ----
  var countsTimer = null;
  function setCount(scope, name, value) {
    var cell = scope.querySelector('[data-count="' + name + '"]');
    if (cell) { cell.textContent = String(value); }
  }
  function refreshCounts() {
    return request("GET", cfg.countsUrl, undefined, 0).then(function (r) {
      if (r.status !== 200) { return; }
      var box = $("counts");
      setCount(box.querySelector(".counts-total"), "arrived", r.data.arrived);
      setCount(box.querySelector(".counts-total"), "expected", r.data.expected);
      (r.data.sessions || []).forEach(function (s) {
        var row = box.querySelector('tr[data-session="' + s.id + '"]');
        if (row) { setCount(row, "arrived", s.arrived); setCount(row, "expected", s.expected); }
      });
    }).catch(function () { /* the next poll will try again */ });
  }
  function refreshCountsSoon() {
    clearTimeout(countsTimer);
    countsTimer = setTimeout(refreshCounts, 400);
  }
  setInterval(function () { if (!document.hidden && navigator.onLine) { refreshCounts(); } }, COUNTS_EVERY_MS);

  // ---- offline: the door list, the queue, freshness and corrections ----
  var offline = null;
  var offlineSince = null;
  // Kept across reloads: "offline since" is when the network went, not when the page was last opened.
  function markOffline() {
    if (!offlineSince) { offlineSince = Number(load("offline-since", "")) || Date.now(); save("offline-since", String(offlineSince)); }
    renderFreshness();
  }
  function markOnline() { offlineSince = null; save("offline-since", ""); }
  function clock(ms) { return offline.localTime(ms); }  // in the event's time zone, as the answers and the log
  function ago(ms) {
    var minutes = Math.floor((Date.now() - ms) / 60000);
    if (minutes < 1) { return "just now"; }
    if (minutes < 60) { return minutes + (minutes === 1 ? " minute ago" : " minutes ago"); }
    var hours = Math.floor(minutes / 60);
    return hours + (hours === 1 ? " hour ago" : " hours ago");
  }
  function renderFreshness() {
    var box = $("freshness");
    if (!offline) { return; }
    var parts = [];
    var online = navigator.onLine && !offlineSince;
    root.classList.toggle("is-offline", !online);
    root.dataset.network = online ? "online" : "offline";
    if (!online) { parts.push("Offline since " + clock(offlineSince || Date.now())); }
    if (offline.wiped) {
      parts.push(offline.wiped);
    } else if (offline.meta.updatedAt) {
      parts.push("door list of " + offline.people.size + (offline.people.size === 1 ? " person" : " people") +
        " updated " + ago(offline.meta.updatedAt));
    } else {
      parts.push("no door list on this device yet");
    }
    if (offline.queued) { parts.push(offline.queued + (offline.queued === 1 ? " scan" : " scans") + " waiting to sync"); }
    var text = parts.join(" \u00b7 ");
    box.textContent = text.charAt(0).toUpperCase() + text.slice(1);
    root.dataset.queued = String(offline.queued);
    root.dataset.scanner = offline.meta.scanner || "";
  }
  function renderCorrections() {
    if (!offline || !offline.db) { return; }
    offline.corrections().then(function (list) {
      var box = $("corrections"), items = $("corrections-list");
      items.textContent = "";
      list.sort(function (a, b) { return a.device_time - b.device_time; });
      list.forEach(function (c) {
        var li = document.createElement("li");
        li.dataset.result = c.result;
        var who = document.createElement("strong");
        who.textContent = c.name || "Unknown badge";
        li.appendChild(who);
        li.appendChild(document.createTextNode(" \u00b7 scanned " + clock(c.device_time)));
        var was = document.createElement("span");
        was.className = "correction-was";
        was.textContent = "Shown offline: " + (HEADLINE[c.offline_result] || c.offline_result);
        var now = document.createElement("span");
        now.className = "correction-now";
        now.textContent = "Server: " + (c.message || HEADLINE[c.result] || c.result);
        li.appendChild(was);
        li.appendChild(now);
        items.appendChild(li);
      });
      box.hidden = !list.length;
    });
  }
  function onlineAgain() {
    if (!offline || !offline.db) { return Promise.resolve(); }
    // Scans first, then the list: the list's copy of who is in must include what this device sent.
    return offline.sync().then(function () {
      markOnline();
      // The list only once the queue is empty: a refresh must not forget who this device checked in unsynced.
      return offline.queued ? "queued" : offline.refresh(false);
    }).then(function () { refreshCounts(); }, function () { markOffline(); }).then(function () {
      renderFreshness();
      renderCorrections();
    });
  }
  if (window.indexedDB && window.crypto && window.crypto.subtle) {
    offline = new window.CheckinOffline.Offline({
      slug: cfg.event,
      urls: { doorlist: cfg.doorlistUrl, sync: cfg.syncUrl },
      headers: apiHeaders,
      onCsrf: function (token) { cfg.csrf = token; },
      onChange: renderFreshness
    });
    offline.open().then(function () {
      renderCorrections();
      if (navigator.onLine) { return onlineAgain(); }
      markOffline();
    }).catch(function () { $("freshness").textContent = "This browser cannot keep the door list: offline scans are not possible."; });
    window.addEventListener("online", function () { onlineAgain(); });
    window.addEventListener("offline", markOffline);
    setInterval(function () {
      if (navigator.onLine && offline.db && offline.queued) { onlineAgain(); }
    }, SYNC_EVERY_MS);
    setInterval(function () {
      if (navigator.onLine && offline.db && !document.hidden) { onlineAgain(); }
      renderFreshness();
    }, REFRESH_EVERY_MS);
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden && navigator.onLine && offline.db) { onlineAgain(); }
    });
    // Logging out here wipes the door list from this device (the queue stays: its scans are still to be synced).
    var logout = document.querySelector('form[action$="/logout"]');
    if (logout) {
      logout.addEventListener("submit", function (event) {
        if (logout.dataset.wiped) { return; }
        event.preventDefault();
        var go = function () { logout.dataset.wiped = "1"; logout.submit(); };
        offline.stopped = true;
        (offline.db ? offline.wipe("You logged out: the door list was removed from this device.") : Promise.resolve())
          .then(go, go);
      });
    }
    $("corrections-clear").addEventListener("click", function () {
      offline.clearCorrections().then(renderCorrections);
    });
  }
  if (navigator.serviceWorker && cfg.serviceWorker) {
    navigator.serviceWorker.register(cfg.serviceWorker, { scope: cfg.scope }).catch(function () {
      /* no offline page then; scanning online still works */
    });
  }

  // What the camera (camera.js) needs of the page: a decoded code becomes a scan unless one is under way.
  window.CheckinScanner = {
    root: root, cfg: cfg, load: load, save: save, unlockAudio: unlockAudio,
    scan: function (code) {
      if (busy) { return false; }
      lastInput = "camera";
      checkIn({ code: code, method: "scan" });
      return true;
    }
  };

  // ---- keys: Escape is Next, Alt+Z is Undo, Alt+P changes the place ----
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !result.hidden) { event.preventDefault(); hideAnswer(); return; }
    if (!event.altKey || event.ctrlKey || event.metaKey) { return; }
    var key = event.key.toLowerCase();
    if ((key === "z" || event.code === "KeyZ") && !result.hidden && !$("result-undo").hidden) {
      event.preventDefault();
      $("result-undo").click();
    } else if (key === "p" || event.code === "KeyP") {
      event.preventDefault();
      hideAnswer();
      where.focus();
    }
  });
})();
