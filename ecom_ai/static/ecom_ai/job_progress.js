// Refreshes the job page's progress bar until the job leaves the active states, then reloads once.
(function () {
  "use strict";
  var script = document.currentScript;
  var url = script && script.dataset.progressUrl;
  if (!url) { return; }
  function paint(data) {
    document.querySelectorAll(".ecom-ai-progress-bar").forEach(function (bar) { bar.style.width = data.progress + "%"; });
    document.querySelectorAll(".ecom-ai-progress-text").forEach(function (el) { el.textContent = data.progress + "%"; });
    ["pending", "running", "done", "failed"].forEach(function (name) {
      var el = document.querySelector(".field-n_" + name + " .readonly");
      if (el) { el.textContent = data[name]; }
    });
    var status = document.querySelector(".field-state_display .readonly");
    if (status) { status.textContent = data.status_display; }
  }
  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        paint(data);
        if (data.active) { window.setTimeout(poll, 1500); } else { window.location.reload(); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
