// Keyboard-wedge scanners type a burst of characters ending with Enter. Anywhere on a staff page,
// such a burst that lands outside a text field is sent to /scan, so a clerk never clicks a field first.
// (Typed by a person, keys come >= 50 ms apart; a scanner sends them a few ms apart.)
(function () {
  "use strict";
  var MAX_GAP_MS = 40, MIN_LENGTH = 4, buffer = "", last = 0;

  function inTextField(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  document.addEventListener("keydown", function (event) {
    var form = document.getElementById("scan-form");
    if (!form || inTextField(event.target) || event.ctrlKey || event.metaKey || event.altKey) { return; }
    var now = Date.now();
    if (now - last > MAX_GAP_MS) { buffer = ""; }
    last = now;
    if (event.key === "Enter") {
      if (buffer.length >= MIN_LENGTH) {
        event.preventDefault();
        form.elements.code.value = buffer;
        form.requestSubmit();
      }
      buffer = "";
    } else if (event.key.length === 1) {
      buffer += event.key;
    }
  });

  // After a scan field's request (accepted or refused), the field is emptied and focused again: a wedge
  // scanner appends to whatever the field holds, so the next burst must start from an empty field.
  var scanRequest = false;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    scanRequest = !!(elt && elt.querySelector && elt.querySelector("input.scan"));
  });
  function readyForTheNextScan() {
    if (!scanRequest) { return; }
    scanRequest = false;
    var field = document.querySelector("input.scan");
    if (field) { field.value = ""; field.focus(); }
  }
  document.addEventListener("htmx:afterSettle", readyForTheNextScan);
  document.addEventListener("htmx:sendError", readyForTheNextScan);
})();
