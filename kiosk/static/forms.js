// A form marked data-keep-url (the seller form) keeps what was typed when the clerk leaves it other than by
// sending it: the browser's Back, a menu link, a closed tab. The typed fields go to that URL, which seals them
// on the terminal until the trade-in is settled; the page shows them again when the clerk comes back.
(function () {
  "use strict";
  var dirty = new Set();

  function keep() {
    dirty.forEach(function (form) {
      if (document.contains(form)) { navigator.sendBeacon(form.dataset.keepUrl, new FormData(form)); }
    });
    dirty.clear();
  }

  document.addEventListener("input", function (event) {
    var form = event.target.form;
    if (form && form.dataset.keepUrl) { dirty.add(form); }
  });
  document.addEventListener("submit", function (event) { dirty.delete(event.target); }, true);
  document.addEventListener("htmx:beforeHistorySave", keep);  // a boosted link is followed
  window.addEventListener("popstate", keep);  // the browser's Back (htmx then fetches the page before)
  window.addEventListener("pagehide", keep);
})();
