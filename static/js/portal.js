// Small progressive enhancements. No inline handlers anywhere: the CSP forbids them.
(function () {
  "use strict";

  // Language selector submits on change (a button remains for no-JS browsers).
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.classList && target.classList.contains("js-autosubmit") && target.form) {
      target.form.submit();
    }
  });

  // Close the user menu when clicking elsewhere.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.usermenu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) {
        menu.removeAttribute("open");
      }
    });
  });
})();
