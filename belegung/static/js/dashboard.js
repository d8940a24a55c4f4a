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
    // A row's data-short names it on the chart where its full name is too long.
    var labels = rows.map(function (row) {
      var th = row.querySelector("th");
      return th.dataset.short || th.textContent.trim();
    });
    var bar = canvas.dataset.chartType === "bar";
    var datasets = heads.map(function (head, i) {
      var c = palette[i % palette.length];
      return {
        label: head.textContent.trim(),
        // A cell's data-value where its text is formatted for readers (87,5 %).
        data: rows.map(function (row) {
          var cell = row.querySelectorAll("td")[i];
          return Number(cell.dataset.value !== undefined ? cell.dataset.value : cell.textContent);
        }),
        borderColor: c,
        backgroundColor: c,
        borderDash: bar ? [] : dashes[i % dashes.length],
        borderWidth: 2,
        pointRadius: rows.length > 60 ? 0 : 2,
        tension: 0.2
      };
    });
    var stacked = canvas.dataset.chartStacked === "true";
    // data-chart-axis="y": horizontal bars (long category names, e.g. facilities).
    var horizontal = canvas.dataset.chartAxis === "y";
    var categories = { stacked: stacked, ticks: { autoSkip: !horizontal, maxTicksLimit: horizontal ? undefined : 12 } };
    var values = { stacked: stacked, beginAtZero: true, ticks: { precision: 0 } };
    new Chart(canvas, {
      type: bar ? "bar" : "line",
      data: { labels: labels, datasets: datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        indexAxis: horizontal ? "y" : "x",
        interaction: { mode: "index", intersect: false },
        scales: horizontal ? { x: values, y: categories } : { x: categories, y: values },
        plugins: { legend: { position: "bottom" } }
      }
    });
    canvas.dataset.drawn = "true";
    // Drawn: the table folds away under its summary (without JavaScript it stays open).
    var details = table.closest("details");
    if (details) { details.open = false; }
  });
})();
