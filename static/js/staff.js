// Staff pages and the idle limit (REY_STAFF_IDLE_MINUTES; feedback/staff_sessions.py), which only
// requests reset.
// - Typing in a form is activity: writing a resolution or a note can take longer than the limit, so
//   while someone types, the page tells the server, at most once a minute.
// - Before the limit, a warning offers "Stay signed in" (WCAG 2.2.1: a time limit can be extended
//   with a simple action, with at least 20 seconds to do it).
// - A sign-in that has ended anyway (a working day's limit, or signed out elsewhere) is said as soon as
//   the page hears of it, while what was typed can still be copied: the form's post would only lead
//   to the sign-in page.
(function () {
  "use strict";
  var notice = document.getElementById("signed-out-notice");
  if (!notice || !window.fetch) { return; }
  var warning = document.getElementById("idle-warning");
  var url = notice.getAttribute("data-alive-url");
  var idleMs = Number(notice.getAttribute("data-idle-seconds")) * 1000;
  var TYPING_EVERY_MS = 60000;
  var lastPing = 0;
  var warnTimer = null;

  // The server counts activity in steps of up to a minute, so the warning comes well before the
  // limit: two and a half minutes, or half the limit if that is shorter.
  function armWarning() {
    window.clearTimeout(warnTimer);
    if (!(idleMs > 0)) { return; }
    warnTimer = window.setTimeout(function () { warning.hidden = false; }, idleMs - Math.min(150000, idleMs / 2));
  }

  // Shown without taking the focus: the person may be typing, and role="alert" has it read out.
  function signedOut() {
    window.clearTimeout(warnTimer);
    warning.hidden = true;
    notice.hidden = false;
  }

  function ping() {
    lastPing = Date.now();
    return fetch(url, { credentials: "same-origin", cache: "no-store", redirect: "manual" }).then(function (response) {
      if (response.status === 204) {
        warning.hidden = true;
        armWarning();
      } else if (response.type === "opaqueredirect" || response.status === 401) {
        // The login redirect (opaque to a script) or 401: the sign-in is over. A 5xx is not.
        signedOut();
      }
    }, function () { /* offline for a moment: the next keystroke or click asks again */ });
  }

  document.addEventListener("input", function (event) {
    if (event.target.form && Date.now() - lastPing >= TYPING_EVERY_MS) { ping(); }
  });
  warning.querySelector("[data-stay-signed-in]").addEventListener("click", ping);
  armWarning();
})();
