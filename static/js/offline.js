// Rəy offline outbox. A survey the network could not carry is kept in IndexedDB with its
// idempotency key and sent again when the connection returns: on the "online" event, on the next
// page load, and every 30 s while something waits. The server stores each key once, so a retry after
// a lost answer cannot store the feedback twice. Without JavaScript the plain form post still works.
(function () {
  "use strict";
  if (!window.indexedDB || !window.fetch || !window.FormData || !window.Promise) { return; }
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js").catch(function () { /* the page works without it */ });
  }

  var STORE = "outbox";
  var notice = document.getElementById("offline-notice");
  var form = document.querySelector("form[data-survey]");
  var flushing = false;
  var timer = null;

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open("rey-offline", 1);
      request.onupgradeneeded = function () { request.result.createObjectStore(STORE, { keyPath: "key" }); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  // Run one request against the outbox and resolve with its result once the transaction is done.
  function outbox(mode, action) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var request = action(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(request.result); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function say(kind) {
    if (!notice) { return; }
    notice.textContent = notice.getAttribute("data-" + kind);
    notice.className = "notice notice-" + kind;
    notice.hidden = false;
  }

  function newKey() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function post(action, fields, token) {
    var body = new FormData();
    fields.forEach(function (pair) { body.append(pair[0], pair[0] === "csrf_token" && token ? token : pair[1]); });
    return fetch(action, { method: "POST", body: body, credentials: "same-origin" });
  }

  // The token saved with the form may have expired while the phone was offline: fetch a fresh one.
  function freshToken(action) {
    return fetch(action, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var input = new DOMParser().parseFromString(html, "text/html").querySelector("input[name=csrf_token]");
        return input ? input.value : null;
      });
  }

  function send(item) {
    return freshToken(item.action).then(function (token) { return post(item.action, item.fields, token); })
      .then(function (response) {
        // Stored (or already stored under this key), or refused for good: either way it leaves the outbox.
        if (response.ok || (response.status < 500 && response.status !== 429 && response.status !== 408)) {
          return outbox("readwrite", function (store) { return store.delete(item.key); }).then(function () {
            return response.ok;
          });
        }
        throw new Error("server busy: " + response.status);
      });
  }

  function flush() {
    if (flushing) { return Promise.resolve(); }
    flushing = true;
    var sent = 0;
    return outbox("readonly", function (store) { return store.getAll(); }).then(function (items) {
      return items.reduce(function (chain, item) {
        return chain.then(function () { return send(item); }).then(function (ok) { if (ok) { sent += 1; } });
      }, Promise.resolve());
    }).then(function () {
      if (sent) { say("sent"); }
    }, function () {
      say("saved");
      schedule();
    }).then(function () { flushing = false; });
  }

  function schedule() {
    if (!timer) { timer = setTimeout(function () { timer = null; flush(); }, 30000); }
  }

  function keep(item, why) {
    return outbox("readwrite", function (store) { return store.put(item); }).then(function () {
      form.reset();
      form.elements.idempotency_key.value = newKey();
      if (form.elements.comment) { form.elements.comment.dispatchEvent(new Event("input")); }
      say(why);
      if (notice) { notice.focus(); }
      schedule();
    });
  }

  // No rating chosen: say so here, so that a phone without signal keeps the page (and the comment).
  function askForRating() {
    var first = form.querySelector("input[name=rating]");
    var group = first.closest("fieldset");
    if (!document.getElementById("rating-error")) {
      var message = document.createElement("p");
      message.className = "error";
      message.id = "rating-error";
      message.setAttribute("role", "alert");
      message.textContent = form.getAttribute("data-rating-required");
      group.appendChild(message);
      group.setAttribute("aria-describedby", "rating-error");
    }
    first.focus();
  }

  function onSubmit(event) {
    if (!form.querySelector("input[name=rating]:checked")) {
      if (navigator.onLine) { return; }  // the server's page explains, as it does without JavaScript
      event.preventDefault();
      askForRating();
      return;
    }
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    if (button.disabled) { return; }
    button.disabled = true;
    var fields = [];
    new FormData(form).forEach(function (value, name) { fields.push([name, value]); });
    var item = { key: form.elements.idempotency_key.value, action: form.action, fields: fields, saved: Date.now() };
    post(item.action, item.fields, null).then(function (response) {
      if (response.ok) {
        window.location.assign(response.url);
      } else if (response.status >= 500 || response.status === 429) {
        // Busy (many people behind one address, as on a center's Wi-Fi) is no reason to lose it.
        return keep(item, response.status === 429 ? "busy" : "saved");
      } else {
        // A validation message or an expired form: the ordinary post shows it.
        form.removeEventListener("submit", onSubmit);
        HTMLFormElement.prototype.submit.call(form);
      }
    }, function () {
      return keep(item, "saved");
    }).then(function () { button.disabled = false; }, function () { button.disabled = false; });
  }

  if (form && form.elements.idempotency_key) {
    // A page served from the offline cache repeats its key; each new survey needs its own.
    form.elements.idempotency_key.value = newKey();
    form.addEventListener("submit", onSubmit);
  }
  window.addEventListener("online", flush);
  outbox("readonly", function (store) { return store.count(); }).then(function (count) {
    if (count) { say("saved"); flush(); }
  }, function () { /* private mode without IndexedDB: the plain form post still works */ });
})();
