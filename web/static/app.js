// The console as a Telegram Mini App: send Telegram's signed initData (in the address's
// fragment as tgWebAppData) to the server, which checks it and signs this browser in.
"use strict";
(function () {
  var status = document.getElementById("app-status");
  var fragment = new URLSearchParams(window.location.hash.slice(1));
  var initData = fragment.get("tgWebAppData") || "";
  var body = new URLSearchParams();
  body.set("init_data", initData);
  fetch("/app/signin" + window.location.search, {
    method: "POST",
    body: body,
    credentials: "same-origin",
    headers: { "Accept": "application/json" }
  }).then(function (response) {
    return response.json().then(function (data) { return { ok: response.ok, data: data }; });
  }).then(function (result) {
    if (result.ok && result.data.next) {
      window.location.replace(result.data.next);
    } else {
      status.textContent = result.data.error || "";
    }
  }).catch(function () { status.textContent = "…"; });
})();
