// A form marked data-keep-url (the seller form) keeps what was typed when the clerk leaves it other than by
// sending it: the browser's Back, a menu link, a closed tab. The typed fields go to that URL, which seals them
// on the terminal until the trade-in is settled; the page shows them again when the clerk comes back.
// Sent by fetch with keepalive (it outlives a closed tab, as a beacon does, but leaves at once where a beacon may
// wait for an idle moment), and the page's next htmx request waits for it: a clerk who presses Back and opens the
// form again at once gets it with what was typed, not empty while the keep is still on its way.
(function () {
  "use strict";
  var dirty = new Set();
  var sending = null;  // the keeps on their way, or null
  var KEEP_WAIT_MS = 3000;  // a terminal that does not answer the keep does not freeze the screen

  function keep() {
    var sent = [];
    dirty.forEach(function (form) {
      if (document.contains(form)) {
        sent.push(fetch(form.dataset.keepUrl, {method: "POST", body: new FormData(form), keepalive: true,
                                               redirect: "manual"}).catch(function () {}));
      }
    });
    dirty.clear();
    if (sent.length) { sending = Promise.all(sent); }
  }

  document.addEventListener("htmx:confirm", function (event) {
    if (!sending) { return; }
    var awaited = sending;
    var bounded = new Promise(function (done) { setTimeout(done, KEEP_WAIT_MS); });
    event.preventDefault();
    Promise.race([awaited, bounded]).then(function () {
      if (sending === awaited) { sending = null; }
      event.detail.issueRequest(true);
    });
  });
  document.addEventListener("input", function (event) {
    var form = event.target.form;
    if (form && form.dataset.keepUrl) { dirty.add(form); }
  });
  document.addEventListener("submit", function (event) { dirty.delete(event.target); }, true);
  document.addEventListener("htmx:beforeHistorySave", keep);  // a boosted link is followed
  window.addEventListener("popstate", keep);  // the browser's Back (htmx then fetches the page before)
  window.addEventListener("pagehide", keep);
})();
