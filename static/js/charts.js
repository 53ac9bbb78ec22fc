// Shared chart loader. Each <canvas data-chart="KIND" data-source="ID"> reads its data from the
// json_script element with that id, so several charts can share a page; page scripts register the
// functions that draw each KIND with PortalCharts.register({KIND: fn(canvas, data)}). No inline
// script: the CSP forbids it. Load this file before the page's chart file (both deferred).
(function () {
  "use strict";

  var kinds = {};

  function readData(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-source") || "");
    if (!source) {
      return null;
    }
    try {
      return JSON.parse(source.textContent);
    } catch (error) {
      return null;
    }
  }

  var ready = document.readyState === "complete";

  // Draws every registered chart not drawn yet (a page may register kinds from several files).
  function draw() {
    if (!ready || !window.Chart) {
      return;
    }
    document.querySelectorAll("canvas[data-chart]:not([data-drawn])").forEach(function (canvas) {
      var kind = kinds[canvas.getAttribute("data-chart")];
      var data = readData(canvas);
      if (kind && data) {
        canvas.setAttribute("data-drawn", "1");
        kind(canvas, data);
      }
    });
  }

  window.PortalCharts = {
    register: function (more) {
      Object.keys(more).forEach(function (name) {
        kinds[name] = more[name];
      });
      draw();
    }
  };

  // Deferred scripts (this one and the page's chart files) all run before DOMContentLoaded.
  document.addEventListener("DOMContentLoaded", function () {
    ready = true;
    draw();
  });
})();
