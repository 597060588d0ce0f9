/* Embeds and linked videos load their provider's player only when the reader asks: until
   then the page shows our own card and asks no third party for anything. "Always show"
   remembers the provider in this browser (localStorage) and loads its players at once,
   here and on later visits; unticking forgets it. Cards that arrive live (htmx swaps,
   server push) are handled the same way. No third-party script. */
(function () {
  "use strict";

  var KEY = "newsroom-embeds-always";

  function remembered() {
    try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  }

  function remember(provider, yes) {
    var list = remembered().filter(function (p) { return p !== provider; });
    if (yes) list.push(provider);
    try { localStorage.setItem(KEY, JSON.stringify(list)); } catch (e) { /* private mode */ }
  }

  function load(box) {
    if (!box || box.querySelector("iframe")) return;
    var frame = document.createElement("iframe");
    frame.src = box.dataset.frame;
    frame.title = box.dataset.frameTitle || "Embedded content";
    frame.setAttribute("allow", "encrypted-media; fullscreen; picture-in-picture");
    frame.setAttribute("allowfullscreen", "");
    frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
    frame.className = "embed-frame";
    var height = parseInt(box.dataset.frameHeight || "0", 10);
    if (height > 0) frame.style.height = height + "px";
    box.classList.add("is-loaded");
    var card = box.querySelector(".embed-card");
    if (card) card.before(frame); else box.prepend(frame);
    var button = box.querySelector("[data-embed-load]");
    if (button) button.hidden = true;
  }

  function loadRemembered(root) {
    var always = remembered();
    if (!always.length) return;
    (root || document).querySelectorAll("[data-embed][data-frame]").forEach(function (box) {
      if (always.indexOf(box.dataset.provider) !== -1) {
        var tick = box.querySelector("[data-embed-always]");
        if (tick) tick.checked = true;
        load(box);
      }
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-embed-load]");
    if (!button) return;
    load(button.closest("[data-embed]"));
  });

  document.addEventListener("change", function (event) {
    var tick = event.target.closest && event.target.closest("[data-embed-always]");
    if (!tick) return;
    var box = tick.closest("[data-embed]");
    remember(box.dataset.provider, tick.checked);
    if (tick.checked) loadRemembered(document);
  });

  // A player the page's CSP does not allow (a Mastodon instance new since the page
  // loaded): say so, and keep the card's link.
  document.addEventListener("securitypolicyviolation", function (event) {
    if (event.violatedDirective.indexOf("frame-src") !== 0) return;
    document.querySelectorAll("[data-embed].is-loaded").forEach(function (box) {
      if (box.dataset.frame.indexOf(event.blockedURI) !== 0) return;
      var frame = box.querySelector("iframe");
      if (frame) frame.remove();
      box.classList.remove("is-loaded");
      var note = box.querySelector(".embed-note") || box;
      note.textContent = "Reload the page to show it here, or follow the link.";
    });
  });

  document.addEventListener("DOMContentLoaded", function () { loadRemembered(document); });
  document.addEventListener("htmx:afterSwap", function (event) { loadRemembered(event.target); });
  document.addEventListener("htmx:sseMessage", function () { loadRemembered(document); });
})();
