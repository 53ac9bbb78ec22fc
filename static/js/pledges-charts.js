// Pledges charts. Each <canvas data-chart="KIND" data-source="ID"> reads its data from the
// json_script element with that id. No inline script: the CSP forbids it.
(function () {
  "use strict";

  // One colour per filing status, matching the status badges of pledges-review.css.
  var STATUS_COLOURS = {
    not_submitted: "#98a2b3",
    submitted: "#0b4f8a",
    in_review: "#d68b00",
    returned: "#b3261e",
    accepted: "#1e7a3c"
  };


  // A doughnut of how many Allies are at each filing status for the cycle.
  function filingStatus(canvas, data) {
    return new window.Chart(canvas, {
      type: "doughnut",
      data: {
        labels: data.labels,
        datasets: [{
          label: data.title,
          data: data.counts,
          backgroundColor: data.statuses.map(function (status) {
            return STATUS_COLOURS[status] || "#5b6776";
          }),
          borderWidth: 1
        }]
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        plugins: {
          legend: { position: "right" },
          title: { display: true, text: data.title }
        }
      }
    });
  }

  window.PortalCharts.register({ "filing-status": filingStatus });
})();
