// Kiosk tablets: go back to the start after the thank-you or after a spell of idleness, without
// leaving the last person's answers in the page or in the history. Timings come from data-*
// attributes so the server's configuration (and the tests) decide them.
//
// The hall's network comes and goes, and a form post it drops leaves the browser's own error page,
// which nothing brings back. So a tap is sent with fetch and kept in localStorage until the server
// answers (its idempotency key makes a resent tap count once), and the tablet leaves a page only
// once the network answers. Without JavaScript the plain form post and the pages' refresh still work.
(function () {
  "use strict";
  var screen = document.querySelector("[data-kiosk]");
  if (!screen) { return; }
  var start = screen.getAttribute("data-kiosk-start");
  var idleMs = parseInt(screen.getAttribute("data-kiosk-idle-ms"), 10) || 20000;
  var resetMs = parseInt(screen.getAttribute("data-kiosk-reset-ms") || "0", 10);
  // Held taps reach the server this far apart, so that its abuse guard does not take two people's
  // identical taps, sent one after the other once the network is back, for one repeated tap.
  var gapMs = parseInt(screen.getAttribute("data-kiosk-gap-ms") || "0", 10);
  var form = document.querySelector("form[data-kiosk-form]");
  var notice = document.querySelector("[data-kiosk-offline]");
  // A page that came back with a message holds what the last person typed: wiped after idleness,
  // not kept for the quarter of an hour an untouched start page is.
  var touched = screen.hasAttribute("data-kiosk-in-use");
  var loadedAt = Date.now();
  var FRESH_MS = 15 * 60 * 1000;
  var RETRY_MS = 5000;
  var TIMEOUT_MS = 10000;
  var OUTBOX = "rey-kiosk-outbox";
  var LAST_SENT = "rey-kiosk-last-sent";
  var timer = null;
  var retryTimer = null;
  var sent = false;      // this page's tap has been made: a second tap is ignored
  var current = null;    // the idempotency key of this page's tap, whose answer the page shows
  var flushing = false;
  var leaving = false;
  var done = false;      // the page is being replaced: nothing more to do here

  // --- Held taps -----------------------------------------------------------------------------

  function held() {
    var items;
    try { items = JSON.parse(window.localStorage.getItem(OUTBOX) || "[]"); } catch (e) { return []; }
    return Array.isArray(items) ? items.filter(function (item) {
      return item && typeof item.key === "string" && Array.isArray(item.fields);
    }) : [];
  }

  function keep(items) {
    if (items.length) { window.localStorage.setItem(OUTBOX, JSON.stringify(items)); }
    else { window.localStorage.removeItem(OUTBOX); }
  }

  function without(key) {
    return held().filter(function (item) { return item.key !== key; });
  }

  // Its wait is over. Should the storage fail now, the tap is sent again later and counted once.
  function release(key) {
    try { keep(without(key)); } catch (e) { /* see above */ }
  }

  function canHold() {
    try {
      window.localStorage.setItem("rey-kiosk-probe", "1");
      window.localStorage.removeItem("rey-kiosk-probe");
    } catch (e) { return false; }
    return !!(window.fetch && window.FormData && window.Promise && form.elements.idempotency_key);
  }

  function newKey() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // A fetch that gives up after a while: a network that swallows requests must not keep a tap waiting
  // for minutes. Resolves with the response and its text once both have arrived.
  function request(url, options) {
    var abort = window.AbortController ? new AbortController() : null;
    var stopper = null;
    if (abort) {
      options.signal = abort.signal;
      stopper = window.setTimeout(function () { abort.abort(); }, TIMEOUT_MS);
    }
    options.credentials = "same-origin";
    return window.fetch(url, options).then(function (response) {
      return response.text().then(function (text) {
        window.clearTimeout(stopper);
        return { response: response, text: text };
      });
    }, function (error) { window.clearTimeout(stopper); throw error; });
  }

  function post(item) {
    var body = new FormData();
    var token = form.elements.csrf_token && form.elements.csrf_token.value;
    item.fields.forEach(function (pair) {
      // This page's token: a held tap's may have expired, or belong to a browser session since ended.
      body.append(pair[0], pair[0] === "csrf_token" && token ? token : pair[1]);
    });
    try { window.localStorage.setItem(LAST_SENT, String(Date.now())); } catch (e) { /* only pacing */ }
    return request(form.action, { method: "POST", body: body });
  }

  function waitBeforeSending() {
    var last = parseInt(window.localStorage.getItem(LAST_SENT) || "0", 10);
    return Math.min(gapMs, Math.max(0, last + gapMs - Date.now()));
  }

  function say() {
    if (!notice || !current) { return; }
    notice.textContent = notice.getAttribute("data-kiosk-offline");
    notice.hidden = false;
  }

  function retryLater() {
    if (retryTimer || done) { return; }
    retryTimer = window.setTimeout(function () { retryTimer = null; again(); }, RETRY_MS);
  }

  // Send what is held, one at a time: this page's tap first (someone may be waiting for it), then
  // those of people who have gone, spaced out as the abuse guard needs.
  function flush() {
    if (flushing || done || !form) { return; }
    var items = held();
    var item = items.filter(function (each) { return each.key === current; })[0] || items[0];
    if (!item) { return; }
    var pause = item.key === current ? 0 : waitBeforeSending();
    if (pause > 0) {
      window.clearTimeout(retryTimer);
      retryTimer = window.setTimeout(function () { retryTimer = null; flush(); }, pause);
      return;
    }
    flushing = true;
    post(item).then(function (answer) {
      flushing = false;
      var status = answer.response.status;
      if (item.key === current) {
        // Whatever the server said (thanks, or a message), it is said here, as after a plain post.
        release(item.key);
        show(answer);
        return;
      }
      // Nobody waits for an earlier person's tap: a busy server gets it again later; any other answer
      // (stored, stored before under its key, or refused for good) ends its wait.
      if (status >= 500 || status === 429 || status === 408) { retryLater(); return; }
      release(item.key);
      flush();
    }, function () {
      flushing = false;
      say();
      retryLater();
    });
  }

  // The server's page, in place of this one: no second trip over the network to fetch it again.
  function show(answer) {
    done = true;
    window.clearTimeout(timer);
    window.clearTimeout(retryTimer);
    if (answer.response.redirected) { window.history.replaceState(null, "", answer.response.url); }
    document.open();
    document.write(answer.text);
    document.close();
  }

  // --- Going back to the start ---------------------------------------------------------------

  function empty() {
    // Emptied, not reset(): on a page that came back with a message, the answers are the defaults.
    if (form) {
      Array.prototype.forEach.call(form.elements, function (field) {
        if (field.type === "checkbox") { field.checked = false; }
        if (field.type === "text" || field.type === "textarea") { field.value = ""; }
      });
    }
  }

  function restart() {
    if (done || leaving) { return; }
    empty();
    if (!window.fetch || !window.Promise) { window.location.replace(start); return; }
    leaving = true;
    request(start, { method: "HEAD", cache: "no-store" }).then(function () {
      done = true;
      // replace(), not assign(): the page just left must not be reachable with the Back button.
      window.location.replace(start);
    }, function () {
      leaving = false;
      stayForTheNextPerson();
    });
  }

  // The network is down: leaving now would end on the browser's own error page. The page is made
  // ready for the next person where it is, and leaves once the network is back.
  function stayForTheNextPerson() {
    if (!form) { retryLater(); return; }
    // This page's tap, if any, stays held and is sent later; the person who made it has gone.
    current = null;
    sent = false;
    form.elements.idempotency_key.value = newKey();
    if (notice) { notice.hidden = true; }
    touched = false;
    arm();
  }

  function again() {
    // A page left untouched for long first makes way for a fresh one, whose form token has not expired.
    if (!form || (!touched && Date.now() - loadedAt >= FRESH_MS)) { restart(); } else { flush(); }
  }

  function arm() {
    window.clearTimeout(timer);
    if (done) { return; }
    timer = window.setTimeout(function () {
      // An untouched start page has nothing to forget, so it is only reloaded now and then, to keep
      // its form token fresh (a tablet may sit idle all night; the token expires after hours).
      if (form && !touched && Date.now() - loadedAt < FRESH_MS) { arm(); return; }
      restart();
    }, idleMs);
  }

  ["pointerdown", "keydown", "input", "touchstart"].forEach(function (name) {
    document.addEventListener(name, function () { touched = true; arm(); }, { passive: true });
  });
  arm();

  if (resetMs > 0) { window.setTimeout(restart, resetMs); }

  // A page restored from the back-forward cache may still hold answers: start afresh.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { restart(); }
  });
  window.addEventListener("online", again);

  var restartLink = document.querySelector("[data-kiosk-restart]");
  if (restartLink) {
    restartLink.addEventListener("click", function (event) { event.preventDefault(); restart(); });
  }

  if (form) {
    var holding = canHold();
    form.addEventListener("submit", function (event) {
      // One tap, one rating: a second tap while the first is on its way is ignored.
      if (sent) { event.preventDefault(); return; }
      sent = true;
      var button = event.submitter;
      if (!holding || !button || !button.name) { return; }  // the plain post, as without JavaScript
      var fields = [];
      new FormData(form).forEach(function (value, name) { fields.push([name, value]); });
      fields.push([button.name, button.value]);
      var item = { key: form.elements.idempotency_key.value, fields: fields };
      try { keep(without(item.key).concat([item])); } catch (e) { return; }  // no room: the plain post
      event.preventDefault();
      current = item.key;
      flush();
    });
    flush();  // taps held by an earlier page
  }
})();
