// Meeting times are stored in UTC and printed in the meeting's own time zone; this adds the
// reader's own time beside them, from the browser's zone. No inline script: the CSP forbids it.
(function () {
  "use strict";

  function show(element) {
    var start = new Date(element.getAttribute("datetime"));
    var end = new Date(element.getAttribute("data-end") || "");
    if (isNaN(start.getTime())) {
      return;
    }
    var lang = document.documentElement.lang || undefined;
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    var day = { dateStyle: "medium", timeStyle: "short" };
    var text = start.toLocaleString(lang, day);
    if (!isNaN(end.getTime())) {
      text += " – " + end.toLocaleTimeString(lang, { timeStyle: "short" });
    }
    var local = document.createElement("span");
    local.className = "local-time muted small";
    local.textContent = " · " + text + " (" + zone + ")";
    element.insertAdjacentElement("afterend", local);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("time[data-local-time]").forEach(show);
  });
})();
