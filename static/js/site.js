/* Small enhancements only: the site works without JavaScript. */
(function () {
  "use strict";
  // Open the FAQ question (a <details>) targeted by the address, e.g. /faq/#apres-2025.
  function openTarget() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    if (!id) { return; }
    var target = document.getElementById(id);
    if (target && target.tagName === "DETAILS") {
      target.open = true;
      var summary = target.querySelector("summary");
      if (summary) { summary.focus({ preventScroll: true }); }
      target.scrollIntoView();
    }
  }
  window.addEventListener("hashchange", openTarget);
  document.addEventListener("DOMContentLoaded", openTarget);
})();
