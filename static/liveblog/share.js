/* "Share" on a post: the device's own share sheet where there is one (Web Share API),
   otherwise the post's link copied to the clipboard, said in a live region. Without
   JavaScript the link simply opens the post's permalink. No third-party script. */
(function () {
  "use strict";

  function say(link, text) {
    var note = link.parentNode.querySelector(".share-note");
    if (!note) {
      note = document.createElement("span");
      note.className = "share-note";
      note.setAttribute("role", "status");
      link.after(note);
    }
    note.textContent = " " + text;
    setTimeout(function () { note.textContent = ""; }, 4000);
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-share]");
    if (!link) return;
    var url = link.href;
    if (navigator.share) {
      event.preventDefault();
      navigator.share({ title: link.dataset.title || document.title, url: url }).catch(function () {});
      return;
    }
    if (navigator.clipboard && window.isSecureContext) {
      event.preventDefault();
      navigator.clipboard.writeText(url).then(
        function () { say(link, "Link copied"); },
        function () { window.location.href = url; }
      );
    }
  });
})();
