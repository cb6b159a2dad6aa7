/* Charts of the dashboards in admin (rules/admin_overview.py), drawn with Chart.js from our static files.
   Data comes from the page's <script type="application/json" id="overview-chart-data"> (Django's json_script). */
(function () {
  "use strict";

  var PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                 "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd"];

  function colour(i) { return PALETTE[i % PALETTE.length]; }

  function line(label, data, i, extra) {
    return Object.assign({ label: label, data: data, borderColor: colour(i), backgroundColor: colour(i),
                           pointRadius: 2, tension: 0.2 }, extra || {});
  }

  function options(y, y1) {
    var scales = { y: { beginAtZero: true, title: { display: true, text: y } } };
    if (y1) {
      scales.y1 = { beginAtZero: true, position: "right", grid: { drawOnChartArea: false },
                    title: { display: true, text: y1 } };
    }
    return { responsive: true, maintainAspectRatio: false, animation: false, interaction: { mode: "index" },
             plugins: { legend: { position: "bottom" } }, scales: scales };
  }

  function chart(canvas, days, datasets, opts) {
    return new Chart(canvas, { type: "line", data: { labels: days, datasets: datasets }, options: opts });
  }

  var OVERVIEW = {
    "chart-visitors": function (d) {
      return [[line("visitors", d.visitors, 0), line("new", d.new_visitors, 1), line("returning", d.returning_visitors, 2)],
              options("visitors")];
    },
    "chart-sessions": function (d) { return [[line("sessions", d.sessions, 0)], options("sessions")]; },
    "chart-engaged": function (d) {
      return [[line("engaged minutes", d.engaged_minutes, 0, { yAxisID: "y" }),
               line("minutes per session", d.minutes_per_session, 1, { yAxisID: "y1" })],
              options("minutes", "minutes per session")];
    },
    "chart-conversions": function (d) {
      return [[line("conversions", d.conversions, 0, { yAxisID: "y" }),
               line("revenue", d.revenue, 1, { yAxisID: "y1" })], options("conversions", "revenue")];
    },
    "chart-consent": function (d) {
      var lines = d.consent.map(function (category, i) {
        return line(category.label, category.rates, i, { spanGaps: true });
      });
      var opts = options("% of choices");
      opts.scales.y.max = 100;
      return [lines, opts];
    },
    "chart-segments": function (d) {
      var lines = d.segments.map(function (segment, i) {
        return line(segment.label, segment.sizes, i, { pointRadius: 0, tension: 0 });
      });
      var top = Math.max.apply(null, [1].concat(d.segments.map(function (s) { return Math.max.apply(null, s.sizes); })));
      var runs = {};
      d.runs.forEach(function (run) { runs[run.day] = (runs[run.day] ? runs[run.day] + "; " : "") + run.label; });
      var markers = d.days.map(function (day) { return runs[day] ? top : null; });
      if (d.runs.length) {
        lines.push(line("clustering runs", markers, lines.length, {
          showLine: false, pointRadius: 7, pointStyle: "triangle", borderColor: "#000", backgroundColor: "#000",
          runLabels: d.days.map(function (day) { return runs[day] || ""; })
        }));
      }
      var opts = options("members");
      opts.plugins.tooltip = { callbacks: { label: function (item) {
        var labels = item.dataset.runLabels;
        return labels ? labels[item.dataIndex] : item.dataset.label + ": " + item.formattedValue;
      } } };
      return [lines, opts];
    }
  };

  function draw() {
    var source = document.getElementById("overview-chart-data");
    if (!source || typeof Chart === "undefined") { return 0; }
    var data = JSON.parse(source.textContent);
    var drawn = 0;
    Object.keys(OVERVIEW).forEach(function (id) {
      var canvas = document.getElementById(id);
      if (!canvas) { return; }
      var made = OVERVIEW[id](data);
      chart(canvas, data.days, made[0], made[1]);
      drawn += 1;
    });
    return drawn;
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.body.setAttribute("data-charts-drawn", String(draw()));
  });
})();
