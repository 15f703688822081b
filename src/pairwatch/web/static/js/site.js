// Progressive enhancements: the theme toggle and the live filter of the home page's cards.
(function () {
  "use strict";

  function currentTheme() {
    var set = document.documentElement.getAttribute("data-theme");
    if (set === "light" || set === "dark") {
      return set;
    }
    return window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }

  function setupToggle() {
    var button = document.querySelector(".theme-toggle");
    if (!button) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var next = currentTheme() === "dark" ? "light" : "dark";
      document.documentElement.setAttribute("data-theme", next);
      try {
        window.localStorage.setItem("pairwatch-theme", next);
      } catch (err) {
        // Not saved: the choice lasts for this page only.
      }
      document.dispatchEvent(new CustomEvent("pairwatch:theme", { detail: next }));
    });
  }

  function setupFilter() {
    var input = document.querySelector("input[data-filter]");
    if (!input) {
      return;
    }
    var list = document.querySelector(input.getAttribute("data-filter"));
    if (!list) {
      return;
    }
    var items = Array.prototype.slice.call(list.querySelectorAll("[data-search]"));
    input.addEventListener("input", function () {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      items.forEach(function (item) {
        var text = item.getAttribute("data-search").toLowerCase();
        item.hidden = !words.every(function (word) { return text.indexOf(word) !== -1; });
      });
    });
  }

  setupToggle();
  setupFilter();
})();
