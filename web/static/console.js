// The moderator console: each button is one POST with the CSRF token and a nonce (a double
// click or a retry sends the same nonce, and the server does the action once); the live part
// is replaced from the server's stream; keyboard shortcuts for the main actions.
"use strict";
(function () {
  var main = document.getElementById("main");
  var live = document.getElementById("live");
  var status = document.getElementById("status");
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var compose = document.getElementById("compose");
  var composeText = document.getElementById("compose-text");
  var composeQuestion = document.getElementById("compose-question");
  var composeNumber = document.getElementById("compose-number");

  function nonce() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function say(text, ok) {
    status.textContent = text;
    status.classList.toggle("bad", !ok);
  }

  // ``holder`` keeps the nonce until the server answered: every repeat reuses it.
  function post(url, fields, holder, attempt) {
    if (!holder.dataset.nonce) { holder.dataset.nonce = nonce(); }
    var body = new URLSearchParams(fields);
    body.set("csrf", csrf);
    body.set("nonce", holder.dataset.nonce);
    return fetch(url, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (result) {
        delete holder.dataset.nonce;
        say(result.message, result.ok);
        return result;
      })
      .catch(function () {
        if ((attempt || 0) < 2) { return post(url, fields, holder, (attempt || 0) + 1); }
        say(main.dataset.offline || "…", false);
        return { ok: false };
      });
  }

  function act(button) {
    var fields = { action: button.dataset.action };
    if (button.dataset.question) { fields.question = button.dataset.question; }
    return post(main.dataset.act, fields, button);
  }

  function openCompose(button) {
    composeQuestion.value = button.dataset.question;
    composeNumber.textContent = "#" + button.dataset.number;
    compose.dataset.kind = button.dataset.compose;
    compose.hidden = false;
    composeText.focus();
  }

  function closeCompose() {
    compose.hidden = true;
    composeText.value = "";
    delete compose.dataset.nonce;
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest("button");
    if (!target) { return; }
    if (target.dataset.action) {
      act(target);
    } else if (target.dataset.compose) {
      openCompose(target);
    } else if (target.hasAttribute("data-compose-send")) {
      var kind = target.dataset.composeSend;
      post(main.dataset.act, { action: kind, question: composeQuestion.value, text: composeText.value }, compose)
        .then(function (result) { if (result.ok) { closeCompose(); } });
    } else if (target.hasAttribute("data-compose-cancel")) {
      closeCompose();
    } else if (target.hasAttribute("data-summary-save")) {
      var form = document.getElementById("summary-form");
      post(main.dataset.act.replace("/act", "/summary"), { text: document.getElementById("summary-text").value }, form);
    }
  });

  var held = { a: 1, s: 1, b: 1, w: 1, r: 1, p: 1 };
  document.addEventListener("keydown", function (event) {
    var tag = (event.target.tagName || "").toLowerCase();
    if (event.ctrlKey || event.metaKey || event.altKey || tag === "input" || tag === "textarea" || tag === "select") {
      if (event.key === "Escape" && !compose.hidden) { closeCompose(); }
      return;
    }
    var key = event.key;
    if (key === "?") {
      document.getElementById("keys-title").scrollIntoView();
      document.getElementById("keys").classList.add("flash");
      return;
    }
    var scope = held[key] ? live.querySelector(".mine .question") : live;
    var button = scope && scope.querySelector('[data-shortcut="' + key + '"]');
    if (button) { event.preventDefault(); button.click(); }
  });

  window.remotehubLive(main.dataset.stream, function (html) {
    var focused = document.activeElement;
    var again = focused && live.contains(focused) && focused.dataset
      ? '[data-action="' + (focused.dataset.action || "") + '"][data-question="' + (focused.dataset.question || "") + '"]'
      : null;
    live.innerHTML = html;
    if (again) {
      var same = live.querySelector(again);
      if (same) { same.focus(); }
    }
  });
})();
