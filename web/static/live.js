// RemoteHub live updates: one Server-Sent Events stream per page, replacing the page's live
// part with the HTML the server rendered (and escaped). Reconnects by itself after a drop and
// says so while it is away. No library, no build step.
"use strict";
window.remotehubLive = function (url, onUpdate) {
  var banner = document.getElementById("connection");
  var wait = 1000;
  function away(yes) {
    if (banner) { banner.hidden = !yes; }
    document.body.classList.toggle("offline", yes);
  }
  function connect() {
    var source = new EventSource(url);
    source.addEventListener("open", function () { wait = 1000; away(false); });
    source.addEventListener("update", function (event) { away(false); onUpdate(event.data); });
    source.addEventListener("gone", function () { source.close(); window.location.reload(); });
    source.addEventListener("error", function () {
      away(true);
      if (source.readyState === EventSource.CLOSED) {
        // The server refused or went away for good: try again, slower each time.
        window.setTimeout(connect, wait);
        wait = Math.min(wait * 2, 15000);
      }
    });
  }
  connect();
};
