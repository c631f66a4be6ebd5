// Live progress of documents being rendered by the worker.  Every element carrying
// data-status-url is polled once a second until its document is ready or failed; then the
// download link appears in place.  Without JavaScript the page refreshes itself (<noscript>).
(function () {
  "use strict";
  function poll(el) {
    var url = el.getAttribute("data-status-url");
    var bar = el.querySelector("progress");
    var label = el.querySelector("[data-label]");
    var link = el.querySelector("[data-download]");
    var error = el.querySelector("[data-error]");
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (s) {
        if (bar) { bar.value = s.progress; }
        if (label) { label.textContent = s.label + (s.ready ? "" : "（" + s.progress + "%）"); }
        if (s.ready) {
          if (bar) { bar.hidden = true; }
          if (link) { link.href = s.download_url; link.hidden = false; }
          el.classList.add("doc-status-ready");
          return;
        }
        if (s.status === "failed") {
          if (error) { error.textContent = s.error; error.hidden = false; }
          el.classList.add("doc-status-failed");
          setTimeout(function () { poll(el); }, 4000);  // the worker retries by itself
          return;
        }
        setTimeout(function () { poll(el); }, 1000);
      })
      .catch(function () {
        // The row may have been replaced (unchanged review form kept): show the page anew.
        setTimeout(function () { window.location.reload(); }, 2000);
      });
  }
  document.querySelectorAll("[data-status-url]").forEach(poll);
})();
