// The projector wall: live, read-only.
"use strict";
(function () {
  var main = document.getElementById("main");
  var live = document.getElementById("live");
  window.remotehubLive(main.dataset.stream, function (html) { live.innerHTML = html; });
})();
