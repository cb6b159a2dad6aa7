/* A site's setup page in admin: asks live.json for the check and the latest events every few seconds (not while
   the tab is hidden) and redraws them. The URL and the pace come from data- attributes of #content-main; every
   value is written as text, never as HTML. */
(function () {
  "use strict";

  var STATUS_CLASS = { arriving: "success", refused: "error", waiting: "warning" };
  var COLUMNS = 9;

  function text(id, value) {
    var element = document.getElementById(id);
    if (element) element.textContent = value;
  }

  function reasons(counts) {
    var names = Object.keys(counts || {});
    return names.length ? names.map(function (name) { return name + " " + counts[name]; }).join(", ") : "none";
  }

  function check(data) {
    var verdict = document.getElementById("setup-verdict");
    verdict.textContent = data.verdict;
    verdict.dataset.status = data.status;
    verdict.className = STATUS_CLASS[data.status] || "warning";
    text("check-last", data.last_event_time);
    text("check-accepted", String(data.accepted_last_hour));
    text("check-refused-hour", reasons(data.refused_last_hour));
    text("check-refused-today", reasons(data.refused_today));
  }

  function cell(row, value, tag) {
    var td = row.insertCell();
    var holder = tag ? td.appendChild(document.createElement(tag)) : td;
    holder.textContent = value == null ? "" : String(value);
    return td;
  }

  function eventRow(body, event) {
    var row = body.insertRow();
    row.className = event.accepted ? "accepted" : "refused";
    cell(row, event.time);
    cell(row, event.accepted ? "stored" : "refused");
    cell(row, event.type);
    cell(row, event.name);
    cell(row, event.path);
    cell(row, (event.consent || []).join(", "));
    cell(row, event.source);
    cell(row, event.visitor_id, "code");
    cell(row, event.accepted ? "" : event.reason + ": " + event.detail);
  }

  function events(list) {
    var table = document.getElementById("live-events");
    var body = document.createElement("tbody");
    list.forEach(function (event) { eventRow(body, event); });
    if (!list.length) {
      var row = body.insertRow();
      row.className = "empty";
      cell(row, "No events yet.").colSpan = COLUMNS;
    }
    table.replaceChild(body, table.tBodies[0]);
  }

  function start(root) {
    var url = root.dataset.liveUrl;
    var every = Number(root.dataset.pollMs) || 2000;

    function poll() {
      if (document.hidden) return setTimeout(poll, every);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (response.redirected) throw new Error("your session has ended; log in again and reload this page");
          if (!response.ok) throw new Error("the server answered " + response.status + "; reload this page");
          return response.json();
        })
        .then(function (data) {
          check(data.check);
          events(data.events);
          text("live-status", "Updated " + new Date().toLocaleTimeString() + ".");
        })
        .catch(function (error) { text("live-status", "Could not refresh: " + error.message + "."); })
        .then(function () { setTimeout(poll, every); });
    }

    setTimeout(poll, every);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.querySelector(".site-setup[data-live-url]");
    if (root) start(root);
  });
})();
