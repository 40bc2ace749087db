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

// A file input marked data-autosubmit sends its form as soon as a photo is chosen (one tap, not two); without
// JavaScript the form's own button sends it.
document.addEventListener("change", function (event) {
  "use strict";
  var input = event.target;
  if (input.matches && input.matches("input[type=file][data-autosubmit]") && input.files.length && input.form) {
    input.form.requestSubmit();
  }
});

// The one-screen checklist's keys (a form marked data-shortcuts): 1-9 and 0 go to that question (its chosen
// answer, or its number field), Enter on an answer quotes. The arrow keys are the radio buttons' own.
document.addEventListener("keydown", function (event) {
  "use strict";
  var form = event.target.closest && event.target.closest("form[data-shortcuts]");
  if (!form || event.ctrlKey || event.metaKey || event.altKey) { return; }
  var typing = event.target.matches("input[type=number], input[type=text], textarea");
  if (/^[0-9]$/.test(event.key) && !typing) {
    var questions = form.querySelectorAll("fieldset.check");
    var question = questions[(Number(event.key) + 9) % 10];
    var target = question && (question.querySelector("input:checked") || question.querySelector("input"));
    if (target) { event.preventDefault(); target.focus(); }
  } else if (event.key === "Enter" && event.target.matches("input[type=radio]")) {
    event.preventDefault();
    form.requestSubmit();
  }
});
