// The dashboard's charts, drawn by Chart.js from the table under each chart: the chart
// and the table show the same figures by construction. Loaded as a file (the
// Content-Security-Policy allows no inline script).
"use strict";
(function () {
  if (typeof Chart === "undefined") { return; }
  var css = getComputedStyle(document.documentElement);
  var color = function (name) { return css.getPropertyValue(name).trim(); };
  // Colours that stay apart on the dark theme, each line also with its own dash.
  var palette = [color("--accent"), color("--free"), color("--held"), color("--danger"), "#c9a7ff", "#7fe3e0"];
  var dashes = [[], [6, 4], [2, 3], [10, 3, 2, 3], [1, 2], [8, 8]];
  Chart.defaults.color = color("--text");
  Chart.defaults.borderColor = color("--border-subtle");
  Chart.defaults.font.size = 14;

  document.querySelectorAll("canvas[data-chart-table]").forEach(function (canvas) {
    var table = document.getElementById(canvas.dataset.chartTable);
    if (!table) { return; }
    var heads = Array.prototype.slice.call(table.querySelectorAll("thead th")).slice(1);
    var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr"));
    var labels = rows.map(function (row) { return row.querySelector("th").textContent.trim(); });
    var bar = canvas.dataset.chartType === "bar";
    var datasets = heads.map(function (head, i) {
      var c = palette[i % palette.length];
      return {
        label: head.textContent.trim(),
        data: rows.map(function (row) { return Number(row.querySelectorAll("td")[i].textContent); }),
        borderColor: c,
        backgroundColor: c,
        borderDash: bar ? [] : dashes[i % dashes.length],
        borderWidth: 2,
        pointRadius: rows.length > 60 ? 0 : 2,
        tension: 0.2
      };
    });
    var stacked = canvas.dataset.chartStacked === "true";
    new Chart(canvas, {
      type: bar ? "bar" : "line",
      data: { labels: labels, datasets: datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { stacked: stacked, ticks: { maxTicksLimit: 12, autoSkip: true } },
          y: { stacked: stacked, beginAtZero: true, ticks: { precision: 0 } }
        },
        plugins: { legend: { position: "bottom" } }
      }
    });
    canvas.dataset.drawn = "true";
    // Drawn: the table folds away under its summary (without JavaScript it stays open).
    var details = table.closest("details");
    if (details) { details.open = false; }
  });
})();
