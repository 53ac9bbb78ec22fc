// DIP compliance charts. Each <canvas data-chart="KIND" data-source="ID"> reads its data from the
// json_script element with that id. No inline script: the CSP forbids it. Reference lines (2%,
// 3.5%, 20%) are drawn as constant datasets, so no Chart.js plugin is needed.
(function () {
  "use strict";

  var PALETTE = ["#0b4f8a", "#d68b00", "#1e7a3c", "#b3261e", "#6941c6", "#0e9384", "#c11574", "#475467",
    "#3e8ede", "#7a4b00", "#12b76a", "#f04438", "#9e77ed", "#2e90fa", "#dd2590", "#667085"];
  var REFERENCE_COLOURS = ["#b3261e", "#1d2939", "#6941c6"];
  var OK = "#1e7a3c";
  var BELOW = "#98a2b3";


  // A horizontal line at ``ref.value`` across ``count`` categories, drawn as a dashed dataset.
  function referenceDataset(ref, count, index) {
    var values = [];
    for (var i = 0; i < count; i += 1) {
      values.push(ref.value);
    }
    return {
      type: "line",
      label: ref.label,
      data: values,
      borderColor: REFERENCE_COLOURS[index % REFERENCE_COLOURS.length],
      borderDash: [6, 4],
      borderWidth: 2,
      pointRadius: 0,
      fill: false,
      order: 0
    };
  }

  function references(data, count) {
    return (data.references || []).map(function (ref, index) {
      return referenceDataset(ref, count, index);
    });
  }

  function percentAxis() {
    return { beginAtZero: true, ticks: { callback: function (value) { return value + "%"; } } };
  }

  // % of GDP (or core %) per series over the years, with the reference lines.
  function trend(canvas, data) {
    var series = data.series.map(function (item, index) {
      var colour = PALETTE[index % PALETTE.length];
      return {
        type: "line",
        label: item.label,
        data: item.values,
        borderColor: colour,
        backgroundColor: colour,
        borderDash: item.dashed ? [3, 3] : [],
        borderWidth: 1.5,
        pointRadius: 2,
        spanGaps: false,
        order: 1
      };
    });
    return new window.Chart(canvas, {
      type: "line",
      data: { labels: data.years, datasets: series.concat(references(data, data.years.length)) },
      options: {
        animation: false,
        maintainAspectRatio: false,
        interaction: { mode: "nearest", intersect: false },
        scales: { y: percentAxis() },
        plugins: {
          legend: { position: "right", labels: { boxWidth: 12, font: { size: 10 } } },
          title: { display: true, text: data.title }
        }
      }
    });
  }

  // Sorted horizontal bars for one year, green where the guideline is met, with its line.
  function bars(canvas, data) {
    var bar = {
      type: "bar",
      label: data.title,
      data: data.values,
      backgroundColor: data.meets.map(function (met) { return met ? OK : BELOW; }),
      order: 1
    };
    return new window.Chart(canvas, {
      type: "bar",
      data: { labels: data.labels, datasets: [bar].concat(references(data, data.labels.length)) },
      options: {
        animation: false,
        maintainAspectRatio: false,
        indexAxis: "y",
        scales: { x: percentAxis(), y: { ticks: { autoSkip: false, font: { size: 10 } } } },
        plugins: {
          legend: { display: true, labels: { boxWidth: 12 } },
          title: { display: true, text: data.title }
        }
      }
    });
  }

  window.PortalCharts.register({ "dip-trend": trend, "dip-path": trend, "dip-ranking": bars, "dip-equipment": bars });
})();
