/* An insight report's admin page: its progress while it builds, then its charts (Chart.js, served from our static
   files). Data comes from the page's <script type="application/json" id="insight-chart-data"> (Django's json_script). */
(function () {
  "use strict";

  var PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                 "#bcbd22", "#17becf"];

  function colour(i) { return PALETTE[i % PALETTE.length]; }

  function bars(canvas, labels, datasets, extra) {
    return new Chart(canvas, {
      type: "bar",
      data: { labels: labels, datasets: datasets },
      options: Object.assign({ responsive: true, maintainAspectRatio: false, animation: false,
                               plugins: { legend: { position: "bottom" } } }, extra || {})
    });
  }

  function funnel(canvas, chart) {
    var datasets = chart.datasets.map(function (set, i) {
      return { label: set.label, data: set.data, backgroundColor: colour(i) };
    });
    return bars(canvas, chart.labels, datasets, {
      scales: { y: { beginAtZero: true, title: { display: true, text: "sessions" } } },
      plugins: { legend: { position: "bottom" }, title: { display: true, text: chart.title } }
    });
  }

  function scroll(canvas, data) {
    return bars(canvas, data.labels, [{ label: "share of page views", data: data.shares, backgroundColor: colour(0) }], {
      scales: { y: { beginAtZero: true, ticks: { callback: function (v) { return Math.round(v * 100) + " %"; } } } }
    });
  }

  function exits(canvas, data) {
    return bars(canvas, data.labels, [{ label: "sessions ending here", data: data.data, backgroundColor: colour(3) }], {
      indexAxis: "y", scales: { x: { beginAtZero: true } }
    });
  }

  function draw() {
    var source = document.getElementById("insight-chart-data");
    if (!source || typeof Chart === "undefined") { return 0; }
    var data = JSON.parse(source.textContent);
    var drawn = 0;
    data.funnels.forEach(function (chart, i) {
      var canvas = document.getElementById("chart-funnel-" + i);
      if (canvas) { funnel(canvas, chart); drawn += 1; }
    });
    [["chart-scroll", scroll, data.scroll], ["chart-exits", exits, data.exits]].forEach(function (chart) {
      var canvas = document.getElementById(chart[0]);
      if (canvas) { chart[1](canvas, chart[2]); drawn += 1; }
    });
    return drawn;
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.body.setAttribute("data-charts-drawn", String(draw()));
  });
})();
