// Keyboard-wedge scanners type a burst of characters ending with Enter (a person types keys >= 50 ms apart, a
// scanner a few ms apart). Where a burst lands decides where it goes, and the server routes any code a field does
// not take (kiosk/web/scan_routing.py), so a scan is never lost:
// - outside any text field (nothing focused, a button, a radio): sent to the page's #scan-form (/scan);
// - in a scan field (input.scan): its form is sent; a field with data-enter="id" clicks that button instead of its
//   form's default (the voucher field shows the voucher and pays nothing);
// - in any other text field (a name, a search box): left alone, a person may paste.
// A click on the page that is not on a text field gives the focus back to the page's scan field, so the next scan
// lands there (after choosing "Watch" on the start form, the serial goes into the identifier field).
(function () {
  "use strict";
  var MAX_GAP_MS = 40, MIN_LENGTH = 4, buffer = "", last = 0, bufferTarget = null;
  var MODIFIERS = /^(Shift|CapsLock)$/;
  var NOT_TEXT = /^(button|submit|reset|checkbox|radio|file|image|range|color|hidden)$/;

  function isTextField(target) {
    if (!target || !target.tagName) { return false; }
    if (target.isContentEditable || /^(TEXTAREA|SELECT)$/.test(target.tagName)) { return true; }
    return target.tagName === "INPUT" && !NOT_TEXT.test(target.type);
  }

  function isScanField(target) {
    return target.tagName === "INPUT" && target.classList.contains("scan");
  }

  function pageScanField() {
    var fields = document.querySelectorAll("input.scan");
    for (var i = 0; i < fields.length; i++) {
      var field = fields[i];
      if (!field.disabled && !field.readOnly && field.offsetParent !== null) { return field; }
    }
    return null;
  }

  function intoScanField(event, field) {
    var button = field.dataset.enter && document.getElementById(field.dataset.enter);
    if (button) {
      event.preventDefault();
      button.click();
    }
  }

  function toScanForm(event, burst) {
    var form = document.getElementById("scan-form");
    if (!form || !burst) { return; }
    event.preventDefault();
    form.elements.code.value = burst;
    form.requestSubmit();
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (MODIFIERS.test(event.key)) { return; }  // a scanner presses Shift for capitals, within its burst
    // The key's own time, not the handler's: a busy page (loading, settling a swap) runs queued handlers back to
    // back, which would glue a person's last key to the scanner's burst.
    var now = event.timeStamp || Date.now();
    // A burst is characters typed fast on one element: a Tab, an arrow or a key on another element starts over
    // (a person who types a name, tabs to a button and presses Enter has not scanned anything).
    if (now - last > MAX_GAP_MS || event.target !== bufferTarget) { buffer = ""; }
    last = now;
    bufferTarget = event.target;
    if (event.key === "Enter") {
      var burst = buffer.length >= MIN_LENGTH ? buffer : "";
      buffer = "";
      if (!isTextField(event.target)) {
        toScanForm(event, burst);
      } else if (isScanField(event.target)) {
        intoScanField(event, event.target);
      }
    } else if (event.key.length === 1) {
      buffer += event.key;
    } else {
      buffer = "";
    }
  });

  // A click of the mouse or a finger (not the clicks keys fire on a button or in a radio group) on anything but a
  // text field gives the focus to the page's scan field. At once, and again when the click's own focus has moved:
  // a label first focuses its radio, then clicks it (which comes back here).
  var pointerAt = 0, POINTER_CLICK_MS = 1000;
  document.addEventListener("pointerdown", function () { pointerAt = Date.now(); }, true);
  document.addEventListener("click", function (event) {
    if (Date.now() - pointerAt > POINTER_CLICK_MS || isTextField(event.target)) { return; }
    var label = event.target.closest && event.target.closest("label");
    if (label && label.control && isTextField(label.control)) { return; }  // the label's own field takes it
    var selection = window.getSelection && window.getSelection();
    if (selection && !selection.isCollapsed) { return; }  // the clerk is selecting text to copy
    backToTheScanField();
    setTimeout(backToTheScanField, 0);
  });
  function backToTheScanField() {
    var field = pageScanField();
    if (field && field !== document.activeElement && !isTextField(document.activeElement)) { readyToScan(field); }
  }

  // A kept code is selected whenever its field takes the focus (the Tab key, a click elsewhere, after a request).
  document.addEventListener("focusin", function (event) {
    if (isScanField(event.target) && event.target.hasAttribute("data-scan-keep")) { event.target.select(); }
  });
  function readyToScan(field) {
    field.focus();
    if (field.hasAttribute("data-scan-keep")) { field.select(); }  // a scanner appends: the next burst replaces it
  }

  // After a scan field's request (accepted or refused), the field is emptied and focused again: a wedge scanner
  // appends to whatever the field holds. A field marked data-scan-keep keeps its code (the voucher the payment
  // will use, a serial waiting for its kind), selected, so the next burst replaces it.
  var scanFieldId = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt, field = null;
    if (elt && elt.querySelector) { field = isScanField(elt) ? elt : elt.querySelector("input.scan"); }
    scanFieldId = field && field.id ? field.id : null;
  });
  function readyForTheNextScan() {
    var field = scanFieldId && document.getElementById(scanFieldId);
    scanFieldId = null;
    if (!field) { return; }
    if (!field.hasAttribute("data-scan-keep")) { field.value = ""; }
    readyToScan(field);
  }
  document.addEventListener("htmx:afterSettle", readyForTheNextScan);
  document.addEventListener("htmx:sendError", readyForTheNextScan);
})();
