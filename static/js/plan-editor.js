// The plan editor: never lose typed text.
// - Warns before leaving the page while a section or entry form has changes not yet saved.
// - Lets htmx swap 400 (field errors) and 409 (conflict) answers into the page: they carry the
//   form re-rendered with the user's own input, which must stay visible.
// - Keeps text typed while a save was on its way, instead of replacing it with the saved copy.
// Forms opt in with data-track-changes; their fields may sit outside them (the form attribute).
(function () {
  "use strict";

  var editor = document.querySelector("[data-plan-editor]");
  if (!editor) {
    return;
  }
  var dirty = {}; // form id -> true while that form holds unsaved input
  var sent = {}; // form id -> field values as they were sent
  var kept = {}; // form id -> true when the swap kept text typed during the request
  var typedMeanwhile = {}; // form id -> field values just before the answer was swapped in

  function trackedForm(element) {
    var form = element && element.form;
    if (!form && element && element.tagName === "FORM") {
      form = element;
    }
    return form && form.id && form.hasAttribute("data-track-changes") ? form : null;
  }

  function values(form) {
    var result = {};
    Array.prototype.forEach.call(form.elements, function (field) {
      if (field.name && field.type !== "hidden" && field.type !== "submit") {
        result[field.name] = field.value;
      }
    });
    return result;
  }

  function markDirty(event) {
    var form = trackedForm(event.target);
    if (form) {
      dirty[form.id] = true;
      form.classList.add("is-dirty");
    }
  }

  function dirtyFormsIn(container, except) {
    return Object.keys(dirty).filter(function (id) {
      var form = document.getElementById(id);
      return form && form !== except && container.contains(form);
    });
  }

  function setStatus(form, text) {
    var holder = form && form.closest("[id]");
    var status = holder && holder.parentElement && holder.parentElement.querySelector("[data-save-status]");
    if (status) {
      status.textContent = text;
    }
  }

  editor.addEventListener("input", markDirty);
  editor.addEventListener("change", markDirty);

  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    var form = trackedForm(elt);
    var target = event.detail.target;
    // Re-rendering a table drops input typed into its other rows: ask first.
    var others = target ? dirtyFormsIn(target, form) : [];
    if (others.length && !window.confirm(editor.getAttribute("data-discard-message") || "Discard the changes you have not saved in this table?")) {
      event.preventDefault();
      return;
    }
    others.forEach(function (id) {
      delete dirty[id];
    });
    if (form) {
      sent[form.id] = values(form);
    }
  });

  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 400 || status === 409) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
    var form = trackedForm(event.detail.elt);
    if (form && sent[form.id]) {
      // Remember what the user typed after pressing save; the swap must not erase it.
      typedMeanwhile[form.id] = values(form);
    }
  });

  document.body.addEventListener("htmx:afterSwap", function (event) {
    var form = trackedForm(event.detail.elt);
    var typed = form && typedMeanwhile[form.id];
    if (!typed) {
      return;
    }
    delete typedMeanwhile[form.id];
    var before = sent[form.id] || {};
    var fresh = document.getElementById(form.id);
    if (!fresh) {
      return;
    }
    Object.keys(typed).forEach(function (name) {
      var field = fresh.elements.namedItem(name);
      if (field && typed[name] !== before[name] && field.value !== typed[name]) {
        field.value = typed[name];
        dirty[form.id] = true;
        kept[form.id] = true;
        fresh.classList.add("is-dirty");
      }
    });
  });

  document.body.addEventListener("htmx:afterRequest", function (event) {
    var form = trackedForm(event.detail.elt);
    if (!form) {
      return;
    }
    if (event.detail.successful && !kept[form.id]) {
      delete dirty[form.id];
    }
    delete kept[form.id];
    delete sent[form.id];
    // Forms replaced by the swap and no longer on the page cannot be saved any more.
    Object.keys(dirty).forEach(function (id) {
      if (!document.getElementById(id)) {
        delete dirty[id];
      }
    });
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (!event.detail.successful && status !== 400 && status !== 409) {
      var live = document.getElementById(form.id) || form;
      setStatus(live, status
        ? "Not saved (error " + status + "). Your text is still here; reload the page in another tab to check."
        : "Not saved: the server could not be reached. Your text is still here; try again.");
    }
  });

  window.addEventListener("beforeunload", function (event) {
    var pending = Object.keys(dirty).filter(function (id) {
      return document.getElementById(id);
    });
    if (pending.length) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
