// The plan editor: never lose typed text.
// - Warns before leaving the page while a section or entry form has changes not yet saved.
// - Lets htmx swap 400 (field errors) and 409 (conflict) answers into the page: they carry the
//   form re-rendered with the user's own input, which must stay visible.
// - Keeps text typed while a save was on its way, instead of replacing it with the saved copy.
// - "Submit plan…" (a link to the submission page) saves pending changes first, then goes on, so
//   the leave-page prompt never stands between the director and the submission; a change that
//   cannot be saved stops it there, with the reason next to the change.
// Forms opt in with data-track-changes; their fields may sit outside them (the form attribute).
// The words come from the page (data-*-message attributes), translated there.
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
  var failed = {}; // form id -> true when its last save was refused or never arrived
  var submitting = null; // while "Submit plan…" saves pending changes: {href, current, tries}

  function message(name, values) {
    var text = editor.getAttribute("data-" + name + "-message") || "";
    Object.keys(values || {}).forEach(function (key) {
      text = text.split("%(" + key + ")s").join(values[key]);
    });
    return text;
  }

  function trackedForm(element) {
    var form = element && element.form;
    if (!form && element && element.tagName === "FORM") {
      form = element;
    }
    return form && form.id && form.hasAttribute("data-track-changes") ? form : null;
  }

  // The tracked form that sent an htmx request. Not ``detail.elt``: once the answer replaced the
  // form, htmx re-fires afterRequest on a surviving ancestor and ``detail.elt`` names that
  // ancestor, so the saved form would stay "unsaved" and the leave-page prompt would stand in the
  // way of every later navigation, the submission's included.
  function requestForm(event) {
    var config = event.detail.requestConfig;
    return trackedForm((config && config.elt) || event.detail.elt);
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

  function editable(field) {
    return field.name && !field.disabled && ["hidden", "submit", "button", "reset"].indexOf(field.type) < 0;
  }

  // Whether the fields differ from what the server last rendered (typing a change and undoing it
  // leaves nothing to save). A single select with no option marked selected starts at its first.
  function changedFromDefaults(form) {
    return Array.prototype.some.call(form.elements, function (field) {
      if (!editable(field)) {
        return false;
      }
      if (field.type === "checkbox" || field.type === "radio") {
        return field.checked !== field.defaultChecked;
      }
      if (field.tagName === "SELECT" && !field.multiple) {
        var initial = 0;
        Array.prototype.forEach.call(field.options, function (option, index) {
          if (option.defaultSelected) {
            initial = index;
          }
        });
        return field.selectedIndex !== initial;
      }
      return field.value !== field.defaultValue;
    });
  }

  // Forms on the page holding input that is not saved: changed since rendered, or refused (a 400
  // or 409 answer re-renders the user's own input, which is still not saved).
  function pendingForms() {
    return Object.keys(dirty)
      .map(function (id) {
        return document.getElementById(id);
      })
      .filter(function (form) {
        return form && (failed[form.id] || changedFromDefaults(form));
      });
  }

  function dirtyFormsIn(container, except) {
    return Object.keys(dirty).filter(function (id) {
      var form = document.getElementById(id);
      return form && form !== except && container.contains(form) && (failed[id] || changedFromDefaults(form));
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
    var form = requestForm(event);
    var target = event.detail.target;
    // Re-rendering a table drops input typed into its other rows: ask first.
    var others = target ? dirtyFormsIn(target, form) : [];
    if (others.length && !window.confirm(message("discard"))) {
      event.preventDefault();
      if (submitting && form && submitting.current === form.id) {
        stopSubmitting(form, "crowded");
      }
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
    var form = requestForm(event);
    if (form && sent[form.id]) {
      // Remember what the user typed after pressing save; the swap must not erase it.
      typedMeanwhile[form.id] = values(form);
    }
  });

  document.body.addEventListener("htmx:afterSwap", function (event) {
    var form = requestForm(event);
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
    var form = requestForm(event);
    if (!form) {
      return;
    }
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    // Not ``detail.successful`` alone: the 400 and 409 answers are swapped in as successes (see
    // beforeSwap), yet what they carry back is the user's input, still not saved.
    var saved = event.detail.successful && status >= 200 && status < 300;
    if (saved && !kept[form.id]) {
      delete dirty[form.id];
    }
    if (saved) {
      delete failed[form.id];
    } else {
      failed[form.id] = true;
    }
    delete kept[form.id];
    delete sent[form.id];
    // Forms replaced by the swap and no longer on the page cannot be saved any more.
    Object.keys(dirty).forEach(function (id) {
      if (!document.getElementById(id)) {
        delete dirty[id];
      }
    });
    if (!saved && status !== 400 && status !== 409) {
      var live = document.getElementById(form.id) || form;
      setStatus(live, status ? message("error", { status: status }) : message("offline"));
    }
    if (submitting && submitting.current === form.id) {
      submitting.current = null;
      if (saved) {
        saveNext();
      } else {
        stopSubmitting(form, "save-failed");
      }
    }
  });

  // --- "Submit plan…": save what is pending, then go to the submission page -----------------

  var submitLink = editor.querySelector("[data-submit-link]");
  var submitStatus = editor.querySelector("[data-submit-status]");

  function say(text) {
    if (submitStatus) {
      submitStatus.textContent = text;
    }
  }

  function titleOf(form) {
    var card = form.closest("section");
    var title = card && card.querySelector("h3");
    return title ? title.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function stopSubmitting(form, reason) {
    submitting = null;
    var live = document.getElementById(form.id) || form; // the answer may have replaced the form
    say(message(reason, { name: titleOf(live) }));
    var first = Array.prototype.filter.call(live.elements, editable)[0];
    if (first) {
      first.focus();
    }
  }

  function saveNext() {
    var pending = pendingForms();
    if (!pending.length) {
      var href = submitting.href;
      submitting = null;
      window.location.assign(href); // nothing is pending: no leave-page prompt
      return;
    }
    var form = pending[0];
    // An entry table re-renders whole: saving one of its rows would drop another one's changes.
    var table = form.closest(".entries");
    var crowded = table && pending.filter(function (other) {
      return table.contains(other);
    }).length > 1;
    if (crowded) {
      stopSubmitting(form, "crowded");
      return;
    }
    submitting.tries[form.id] = (submitting.tries[form.id] || 0) + 1;
    if (submitting.tries[form.id] > 2) { // saved, yet still changed: typed into during the save
      stopSubmitting(form, "save-failed");
      return;
    }
    submitting.current = form.id;
    form.requestSubmit();
  }

  if (submitLink && window.htmx) {
    submitLink.addEventListener("click", function (event) {
      if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
        return; // a new tab or window: this page, and its input, stay
      }
      if (submitting) {
        event.preventDefault();
        return;
      }
      if (!pendingForms().length) {
        return;
      }
      event.preventDefault();
      submitting = { href: submitLink.href, current: null, tries: {} };
      say(message("saving"));
      saveNext();
    });
  }

  window.addEventListener("beforeunload", function (event) {
    if (pendingForms().length) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
