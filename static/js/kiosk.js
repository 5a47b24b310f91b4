// Kiosk tablets: go back to the start after the thank-you or after a spell of idleness, without
// leaving the last person's answers in the page or in the history. Timings come from data-*
// attributes so the server's configuration (and the tests) decide them.
(function () {
  "use strict";
  var screen = document.querySelector("[data-kiosk]");
  if (!screen) { return; }
  var start = screen.getAttribute("data-kiosk-start");
  var idleMs = parseInt(screen.getAttribute("data-kiosk-idle-ms"), 10) || 20000;
  var resetMs = parseInt(screen.getAttribute("data-kiosk-reset-ms") || "0", 10);
  var form = document.querySelector("form[data-kiosk-form]");
  // A page that came back with a message holds what the last person typed: wiped after idleness,
  // not kept for the quarter of an hour an untouched start page is.
  var touched = screen.hasAttribute("data-kiosk-in-use");
  var loadedAt = Date.now();
  var FRESH_MS = 15 * 60 * 1000;
  var timer = null;

  function restart() {
    // Emptied, not reset(): on a page that came back with a message, the answers are the defaults.
    if (form) {
      Array.prototype.forEach.call(form.elements, function (field) {
        if (field.type === "checkbox") { field.checked = false; }
        if (field.type === "text" || field.type === "textarea") { field.value = ""; }
      });
    }
    // replace(), not assign(): the page just left must not be reachable with the Back button.
    window.location.replace(start);
  }

  function arm() {
    window.clearTimeout(timer);
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

  var restartLink = document.querySelector("[data-kiosk-restart]");
  if (restartLink) {
    restartLink.addEventListener("click", function (event) { event.preventDefault(); restart(); });
  }

  if (form) {
    var sent = false;
    form.addEventListener("submit", function (event) {
      // One tap, one rating: a second tap while the first is on its way is ignored.
      if (sent) { event.preventDefault(); return; }
      sent = true;
    });
  }
})();
