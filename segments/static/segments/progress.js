/* A long job's progress on its admin page (a clustering run, an insight report): the page's
   <fieldset id="run-progress" data-url="..."> (templates/admin/job_progress.html) polls its JSON every second
   ({status, stage, progress, finished, error}) and reloads the page once the job is done. */
(function () {
  "use strict";

  function poll(box) {
    var url = box.getAttribute("data-url");
    var timer = window.setInterval(function () {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (job) {
          if (!job) { return; }
          box.querySelector("progress").value = job.progress;
          box.querySelector(".run-stage").textContent = job.stage || "waiting to start";
          box.querySelector(".run-status").textContent = job.status;
          if (job.finished) {
            window.clearInterval(timer);
            if (job.error) {
              var error = box.querySelector(".run-error");
              error.textContent = job.error;
              error.hidden = false;
            } else {
              window.location.reload();
            }
          }
        });
    }, 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("run-progress");
    if (box && box.getAttribute("data-status") !== "failed") { poll(box); }
  });
})();
