// The search page: loads Pagefind's UI from the index beside the site (pagefind/), wherever the site is served.
// When the index is missing (Pagefind could not run), the page says so and the rest of the site works as ever.
(function () {
  "use strict";
  var box = document.getElementById("search");
  if (!box) return;
  var bundle = new URL(box.getAttribute("data-bundle"), document.baseURI).pathname;  // e.g. /news/pagefind/
  var siteRoot = bundle.replace(/pagefind\/$/, "");
  function unavailable() {
    document.getElementById("search-unavailable").hidden = false;
  }
  var style = document.createElement("link");
  style.rel = "stylesheet";
  style.href = bundle + "pagefind-ui.css";
  document.head.appendChild(style);
  var script = document.createElement("script");
  script.src = bundle + "pagefind-ui.js";
  script.onerror = unavailable;
  script.onload = function () {
    if (typeof PagefindUI === "undefined") return unavailable();
    var ui = new PagefindUI({element: "#search", bundlePath: bundle, baseUrl: siteRoot, showImages: false,
                             showSubResults: false, resetStyles: false});
    var query = new URLSearchParams(window.location.search).get("q");
    if (query) ui.triggerSearch(query);
  };
  document.head.appendChild(script);
})();
