/*
 * Newsroom live page: applies the operations the server pushes (SSE through the htmx
 * extension, or the polling fallback), each change exactly once and in order.
 *
 * - Every event carries the blog's change sequence as its id. Older or repeated ones are
 *   ignored; after each event the cursor is written into `data-sse-connect`, which the htmx
 *   extension re-reads when it reconnects (it does not send Last-Event-ID itself), so a
 *   dropped connection or a restarted server resumes exactly where the page is.
 * - Operations describe the current state ("upsert this card", "remove that post",
 *   "replace the summary"), so applying one twice changes nothing.
 * - A reader who has scrolled into the posts is not moved: new posts wait behind the
 *   "N new posts" button.
 */
(function () {
  "use strict";

  var root = document.getElementById("live");
  if (!root) return;
  var list = document.getElementById("posts");
  var button = document.getElementById("new-posts");
  var announcer = document.getElementById("live-announcer");
  var keyEventsOnly = root.dataset.filter === "key-events";
  var streamUrl = (root.getAttribute("data-sse-connect") || "").split("?")[0];
  var pollUrl = root.dataset.pollUrl;
  var pollInterval = Number(root.dataset.pollInterval || 5);
  var applied = Number(root.dataset.seq || 0);
  var pending = []; // list items, newest first, waiting behind the button
  var ended = false;
  var pollTimer = null;
  var sseFailures = 0;

  function setCursor(seq) {
    applied = seq;
    root.dataset.seq = String(seq);
    if (root.hasAttribute("data-sse-connect")) {
      root.setAttribute("data-sse-connect", streamUrl + "?after=" + seq);
    }
  }

  function announce(text) {
    if (!announcer) return;
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }

  function readerHasScrolled() {
    return list.getBoundingClientRect().top < 0;
  }

  function process(element) {
    if (window.htmx) window.htmx.process(element);
  }

  function itemFor(op) {
    var item = document.createElement("li");
    item.className = "posts-item";
    item.id = "item-" + op.dataset.target;
    item.appendChild(op.content.cloneNode(true));
    return item;
  }

  function publishedOf(element) {
    var article = element.querySelector("article[data-published]");
    return article ? Date.parse(article.dataset.published) : 0;
  }

  function refreshButton() {
    if (!pending.length) {
      button.hidden = true;
      return;
    }
    button.textContent = pending.length === 1 ? "1 new post" : pending.length + " new posts";
    button.hidden = false;
  }

  function dropPending(itemId) {
    pending = pending.filter(function (item) { return item.id !== itemId; });
    refreshButton();
  }

  function removeEmptyNote() {
    var note = list.querySelector(".posts-empty");
    if (note) note.remove();
  }

  function upsert(op) {
    var itemId = "item-" + op.dataset.target;
    var existing = document.getElementById(itemId);
    if (keyEventsOnly && op.dataset.key !== "true") {
      if (existing) existing.remove();
      dropPending(itemId);
      return;
    }
    var item = itemFor(op);
    if (existing) {
      existing.replaceWith(item);
      process(item);
      return;
    }
    for (var i = 0; i < pending.length; i++) {
      if (pending[i].id === itemId) {
        pending[i] = item;
        return;
      }
    }
    var when = Date.parse(op.dataset.published);
    var items = Array.prototype.slice.call(list.querySelectorAll(":scope > li.posts-item"));
    var before = null;
    for (var j = 0; j < items.length; j++) {
      if (publishedOf(items[j]) < when) {
        before = items[j];
        break;
      }
    }
    if (!before && document.getElementById("older")) return; // it belongs to an older page
    if (before === items[0] && items.length && readerHasScrolled()) {
      pending.unshift(item);
      refreshButton();
      announce(button.textContent + " above");
      return;
    }
    removeEmptyNote();
    list.insertBefore(item, before);
    process(item);
    keepNewest();
    announce("New post: " + (op.dataset.title || ""));
  }

  // A view of the newest few (the embed view's data-keep): the oldest go as new ones come.
  function keepNewest() {
    var keep = parseInt(root.dataset.keep || "0", 10);
    if (!keep) return;
    var items = list.querySelectorAll(":scope > li.posts-item");
    for (var i = keep; i < items.length; i++) items[i].remove();
  }

  function removePost(op) {
    var itemId = "item-" + op.dataset.target;
    var existing = document.getElementById(itemId);
    if (existing) existing.remove();
    dropPending(itemId);
  }

  // What the reader opened or closed (a race's full results, the summary, the pinned
  // post) stays so when the section is redrawn.
  function openState(root) {
    var state = {};
    root.querySelectorAll("details[id]").forEach(function (box) { state[box.id] = box.open; });
    return state;
  }

  function restoreOpen(state) {
    Object.keys(state).forEach(function (id) {
      var box = document.getElementById(id);
      if (box && box.tagName === "DETAILS") box.open = state[id];
    });
  }

  // A wide screen has room for what a phone shows as one line (the summary's points).
  function openWide(root) {
    if (!window.matchMedia || !window.matchMedia("(min-width: 48rem)").matches) return;
    root.querySelectorAll("details[data-open-wide]").forEach(function (box) { box.open = true; });
  }

  function replace(op) {
    var current = document.getElementById(op.dataset.target);
    var fresh = op.content.firstElementChild;
    if (!current || !fresh) return;
    var state = openState(current);
    fresh = fresh.cloneNode(true);
    current.replaceWith(fresh);
    openWide(fresh);
    restoreOpen(state);
    process(fresh);
    fresh.dispatchEvent(new CustomEvent("live:replaced", { bubbles: true }));
  }

  function end() {
    ended = true;
    if (pollTimer) window.clearTimeout(pollTimer);
    stopStream();
  }

  function stopStream() {
    if (!root.hasAttribute("data-sse-connect")) return;
    root.removeAttribute("data-sse-connect");
    if (window.htmx) window.htmx.trigger(root, "htmx:beforeCleanupElement");
  }

  // Apply one event's operations; returns false when the page must reload instead.
  function apply(html) {
    var holder = document.createElement("template");
    holder.innerHTML = html;
    var ops = holder.content.children; // (":scope" matches nothing in a fragment)
    for (var i = 0; i < ops.length; i++) {
      var op = ops[i];
      if (op.tagName !== "TEMPLATE" || !op.dataset.op) continue;
      switch (op.dataset.op) {
        case "upsert": upsert(op); break;
        case "remove": removePost(op); break;
        case "replace": replace(op); break;
        case "end": end(); break;
        case "reload": window.location.reload(); return false;
      }
    }
    return true;
  }

  function receive(seq, html) {
    if (!seq || seq <= applied) return; // seen already: nothing doubles
    if (apply(html) !== false) setCursor(seq);
  }

  button.addEventListener("click", function () {
    var shown = pending;
    pending = [];
    refreshButton();
    removeEmptyNote();
    for (var i = shown.length - 1; i >= 0; i--) {
      list.insertBefore(shown[i], list.firstChild);
      process(shown[i]);
    }
    if (shown.length) {
      var first = shown[0].querySelector("article");
      first.setAttribute("tabindex", "-1");
      first.focus({ preventScroll: true });
      list.scrollIntoView({ behavior: "smooth", block: "start" });
    }
  });

  // Server-sent events, through the htmx extension: we apply the operations ourselves.
  root.addEventListener("htmx:sseBeforeMessage", function (event) {
    event.preventDefault();
    var message = event.detail;
    receive(Number(message.lastEventId), message.data);
  });
  root.addEventListener("htmx:sseOpen", function () { sseFailures = 0; });
  root.addEventListener("htmx:sseError", function () {
    sseFailures += 1;
    if (sseFailures >= 4 && !ended) startPolling(); // SSE keeps failing here: poll instead
  });

  // The polling fallback: cacheable, slower in hidden tabs, stops when the blog ends.
  function schedulePoll(seconds) {
    if (ended) return;
    var delay = (document.hidden ? seconds * 4 : seconds) * 1000;
    pollTimer = window.setTimeout(poll, delay);
  }

  function poll() {
    pollTimer = null;
    fetch(pollUrl + "?since=" + applied, { headers: { Accept: "text/html" } })
      .then(function (response) {
        var interval = Number(response.headers.get("X-Poll-Interval"));
        var seq = Number(response.headers.get("X-Seq") || 0);
        return response.text().then(function (html) {
          if (response.ok && seq > applied) receive(seq, html);
          if (interval === 0) end();
          else schedulePoll(interval || pollInterval);
        });
      })
      .catch(function () { schedulePoll(pollInterval * 2); });
  }

  function startPolling() {
    stopStream();
    root.dataset.live = "poll";
    if (!pollTimer) schedulePoll(0);
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && pollTimer && root.dataset.live === "poll") {
      window.clearTimeout(pollTimer);
      poll();
    }
  });

  // "Show older posts": move the fragment's items into the list, never twice.
  // The focused link was swapped away: keyboard users continue at the first older post.
  document.body.addEventListener("htmx:afterSwap", function () {
    var fragments = document.querySelectorAll("template[data-append]");
    for (var i = 0; i < fragments.length; i++) {
      var target = document.getElementById(fragments[i].dataset.append);
      var items = Array.prototype.slice.call(fragments[i].content.children);
      var first = null;
      for (var j = 0; j < items.length; j++) {
        if (!items[j].id || !document.getElementById(items[j].id)) {
          target.appendChild(items[j]);
          process(items[j]);
          first = first || items[j].querySelector("article");
        }
      }
      fragments[i].remove();
      if (first) {
        first.setAttribute("tabindex", "-1");
        first.focus({ preventScroll: true });
      }
    }
  });

  openWide(document);
  if (root.dataset.live === "poll" || (root.dataset.live && !window.EventSource)) startPolling();
})();
