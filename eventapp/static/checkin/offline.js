/* The scanner offline: the event's door list kept in IndexedDB, answers decided on the device when there is no
   network, and the durable queue of those scans, synced in order through the API when the network returns.

   The door list holds, per registration, a digest of the badge secret (sha256, as eventapp/checkin/doorlist.py
   makes it), never the secret. It is kept in memory too (a Map by digest), so that an offline answer is a lookup
   and one IndexedDB write: the scan is in the queue before the answer shows. */
(function () {
  "use strict";

  var BADGE_PREFIX = "EA1:";
  var BADGE_SECRET = /^[0-9ABCDEFGHJKMNPQRSTVWXYZ]{26}$/;
  var SYNC_BATCH = 100;
  var STATUS_RESULT = { w: "waitlisted", x: "cancelled" };
  var MESSAGES = {
    unknown_code: "Not a badge of this event.",
    badge_replaced: "This badge was replaced by a newer one. Ask for the new badge, or find them by name.",
    cancelled: "This registration was cancelled.",
    waitlisted: "This person is on the waiting list, not confirmed.",
    not_this_event: "This badge is for another event."
  };

  function promised(request) {
    return new Promise(function (resolve, reject) {
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }
  function done(tx) {
    return new Promise(function (resolve, reject) {
      tx.oncomplete = function () { resolve(); };
      tx.onerror = tx.onabort = function () { reject(tx.error); };
    });
  }

  function openDb(name) {
    var request = indexedDB.open(name, 1);
    request.onupgradeneeded = function () {
      var db = request.result;
      db.createObjectStore("meta");
      db.createObjectStore("people", { keyPath: "i" });
      db.createObjectStore("replaced", { keyPath: "d" });
      db.createObjectStore("queue", { keyPath: "seq", autoIncrement: true });
      db.createObjectStore("sent", { keyPath: "nonce" });
      db.createObjectStore("corrections", { keyPath: "nonce" });
    };
    return promised(request);
  }

  function base64url(bytes) {
    var text = "";
    for (var i = 0; i < bytes.length; i++) { text += String.fromCharCode(bytes[i]); }
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function secretFromCode(code) {
    code = String(code).trim().toUpperCase();
    if (code.indexOf(BADGE_PREFIX) !== 0) { return null; }
    var secret = code.slice(BADGE_PREFIX.length);
    return BADGE_SECRET.test(secret) ? secret : null;
  }

  function Offline(options) {
    this.slug = options.slug;
    this.urls = options.urls;            // {doorlist, sync}
    this.headers = options.headers;      // function: the headers of an API request (CSRF or token)
    this.onCsrf = options.onCsrf || function () {};
    this.onChange = options.onChange || function () {};
    this.db = null;
    this.people = new Map();    // registration id -> record
    this.byDigest = new Map();  // digest -> registration id
    this.replaced = new Map();  // digest -> registration id
    this.sessions = [];
    this.event = null;
    this.meta = {};
    this.queued = 0;
    this.syncing = null;
    this.wiped = null;          // why the list was wiped, if it was
  }

  Offline.prototype.open = function () {
    var self = this;
    return openDb("eventapp-checkin-" + this.slug).then(function (db) {
      self.db = db;
      var tx = db.transaction(["meta", "people", "replaced", "queue"], "readonly");
      var metaStore = tx.objectStore("meta");
      return Promise.all([
        promised(metaStore.get("list")), promised(metaStore.get("status")),
        promised(tx.objectStore("people").getAll()), promised(tx.objectStore("replaced").getAll()),
        promised(tx.objectStore("queue").count())
      ]);
    }).then(function (r) {
      var list = r[0] || {};
      self.meta = list;
      self.event = list.event || null;
      self.sessions = list.sessions || [];
      self.wiped = r[1] && r[1].wiped || null;
      r[2].forEach(function (p) { self.remember(p); });
      r[3].forEach(function (x) { self.replaced.set(x.d, x.i); });
      self.queued = r[4];
      self.onChange();
      return self;
    });
  };

  Offline.prototype.remember = function (person) {
    var old = this.people.get(person.i);
    if (old && old.d !== person.d) { this.byDigest.delete(old.d); }
    this.people.set(person.i, person);
    this.byDigest.set(person.d, person.i);
  };

  Offline.prototype.digest = function (secret) {
    var data = new TextEncoder().encode("eventapp-door:" + this.meta.eventId + ":" + secret);
    return crypto.subtle.digest("SHA-256", data).then(function (hash) {
      return base64url(new Uint8Array(hash).slice(0, 16));
    });
  };

  // ---- the door list ----

  Offline.prototype.api = function (method, url, body) {
    var options = { method: method, credentials: "same-origin", cache: "no-store", headers: this.headers() };
    options.headers.Accept = "application/json";
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(url, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, data: data };
      });
    });
  };

  // The server said this scanner may no longer hold the list: revoked token, logged out, event finished.
  Offline.prototype.mustWipe = function (r) {
    if (r.status === 410) { return "The event is finished: the door list was removed from this device."; }
    if (r.status === 401 && r.data && (r.data.error === "invalid_token" || r.data.error === "login_required")) {
      return r.data.error === "invalid_token"
        ? "This device's scanner token was revoked: the door list was removed from this device."
        : "You are logged out: the door list was removed from this device. Log in again.";
    }
    if (r.status === 403 && r.data && r.data.error === "other_event") {
      return "This scanner token is for another event: the door list was removed from this device.";
    }
    return null;
  };

  Offline.prototype.wipe = function (why) {
    var self = this;
    self.people.clear(); self.byDigest.clear(); self.replaced.clear();
    self.meta = {}; self.event = null; self.sessions = []; self.wiped = why;
    // The queue stays: scans made offline are never thrown away; they sync once someone may send them.
    var tx = self.db.transaction(["meta", "people", "replaced", "sent", "corrections"], "readwrite");
    tx.objectStore("people").clear();
    tx.objectStore("replaced").clear();
    tx.objectStore("sent").clear();
    tx.objectStore("corrections").clear();
    tx.objectStore("meta").delete("list");
    tx.objectStore("meta").put({ wiped: why }, "status");
    return done(tx).then(function () { self.onChange(); });
  };

  Offline.prototype.refresh = function (forceFull) {
    var self = this;
    var since = !forceFull && self.meta.cursor ? self.meta.cursor : "";
    var url = self.urls.doorlist + (since ? "?since=" + encodeURIComponent(since) : "");
    return self.api("GET", url).then(function (r) {
      var why = self.mustWipe(r);
      if (why) { return self.wipe(why).then(function () { return "wiped"; }); }
      if (r.status !== 200) { return "refused"; }
      return self.apply(r.data).then(function () {
        if (r.data.csrf) { self.onCsrf(r.data.csrf); }
        if (!r.data.full && self.people.size !== r.data.count) { return self.refresh(true); }
        return "fresh";
      });
    });
  };

  Offline.prototype.apply = function (data) {
    var self = this;
    if (self.stopped) { return Promise.resolve(); }  // logging out: a refresh still under way must not refill it
    var tx = self.db.transaction(["meta", "people", "replaced", "corrections", "sent"], "readwrite");
    var people = tx.objectStore("people"), replaced = tx.objectStore("replaced");
    if (data.full) {
      people.clear(); replaced.clear();
      self.people.clear(); self.byDigest.clear(); self.replaced.clear();
    }
    data.people.forEach(function (p) { people.put(p); self.remember(p); });
    data.replaced.forEach(function (x) {
      replaced.put({ d: x[0], i: x[1] });
      self.replaced.set(x[0], x[1]);
    });
    var previousScanner = self.meta.scanner;
    self.meta = {
      cursor: data.cursor, updatedAt: Date.now(), event: data.event, sessions: data.sessions,
      eventId: data.event_id, scanner: data.scanner
    };
    self.event = data.event;
    self.sessions = data.sessions;
    self.wiped = null;
    tx.objectStore("meta").put(self.meta, "list");
    tx.objectStore("meta").delete("status");
    // What the server changed of this device's offline answers, after another device's earlier scan synced.
    var sent = tx.objectStore("sent"), corrections = tx.objectStore("corrections");
    (data.corrections || []).forEach(function (c) {
      promised(sent.get(c.nonce)).then(function (mine) {
        if (mine && previousScanner === data.scanner) { corrections.put(self.correction(mine, c.answer)); }
      });
    });
    return done(tx).then(function () { self.onChange(); });
  };

  // ---- deciding offline ----

  Offline.prototype.sessionById = function (id) {
    for (var i = 0; i < this.sessions.length; i++) { if (this.sessions[i].id === id) { return this.sessions[i]; } }
    return null;
  };

  Offline.prototype.localTime = function (iso) {
    var zone = this.event && this.event.timezone || undefined;
    try {
      return new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: zone })
        .format(new Date(iso));
    } catch (e) { return new Date(iso).toTimeString().slice(0, 5); }
  };

  Offline.prototype.attendee = function (person) {
    var self = this;
    return {
      id: person.i, name: person.n, organisation: person.o,
      assigned_sessions: (person.a || []).map(function (id) {
        var s = self.sessionById(id);
        return s ? { id: s.id, title: s.title, room: s.room } : null;
      }).filter(Boolean)
    };
  };

  Offline.prototype.findPerson = function (payload) {
    var self = this;
    if (payload.registration) {
      return Promise.resolve({ person: self.people.get(payload.registration) || null, replaced: false });
    }
    var secret = secretFromCode(payload.code);
    if (!secret || !self.meta.eventId) { return Promise.resolve({ person: null, replaced: false }); }
    return self.digest(secret).then(function (digest) {
      var id = self.byDigest.get(digest);
      if (id !== undefined) { return { person: self.people.get(id), replaced: false }; }
      id = self.replaced.get(digest);
      return { person: id !== undefined ? self.people.get(id) || null : null, replaced: id !== undefined };
    });
  };

  // The answer the server would give, from the device's copy; the scan queued before the answer is returned.
  Offline.prototype.decide = function (payload, scannerName) {
    var self = this;
    var deviceTime = Date.now();
    var session = payload.session ? self.sessionById(payload.session) : null;
    var where = session ? " at " + session.title : "";
    return self.findPerson(payload).then(function (found) {
      var person = found.person, answer = { check_in_id: null, recorded: false, session: null, offline: true };
      if (session) { answer.session = { id: session.id, title: session.title, room: session.room }; }
      var changed = null;
      if (!person) {
        answer.result = "unknown_code";
      } else if (found.replaced) {
        answer.result = "badge_replaced";
        answer.attendee = self.attendee(person);
        answer.attendee.assigned_sessions = [];
      } else {
        answer.attendee = self.attendee(person);
        if (STATUS_RESULT[person.s]) {
          answer.result = STATUS_RESULT[person.s];
        } else {
          var mark = session ? (person.cs || {})[String(session.id)] : person.c;
          if (mark) {
            answer.result = "already_checked_in";
            answer.checked_in_at = mark[0];
            answer.checked_in_at_local = self.localTime(mark[0]);
            answer.checked_in_by = mark[1];
            answer.message = "Already checked in" + where + " at " + answer.checked_in_at_local + " by " + mark[1] + ".";
          } else {
            answer.result = "ok";
            answer.recorded = true;
            answer.message = "Checked in" + where + ".";
            if (session && self.event && self.event.assignments_published) {
              (person.a || []).forEach(function (id) {
                var other = self.sessionById(id);
                if (other && other.slot === session.slot && other.id !== session.id) {
                  answer.result = "wrong_session";
                  answer.assigned_session = { id: other.id, title: other.title, room: other.room };
                  answer.message = "Checked in" + where + ", but assigned to " + other.title +
                    (other.room ? " (" + other.room + ")" : "") + ".";
                }
              });
            }
            var stamp = [new Date(deviceTime).toISOString(), scannerName || "this device"];
            changed = Object.assign({}, person);
            if (session) { changed.cs = Object.assign({}, person.cs || {}); changed.cs[String(session.id)] = stamp; }
            else { changed.c = stamp; }
          }
        }
      }
      if (!answer.message) { answer.message = MESSAGES[answer.result]; }
      var scan = {
        nonce: payload.nonce, code: payload.code, registration: payload.registration, session: payload.session,
        method: payload.method, device: payload.device, device_time: deviceTime, offline_result: answer.result,
        name: answer.attendee ? answer.attendee.name : null
      };
      var tx = self.db.transaction(["queue", "people"], "readwrite");
      tx.objectStore("queue").add(scan);
      if (changed) { tx.objectStore("people").put(changed); }
      return done(tx).then(function () {
        if (changed) { self.remember(changed); }
        self.queued += 1;
        self.onChange();
        return answer;
      });
    });
  };

  // An online answer teaches the copy too, so that an offline scan a minute later knows.
  Offline.prototype.learn = function (answer) {
    if (!answer || !answer.recorded || !answer.attendee || !this.db) { return; }
    var person = this.people.get(answer.attendee.id);
    if (!person) { return; }
    var stamp = [answer.checked_in_at || new Date().toISOString(), answer.checked_in_by || "this device"];
    var changed = Object.assign({}, person);
    if (answer.session) { changed.cs = Object.assign({}, person.cs || {}); changed.cs[String(answer.session.id)] = stamp; }
    else { changed.c = stamp; }
    this.remember(changed);
    var tx = this.db.transaction(["people"], "readwrite");
    tx.objectStore("people").put(changed);
  };

  Offline.prototype.search = function (query) {
    var words = String(query).toLowerCase().split(/\s+/).filter(Boolean);
    var hits = [];
    if (!words.length) { return hits; }
    var self = this;
    this.people.forEach(function (p) {
      if (hits.length >= 25) { return; }
      var text = (p.n + " " + (p.o || "")).toLowerCase();
      if (words.every(function (w) { return text.indexOf(w) !== -1; })) {
        hits.push({
          id: p.i, name: p.n, organisation: p.o, status: { c: "confirmed", w: "waitlisted", x: "cancelled" }[p.s],
          checked_in_at_local: p.c ? self.localTime(p.c[0]) : null
        });
      }
    });
    hits.sort(function (a, b) { return a.name.localeCompare(b.name); });
    return hits;
  };

  // ---- the queue ----

  Offline.prototype.correction = function (scan, answer) {
    return {
      nonce: scan.nonce, name: scan.name || (answer.attendee && answer.attendee.name) || null,
      device_time: scan.device_time, offline_result: scan.offline_result,
      result: answer.result || answer.error || "refused", message: answer.message || ""
    };
  };

  Offline.prototype.pending = function () {
    var tx = this.db.transaction(["queue"], "readonly");
    return promised(tx.objectStore("queue").getAll(null, SYNC_BATCH));
  };

  // Send the queue, oldest first, a batch at a time; a scan leaves the queue only once the server has answered it.
  Offline.prototype.sync = function () {
    var self = this;
    if (self.syncing) { return self.syncing; }
    self.syncing = (function next(total) {
      return self.pending().then(function (scans) {
        if (!scans.length) { return total; }
        var body = scans.map(function (s) {
          var item = { nonce: s.nonce, method: s.method, session: s.session, device_time: s.device_time,
                       offline_result: s.offline_result };
          if (s.registration) { item.registration = s.registration; } else { item.code = s.code; }
          if (s.device) { item.device = s.device; }
          return item;
        });
        return self.api("POST", self.urls.sync, { scans: body }).then(function (r) {
          var why = self.mustWipe(r);
          if (why) { return self.wipe(why).then(function () { return total; }); }
          if (r.status !== 200 || !r.data.results) { return total; }
          var tx = self.db.transaction(["queue", "sent", "corrections"], "readwrite");
          r.data.results.forEach(function (res, i) {
            var scan = scans[i];
            tx.objectStore("queue").delete(scan.seq);
            tx.objectStore("sent").put({ nonce: scan.nonce, name: scan.name, device_time: scan.device_time,
                                        offline_result: scan.offline_result });
            var answer = res.answer || {};
            if (answer.result !== scan.offline_result) {
              tx.objectStore("corrections").put(self.correction(scan, answer));
            }
          });
          return done(tx).then(function () {
            self.queued = Math.max(0, self.queued - scans.length);
            self.onChange();
            return next(total + scans.length);
          });
        });
      });
    })(0).then(function (total) {
      return self.countQueue().then(function () { return total; });
    }, function (error) {
      return self.countQueue().then(function () { throw error; });
    }).then(function (total) { self.syncing = null; return total; }, function (error) {
      self.syncing = null;
      throw error;
    });
    return self.syncing;
  };

  Offline.prototype.countQueue = function () {
    var self = this;
    return promised(self.db.transaction(["queue"], "readonly").objectStore("queue").count()).then(function (n) {
      self.queued = n;
      self.onChange();
      return n;
    });
  };

  Offline.prototype.corrections = function () {
    return promised(this.db.transaction(["corrections"], "readonly").objectStore("corrections").getAll());
  };

  Offline.prototype.clearCorrections = function () {
    var tx = this.db.transaction(["corrections"], "readwrite");
    tx.objectStore("corrections").clear();
    var self = this;
    return done(tx).then(function () { self.onChange(); });
  };

  window.CheckinOffline = { Offline: Offline, secretFromCode: secretFromCode };
})();
