/* AMI dossier: progressive enhancement only. Everything works without this file.
   - autosave of the current step a few seconds after a change;
   - add / remove / move a library without reloading the page;
   - live count of the ticked objectives;
   - a link to a field (error summary, the recap's missing answers) shows the whole field.
   A save the server refuses (deadline passed, dossier submitted elsewhere, step changed in
   another tab) never clears what was typed: the values stay in the page, autosave stops and
   the status says why and what to do. */
(function () {
  "use strict";

  var AUTOSAVE_DELAY = 3000;

  function formData(form, extra) {
    var data = new FormData(form);
    form.querySelectorAll('input[type="file"]').forEach(function (input) { data.delete(input.name); });
    if (extra) { data.append(extra.name, extra.value); }
    return data;
  }

  function post(form, extra) {
    return fetch(form.action, {
      method: "POST",
      body: formData(form, extra),
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (json) { json.status = response.status; return json; });
    });
  }

  function setStatus(form, text) {
    var status = form.querySelector("[data-autosave-status]");
    if (status) { status.textContent = text; }
  }

  /* Each save answers the step's new revision: the next save of this page is based on it. */
  function setRevision(form, json) {
    var input = form.querySelector("[data-revision]");
    if (input && typeof json.revision === "number") { input.value = String(json.revision); }
  }

  /* The server refused the save (json.refused) or another page saved this step meanwhile
     (json.conflict): keep the typed values where they are and say what to do. */
  function keepTyped(form, json) {
    if (json.conflict || json.status === 403) { form.amiStopped = true; } // retrying would be refused again
    var why = json.conflict
      ? "Non enregistré\u202f: cette étape a été modifiée entre-temps (autre onglet ou autre personne). Vos saisies restent dans la page\u202f: cliquez sur «\u202fEnregistrer\u202f» pour comparer et choisir."
      : "Non enregistré\u202f: " + (json.message || "enregistrement refusé.") + " Vos saisies restent dans la page.";
    setStatus(form, why);
  }

  function showErrors(form, errors) {
    var count = Object.keys(errors || {}).length;
    setStatus(form, count
      ? "Non enregistré\u202f: " + count + " réponse" + (count > 1 ? "s" : "") + " à corriger. Cliquez sur «\u202fEnregistrer\u202f» pour voir les erreurs."
      : "Non enregistré.");
  }

  /* Saves of one form never overlap and keep their order: an autosave still in flight
     when the user saves (or adds a library) finishes first, so an older copy of the
     answers can never be written after a newer one. */
  function initAutosave(form) {
    var timer = null;
    var inflight = null;
    var pending = false;

    function save() {
      if (inflight) { pending = true; return inflight; }
      inflight = post(form).then(function (json) {
        if (json.saved) { setRevision(form, json); setStatus(form, "Enregistré à " + json.at); }
        else if (json.conflict || json.refused) { keepTyped(form, json); }
        else if (json.errors) { showErrors(form, json.errors); }
        else if (json.message) { setStatus(form, json.message); }
      }).catch(function () {
        setStatus(form, "Enregistrement automatique impossible\u202f: pensez à cliquer sur «\u202fEnregistrer\u202f».");
      }).then(function () {
        inflight = null;
        if (pending) { pending = false; schedule(); }
      });
      return inflight;
    }

    function schedule(event) {
      if (form.amiStopped) { return; }
      if (event && event.target && event.target.type === "file") { return; }
      clearTimeout(timer);
      timer = setTimeout(save, AUTOSAVE_DELAY);
    }

    /* Stop autosaving and resolve once no autosave is in flight. */
    form.amiIdle = function () {
      clearTimeout(timer);
      pending = false;
      return inflight || Promise.resolve();
    };

    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
    form.addEventListener("submit", function (event) {
      var busy = inflight;
      form.amiIdle();
      if (busy && !form.amiWaited) {
        event.preventDefault();
        var submitter = event.submitter;
        busy.then(function () {
          form.amiWaited = true;
          if (submitter) { form.requestSubmit(submitter); } else { form.requestSubmit(); }
        });
      }
    });
  }

  function initLibraries(form) {
    form.addEventListener("click", function (event) {
      var button = event.target.closest('button[name="library_action"]');
      if (!button || !form.contains(button)) { return; }
      var question = button.getAttribute("data-confirm");
      if (question && !window.confirm(question)) { event.preventDefault(); return; }
      event.preventDefault();
      button.disabled = true;
      var idle = form.amiIdle ? form.amiIdle() : Promise.resolve();
      idle.then(function () {
        return post(form, { name: "library_action", value: button.value });
      }).then(function (json) {
        if (json.saved && json.html) {
          setRevision(form, json);
          var container = form.querySelector("[data-libraries]");
          var wrapper = document.createElement("div");
          wrapper.innerHTML = json.html;
          container.replaceWith(wrapper.firstElementChild);
          var target = document.getElementById(json.focus || "bibliotheques");
          if (target) { target.focus(); }
          setStatus(form, "Enregistré à " + json.at);
        } else if (json.conflict || json.refused) {
          button.disabled = false;
          keepTyped(form, json);
        } else {
          form.submit(); // let the server show the errors as without JavaScript
        }
      }).catch(function () {
        button.disabled = false;
        var input = document.createElement("input");
        input.type = "hidden"; input.name = "library_action"; input.value = button.value;
        form.appendChild(input);
        form.submit();
      });
    });
  }

  function initObjectives(container) {
    var output = container.querySelector("[data-objectives-count]");
    if (!output) { return; }
    function update() {
      var ticked = container.querySelectorAll('input[type="radio"]:checked:not([value=""])').length;
      output.textContent = ticked + " objectif" + (ticked > 1 ? "s" : "") + " coché" + (ticked > 1 ? "s" : "") + " sur 3";
    }
    container.addEventListener("change", update);
    update();
  }

  function focusErrorSummary() {
    var summary = document.querySelector(".error-summary");
    if (summary) { summary.focus(); }
  }

  /* A link to a field (#id of its control, or of its group of boxes): the whole field in view,
     its label, help and message included, and the focus in its control. */
  function fieldTarget(hash) {
    if (!hash || hash.length < 2) { return null; }
    var target = document.getElementById(decodeURIComponent(hash.slice(1)));
    return target && target.closest(".field") ? target : null;
  }

  function focusField(target) {
    var control = target.matches("input, select, textarea") ? target : target.querySelector("input, select, textarea");
    target.closest(".field").scrollIntoView({ block: "start" });
    if (control) { control.focus({ preventScroll: true }); }
  }

  function initErrorLinks() {
    document.addEventListener("click", function (event) {
      var link = event.target.closest(".error-summary a[href^='#']");
      var target = link && fieldTarget(link.getAttribute("href"));
      if (!target) { return; }
      event.preventDefault();
      focusField(target);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-autosave]").forEach(function (form) {
      initAutosave(form);
      if (form.querySelector("[data-libraries]")) { initLibraries(form); }
    });
    document.querySelectorAll("[data-objectives]").forEach(initObjectives);
    initErrorLinks();
    // Arrived at a field (the recap's link to a missing answer): that field, not the summary.
    var arrived = fieldTarget(window.location.hash);
    if (arrived) { focusField(arrived); } else { focusErrorSummary(); }
  });
})();
