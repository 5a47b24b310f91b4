// Rəy service worker: keeps the survey usable on a phone whose signal comes and goes.
// Survey pages: network first (fresh form and token when online), the last copy when offline.
// CSS and JS: the cached copy at once, refreshed in the background. Everything else, POSTs
// included, goes straight to the network: submissions are queued by offline.js, not here.
"use strict";
var CACHE = "rey-survey-v1";
var ASSETS = ["/static/css/rey.css", "/static/js/survey.js", "/static/js/offline.js"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(ASSETS); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n.indexOf("rey-") === 0 && n !== CACHE; })
      .map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

// The pages a QR code opens; thank-you pages are one-off and not worth keeping.
function isSurveyPage(url) { return /^\/c\//.test(url.pathname) && url.pathname.indexOf("/thanks/") === -1; }

function networkFirst(request) {
  return fetch(request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  }, function () {
    // Offline: this exact URL if it was seen, else the same page with other query arguments.
    return caches.match(request).then(function (hit) {
      return hit || caches.match(request, { ignoreSearch: true });
    }).then(function (hit) { return hit || Response.error(); });
  });
}

function cacheFirst(request) {
  return caches.match(request).then(function (hit) {
    var refresh = fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    });
    if (hit) {
      refresh.catch(function () { /* offline: the cached copy will do */ });
      return hit;
    }
    return refresh;
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate" && isSurveyPage(url)) {
    event.respondWith(networkFirst(request));
  } else if (ASSETS.indexOf(url.pathname) !== -1) {
    event.respondWith(cacheFirst(request));
  }
});
