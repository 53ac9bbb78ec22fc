// Boards charts. The risk heat map: one bubble per likelihood x impact cell holding risks, its
// size the count, its colour the score band. The table beside it gives the same counts in words.
(function () {
  "use strict";

  function band(score) {
    if (score >= 15) { return "rgba(179, 38, 30, 0.75)"; }
    if (score >= 8) { return "rgba(214, 139, 0, 0.75)"; }
    return "rgba(30, 122, 60, 0.7)";
  }

  function heatMap(canvas, points) {
    return new window.Chart(canvas, {
      type: "bubble",
      data: {
        datasets: [{
          data: points.map(function (p) {
            return { x: p.impact, y: p.likelihood, r: 6 + 4 * Math.sqrt(p.count), count: p.count };
          }),
          backgroundColor: points.map(function (p) { return band(p.impact * p.likelihood); })
        }]
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: function (item) { return item.raw.count; } } }
        },
        scales: {
          x: { min: 0.5, max: 5.5, ticks: { stepSize: 1 }, title: { display: true, text: canvas.getAttribute("data-x-label") || "Impact" } },
          y: { min: 0.5, max: 5.5, ticks: { stepSize: 1 }, title: { display: true, text: canvas.getAttribute("data-y-label") || "Likelihood" } }
        }
      }
    });
  }

  // Demand and planned capacity as lines, the gap as bars, for one item year by year; a withheld
  // figure (null) is a break in its line.
  function capacityGap(canvas, data) {
    var item = data.items[0];
    return new window.Chart(canvas, {
      data: {
        labels: item.years,
        datasets: [
          { type: "line", label: data.series.demand, data: item.demand, borderColor: "#0b4f8a", spanGaps: false },
          { type: "line", label: data.series.capacity, data: item.capacity, borderColor: "#1e7a3c", spanGaps: false },
          { type: "bar", label: data.series.gap, data: item.gap, backgroundColor: "rgba(179, 38, 30, 0.45)" }
        ]
      },
      options: { animation: false, maintainAspectRatio: false, plugins: { legend: { position: "bottom" } } }
    });
  }

  window.PortalCharts.register({ "risk-heat-map": heatMap, "capacity-gap": capacityGap });
})();
