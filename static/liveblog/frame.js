/* The embed view (/live/<slug>/embed/) in a frame on another site: tell the page around
   it how tall it is, whenever that changes (a new post, an image loaded, a card opened),
   so the frame shows it all without a scrollbar. The page listens with the snippet the
   desk gives (it checks that the message comes from this site). Only a height is sent. */
(function () {
  "use strict";
  if (window.parent === window) return;
  var slug = document.body.dataset.embedSlug || "";
  var last = 0;

  function tell() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    window.parent.postMessage({ newsroom: "height", slug: slug, height: height }, "*");
  }

  if (window.ResizeObserver) new ResizeObserver(tell).observe(document.documentElement);
  window.addEventListener("load", tell);
  tell();
})();
