/* The scanner's service worker (templates/checkin/sw.js): the page and its files from the cache when there is no
   network. The page itself is fetched from the network first (a fresh one whenever the network answers), its files
   from the cache first (their list and content hash make this worker's version). The API is never cached. */
"use strict";
var VERSION = {{ version|tojson }};
var PAGE = {{ page|tojson }};
var FILES = {{ files|tojson }};
var CACHE = "eventapp-checkin-" + PAGE + "-" + VERSION;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(FILES.concat([PAGE]));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("eventapp-checkin-" + PAGE + "-") === 0 && name !== CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function pageFromNetwork(request) {
  return fetch(request).then(function (response) {
    // Only the page itself, logged in: a redirect to the login page is not a page to keep.
    if (response.ok && !response.redirected) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { return cache.put(PAGE, copy); });
    }
    return response;
  }).catch(function () {
    return caches.open(CACHE).then(function (cache) { return cache.match(PAGE, { ignoreVary: true }); })
      .then(function (cached) { return cached || Response.error(); });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate" && url.pathname === PAGE) {
    event.respondWith(pageFromNetwork(request));
    return;
  }
  if (FILES.indexOf(url.pathname) !== -1) {
    event.respondWith(caches.open(CACHE).then(function (cache) {
      return cache.match(url.pathname).then(function (cached) { return cached || fetch(request); });
    }));
  }
});
