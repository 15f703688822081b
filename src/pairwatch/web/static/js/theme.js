// Apply the saved theme before first paint; the toggle is wired up in site.js.
(function () {
  "use strict";
  try {
    var saved = window.localStorage.getItem("pairwatch-theme");
    if (saved === "light" || saved === "dark") {
      document.documentElement.setAttribute("data-theme", saved);
    }
  } catch (err) {
    // Storage may be disabled (private mode, iframes): the system preference applies.
  }
})();
