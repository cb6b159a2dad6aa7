/* Charts of a rule's performance page (Chart.js, served from our static files). Data comes from the page's
   <script type="application/json" id="board-series"> (Django's json_script). */
(function () {
  "use strict";

  var PALETTE = ["#7f7f7f", "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2"];

  function line(canvas, labels, datasets, extra) {
    return new Chart(canvas, {
      type: "line",
      data: { labels: labels, datasets: datasets },
      options: Object.assign({ responsive: true, maintainAspectRatio: false, animation: false, spanGaps: true,
                               plugins: { legend: { position: "bottom" } } }, extra || {})
    });
  }

  function datasets(arms, field, stacked) {
    return arms.map(function (arm, i) {
      return { label: arm.name, data: arm[field], borderColor: PALETTE[i % PALETTE.length],
               backgroundColor: PALETTE[i % PALETTE.length], fill: stacked ? (i ? "-1" : "origin") : false };
    });
  }

  function draw() {
    var node = document.getElementById("board-series");
    if (!node || !window.Chart) return;
    var series = JSON.parse(node.textContent);
    var percent = { y: { ticks: { callback: function (v) { return Math.round(v * 1000) / 10 + " %"; } } } };
    line(document.getElementById("chart-visitors"), series.days, datasets(series.arms, "visitors"));
    line(document.getElementById("chart-rate"), series.days, datasets(series.arms, "rate"), { scales: percent });
    line(document.getElementById("chart-share"), series.days, datasets(series.arms, "share", true),
         { scales: { y: Object.assign({ stacked: true, min: 0, max: 1 }, percent.y) } });
    document.body.setAttribute("data-charts-drawn", "3");  // for tests and screenshots
  }

  document.addEventListener("DOMContentLoaded", draw);
}());
