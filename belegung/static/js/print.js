// A button that prints the page (<button data-print hidden>): shown only where this
// script runs, loaded as a file (the Content-Security-Policy allows no inline script).
"use strict";
(function () {
  document.querySelectorAll("button[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
