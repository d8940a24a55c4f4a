// The style guide's only script: a Chart.js chart in the page's colours, drawn from a
// file (the Content-Security-Policy allows no inline script).
"use strict";
(function () {
  var css = getComputedStyle(document.documentElement);
  var color = function (name) { return css.getPropertyValue(name).trim(); };
  Chart.defaults.color = color("--text");
  Chart.defaults.borderColor = color("--border-subtle");
  Chart.defaults.font.size = 16;
  new Chart(document.getElementById("probe-chart"), {
    type: "bar",
    data: {
      labels: ["Mo", "Di", "Mi"],
      datasets: [
        { label: "belegt", data: [61, 64, 70], backgroundColor: color("--accent") },
        { label: "frei", data: [9, 6, 0], backgroundColor: color("--free") },
      ],
    },
    options: { animation: false, responsive: true, maintainAspectRatio: false },
  });
  document.body.dataset.chart = "drawn";
})();
