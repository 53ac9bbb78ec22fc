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

  var FAINT = "#d0d5dd";

  // % of GDP (or core %) per series over the years, with the reference lines. With many series
  // (the dashboard's 31 Allies) each Ally is a faint line until the reader highlights it in the
  // checklist built under the chart; the Alliance lines and the references are always drawn.
  function trend(canvas, data) {
    var many = data.series.length > 8;
    var picked = {};
    var series = data.series.map(function (item, index) {
      var colour = item.alliance ? "#1d2939" : PALETTE[index % PALETTE.length];
      return {
        type: "line",
        label: item.label,
        data: item.values,
        borderColor: colour,
        backgroundColor: colour,
        borderDash: item.dashed ? [3, 3] : [],
        borderWidth: item.alliance ? 3 : 1.5,
        pointRadius: item.alliance ? 2 : 1,
        spanGaps: false,
        order: item.alliance ? 0 : 1,
        portalColour: colour,
        portalAlliance: !!item.alliance
      };
    });
    function restyle() {
      series.forEach(function (set) {
        var strong = !many || set.portalAlliance || picked[set.label];
        set.borderColor = strong ? set.portalColour : FAINT;
        set.backgroundColor = set.borderColor;
        set.borderWidth = set.portalAlliance ? 3 : strong && many ? 2.5 : 1.5;
      });
    }
    restyle();
    var chart = new window.Chart(canvas, {
      type: "line",
      data: { labels: data.years, datasets: series.concat(references(data, data.years.length)) },
      options: {
        animation: false,
        maintainAspectRatio: false,
        interaction: { mode: "nearest", intersect: false },
        scales: { y: percentAxis() },
        plugins: {
          legend: {
            position: "right",
            labels: {
              boxWidth: 12,
              font: { size: 10 },
              // Only the lines drawn strong are named: the Alliance, the references, the picked.
              filter: function (item, chartData) {
                var set = chartData.datasets[item.datasetIndex];
                return !many || set.portalAlliance === undefined || set.portalAlliance || picked[set.label];
              }
            }
          },
          title: { display: true, text: data.title }
        }
      }
    });
    if (many) {
      checklist(canvas, data, function (label, on) {
        picked[label] = on;
        restyle();
        chart.update();
      });
    }
    return chart;
  }

  // The "Highlight Allies" disclosure under a trend chart: one checkbox per Ally.
  function checklist(canvas, data, onChange) {
    var box = document.createElement("details");
    box.className = "dip-highlight";
    var summary = document.createElement("summary");
    summary.textContent = data.highlight_label || "Highlight";
    box.appendChild(summary);
    var list = document.createElement("div");
    list.className = "dip-highlight-list";
    data.series.forEach(function (item, index) {
      if (item.alliance) {
        return;
      }
      var label = document.createElement("label");
      var input = document.createElement("input");
      input.type = "checkbox";
      input.value = item.label;
      input.id = canvas.dataset.source + "-pick-" + index;
      input.addEventListener("change", function () {
        onChange(item.label, input.checked);
      });
      label.appendChild(input);
      label.appendChild(document.createTextNode(" " + item.label));
      list.appendChild(label);
    });
    box.appendChild(list);
    canvas.parentElement.insertAdjacentElement("afterend", box);
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
