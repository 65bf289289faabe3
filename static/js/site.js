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
  // The menu (<details data-site-menu>): open on a wide screen, closed on a phone when the page
  // loads or the screen changes size; Escape closes it and gives the focus back to its button.
  function setUpMenu() {
    var menu = document.querySelector("[data-site-menu]");
    if (!menu || !window.matchMedia) { return; }
    var wide = window.matchMedia("(min-width: 64rem)");
    function follow() { menu.open = wide.matches; }
    follow();
    if (wide.addEventListener) { wide.addEventListener("change", follow); }
    menu.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menu.open && !wide.matches) {
        menu.open = false;
        menu.querySelector("summary").focus();
      }
    });
  }

  window.addEventListener("hashchange", openTarget);
  document.addEventListener("DOMContentLoaded", setUpMenu);
  document.addEventListener("DOMContentLoaded", openTarget);
})();
