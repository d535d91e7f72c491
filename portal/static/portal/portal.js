/* Small progressive enhancements: drag and drop for file inputs, live run state. */
(function () {
  "use strict";

  function setupDropzones() {
    document.querySelectorAll("[data-dropzone]").forEach(function (zone) {
      var input = zone.querySelector("input[type=file]");
      var label = zone.querySelector("[data-dropzone-name]");
      if (!input) { return; }
      ["dragenter", "dragover"].forEach(function (name) {
        zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.add("dragover"); });
      });
      ["dragleave", "drop"].forEach(function (name) {
        zone.addEventListener(name, function () { zone.classList.remove("dragover"); });
      });
      zone.addEventListener("drop", function (event) {
        event.preventDefault();
        if (event.dataTransfer && event.dataTransfer.files.length) {
          input.files = event.dataTransfer.files;
          if (label) { label.textContent = input.files[0].name; }
        }
      });
      input.addEventListener("change", function () {
        if (label && input.files.length) { label.textContent = input.files[0].name; }
      });
    });
  }

  function setupRunStatus() {
    var panel = document.querySelector("[data-run-status]");
    if (!panel) { return; }
    var url = panel.getAttribute("data-run-status");
    var state = panel.querySelector("[data-run-state]");
    var log = document.querySelector("[data-run-log]");
    function poll() {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          state.textContent = data.state;
          state.className = "badge state-" + data.state;
          if (log && typeof data.log === "string") { log.textContent = data.log; }
          if (data.terminal) {
            // Reload once so outputs, the crate link and errors are rendered by the server.
            if (panel.getAttribute("data-terminal") !== "true") { window.location.reload(); }
            return;
          }
          window.setTimeout(poll, 1500);
        })
        .catch(function () { window.setTimeout(poll, 5000); });
    }
    if (panel.getAttribute("data-terminal") !== "true") { window.setTimeout(poll, 1000); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupDropzones();
    setupRunStatus();
  });
}());
