/*
 * A results page keeps itself up to date: it asks for the results header with the
 * version it shows every few seconds (four times slower in a hidden tab, backing off
 * when the server does not answer); 204 means current, 200 brings the new header,
 * which replaces the old one whole (the states table keeps the reader's filter and sort
 * through "live:replaced"). Without this script the page is as it was served.
 */
(function () {
  "use strict";

  var root = document.querySelector("[data-results-live]");
  if (!root || !window.fetch) return;
  var url = root.dataset.resultsLive;
  var version = root.dataset.version;
  var every = Math.max(1, Number(root.dataset.every) || 5) * 1000;
  var wait = every;
  var timer = null;

  function later(delay) {
    clearTimeout(timer);
    timer = setTimeout(ask, delay);
  }

  function replace(html) {
    var holder = document.createElement("template");
    holder.innerHTML = html.trim();
    var fresh = holder.content.querySelector("#results");
    var current = document.getElementById("results");
    if (!fresh || !current) return;
    current.replaceWith(fresh);
    fresh.dispatchEvent(new CustomEvent("live:replaced", { bubbles: true }));
  }

  function ask() {
    fetch(url + "?v=" + encodeURIComponent(version), { credentials: "omit" })
      .then(function (response) {
        if (response.status === 204) return "";
        if (!response.ok) throw new Error("results: " + response.status);
        var next = response.headers.get("X-Results-Version");
        return response.text().then(function (html) {
          replace(html);
          if (next) version = next;
          return "";
        });
      })
      .then(function () {
        wait = every;
        later(document.hidden ? every * 4 : every);
      })
      .catch(function () {
        wait = Math.min(wait * 2, 60000);
        later(wait);
      });
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) later(0);
  });
  later(every);
})();
