// The main menu's themes are <details> disclosures: opening one closes the others, and Escape or a
// click outside closes them, as a menu bar does. Without this script each opens and closes alone.
(function () {
  "use strict";

  // Small screens: the menu collapses behind a "Menu" button (the stylesheet hides the open menu
  // only when the header carries .nav-collapsible, which this sets).
  var toggle = document.querySelector(".menu-toggle");
  var header = document.querySelector(".topbar");
  if (toggle && header) {
    header.classList.add("nav-collapsible");
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      header.classList.toggle("nav-open", open);
    });
  }

  // Wide tables scroll inside their own region, reachable by keyboard and named after the table's
  // caption or the heading above it (WCAG 1.4.10: the page itself does not scroll sideways).
  Array.prototype.forEach.call(document.querySelectorAll("main table"), function (table) {
    var parent = table.parentElement;
    if (parent.classList.contains("table-scroll")) {
      return;
    }
    var wrapper = document.createElement("div");
    wrapper.className = "table-scroll";
    parent.insertBefore(wrapper, table);
    wrapper.appendChild(table);
    // Only a table wider than its box gets a keyboard stop and a name: it is the one to scroll.
    if (wrapper.scrollWidth > wrapper.clientWidth + 1) {
      var caption = table.querySelector("caption");
      var heading = caption || nearestHeading(wrapper);
      wrapper.tabIndex = 0;
      wrapper.setAttribute("role", "region");
      wrapper.setAttribute("aria-label", heading ? heading.textContent.trim() : document.title);
    }
  });

  function nearestHeading(node) {
    while (node && node !== document.body) {
      var sibling = node.previousElementSibling;
      while (sibling) {
        if (/^H[1-6]$/.test(sibling.tagName)) {
          return sibling;
        }
        var inner = sibling.querySelector && sibling.querySelector("h1, h2, h3, h4");
        if (inner) {
          return inner;
        }
        sibling = sibling.previousElementSibling;
      }
      node = node.parentElement;
    }
    return null;
  }

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
