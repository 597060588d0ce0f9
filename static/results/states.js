/*
 * The states table of a national race: filter (all, called, not called, close) and sort
 * by a column. The table works without this script (all states, by name); the choice, and
 * whether the reader opened the states, is kept when the live page redraws the results
 * (live.js sends "live:replaced").
 */
(function () {
  "use strict";

  var choice = { filter: "all", sort: "name", descending: false, open: null };
  var NUMERIC = { ev: true, margin: true, reporting: true };

  function matches(row) {
    switch (choice.filter) {
      case "called": return row.dataset.called === "true";
      case "uncalled": return row.dataset.called !== "true";
      case "close": return row.dataset.close === "true" && row.dataset.called !== "true";
      default: return true;
    }
  }

  function value(row, key) {
    var raw = row.dataset[key] || "";
    if (!NUMERIC[key]) return raw.toLowerCase();
    return raw === "" ? Infinity : Number(raw);
  }

  function compare(a, b) {
    var x = value(a, choice.sort), y = value(b, choice.sort);
    var order = x < y ? -1 : x > y ? 1 : 0;
    if (order === 0) order = value(a, "name") < value(b, "name") ? -1 : 1;
    return choice.descending ? -order : order;
  }

  function headerButtons(box) {
    box.querySelectorAll("th[data-sort]").forEach(function (th) {
      if (th.querySelector("button")) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort-button";
      button.dataset.statesSort = th.dataset.sort;
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
    });
  }

  function apply(box) {
    if (choice.open !== null) box.open = choice.open; // as the reader left it
    var controls = box.querySelector(".states-controls");
    if (controls) controls.hidden = false;
    headerButtons(box);
    box.querySelectorAll("[data-states-filter]").forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.dataset.statesFilter === choice.filter));
    });
    box.querySelectorAll("th[data-sort]").forEach(function (th) {
      if (th.dataset.sort === choice.sort) {
        th.setAttribute("aria-sort", choice.descending ? "descending" : "ascending");
      } else {
        th.removeAttribute("aria-sort");
      }
    });
    var body = box.querySelector("tbody");
    if (!body) return;
    var rows = Array.prototype.slice.call(body.rows).sort(compare);
    var shown = {};
    rows.forEach(function (row) {
      row.hidden = !matches(row);
      if (!row.hidden) shown[row.dataset.state] = true;
      body.appendChild(row);
    });
    box.querySelectorAll(".tile").forEach(function (tile) {
      tile.classList.toggle("is-dimmed", !shown[tile.dataset.state]);
    });
  }

  function applyAll(root) {
    (root || document).querySelectorAll("[data-states]").forEach(apply);
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-states-filter], [data-states-sort]");
    if (!target) return;
    if (target.dataset.statesFilter) {
      choice.filter = target.dataset.statesFilter;
    } else {
      var key = target.dataset.statesSort;
      choice.descending = choice.sort === key ? !choice.descending : NUMERIC[key] && key !== "margin";
      choice.sort = key;
    }
    applyAll();
  });
  document.addEventListener("toggle", function (event) {
    if (event.target.matches && event.target.matches("[data-states]")) choice.open = event.target.open;
  }, true); // "toggle" does not bubble
  document.addEventListener("live:replaced", function (event) { applyAll(event.target); });
  applyAll();
})();
