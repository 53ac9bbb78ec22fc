// The main menu's themes are <details> disclosures: opening one closes the others, and Escape or a
// click outside closes them, as a menu bar does. Without this script each opens and closes alone.
(function () {
  "use strict";

  var groups = Array.prototype.slice.call(document.querySelectorAll("details[data-navgroup]"));
  if (!groups.length) {
    return;
  }

  function closeAll(except) {
    groups.forEach(function (group) {
      if (group !== except) {
        group.open = false;
      }
    });
  }

  groups.forEach(function (group) {
    group.addEventListener("toggle", function () {
      if (group.open) {
        closeAll(group);
      }
    });
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest("details[data-navgroup]")) {
      closeAll(null);
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var open = groups.filter(function (group) {
      return group.open;
    })[0];
    if (open) {
      open.open = false;
      open.querySelector("summary").focus();
    }
  });
})();
