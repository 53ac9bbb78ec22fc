// The call-off form: "Add a delivery" appends a due date and quantity entry to a line's schedule.
// Each line's fieldset holds the entries, a <template> of a blank one (its index "__prefix__", its
// number in the labels "__number__") and the schedule formset's management form, whose total the
// new entry raises. Without this script the form still offers the entries rendered.
(function () {
  "use strict";

  document.querySelectorAll("[data-schedule]").forEach(function (schedule) {
    var button = schedule.querySelector("[data-schedule-add]");
    var template = schedule.querySelector("template[data-schedule-template]");
    var entries = schedule.querySelector("[data-schedule-entries]");
    var total = schedule.querySelector("input[name$='-TOTAL_FORMS']");
    var max = schedule.querySelector("input[name$='-MAX_NUM_FORMS']");
    if (!button || !template || !entries || !total || !max) {
      return;
    }

    function full() {
      return parseInt(total.value, 10) >= parseInt(max.value, 10);
    }

    button.hidden = full();
    button.addEventListener("click", function () {
      if (full()) {
        return;
      }
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__number__/g, String(index + 1));
      entries.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      button.hidden = full();
      var first = entries.lastElementChild && entries.lastElementChild.querySelector("input");
      if (first) {
        first.focus();
      }
    });
  });
})();
