// Keeps the overview's figures current: fetches /admin/stats.json every 15 seconds.
"use strict";
(function () {
  var note = document.getElementById("updated");
  if (!note || !window.fetch) return;
  function rows(table, pairs) {
    var body = table.querySelector("tbody");
    body.textContent = "";
    pairs.forEach(function (pair) {
      var tr = document.createElement("tr");
      [pair[0], pair[1]].forEach(function (value, i) {
        var td = document.createElement("td");
        td.textContent = value;
        if (i === 1) td.className = "num";
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
  }
  function refresh() {
    fetch(note.getAttribute("data-stats-url"), { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.json();
    }).then(function (stats) {
      Array.prototype.forEach.call(document.querySelectorAll("[data-stat]"), function (el) {
        el.textContent = stats[el.getAttribute("data-stat")];
      });
      Array.prototype.forEach.call(document.querySelectorAll("[data-stat-table]"), function (table) {
        var pairs = stats[table.getAttribute("data-stat-table")];
        if (pairs.length) rows(table, pairs);
      });
      note.textContent = "These figures update every 15 seconds. Last updated " + new Date().toLocaleTimeString("en-GB") + ".";
    }).catch(function () {
      note.textContent = "Could not update the figures. Reload the page to try again.";
    });
  }
  setInterval(refresh, 15000);
})();
