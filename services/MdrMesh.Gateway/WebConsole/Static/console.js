// The console's one script (served by MdrMesh itself; the Content-Security-Policy allows no other): response statuses
// on an incident page update by themselves, New -> Confirmed -> InProgress -> Completed | Failed, without a reload.
(function () {
  "use strict";
  var table = document.querySelector("table[data-statuses]");
  if (!table) return;
  var settled = ["Declined", "Completed", "Failed"];

  function update(statuses) {
    var moving = false;
    Object.keys(statuses).forEach(function (id) {
      var row = table.querySelector('tr[data-response="' + CSS.escape(id) + '"]');
      if (!row) return;
      var now = statuses[id];
      var cell = row.querySelector("[data-response-status]");
      if (cell.textContent !== now.status) {
        cell.textContent = now.status;
        cell.className = "status status-" + now.status.toLowerCase();
      }
      row.querySelector("[data-response-details]").textContent = now.details || "";
      if (now.status !== "New") row.querySelectorAll("[data-decision-control]").forEach(function (c) { c.remove(); });
      if (settled.indexOf(now.status) < 0) moving = true;
    });
    return moving;
  }

  function poll() {
    fetch(table.getAttribute("data-statuses"), { headers: { "Accept": "application/json" }, cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (statuses) {
        // Keep polling while anything may still change; a page whose responses all settled stops.
        if (!statuses || update(statuses)) setTimeout(poll, 1500);
        else setTimeout(poll, 10000);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();
