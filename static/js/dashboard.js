/* Dashboard charts: data comes from data-* attributes (no inline script, so the CSP can forbid it). */
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") { return; }  // tables below the charts still show the figures

  function read(el, name) {
    try { return JSON.parse(el.getAttribute("data-" + name) || "[]"); } catch (e) { return []; }
  }

  var ink = "#1a1a1a", accent = "#0b5cad", warm = "#b35c00";
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  Chart.defaults.color = ink;
  Chart.defaults.font.family = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif";
  if (reduceMotion) { Chart.defaults.animation = false; }

  var trend = document.getElementById("trend-chart");
  if (trend) {
    new Chart(trend, {
      data: {
        labels: read(trend, "labels"),
        datasets: [
          { type: "bar", label: trend.getAttribute("data-label-responses"), data: read(trend, "responses"),
            backgroundColor: accent, yAxisID: "y" },
          { type: "line", label: trend.getAttribute("data-label-csat"), data: read(trend, "csat"),
            borderColor: warm, backgroundColor: warm, pointStyle: "rectRot", pointRadius: 5, spanGaps: true,
            yAxisID: "csat" }
        ]
      },
      options: {
        responsive: true, maintainAspectRatio: false,
        scales: {
          y: { beginAtZero: true, position: "left", ticks: { precision: 0 } },
          csat: { min: 0, max: 100, position: "right", grid: { drawOnChartArea: false } }
        }
      }
    });
  }

  var dist = document.getElementById("distribution-chart");
  if (dist) {
    new Chart(dist, {
      type: "bar",
      data: {
        labels: read(dist, "labels"),
        datasets: [{ label: dist.getAttribute("data-label-responses"), data: read(dist, "counts"),
                     backgroundColor: ["#b00020", "#d9661f", "#8a8a8a", "#4f8fcf", "#0b5cad"] }]
      },
      options: { responsive: true, maintainAspectRatio: false, plugins: { legend: { display: false } },
                 scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
    });
  }
}());
