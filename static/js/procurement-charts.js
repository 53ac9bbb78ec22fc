// Procurement charts. Each <canvas data-chart="KIND" data-source="ID"> reads its data from the
// json_script element with that id, so several charts can share a page. No inline script: the
// CSP forbids it. Numbers arrive as JSON numbers or as strings (decimals), never localised.
(function () {
  "use strict";

  var PALETTE = ["#1f4e79", "#c0504d", "#4f8a3c", "#8064a2", "#d68b00", "#2c9cad", "#7f6000", "#a5365f"];

  function colour(index) {
    return PALETTE[index % PALETTE.length];
  }


  function number(value) {
    if (value === null || value === undefined || value === "") {
      return null;
    }
    var parsed = Number(value);
    return isFinite(parsed) ? parsed : null;
  }

  // Average (solid) and p90 (dashed) lead time by quarter, one colour per item.
  function leadTime(canvas, data) {
    var periods = [];
    data.series.forEach(function (series) {
      series.points.forEach(function (point) {
        if (periods.indexOf(point.period) === -1) {
          periods.push(point.period);
        }
      });
    });
    periods.sort();
    var datasets = [];
    data.series.forEach(function (series, index) {
      var byPeriod = {};
      series.points.forEach(function (point) {
        byPeriod[point.period] = point;
      });
      ["average", "p90"].forEach(function (measure) {
        datasets.push({
          label: series.item + " · " + data.labels[measure],
          data: periods.map(function (period) {
            return byPeriod[period] ? number(byPeriod[period][measure]) : null;
          }),
          borderColor: colour(index),
          backgroundColor: colour(index),
          borderDash: measure === "p90" ? [6, 4] : [],
          spanGaps: true,
          tension: 0.2
        });
      });
    });
    return new window.Chart(canvas, {
      type: "line",
      data: { labels: periods, datasets: datasets },
      options: {
        animation: false,
        maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        scales: { y: { beginAtZero: true, title: { display: true, text: data.labels.axis } } }
      }
    });
  }

  // One stacked horizontal bar: each nation's committed value, then what remains of the ceiling.
  function burndown(canvas, data) {
    var datasets = data.nations.map(function (nation, index) {
      return {
        label: nation.code || nation.name,
        data: [number(nation.committed)],
        backgroundColor: colour(index)
      };
    });
    datasets.push({
      label: canvas.getAttribute("data-remaining-label") || "Remaining",
      data: [number(data.remaining)],
      backgroundColor: "#d9dee5"
    });
    return new window.Chart(canvas, {
      type: "bar",
      data: { labels: [data.currency], datasets: datasets },
      options: {
        animation: false,
        indexAxis: "y",
        maintainAspectRatio: false,
        scales: {
          x: { stacked: true, beginAtZero: true, max: number(data.ceiling) || undefined },
          y: { stacked: true }
        }
      }
    });
  }

  window.PortalCharts.register({ "lead-time": leadTime, burndown: burndown });
})();
