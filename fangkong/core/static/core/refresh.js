// Parts of a page that change while someone looks at it (a running import or job, a campaign's
// figures) are marked data-refresh="<seconds>" and carry an id. Every so many seconds this fetches
// the page again and puts the same part of the fresh copy in place: no <meta refresh>, which
// reloads the whole page, loses the reader's place and is a critical axe failure. The parts carry
// aria-live="off" so new figures are not read out each time. When the fresh part is no longer
// marked (the job has finished), polling stops after that last update.
(function () {
  "use strict";
  function poll(part) {
    var seconds = parseInt(part.getAttribute("data-refresh"), 10) || 60;
    window.setTimeout(function () {
      fetch(window.location.href, { credentials: "same-origin", cache: "no-store" })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.text();
        })
        .then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(part.id);
          if (!fresh) return;
          part.innerHTML = fresh.innerHTML;
          if (fresh.hasAttribute("data-refresh")) {
            poll(part);
          } else {
            part.removeAttribute("data-refresh");
          }
        })
        .catch(function () {
          poll(part); // offline or busy for a moment: try again at the next turn
        });
    }, seconds * 1000);
  }
  document.querySelectorAll("[data-refresh][id]").forEach(poll);
})();
