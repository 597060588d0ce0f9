// Clean paste for every post body editor (the desk and the admin): what Word, Google Docs
// and web pages put on the clipboard is turned into the structure it stands for before the
// editor reads it. Word's lists are paragraphs with a typed bullet ("·", "1.") and a
// list id and level in their style: they become real lists, nested by level. Google Docs
// wraps everything in a <b> that is not bold, spells bold and italics as span styles and
// puts a <br> between paragraphs: the wrapper goes, the styles become <strong>/<em>/<u>,
// the stray breaks and empty paragraphs go. A link keeps its link only (its underline
// is the page's to draw, and a pasted underline would run on into what is typed next).
// Every other attribute is dropped; the server's sanitiser (liveblog/html.py) still has
// the last word on what is kept.
(function () {
  "use strict";

  var DROP = "style, meta, link, title, script, template, xml, colgroup, col";
  var KEEP_ATTRIBUTES = {a: ["href"], td: ["colspan", "rowspan"], th: ["colspan", "rowspan"], ol: ["start"]};
  var BLOCK = /^(P|H[1-6]|UL|OL|LI|TABLE|BLOCKQUOTE|PRE|DIV|HR)$/;
  var WORD_LIST = /mso-list:\s*l(\d+)\s+level(\d+)/i;
  var ORDERED_MARKER = /^\(?[0-9a-z]{1,4}[.)]$/i;  // 1.  a)  iv.  (2)  -- a bullet is not

  function styleOf(element) { return (element.getAttribute("style") || "").toLowerCase(); }

  function unwrap(element) {
    var parent = element.parentNode;
    while (element.firstChild) { parent.insertBefore(element.firstChild, element); }
    parent.removeChild(element);
  }

  function rename(element, tag) {
    var renamed = element.ownerDocument.createElement(tag);
    while (element.firstChild) { renamed.appendChild(element.firstChild); }
    Array.from(element.attributes).forEach(function (attribute) {
      renamed.setAttribute(attribute.name, attribute.value);
    });
    element.parentNode.replaceChild(renamed, element);
    return renamed;
  }

  function wrapIn(element, tag) {
    var wrapper = element.ownerDocument.createElement(tag);
    while (element.firstChild) { wrapper.appendChild(element.firstChild); }
    element.appendChild(wrapper);
  }

  function isBlank(element) {
    if (element.querySelector("img, table, hr")) { return false; }
    return element.textContent.replace(/[\s\u00a0\u200b]/g, "") === "";
  }

  // Word: <p style="mso-list:l0 level1 lfo1"><span style="mso-list:Ignore">·&nbsp;</span>Text</p>
  function wordLists(body) {
    Array.from(body.querySelectorAll("[style]")).forEach(function (element) {
      var found = WORD_LIST.exec(styleOf(element));
      if (!found || !BLOCK.test(element.tagName)) { return; }
      var marker = element.querySelector("[style*='mso-list:Ignore' i], [style*='mso-list: Ignore' i]");
      var text = marker ? marker.textContent.replace(/[\s\u00a0]+/g, "") : "";
      if (marker) { marker.parentNode.removeChild(marker); }
      element.dataset.list = found[1];
      element.dataset.level = found[2];
      element.dataset.ordered = ORDERED_MARKER.test(text) ? "1" : "";
    });
    var items = Array.from(body.querySelectorAll("[data-level]"));
    // Where a new list starts: after anything but white space, or at another Word list.
    var starts = items.map(function (element, index) {
      var previous = items[index - 1];
      return !previous || previous.dataset.list !== element.dataset.list || !adjacent(previous, element);
    });
    var stack = [];  // the open lists, one per level: {level, list, item}
    items.forEach(function (element, index) {
      if (starts[index]) { stack = []; }
      var level = Number(element.dataset.level);
      while (stack.length && stack[stack.length - 1].level > level) { stack.pop(); }
      var top = stack[stack.length - 1];
      if (!top || top.level < level) {
        var list = element.ownerDocument.createElement(element.dataset.ordered ? "ol" : "ul");
        if (top && top.item) { top.item.appendChild(list); } else { element.parentNode.insertBefore(list, element); }
        top = {level: level, list: list, item: null};
        stack.push(top);
      }
      var item = element.ownerDocument.createElement("li");
      top.list.appendChild(item);
      top.item = item;
      item.appendChild(element.tagName === "P" ? element : rename(element, "p"));
    });
  }

  function adjacent(first, second) {
    // Only white space (or Word's conditional comments) between two list paragraphs.
    var node = first.nextSibling;
    while (node && node !== second) {
      if (node.nodeType === Node.ELEMENT_NODE || (node.nodeType === Node.TEXT_NODE && node.textContent.trim())) { return false; }
      node = node.nextSibling;
    }
    return node === second;
  }

  // Styles that carry meaning become elements; the span (and every other style) goes.
  function styledText(body) {
    Array.from(body.querySelectorAll("span, font")).forEach(function (span) {
      var style = styleOf(span);
      var inLink = !!span.closest("a");
      if (/font-weight:\s*(bold|[6-9]00)/.test(style)) { wrapIn(span, "strong"); }
      if (/font-style:\s*italic/.test(style)) { wrapIn(span, "em"); }
      if (/text-decoration[^;]*underline/.test(style) && !inLink) { wrapIn(span, "u"); }
      if (/text-decoration[^;]*line-through/.test(style)) { wrapIn(span, "s"); }
      if (/vertical-align:\s*super/.test(style)) { wrapIn(span, "sup"); }
      if (/vertical-align:\s*sub/.test(style)) { wrapIn(span, "sub"); }
      unwrap(span);
    });
    Array.from(body.querySelectorAll("a u")).forEach(unwrap);
    // Google Docs' outer <b style="font-weight:normal" id="docs-internal-guid-...">.
    Array.from(body.querySelectorAll("b, strong")).forEach(function (bold) {
      if (/font-weight:\s*(normal|[1-4]00)/.test(styleOf(bold))) { unwrap(bold); }
    });
  }

  // Google Docs puts a nested list directly inside its parent list: it belongs to the item
  // before it.
  function nestedLists(body) {
    Array.from(body.querySelectorAll("ul > ul, ul > ol, ol > ul, ol > ol")).forEach(function (list) {
      var item = list.previousElementSibling;
      if (!item || item.tagName !== "LI") {
        item = list.ownerDocument.createElement("li");
        list.parentNode.insertBefore(item, list);
      }
      item.appendChild(list);
    });
  }

  function tidy(body) {
    Array.from(body.querySelectorAll(DROP)).forEach(function (element) { element.remove(); });
    // Word's <o:p>, <w:...> and the like: namespaced elements hold nothing of the text's own.
    Array.from(body.querySelectorAll("*")).forEach(function (element) {
      if (element.tagName.indexOf(":") !== -1) { unwrap(element); }
    });
    var walker = body.ownerDocument.createTreeWalker(body, NodeFilter.SHOW_COMMENT);
    var comments = [];
    while (walker.nextNode()) { comments.push(walker.currentNode); }
    comments.forEach(function (comment) { comment.remove(); });
    // Anchors without a link (Word's bookmarks, <a name=_Toc...>) keep only their text.
    Array.from(body.querySelectorAll("a:not([href])")).forEach(unwrap);
    // The body's headings are 2 to 4.
    Array.from(body.querySelectorAll("h1")).forEach(function (h) { rename(h, "h2"); });
    Array.from(body.querySelectorAll("h5, h6")).forEach(function (h) { rename(h, "h4"); });
  }

  function dropStrays(body) {
    // A <br> between blocks (Google Docs' blank line) is not a line of the text.
    Array.from(body.querySelectorAll("br")).forEach(function (br) {
      var before = br.previousElementSibling;
      var after = br.nextElementSibling;
      if ((before && BLOCK.test(before.tagName)) || (after && BLOCK.test(after.tagName)) || !br.parentNode.closest("p, li, td, th, h2, h3, h4, blockquote")) {
        br.remove();
      }
    });
    Array.from(body.querySelectorAll("p, h2, h3, h4, li")).forEach(function (block) {
      if (isBlank(block)) { block.remove(); }
    });
  }

  function stripAttributes(body) {
    Array.from(body.querySelectorAll("*")).forEach(function (element) {
      var keep = KEEP_ATTRIBUTES[element.tagName.toLowerCase()] || [];
      Array.from(element.attributes).forEach(function (attribute) {
        if (keep.indexOf(attribute.name) === -1) { element.removeAttribute(attribute.name); }
      });
    });
  }

  function clean(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var body = doc.body;
    wordLists(body);  // first: it reads the styles that the rest removes
    tidy(body);
    nestedLists(body);
    styledText(body);
    dropStrays(body);
    stripAttributes(body);
    return body.innerHTML;
  }

  window.NewsroomPaste = {clean: clean};
  document.addEventListener("prose-editor:ready", function (event) {
    event.detail.editor.view.setProps({transformPastedHTML: clean});
  });
})();
