/* Small progressive enhancements: drag and drop for file inputs, keeping an uploaded file in
   this browser so that Analyse can send it again, live run state. */
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

  // The upload page stores nothing on the server; the browser keeps the file it read (in
  // IndexedDB, which holds File objects) and puts it into the Analyse forms of the results.
  var KEPT_DB = "analysis-registry", KEPT_STORE = "uploads", KEPT_KEY = "last-read";

  function openKept(callback) {
    var request;
    try { request = window.indexedDB.open(KEPT_DB, 1); } catch (error) { callback(null); return; }
    request.onupgradeneeded = function () { request.result.createObjectStore(KEPT_STORE); };
    request.onsuccess = function () { callback(request.result); };
    request.onerror = function () { callback(null); };
  }

  function setupUploadKeeping() {
    var form = document.querySelector("form[data-upload-form]");
    if (!form || !window.indexedDB) { return; }
    form.addEventListener("submit", function (event) {
      var input = form.querySelector("input[type=file]");
      if (!input || !input.files.length) { return; }
      event.preventDefault();
      var file = input.files[0];
      openKept(function (db) {
        if (!db) { form.submit(); return; }
        var transaction = db.transaction(KEPT_STORE, "readwrite");
        transaction.objectStore(KEPT_STORE).put(file, KEPT_KEY);
        transaction.oncomplete = transaction.onerror = transaction.onabort = function () { form.submit(); };
      });
    });
  }

  function setupUploadResend() {
    var forms = document.querySelectorAll("form[data-upload-analyse]");
    if (!forms.length || !window.indexedDB || typeof DataTransfer === "undefined") { return; }
    openKept(function (db) {
      if (!db) { return; }
      var request = db.transaction(KEPT_STORE, "readonly").objectStore(KEPT_STORE).get(KEPT_KEY);
      request.onsuccess = function () {
        var file = request.result;
        if (!file || file.name !== forms[0].getAttribute("data-upload-analyse")) { return; }
        forms.forEach(function (analyse) {
          var transfer = new DataTransfer();
          transfer.items.add(file);
          analyse.querySelector("input[type=file]").files = transfer.files;
          analyse.querySelector("[data-resend-file]").hidden = true;
        });
        document.querySelectorAll("[data-resend-note]").forEach(function (note) { note.hidden = false; });
      };
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
    setupUploadKeeping();
    setupUploadResend();
    setupRunStatus();
  });
}());
