// Progressive enhancement for the consultation chat: send each form with fetch and append the replies
// to the aria-live log, so the page does not reload. Without this script every form still works.
"use strict";
(function () {
  var log = document.getElementById("log");
  var status = document.getElementById("status");
  var text = document.getElementById("text");
  if (!log || !window.fetch || !window.FormData) return;

  function newId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function post(form, body, attempt) {
    return fetch(form.getAttribute("action"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).catch(function (error) {
      // A network hiccup: send again with the same message id, so it is never recorded twice.
      if (attempt < 2) return new Promise(function (r) { setTimeout(r, 800); }).then(function () { return post(form, body, attempt + 1); });
      throw error;
    });
  }

  var busy = false;
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-chat")) return;
    event.preventDefault();
    if (busy) return;
    var data = new FormData(form, event.submitter || undefined);
    if (!data.get("action") && !String(data.get("text") || "").trim()) {
      status.textContent = "Type a message, or choose one of the buttons.";
      text.focus();
      return;
    }
    data.set("client_id", newId());
    busy = true;
    status.textContent = "Sending…";
    var body = new URLSearchParams(data);
    post(form, body, 0).then(function (response) {
      if (response.status === 413) {
        return { ok: false, json: { error: "That message is too long to send. Shorten it to 2,000 characters or fewer and try again." } };
      }
      if ((response.headers.get("content-type") || "").indexOf("application/json") !== 0) {
        return { ok: false, json: { error: "That did not work. Reload the page; if your link has stopped working, contact elp@ealing.gov.uk." } };
      }
      return response.json().then(function (json) { return { ok: response.ok, json: json }; });
    }).then(function (result) {
      if (!result.ok) { status.textContent = result.json.error || "That did not work. Reload the page and try again."; return; }
      Array.prototype.forEach.call(log.querySelectorAll(".choices"), function (old) { old.remove(); });
      var previous = document.getElementById("latest");
      if (previous) previous.removeAttribute("id");
      var holder = document.createElement("ol");
      holder.innerHTML = result.json.html;
      var items = Array.prototype.slice.call(holder.children);
      items.forEach(function (item) { log.appendChild(item); });
      if (items.length) items[items.length - 1].id = "latest";
      text.value = "";
      status.textContent = "";
      var firstReply = items[1] || items[0];
      if (firstReply) firstReply.focus();
    }).catch(function () {
      status.textContent = "Could not reach the server. Check your connection and send it again.";
    }).then(function () { busy = false; });
  });

  var latest = document.getElementById("latest");
  if (latest && log.children.length > 1) latest.scrollIntoView({ block: "start" });
})();
