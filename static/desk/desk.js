/* The live desk (liveblog/desk): compose with autosave and a copy kept in the browser,
   photos by drag-and-drop, soft locks, the staff channel that keeps every region
   current, dialogs and keyboard shortcuts. The server decides everything: this file
   only sends what was typed and redraws what the server renders. */
(function () {
  "use strict";

  var desk = document.getElementById("desk");
  if (!desk) { return; }

  var AUTOSAVE_MS = 1200;
  var LOCK_RENEW_MS = 15000;
  var REFRESH_MS = 120;
  var slug = desk.dataset.slug;
  var me = Number(desk.dataset.user);
  var seq = Number(desk.dataset.seq) || 0;
  var csrf = JSON.parse(desk.getAttribute("data-hx-headers"))["X-CSRFToken"];
  var photoTypes = (desk.dataset.photoTypes || "").split(",");
  var photoMax = Number(desk.dataset.photoMaxBytes) || 0;

  var editor = null;        // the compose body's rich text editor (TipTap)
  var edits = 0;            // bumped on every keystroke in compose
  var savedEdits = 0;       // ``edits`` when the last save left
  var autosaveTimer = null;
  var inFlight = null;      // the save being sent, if any
  var pendingAutosave = false;
  var pending = null;       // an action pressed offline ({action, form}): taken on reconnect
  var ASKS = {  // a post with only a headline: asked once before it goes further
    publish: "Publish a post with only a headline (no text, photo, video or embed)?",
    schedule: "Schedule a post with only a headline (no text, photo, video or embed)?",
    submit: "Submit a post with only a headline (no text, photo, video or embed) for approval?",
  };
  var WAITING = {
    submit: "Will be submitted for approval when the connection returns.",
    publish: "Will be published when the connection returns.",
    schedule: "Will be scheduled when the connection returns.",
    save: "Will be saved when the connection returns.",
  };
  var stale = false;        // a save was refused as stale: no autosave until resolved
  var newPhotos = 0;
  var lockTimer = null;

  function compose() { return document.getElementById("compose"); }
  function field(name) { return compose().querySelector('[name="' + name + '"]'); }
  function postId() { return compose().dataset.post || ""; }

  // --- Messages ------------------------------------------------------------------------
  function toast(text, ok) {
    var box = document.getElementById("desk-toast");
    box.className = "desk-toast" + (ok === false ? " is-error" : "");
    box.textContent = "";
    var p = document.createElement("p");
    p.textContent = text;
    box.appendChild(p);
  }

  function status(text) {
    var line = compose().querySelector("[data-compose-status]");
    if (line) { line.textContent = text; }
  }

  function connection(state, text) {
    var line = document.getElementById("desk-connection");
    line.dataset.state = state;
    line.textContent = text;
  }

  // --- Keystrokes while the compose box changes hands -----------------------------------------
  // A click that replaces the box (New post, Edit, Correct, and Publish, Submit or Schedule,
  // which end in a fresh box) takes a moment on the network. Meanwhile the old box takes no
  // input (inert: no focus, no clicks, no keys), and what is typed is held, never written
  // into the old post or its copy in this browser, then typed into the new box once it is
  // there (its title; after Tab or Enter, its body) -- or back into the old box if it stays
  // (a refused publish). Shortcuts (Ctrl, Cmd, Alt) keep working.
  var held = null;  // the keys held while the box changes hands

  function hold() {
    if (held) { return; }
    held = [];
    clearTimeout(autosaveTimer);
    var form = compose();
    form.inert = true;
    form.setAttribute("aria-busy", "true");
    form.classList.add("is-switching");
    document.addEventListener("keydown", holdKey, true);
  }

  function holdKey(event) {
    if (!held || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) { return; }
    if (event.key.length === 1 || /^(Backspace|Enter|Tab)$/.test(event.key)) {
      held.push(event.key);
      event.preventDefault();
      event.stopPropagation();
    }
  }

  function unhold(form) {
    if (!held) { return; }
    var keys = held;
    held = null;
    document.removeEventListener("keydown", holdKey, true);
    form.inert = false;
    form.removeAttribute("aria-busy");
    form.classList.remove("is-switching");
    if (keys.length) { replay(keys, form); }
  }

  function replay(keys, form) {
    var title = form.querySelector("[name=title]");
    var active = document.activeElement;
    var inBody = !!(active && active.closest && active.closest(".ProseMirror"));
    var body = [];
    keys.forEach(function (key) {
      if (!inBody && (key === "Tab" || key === "Enter")) { inBody = true; return; }
      if (inBody) { body.push(key); return; }
      title.focus();
      var start = title.selectionStart === null ? title.value.length : title.selectionStart;
      var end = title.selectionEnd === null ? start : title.selectionEnd;
      if (key === "Backspace") {
        title.setRangeText("", start === end ? Math.max(0, start - 1) : start, end, "end");
      } else {
        title.setRangeText(key, start, end, "end");
      }
    });
    title.dispatchEvent(new Event("input", {bubbles: true}));
    if (body.length) { typeInBody(body, form); }
  }

  function typeInBody(keys, form) {
    // The body's editor starts a moment after its box: type once it is ready.
    if (!editor || !form.contains(editor.view.dom)) {
      setTimeout(function () { if (compose() === form) { typeInBody(keys, form); } }, 20);
      return;
    }
    var chain = editor.chain().focus("end");
    keys.forEach(function (key) {
      if (key === "Enter") { chain = chain.splitBlock(); }
      else if (key === "Backspace") { chain = chain.deleteRange({from: Math.max(1, editor.state.selection.from - 1), to: editor.state.selection.from}); }
      else if (key !== "Tab") { chain = chain.insertContent(key); }
    });
    chain.run();
  }

  // --- The copy kept in the browser -------------------------------------------------------
  function storeKey(id) { return "newsroom-desk:" + slug + ":" + (id || postId() || "new"); }

  function words() {
    var data = {version: field("version") ? field("version").value : ""};
    Array.prototype.forEach.call(compose().elements, function (el) {
      if (!el.name || el.type === "file" || el.type === "hidden" || el.type === "submit") { return; }
      if (el.name.indexOf("byline-") === 0) { return; }
      data[el.name] = el.type === "checkbox" ? el.checked : el.value;
    });
    data.body = editor ? editor.getHTML() : (field("body") || {}).value;
    return data;
  }

  function keepLocal() {
    try { localStorage.setItem(storeKey(), JSON.stringify({at: Date.now(), words: words()})); }
    catch (e) { /* private mode or full: the server copy still counts */ }
  }

  function forgetLocal(id) {
    try { localStorage.removeItem(storeKey(id)); } catch (e) { /* nothing kept */ }
  }

  function restoreLocal() {
    var kept = null;
    try { kept = JSON.parse(localStorage.getItem(storeKey()) || "null"); } catch (e) { kept = null; }
    if (!kept || !kept.words) { return; }
    var current = words();
    var saved = kept.words;
    if (postId() && String(saved.version) !== String(current.version)) {
      forgetLocal();  // typed over an older version: the server's newer one stands
      return;
    }
    var differs = Object.keys(saved).some(function (name) {
      return name !== "version" && saved[name] !== current[name] && saved[name] !== undefined;
    });
    if (!differs) { return; }
    Object.keys(saved).forEach(function (name) {
      if (name === "version" || name === "body") { return; }
      var el = field(name);
      if (!el) { return; }
      if (el.type === "checkbox") { el.checked = !!saved[name]; } else { el.value = saved[name]; }
    });
    if (saved.body !== undefined) {
      if (editor) { editor.commands.setContent(saved.body); } else if (field("body")) { field("body").value = saved.body; }
    }
    edits += 1;
    status("Restored what you typed in this browser; it is not saved yet.");
    scheduleAutosave();
  }

  // --- Saving ------------------------------------------------------------------------------
  // Only a headline: no body text, photo, video or embed (published, a title alone).
  function headlineOnly() {
    var form = compose();
    var text = editor ? editor.getText().trim() : (field("body") ? field("body").value.replace(/<[^>]*>/g, "").trim() : "");
    var video = field("video_url") && field("video_url").value.trim();
    var embed = (field("embed_url") && field("embed_url").value.trim()) || form.querySelector(".embed-row");
    return !text && !video && !embed && !form.querySelector(".photo-row:not(.is-refused)");
  }

  // An abandoned start (a few letters of a title, nothing else) stays in this browser only:
  // the server keeps a draft once it has a title of some length, body text or a photo.
  var DRAFT_TITLE_MIN = 8;

  function canAutosave() {
    var form = compose();
    var open = form.dataset.status === "new" || form.dataset.status === "draft";
    var title = field("title").value.trim();
    var worth = title.length >= DRAFT_TITLE_MIN || (title && !headlineOnly()) || !!postId();
    return open && !stale && form.dataset.locked !== "true" && title !== "" && worth;
  }

  function scheduleAutosave() {
    clearTimeout(autosaveTimer);
    autosaveTimer = setTimeout(function () {
      if (edits !== savedEdits && canAutosave()) { send("autosave"); }
    }, AUTOSAVE_MS);
  }

  function changed() {
    edits += 1;
    keepLocal();
    if (compose().dataset.status === "new" || compose().dataset.status === "draft") {
      status(navigator.onLine ? "Unsaved changes…" : "Offline: your draft is kept in this browser.");
      scheduleAutosave();
    } else {
      status("Not saved yet: press Save when ready (kept in this browser meanwhile).");
    }
  }

  function formData(action) {
    var data = new FormData(compose());
    data.set("action", action);
    if (editor) { data.set("body", editor.getHTML()); }
    if (action === "autosave") {
      Array.from(data.keys()).forEach(function (key) {
        if (/^new-\d+-file$/.test(key)) { data.delete(key); }
      });
    }
    return data;
  }

  function send(action) {
    if (inFlight) {
      if (action === "autosave") { scheduleAutosave(); return inFlight; }
      return inFlight.then(function () { return send(action); });
    }
    var startedAt = edits;
    var form = compose();
    var body = formData(action);
    var resets = action !== "autosave" && action !== "draft" && action !== "save";
    if (resets) { hold(); }  // a fresh box follows: hold what is typed meanwhile
    if (action !== "autosave") { status("Saving…"); }
    inFlight = fetch(desk.dataset.saveUrl, {
      method: "POST", body: body, credentials: "same-origin",
      headers: {"X-CSRFToken": csrf, "Accept": "application/json"},
    }).then(function (response) {
      return response.json().then(function (result) {
        if (compose() !== form) { return; }  // another post was opened meanwhile
        pendingAutosave = false;
        applyOutcome(result, response.status, action, startedAt);
        if (compose() === form && !(result.ok && resets)) { unhold(form); }  // it stays
      }, function () {
        if (compose() === form) { unhold(form); }
        status("The server could not save this (" + response.status + "). Your text is kept; try again.");
      });
    }, function () {
      if (compose() === form) { unhold(form); }
      pendingAutosave = true;
      connection("offline", "Offline: your draft is kept");
      if (WAITING[action]) {
        // The intent is kept as that action, not as a draft: it is taken (with the version
        // check) when the connection returns, and the answer is shown then.
        pending = {action: action, form: form};
        form.dataset.waiting = action;
        status(WAITING[action] + " Your text is kept in this browser.");
        toast("Offline: “" + field("title").value + "” " + WAITING[action].toLowerCase(), false);
      } else {
        status("Offline: your draft is kept. It is sent when the connection returns.");
      }
    }).then(function () { inFlight = null; });
    return inFlight;
  }

  function reconnected() {
    if (pending && compose() === pending.form) {
      var action = pending.action;
      pending = null;
      delete compose().dataset.waiting;
      send(action);
    } else if (pendingAutosave || edits !== savedEdits) {
      send("autosave");
    }
  }

  function clearErrors() {
    // A photo's refusal stays until its row is removed or the photo is stored: a later
    // save (an autosave sends no new files) says nothing of it, and must not hide it.
    compose().querySelectorAll(".field-error").forEach(function (el) {
      var row = el.closest(".photo-row");
      if (row && (row.classList.contains("is-refused") || row.classList.contains("is-new"))) { return; }
      el.textContent = "";
    });
  }

  function showError(key, text) {
    var slot = compose().querySelector('[data-error-for="' + key + '"]');
    if (!slot) {
      var row = compose().querySelector('.photo-row[data-key="' + key + '"]');
      slot = row ? row.querySelector(".field-error") : compose().querySelector('[data-error-for="__all__"]');
    }
    slot.textContent = text;
  }

  function applyOutcome(result, code, action, startedAt) {
    var form = compose();
    clearErrors();
    if (result.post) {
      var wasNew = !postId();
      form.dataset.post = result.post;
      field("post").value = result.post;
      if (result.version) { field("version").value = result.version; }
      if (result.status) { form.dataset.status = result.status; }
      if (wasNew) {
        forgetLocal("new");
        form.dataset.lockUrl = desk.dataset.composeUrl.replace(/compose\/$/, "posts/" + result.post + "/lock/");
        form.dataset.releaseUrl = form.dataset.lockUrl.replace(/lock\/$/, "release/");
        startLockRenewal();
      }
    }
    Object.keys(result.stored || {}).forEach(function (key) { photoStored(key, result.stored[key]); });
    Object.keys(result.errors || {}).forEach(function (key) { showError(key, result.errors[key].join(" ")); });
    Object.keys(result.photos || {}).forEach(function (key) { showError(key, result.photos[key]); });
    var notes = Object.keys(result.notes || {}).map(function (key) {
      var slot = compose().querySelector('[data-note-for="' + key + '"]');
      if (slot) { slot.textContent = result.notes[key]; }
      return result.notes[key];
    });
    if (result.stale) { showStale(result.stale, action); return; }
    if (code === 403) { toast(((result.errors || {}).__all__ || ["Not allowed."]).join(" "), false); }
    if (!result.ok) {
      status(action === "autosave" ? "Not saved: see the messages above." : "Nothing was " + (result.done ? "lost" : "published or submitted") + ": see the messages above.");
      keepLocal();
      return;
    }
    savedEdits = startedAt;
    if (edits === startedAt) { keepLocal(); }
    if (action === "autosave" || action === "draft" || action === "save") {
      status((result.done || "Saved") + " at " + result.savedAt + ".");
      if (action !== "autosave") { toast("“" + field("title").value + "”: " + result.done.toLowerCase() + "."); }
      if (action === "save" && form.dataset.status !== "draft") { forgetLocal(); }
      return;
    }
    toast("“" + field("title").value + "”: " + result.done.toLowerCase() + "." + (notes.length ? " " + notes.join(" ") : ""));
    forgetLocal();
    openCompose(desk.dataset.composeUrl, true, true);
  }

  // --- A stale save: mine and theirs, field by field --------------------------------------------
  // Someone saved the post after this box opened it: nothing of mine was saved. Each field
  // that differs is shown both ways with the changed words marked, and the editor keeps
  // either side of each; the save then goes on top of their version. Fields that are the
  // same are not asked about; photos added by them stay (the box leaves alone what it
  // does not show).
  var STALE_FIELDS = [
    {name: "title", label: "Title"},
    {name: "body", label: "Body"},
    {name: "label", label: "Label"},
    {name: "key_event", label: "Key event"},
    {name: "video_url", label: "Video link"},
    {name: "video_caption", label: "Media caption"},
    {name: "byline", label: "Byline"},
  ];

  function mine(name) {
    if (name === "body") { return editor ? editor.getHTML() : field("body").value; }
    if (name === "key_event") { return field("key_event").checked; }
    if (name === "label") { return field("label").value ? Number(field("label").value) : null; }
    if (name === "byline") {
      return Array.from(compose().querySelectorAll("#byline-rows .byline-row")).map(function (row) {
        var who = row.querySelector("[name=byline-reporter]").value;
        return {reporter: who ? Number(who) : null, line: row.querySelector("[name=byline-line]").value};
      }).filter(function (row) { return row.reporter; });
    }
    return field(name).value;
  }

  function setMine(name, value) {
    if (name === "body") {
      if (editor) { editor.commands.setContent(value); } else { field("body").value = value; }
    } else if (name === "key_event") {
      field("key_event").checked = !!value;
    } else if (name === "label") {
      field("label").value = value === null ? "" : String(value);
    } else if (name === "byline") {
      var rows = document.getElementById("byline-rows");
      rows.textContent = "";
      value.forEach(function (row) {
        addByline();
        var added = rows.lastElementChild;
        added.querySelector("[name=byline-reporter]").value = String(row.reporter);
        added.querySelector("[name=byline-line]").value = row.line;
      });
    } else {
      field(name).value = value;
    }
  }

  function shown(name, value) {  // a field's value as words, for comparing and marking
    if (name === "body") {
      return new DOMParser().parseFromString(value || "", "text/html").body.textContent.replace(/\s+/g, " ").trim();
    }
    if (name === "key_event") { return value ? "Yes" : "No"; }
    if (name === "label") { return value === null ? "No label" : optionText(field("label"), value); }
    if (name === "byline") {
      var people = compose().querySelector("#byline-row-template").content.querySelector("select");
      return value.map(function (row) {
        return optionText(people, row.reporter) + (row.line ? " (" + row.line + ")" : "");
      }).join("; ") || "No byline";
    }
    return String(value || "");
  }

  function optionText(select, value) {
    var option = Array.from(select.options).find(function (o) { return o.value === String(value); });
    return option ? option.textContent.trim() : "#" + value;
  }

  function same(name, a, b) {
    if (name === "body") { return shown(name, a) === shown(name, b) && tagsOf(a) === tagsOf(b); }
    return JSON.stringify(a) === JSON.stringify(b);
  }

  function tagsOf(html) { return (html || "").replace(/<(\/?\w+)[^>]*>/g, "<$1>").replace(/[^<>]*(<[^>]*>)?/g, "$1"); }

  // The words of one side that the other lacks, marked (<ins>), in a longest-common-
  // subsequence word diff; past a size it marks nothing rather than stall the desk.
  function marked(words, other) {
    var a = words.split(/(\s+)/), b = other.split(/(\s+)/);
    var out = document.createDocumentFragment();
    if (a.length * b.length > 4000000) { out.append(words); return out; }
    var table = [];
    for (var i = a.length; i >= 0; i--) {
      table[i] = new Uint32Array(b.length + 1);
      for (var j = b.length - 1; i < a.length && j >= 0; j--) {
        table[i][j] = a[i] === b[j] ? table[i + 1][j + 1] + 1 : Math.max(table[i + 1][j], table[i][j + 1]);
      }
    }
    var x = 0, y = 0;
    while (x < a.length) {
      if (y < b.length && a[x] === b[y]) { out.append(a[x]); x++; y++; }
      else if (y < b.length && table[x][y + 1] >= table[x + 1][y]) { y++; }
      else if (/^\s+$/.test(a[x])) { out.append(a[x]); x++; }
      else { var ins = document.createElement("ins"); ins.textContent = a[x]; out.append(ins); x++; }
    }
    return out;
  }

  function showStale(info, action) {
    stale = true;
    var panel = compose().querySelector("[data-stale]");
    panel.hidden = false;
    panel.textContent = "";
    var head = document.createElement("p");
    head.textContent = "Someone else saved this post while you were editing it (you started from version " +
      info.yours + "; it is now at version " + info.theirs + "). Nothing of yours was saved.";
    var differing = STALE_FIELDS.filter(function (f) {
      var here = f.name === "body" || f.name === "byline" || field(f.name);  // not every box has each
      return here && !same(f.name, mine(f.name), info.fields[f.name]);
    });
    var ask = document.createElement("p");
    ask.textContent = differing.length
      ? "Choose which version of each field to keep (changed words are marked), then press “Save with these choices”."
      : "Every field here is the same in both versions: “Save with these choices” saves yours on top of theirs.";
    var choices = document.createElement("div");
    choices.className = "desk-choices";
    differing.forEach(function (f) {
      var set = document.createElement("fieldset");
      set.className = "desk-choice";
      set.dataset.field = f.name;
      var legend = document.createElement("legend");
      legend.textContent = f.label;
      set.append(legend);
      var yours = shown(f.name, mine(f.name)), theirs = shown(f.name, info.fields[f.name]);
      [["mine", "Yours", yours, theirs], ["theirs", "Theirs", theirs, yours]].forEach(function (side) {
        var label = document.createElement("label");
        label.className = "desk-choice-side";
        var radio = document.createElement("input");
        radio.type = "radio";
        radio.name = "stale-" + f.name;
        radio.value = side[0];
        radio.checked = side[0] === "mine";
        var who = document.createElement("strong");
        who.textContent = side[1] + ": ";
        var words = document.createElement("span");
        words.className = "desk-choice-words";
        words.append(marked(side[2], side[3]));
        label.append(radio, who, words);
        set.append(label);
      });
      choices.append(set);
    });
    var save = button("Save with these choices", function () {
      differing.forEach(function (f) {
        var chosen = panel.querySelector("input[name='stale-" + f.name + "']:checked");
        if (chosen && chosen.value === "theirs") { setMine(f.name, info.fields[f.name]); }
      });
      field("version").value = info.theirs;
      stale = false;
      panel.hidden = true;
      send(action === "autosave" ? "draft" : action);
    });
    var take = button("Discard mine and open theirs", function () {
      stale = false;
      forgetLocal();
      openCompose(postUrl(postId()), true);
    });
    panel.append(head, ask, choices, save, take);
    status("Not saved: someone else saved this post first. Choose what to keep.");
    (choices.querySelector("input") || save).focus();
  }

  function button(text, onClick) {
    var el = document.createElement("button");
    el.type = "button";
    el.className = "desk-button";
    el.textContent = text;
    el.addEventListener("click", onClick);
    return el;
  }

  function postUrl(id) { return desk.dataset.composeUrl + id + "/"; }

  // --- Photos ----------------------------------------------------------------------------------
  function megabytes(bytes) { return (bytes / 1048576).toFixed(bytes < 10485760 ? 1 : 0) + " MB"; }

  function addPhoto(file) {
    var template = document.getElementById("photo-row-template");
    var row = template.content.firstElementChild.cloneNode(true);
    var key = "new-" + (newPhotos++);
    row.dataset.key = key;
    row.querySelector(".photo-name").textContent = file.name;
    row.querySelector('input[name="new-photo"]').value = key;
    row.querySelectorAll("[data-name]").forEach(function (input) {
      input.name = key + "-" + input.dataset.name;
      input.id = "id-" + key + "-" + input.dataset.name;
      row.querySelector('label[data-for="' + input.dataset.name + '"]').htmlFor = input.id;
    });
    var refusal = "";
    if (photoTypes.indexOf(file.type) < 0) {
      refusal = "“" + file.name + "” is not a photo we can publish: use a JPEG, PNG or WebP file.";
    } else if (photoMax && file.size > photoMax) {
      refusal = "“" + file.name + "” is " + megabytes(file.size) + "; photos can be up to " + megabytes(photoMax) + ".";
    }
    var input = row.querySelector(".photo-file");
    if (refusal) {
      refuse(row, refusal);
    } else {
      var transfer = new DataTransfer();
      transfer.items.add(file);
      input.name = key + "-file";
      input.files = transfer.files;
      var preview = row.querySelector(".photo-preview");
      preview.src = URL.createObjectURL(file);
    }
    document.getElementById("photo-rows").appendChild(row);
    if (!refusal) {
      row.querySelector('[data-name="alt"]').focus();
      // Named a photo, but is it one? Its first bytes say, before anything is sent.
      looksLikeAPhoto(file).then(function (yes) {
        if (!yes && row.isConnected) {
          refuse(row, "“" + file.name + "” is not a JPEG, PNG or WebP image (its contents say otherwise): choose the photo itself.");
        }
      });
    }
    changed();
  }

  function refuse(row, why) {
    var input = row.querySelector(".photo-file");
    if (input) { input.remove(); }
    var marker = row.querySelector('input[name="new-photo"]');
    if (marker) { marker.remove(); }
    row.querySelectorAll("[data-name]").forEach(function (el) { el.disabled = true; });
    row.classList.add("is-refused");
    row.classList.remove("is-new");
    row.querySelector(".field-error").textContent = why;
  }

  function looksLikeAPhoto(file) {
    if (!file.slice || !window.Response) { return Promise.resolve(true); }  // the server checks anyway
    return new Response(file.slice(0, 12)).arrayBuffer().then(function (buffer) {
      var b = new Uint8Array(buffer);
      var jpeg = b[0] === 0xFF && b[1] === 0xD8 && b[2] === 0xFF;
      var png = b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4E && b[3] === 0x47;
      var webp = String.fromCharCode.apply(null, b.slice(0, 4)) === "RIFF" &&
                 String.fromCharCode.apply(null, b.slice(8, 12)) === "WEBP";
      return jpeg || png || webp;
    }, function () { return true; });
  }

  function photoStored(key, id) {
    var row = compose().querySelector('.photo-row[data-key="' + key + '"]');
    if (!row) { return; }
    row.dataset.key = "photo-" + id;
    row.classList.remove("is-new");
    row.querySelector(".field-error").textContent = "";
    var file = row.querySelector(".photo-file");
    if (file) { file.remove(); }
    var marker = row.querySelector('input[name="new-photo"]');
    if (marker) { marker.remove(); }
    row.querySelectorAll("[data-name]").forEach(function (input) {
      input.name = "photo-" + id + "-" + input.dataset.name;
    });
  }

  function pickedUrl(key) {
    var row = compose().querySelector('.photo-row[data-key="' + key + '"]');
    var img = row && row.querySelector(".photo-preview");
    return img ? img.src : "";
  }

  // --- Byline ------------------------------------------------------------------------------------
  var bylineRows = 0;
  function addByline() {
    var row = document.getElementById("byline-row-template").content.firstElementChild.cloneNode(true);
    var n = "added-" + (bylineRows++);
    row.querySelectorAll("[id]").forEach(function (el) { el.id = el.id.replace("new", n); });
    row.querySelectorAll("label[for]").forEach(function (el) { el.htmlFor = el.htmlFor.replace("new", n); });
    document.getElementById("byline-rows").appendChild(row);
    row.querySelector("select").focus();
    changed();
  }

  // --- Opening a post, soft locks ------------------------------------------------------------
  function release() {
    var form = compose();
    if (!form || !form.dataset.releaseUrl || !postId()) { return; }
    var data = new FormData();
    data.set("csrfmiddlewaretoken", csrf);
    navigator.sendBeacon(form.dataset.releaseUrl, data);
  }

  function openCompose(url, quiet, blank) {
    if (pending && compose() === pending.form) {  // it stays open until its action is taken
      toast("“" + field("title").value + "” " + WAITING[pending.action].toLowerCase() + " It stays open until then.", false);
      return Promise.resolve();
    }
    var focused = document.activeElement;  // where the user was when they asked
    hold();
    if (!quiet) { release(); }
    clearInterval(lockTimer);
    if (blank) { forgetLocal("new"); }  // New post is always blank: an abandoned start is not restored
    return fetch(url, {credentials: "same-origin", headers: {"HX-Request": "true"}}).then(function (response) {
      return response.text().then(function (html) {
        if (!response.ok) {
          unhold(compose());
          toast(response.status === 403 ? "You cannot edit this post." : "Could not open the post.", false);
          return;
        }
        var holder = document.createElement("template");
        holder.innerHTML = html.trim();
        var fresh = holder.content.querySelector("#compose");
        if (blank) { forgetLocal("new"); }
        compose().replaceWith(fresh);
        editor = null;
        edits = savedEdits = 0;
        stale = false;
        newPhotos = 0;
        document.getElementById("preview").textContent = "";
        if (window.django && window.django.jQuery) { window.django.jQuery(fresh).trigger("formset:added"); }
        bindCompose();
        startLockRenewal();
        // The title takes the focus, unless the user moved it meanwhile (Alt+3 right
        // after publishing): never pull them back.
        // (A click on the old box while it was inert lands on the compose pane itself:
        // that is the box too, and typing that follows must reach the new title.)
        var now = document.activeElement;
        var pane = document.getElementById("compose-pane");
        if (!now || now === focused || now === document.body || pane.contains(now)) {
          fresh.querySelector("[name=title]").focus();
        }
        unhold(fresh);
      });
    }, function () {
      unhold(compose());
      toast("Offline: the post could not be opened. Try again when the connection returns.", false);
    });
  }

  function startLockRenewal() {
    clearInterval(lockTimer);
    if (!compose().dataset.lockUrl || !postId()) { return; }
    lockTimer = setInterval(function () { renewLock(false); }, LOCK_RENEW_MS);
  }

  function renewLock(takeOver) {
    var form = compose();
    var data = new FormData();
    if (takeOver) { data.set("take_over", "1"); }
    return fetch(form.dataset.lockUrl, {method: "POST", body: data, credentials: "same-origin",
                                        headers: {"X-CSRFToken": csrf}})
      .then(function (response) { return response.json(); })
      .then(function (lock) {
        if (compose() !== form) { return lock; }
        var wasMine = form.dataset.locked !== "true";
        form.dataset.locked = lock.mine ? "false" : "true";
        if (!lock.mine && wasMine) {
          toast(lock.holder + " took over this post. What you typed is kept in this browser; nothing was overwritten.", false);
          status(lock.holder + " is editing this post now.");
        }
        return lock;
      }, function () { return null; });
  }

  // --- Preview -----------------------------------------------------------------------------------
  function preview() {
    var data = formData("draft");
    Array.from(data.keys()).forEach(function (key) { if (/-file$/.test(key)) { data.delete(key); } });
    fetch(desk.dataset.previewUrl, {method: "POST", body: data, credentials: "same-origin",
                                     headers: {"X-CSRFToken": csrf}})
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var box = document.getElementById("preview");
        box.innerHTML = html;  // the server's own rendering of the sanitised post
        box.querySelectorAll("img").forEach(function (img) {
          var match = /#(new-\d+)$/.exec(img.getAttribute("src") || "");
          if (match) { img.src = pickedUrl(match[1]); img.removeAttribute("srcset"); }
        });
        box.scrollIntoView({block: "nearest"});
      });
  }

  // --- The compose box's events ---------------------------------------------------------------
  function bindCompose() {
    var form = compose();
    form.addEventListener("input", changed);
    form.addEventListener("change", function (event) {
      if (event.target.id === "photo-picker") {
        Array.prototype.forEach.call(event.target.files, addPhoto);
        event.target.value = "";
        return;
      }
      changed();
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var action = event.submitter && event.submitter.value ? event.submitter.value : "draft";
      var refused = compose().querySelector(".photo-row.is-refused");
      if (refused && action !== "draft") {  // what was chosen is not silently left out
        status("Remove the refused photos (or choose the right files) first: nothing was sent.");
        refused.querySelector("button").focus();
        return;
      }
      if (ASKS[action] && headlineOnly() && !window.confirm(ASKS[action])) { return; }  // asked once
      clearTimeout(autosaveTimer);
      send(action);
    });
    form.addEventListener("click", function (event) {
      var target = event.target.closest("button");
      if (!target) { return; }
      if (target.hasAttribute("data-remove-photo")) { target.closest(".photo-row").remove(); changed(); }
      else if (target.hasAttribute("data-add-byline")) { addByline(); }
      else if (target.hasAttribute("data-remove-byline")) { target.closest(".byline-row").remove(); changed(); }
      else if (target.hasAttribute("data-preview")) { preview(); }
      else if (target.hasAttribute("data-new-post")) { openCompose(desk.dataset.composeUrl, false, true); }
      else if (target.hasAttribute("data-take-over")) {
        renewLock(true).then(function (lock) {
          if (lock && lock.mine) { openCompose(postUrl(postId()), true); }
        });
      }
    });
    var zone = form.querySelector("[data-dropzone]");
    zone.addEventListener("dragover", function (event) { event.preventDefault(); zone.classList.add("is-over"); });
    zone.addEventListener("dragleave", function () { zone.classList.remove("is-over"); });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      zone.classList.remove("is-over");
      Array.prototype.forEach.call(event.dataTransfer.files, addPhoto);
    });
    if (editor) { restoreLocal(); }
  }

  document.addEventListener("prose-editor:ready", function (event) {
    if (!event.target.closest("#compose")) { return; }
    editor = event.detail.editor;
    editor.view.dom.setAttribute("aria-label", "Body");  // the editable area's name
    editor.on("update", changed);
    toolbar(editor);
    restoreLocal();
  });

  // The formatting toolbar is one Tab stop, after the body (Title, Tab, Body): the WAI-ARIA
  // toolbar pattern (arrows move along it, Home and End to its ends, Esc back to the body).
  // It is moved after the body in the page's order; CSS still shows it above.
  function toolbar(ed, tries) {
    var host = ed.view.dom.parentNode;
    var bar = host && host.querySelector(".prose-menubar");
    if (!bar) {  // the menu bar is drawn a moment after the editor says it is ready
      if ((tries || 0) < 50) { setTimeout(function () { toolbar(ed, (tries || 0) + 1); }, 20); }
      return;
    }
    if (bar.dataset.roving) { return; }
    bar.dataset.roving = "true";
    ed.view.dom.after(bar);
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", "Formatting");
    function items() {
      return Array.prototype.filter.call(bar.querySelectorAll("button, [tabindex]"), function (el) {
        return el.offsetParent !== null && !el.closest("[popover]");
      });
    }
    function roam(index) {
      var list = items();
      if (!list.length) { return; }
      var at = (index + list.length) % list.length;
      list.forEach(function (el, n) { el.tabIndex = n === at ? 0 : -1; });
      list[at].focus();
    }
    items().forEach(function (el, n) { el.tabIndex = n === 0 ? 0 : -1; });
    bar.addEventListener("keydown", function (event) {
      var list = items();
      var at = list.indexOf(document.activeElement);
      if (at < 0) { return; }
      var moves = {ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1, Home: 0, End: list.length - 1};
      if (event.key in moves) { event.preventDefault(); roam(moves[event.key]); }
      else if (event.key === "Escape") { event.preventDefault(); ed.commands.focus(); }
    });
  }

  // --- The staff channel and the regions it keeps current -------------------------------------
  var refreshTimer = null;
  var wanted = {};

  function busy(region) {
    var active = document.activeElement;
    var typing = active && region.contains(active) && /^(TEXTAREA|INPUT|SELECT)$/.test(active.tagName);
    var open = region.querySelector("details[open] textarea");
    return typing || !!(open && open.value !== open.defaultValue);
  }

  function refresh(names) {
    names.forEach(function (name) { wanted[name] = true; });
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(function () {
      var list = Object.keys(wanted).filter(function (name) {
        var region = document.getElementById("region-" + name);
        return region && !busy(region);
      });
      wanted = {};
      if (!list.length) { return; }
      fetch(desk.dataset.regionsUrl + "?only=" + list.join(","), {credentials: "same-origin"})
        .then(function (response) { return response.ok ? response.text() : ""; })
        .then(applyRegions);
    }, REFRESH_MS);
  }

  function applyRegions(html) {
    if (!html) { return; }
    var holder = document.createElement("template");
    holder.innerHTML = html;
    Array.from(holder.content.children).forEach(function (fresh) {  // moved out as we go
      var old = fresh.id && document.getElementById(fresh.id);
      if (!old || fresh.id === "desk-toast") { return; }
      var focus = focusKey(old);
      fresh.removeAttribute("data-hx-swap-oob");
      old.replaceWith(fresh);
      if (window.htmx) { window.htmx.process(fresh); }
      if (focus) { refocus(fresh, focus); }
    });
    countdowns();
  }

  function focusKey(region) {
    var active = document.activeElement;
    if (!active || !region.contains(active)) { return null; }
    var item = active.closest("[data-post]");
    return {post: item && item.dataset.post, text: active.textContent.trim()};
  }

  function refocus(region, key) {
    var scope = key.post ? region.querySelector('[data-post="' + key.post + '"]') : region;
    var candidates = (scope || region).querySelectorAll("button, a, input, select, textarea");
    var same = Array.prototype.find.call(candidates, function (el) { return el.textContent.trim() === key.text; });
    (same || scope || region).focus();
  }

  // A colleague moved one of my posts on: say so (the queue and timeline redraw anyway).
  var TOLD = {published: "was published", scheduled: "was scheduled"};

  function noticeMine(change) {
    if (!change.post || change.author !== me || !change.by || change.by === me) { return; }
    var item = document.querySelector('#region-queue [data-post="' + change.post + '"]');
    var title = item ? item.querySelector(".desk-item-title strong").textContent : "";
    var was = item ? item.dataset.status : "";
    var what = TOLD[change.status];
    if (!what && change.status === "draft" && (was === "submitted" || was === "scheduled")) {
      what = "was returned to you: the editor's note is in My drafts";
    }
    if (what && was !== change.status) {
      toast("Your post " + (title ? "“" + title + "” " : "") + what + ".", true);
    }
  }

  function onChanges(changes) {
    var open = Number(postId());
    changes.forEach(noticeMine);
    changes.forEach(function (change) {
      if (!open || change.post !== open || change.by === me) { return; }
      // One gesture leaves one entry a post (a publish that also ends the editing): a desk
      // kept out of the post looks at the lock again on any of the holder's changes.
      var form = compose();
      if (change.kind === "lock" || (form && form.dataset.locked === "true")) { renewLock(false); }
      if (change.kind === "lock") { return; }
      var mine = Number(field("version").value);
      if (change.version && change.version > mine && !stale) {
        status("Someone else saved this post (version " + change.version + "). Saving yours will show both versions.");
      }
    });
  }

  function listen() {
    if (!window.EventSource) { connection("off", "Live updates need a newer browser: reload to see changes."); return; }
    var source = new EventSource(desk.dataset.streamUrl + "?after=" + seq);
    source.addEventListener("open", function () {
      connection("live", "Live: changes by colleagues appear here as they happen.");
      if (pendingAutosave || pending) { reconnected(); }
    });
    source.addEventListener("desk", function (event) {
      var data = JSON.parse(event.data);
      seq = data.seq;
      desk.dataset.seq = seq;
      onChanges(data.changes || []);
      refresh(["queue", "timeline", "summary", "results"]);
    });
    source.addEventListener("presence", function (event) {
      var data = JSON.parse(event.data);
      var region = document.getElementById("region-presence");
      var staff = data.staff.filter(function (name) { return name; });
      region.querySelector("[data-presence-staff]").textContent = staff.length ? staff.join(", ") : "just you";
      region.querySelector("[data-presence-readers]").textContent = data.readers;
      region.querySelector("[data-presence-readers-word]").textContent = data.readers === 1 ? "reader" : "readers";
    });
    source.addEventListener("error", function () {
      if (source.readyState === EventSource.CLOSED) {
        connection("off", "Disconnected (signed out?): reload the page.");
      } else {
        connection("reconnecting", navigator.onLine ? "Reconnecting…" : "Offline: your draft is kept");
      }
    });
  }

  // --- Dialogs, countdowns, keys, the network ---------------------------------------------------
  var dialog = document.getElementById("desk-dialog");
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "desk-dialog-body") {
      if (!dialog.open) { dialog.showModal(); }
      var first = dialog.querySelector("textarea, input:not([type=hidden]), button");
      if (first) { first.focus(); }
    }
  });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    var source = event.detail.elt;
    if (source && source.hasAttribute && source.hasAttribute("data-closes-dialog") && event.detail.successful) {
      dialog.close();
    }
  });
  document.body.addEventListener("htmx:sendError", function () {
    toast("Offline: that was not sent. Try again when the connection returns.", false);
  });
  dialog.addEventListener("click", function (event) {
    if (event.target.closest("[data-close-dialog]")) { dialog.close(); }
  });

  desk.addEventListener("click", function (event) {
    var opener = event.target.closest("[data-open-post]");
    if (opener) { showTab("compose"); openCompose(opener.dataset.openPost); document.getElementById("compose-pane").scrollIntoView(); }
  });

  function countdowns() {
    var now = Date.now();
    document.querySelectorAll("[data-countdown]").forEach(function (el) {
      var left = Math.round((Date.parse(el.dataset.countdown) - now) / 1000);
      if (left <= 0) { el.textContent = "(due now)"; return; }
      var m = Math.floor(left / 60);
      var s = left % 60;
      el.textContent = "(in " + (m ? m + " min " : "") + (s < 10 && m ? "0" : "") + s + " s)";
    });
  }
  setInterval(countdowns, 1000);
  countdowns();

  // The regions: on one screen on a desk (each scrolls on its own from where it starts),
  // one at a time behind tabs on a phone.
  var columns = desk.querySelector(".desk-columns");
  function measure() {
    desk.style.setProperty("--desk-top", Math.max(0, columns.getBoundingClientRect().top + window.scrollY) + "px");
  }
  measure();
  window.addEventListener("resize", measure);
  function showTab(name) {
    desk.dataset.tab = name;
    desk.querySelectorAll(".desk-tabs [data-tab]").forEach(function (tab) {
      tab.setAttribute("aria-pressed", String(tab.dataset.tab === name));
    });
  }
  desk.querySelector(".desk-tabs").addEventListener("click", function (event) {
    var tab = event.target.closest("[data-tab]");
    if (tab) { showTab(tab.dataset.tab); }
  });

  // Alt + Shift + digit: event.code, not event.key (Shift turns "1" into "!").
  var panes = {Digit1: "compose-pane", Digit2: "queue-pane", Digit3: "timeline-pane"};
  function typing(el) {
    return !!el && (/^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName) || el.isContentEditable);
  }
  document.addEventListener("keydown", function (event) {
    var mod = event.ctrlKey || event.metaKey;
    var form = compose();
    if (mod && event.key === "Enter") {
      var primary = form.querySelector('[data-shortcut="primary"]') || form.querySelector('[data-shortcut="save"]');
      if (primary) { event.preventDefault(); form.requestSubmit(primary); }
    } else if (mod && !event.shiftKey && (event.key === "s" || event.key === "S")) {
      var save = form.querySelector('[data-shortcut="save"]');
      event.preventDefault();
      if (save) { form.requestSubmit(save); }
    } else if (event.altKey && event.shiftKey && event.code === "KeyP") {
      event.preventDefault();
      preview();
    } else if (event.altKey && event.shiftKey && panes[event.code]) {
      event.preventDefault();
      showTab(panes[event.code].replace("-pane", ""));
      document.getElementById(panes[event.code]).focus();
    } else if (event.altKey && event.shiftKey && event.code === "KeyN") {
      event.preventDefault();
      openCompose(desk.dataset.composeUrl, false, true);
    } else if (event.key === "?" && !mod && !event.altKey && !typing(event.target)) {
      event.preventDefault();
      var list = document.querySelector(".desk-shortcuts");
      document.getElementById("desk-dialog-body").innerHTML =
        '<h2 id="desk-dialog-title">Keyboard shortcuts</h2>' + list.querySelector("dl").outerHTML +
        '<p><button type="button" class="desk-button" data-close-dialog>Close</button></p>';
      if (!dialog.open) { dialog.showModal(); }
      dialog.querySelector("[data-close-dialog]").focus();
    }
  });

  window.addEventListener("offline", function () { connection("offline", "Offline: your draft is kept"); });
  window.addEventListener("online", function () {
    connection("reconnecting", pending ? "Back online: sending what you asked for…" : "Back online: sending your draft…");
    reconnected();
  });
  window.addEventListener("pagehide", release);

  bindCompose();
  startLockRenewal();
  listen();
}());
