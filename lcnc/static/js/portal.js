/* Citizen portal: loads the built portal script (frontend/src/portal, `npm run build` in
 * frontend/ -> frontend/dist/portal/, served as <STATIC_URL>builder/portal/). Every page
 * works without it: the server always decides what is kept and required. */
(function () {
  "use strict";
  var self = document.currentScript && document.currentScript.src;
  var base = self ? self.replace(/js\/portal\.js(\?.*)?$/, "builder/portal/") : "/static/builder/portal/";
  var css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = base + "portal.css";
  document.head.appendChild(css);
  import(base + "portal.js").catch(function (error) {
    console.warn("portal: enhancements unavailable (is frontend/dist built?)", error);
  });
})();
