// Staff pages: typing in a form is activity. Writing a resolution or a note can take longer than
// the idle limit (REY_STAFF_IDLE_MINUTES), and only requests move that clock, so while someone
// types, the page tells the server at most once a minute. If the sign-in has ended anyway (a
// working day's limit, or signed out elsewhere), the page says so at once, while what was typed can
// still be copied: the form's post would only lead to the sign-in page.
(function () {
  "use strict";
  var notice = document.getElementById("signed-out-notice");
  if (!notice || !window.fetch) { return; }
  var url = notice.getAttribute("data-alive-url");
  var EVERY_MS = 60000;
  var last = 0;

  // Shown without taking the focus: the person is typing, and role="alert" has it read out.
  function signedOut() {
    notice.hidden = false;
  }

  document.addEventListener("input", function (event) {
    if (!event.target.form || Date.now() - last < EVERY_MS) { return; }
    last = Date.now();
    fetch(url, { credentials: "same-origin", cache: "no-store", redirect: "manual" }).then(function (response) {
      // The login redirect (opaque to a script) or 401: the sign-in is over. A 5xx is not.
      if (response.type === "opaqueredirect" || response.status === 401) { signedOut(); }
    }, function () { /* offline for a moment: the next keystroke asks again */ });
  });
})();
