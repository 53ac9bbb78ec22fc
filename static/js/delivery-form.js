// The delivery form: the accepted quantity follows the delivered one, less any rejected, until the
// user types an accepted quantity of their own (emptying the field lets it follow again). The
// server fills an empty accepted quantity the same way, so the form works without this script.
(function () {
  "use strict";

  var form = document.querySelector("form[data-delivery-form]");
  if (!form) {
    return;
  }
  var delivered = form.elements.namedItem("quantity_delivered");
  var accepted = form.elements.namedItem("quantity_accepted");
  var rejected = form.elements.namedItem("quantity_rejected");
  if (!delivered || !accepted || !rejected) {
    return;
  }
  var WHOLE = /^\d+$/;

  function expected() {
    var given = delivered.value.trim();
    var refused = rejected.value.trim() || "0";
    if (!WHOLE.test(given) || !WHOLE.test(refused)) {
      return "";
    }
    // BigInt: quantities may exceed what a double holds exactly.
    var rest = BigInt(given) - BigInt(refused);
    return rest >= 0 ? rest.toString() : "";
  }

  var follows = accepted.value === "" || accepted.value === expected();

  function update() {
    if (follows) {
      accepted.value = expected();
    }
  }

  delivered.addEventListener("input", update);
  rejected.addEventListener("input", update);
  accepted.addEventListener("input", function () {
    follows = accepted.value === "";
  });
  update();
})();
