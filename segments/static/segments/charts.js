/* Charts of a clustering run's admin page (Chart.js, served from our static files); progress.js follows a running one.
   Data comes from the page's <script type="application/json" id="segments-chart-data"> (Django's json_script). */
(function () {
  "use strict";

  var PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                 "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd"];

  function colour(i) { return PALETTE[i % PALETTE.length]; }

  function base(extra) {
    var options = { responsive: true, maintainAspectRatio: false, animation: false,
                    plugins: { legend: { position: "bottom" } } };
    return Object.assign(options, extra || {});
  }

  function elbow(canvas, curves) {
    var chosen = curves.chosen;
    var radius = curves.ks.map(function (k) { return k === chosen ? 8 : 3; });
    return new Chart(canvas, {
      type: "line",
      data: { labels: curves.ks, datasets: [
        { label: "inertia (elbow)", data: curves.inertias, borderColor: colour(0), backgroundColor: colour(0),
          yAxisID: "y", pointRadius: radius, pointStyle: "rectRot" },
        { label: "silhouette", data: curves.silhouettes, borderColor: colour(1), backgroundColor: colour(1),
          yAxisID: "y1", pointRadius: radius, pointStyle: "rectRot" }
      ] },
      options: base({
        scales: { x: { title: { display: true, text: "k (chosen: " + chosen + ")" } },
                  y: { position: "left", title: { display: true, text: "inertia" } },
                  y1: { position: "right", grid: { drawOnChartArea: false }, title: { display: true, text: "silhouette" } } },
        plugins: { legend: { position: "bottom" }, title: { display: true, text: "chosen k = " + chosen } }
      })
    });
  }

  function dendrogram(canvas, tree) {
    // scipy draws each merge as a U of four points; leaves sit at x = 5, 15, 25, ...
    var datasets = tree.icoord.map(function (xs, i) {
      return { data: xs.map(function (x, j) { return { x: x, y: tree.dcoord[i][j] }; }), showLine: true,
               borderColor: colour(0), pointRadius: 0, borderWidth: 1.5, tension: 0 };
    });
    var leaves = tree.leaf_labels || [];
    return new Chart(canvas, {
      type: "scatter",
      data: { datasets: datasets },
      options: base({
        plugins: { legend: { display: false }, tooltip: { enabled: false } },
        scales: {
          x: { min: 0, max: Math.max(10, leaves.length * 10),
               afterBuildTicks: function (axis) { axis.ticks = leaves.map(function (_, i) { return { value: 5 + 10 * i }; }); },
               ticks: { autoSkip: false, maxRotation: 90, callback: function (value) { return leaves[(value - 5) / 10]; } } },
          y: { title: { display: true, text: "Ward distance" } }
        }
      })
    });
  }

  function scatter(canvas, points) {
    var byCluster = {};
    points.cluster.forEach(function (c, i) {
      (byCluster[c] = byCluster[c] || []).push({ x: points.x[i], y: points.y[i] });
    });
    var datasets = Object.keys(byCluster).sort(function (a, b) { return a - b; }).map(function (c) {
      return { label: points.names[c] || "cluster " + (Number(c) + 1), data: byCluster[c], pointRadius: 2,
               backgroundColor: colour(Number(c)), borderColor: colour(Number(c)) };
    });
    return new Chart(canvas, { type: "scatter", data: { datasets: datasets },
      options: base({ scales: { x: { title: { display: true, text: "PC 1" } },
                                y: { title: { display: true, text: "PC 2" } } } }) });
  }

  function sizes(canvas, series) {
    var datasets = Object.keys(series.series).map(function (name, i) {
      return { label: name, data: series.series[name], borderColor: colour(i), backgroundColor: colour(i),
               spanGaps: false };
    });
    return new Chart(canvas, { type: "line", data: { labels: series.runs, datasets: datasets },
      options: base({ scales: { y: { beginAtZero: true, title: { display: true, text: "visitors" } } } }) });
  }

  function segmentSize(canvas, history) {
    return new Chart(canvas, { type: "line", data: { labels: history.days, datasets: [
        { label: "members at the end of the day", data: history.sizes, borderColor: colour(0),
          backgroundColor: colour(0), stepped: true }] },
      options: base({ scales: { y: { beginAtZero: true, title: { display: true, text: "visitors" } } } }) });
  }

  function draw() {
    var source = document.getElementById("segments-chart-data");
    if (!source || typeof Chart === "undefined") { return 0; }
    var data = JSON.parse(source.textContent);
    var drawn = 0;
    var charts = [["chart-elbow", elbow, data.curves], ["chart-dendrogram", dendrogram, data.dendrogram],
                  ["chart-scatter", scatter, data.scatter], ["chart-sizes", sizes, data.sizes],
                  ["chart-segment-size", segmentSize, data.segment_size]];
    charts.forEach(function (chart) {
      var canvas = document.getElementById(chart[0]);
      if (canvas) { chart[1](canvas, chart[2]); drawn += 1; }
    });
    return drawn;
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.body.setAttribute("data-charts-drawn", String(draw()));
  });
})();
