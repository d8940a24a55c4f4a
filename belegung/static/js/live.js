// Keeps a part of the page current without a full reload: every element with
// data-live-url is replaced by a fresh copy from that URL every data-live-seconds
// (default 30). When a refresh fails, the page says so ("keine Verbindung seit hh:mm",
// from data-stale-text) instead of showing stale figures that look current.
"use strict";
(function () {
  var live = document.querySelector("[data-live-url]");
  if (!live || !window.fetch) { return; }
  var seconds = Number(live.dataset.liveSeconds || 30);
  var stale = document.getElementById(live.dataset.staleId || "stale");
  var busy = false;

  function failed(text) {
    if (!stale) { return; }
    // The time of the figures still shown, as the server wrote it (its time zone).
    var since = live.dataset.asOf || "";
    stale.textContent = text || (stale.dataset.staleText || "").replace("{time}", since);
    stale.hidden = false;
    live.setAttribute("aria-busy", "false");
    document.body.classList.add("is-stale");
  }

  function refresh() {
    if (busy || document.visibilityState === "hidden") { return; }
    busy = true;
    var url = live.dataset.liveUrl;
    fetch(url, { headers: { "Accept": "text/html" }, credentials: "same-origin", redirect: "manual", cache: "no-store" })
      .then(function (response) {
        if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403) {
          failed(stale && stale.dataset.sessionText);
          return null;
        }
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (html) {
        if (html === null) { return; }
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.querySelector("[data-live-url]");
        if (!fresh) { throw new Error("no live part in the answer"); }
        // Keep keyboard focus where it was, if that element is still there.
        var focused = document.activeElement && document.activeElement.id;
        live.replaceWith(fresh);
        live = fresh;
        if (focused) {
          var again = document.getElementById(focused);
          if (again) { again.focus({ preventScroll: true }); }
        }
        if (stale) { stale.hidden = true; }
        document.body.classList.remove("is-stale");
      })
      .catch(function () { failed(); })
      .then(function () { busy = false; });
  }

  window.setInterval(refresh, seconds * 1000);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { refresh(); }
  });
  // Tests (and a user's "refresh now") can ask for one at once.
  document.addEventListener("belegung:refresh", refresh);
})();
