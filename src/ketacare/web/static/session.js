/* KetaCare chair and floor pages: local times, an offline queue of vitals, polling refresh.
   Vanilla JS, no dependencies. Unsent vitals rows wait in localStorage and are resent with the
   same Idempotency-Key, so a retry after flaky Wi-Fi never charts a reading twice. */
(function () {
  "use strict";
  var QUEUE_KEY = "ketacare.vitals.queue";
  var RETRY_MS = 10000;
  var CHAIR_POLL_MS = 10000;

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function localValue(d) {
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) +
      "T" + pad(d.getHours()) + ":" + pad(d.getMinutes());
  }
  function newKey() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    return "k-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  }
  function offsetFor(value) {
    var d = value ? new Date(value) : new Date();
    return isNaN(d.getTime()) ? new Date().getTimezoneOffset() : d.getTimezoneOffset();
  }

  // Forms with local date-times send the browser's UTC offset so the server stores UTC.
  document.querySelectorAll("form[data-local-times]").forEach(function (form) {
    form.querySelectorAll("input[data-default-now]").forEach(function (input) {
      if (!input.value) { input.value = localValue(new Date()); }
    });
    form.addEventListener("submit", function () {
      var first = form.querySelector("input[type=datetime-local]");
      var tz = form.querySelector("input[name=tz_offset_min]");
      if (tz) { tz.value = String(offsetFor(first ? first.value : "")); }
    });
  });

  function readQueue() {
    try { return JSON.parse(localStorage.getItem(QUEUE_KEY) || "[]"); } catch (e) { return []; }
  }
  function writeQueue(q) { localStorage.setItem(QUEUE_KEY, JSON.stringify(q)); }
  function status(text) {
    var el = document.getElementById("queue-status");
    if (el) { el.textContent = text; }
  }

  // A refused reading: each message beside its input (the values stay as typed), the first
  // bad input focused; a message about no single input goes to the status line.
  function clearFieldErrors(form) {
    form.querySelectorAll(".field-error[data-from-api]").forEach(function (el) { el.remove(); });
    form.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
  }
  // The same plain words the server-rendered forms use (ketacare.web.forms).
  var WORDS = [
    [/^Input should be less than or equal to (\S+)$/, "Must be at most $1."],
    [/^Input should be greater than or equal to (\S+)$/, "Must be at least $1."],
    [/^Input should be less than (\S+)$/, "Must be less than $1."],
    [/^Input should be greater than (\S+)$/, "Must be more than $1."],
    [/^Input should be a valid integer.*$/, "Enter a whole number."],
    [/^Input should be a valid datetime.*$/, "Enter a date and time."]
  ];
  function plain(message, field) {
    var text = String(message || "");
    while (field && text.indexOf(field + ": ") === 0) { text = text.slice(field.length + 2); }
    text = text.replace(/^Value error, /, "").replace(/\s*\((?:[a-z0-9_]+\.)+[a-z0-9_]+\)\s*$/, "");
    for (var i = 0; i < WORDS.length; i++) {
      if (WORDS[i][0].test(text)) { return text.replace(WORDS[i][0], WORDS[i][1]); }
    }
    return text;
  }
  function showRefusal(body, code) {
    var form = document.getElementById("vitals-form");
    var list = (body && body.errors && body.errors.length) ? body.errors :
      [{ field: body && body.field, message: body && body.detail }];
    var first = null, general = [];
    if (form) { clearFieldErrors(form); }
    list.forEach(function (e) {
      var name = String(e.field || "").split(".").pop();
      var message = plain(e.message || e.detail || code, e.field) || String(code);
      var input = form && name ? form.elements[name] : null;
      if (input && input.insertAdjacentElement) {
        var span = document.createElement("span");
        span.className = "field-error";
        span.setAttribute("data-from-api", "");
        span.setAttribute("role", "alert");
        span.textContent = message;
        input.setAttribute("aria-invalid", "true");
        input.insertAdjacentElement("afterend", span);
        if (!first) { first = input; }
      } else {
        general.push(message);
      }
    });
    status(general.length ? "Not saved: " + general.join("; ") : "Not saved: see the marked fields.");
    if (first) { first.focus(); }
  }

  var flushing = false;
  function flush(csrf) {
    if (flushing) { return Promise.resolve(false); }
    var queue = readQueue();
    if (!queue.length) { return Promise.resolve(false); }
    flushing = true;
    var sent = false;
    var chain = Promise.resolve();
    queue.slice().forEach(function (item) {
      chain = chain.then(function () {
        return fetch(item.url, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf,
                     "Idempotency-Key": item.key },
          body: JSON.stringify(item.body)
        }).then(function (r) {
          if (r.status >= 500) { throw new Error("server " + r.status); }
          writeQueue(readQueue().filter(function (q) { return q.key !== item.key; }));
          if (r.ok) { sent = true; return null; }
          return r.json().then(function (body) { showRefusal(body, r.status); });
        });
      });
    });
    return chain.then(function () { flushing = false; return sent; }, function () {
      flushing = false;
      var left = readQueue().length;
      status(left + " reading(s) waiting to send (offline); retrying");
      return sent;
    });
  }

  var chair = document.getElementById("chair");
  if (chair) {
    var csrf = chair.getAttribute("data-csrf") || "";
    var form = document.getElementById("vitals-form");
    if (form) {
      form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        var body = {};
        ["systolic", "diastolic", "heart_rate", "spo2", "respiratory_rate"].forEach(function (n) {
          var v = form.elements[n].value.trim();
          if (v !== "") { body[n] = /^-?\d+$/.test(v) ? parseInt(v, 10) : v; }
        });
        var when = form.elements.measured_at.value;
        if (when) { body.measured_at = new Date(when).toISOString(); }
        var symptoms = [];
        form.querySelectorAll("input[name=symptoms]:checked").forEach(function (c) {
          symptoms.push(c.value);
        });
        if (symptoms.length) { body.symptoms = symptoms; }
        var q = readQueue();
        q.push({ url: form.getAttribute("data-api"), key: newKey(), body: body });
        writeQueue(q);
        status("Sending…");
        flush(csrf).then(function (sent) { if (sent) { window.location.reload(); } });
      });
    }
    flush(csrf).then(function (sent) { if (sent) { window.location.reload(); } });
    setInterval(function () {
      flush(csrf).then(function (sent) { if (sent) { window.location.reload(); } });
    }, RETRY_MS);

    // Another device changed the session: reload unless the nurse is typing.
    var sid = chair.getAttribute("data-session-id");
    var seen = null;
    setInterval(function () {
      fetch("/api/v1/sessions/" + sid, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (s) {
          if (!s) { return; }
          var open = s.alerts.filter(function (a) { return !a.acknowledged_at; }).length;
          var sig = [s.version, s.vitals.length, s.alerts.length, open].join("/");
          if (seen === null) { seen = sig; return; }
          var typing = document.activeElement && /INPUT|SELECT|TEXTAREA/.test(document.activeElement.tagName);
          if (sig !== seen && !typing && !readQueue().length) { window.location.reload(); }
        })
        .catch(function () { /* offline: try again next tick */ });
    }, CHAIR_POLL_MS);
  }

  var floor = document.getElementById("floor");
  if (floor) {
    var url = floor.getAttribute("data-poll");
    var every = parseInt(floor.getAttribute("data-poll-seconds") || "5", 10) * 1000;
    setInterval(function () {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.text(); })
        .then(function (html) {
          floor.innerHTML = html;
          var stamp = document.getElementById("floor-updated");
          if (stamp) { stamp.textContent = "updated " + new Date().toLocaleTimeString(); }
        })
        .catch(function () {
          var stamp = document.getElementById("floor-updated");
          if (stamp) { stamp.textContent = "connection lost; retrying"; }
        });
    }, every);
  }
})();
