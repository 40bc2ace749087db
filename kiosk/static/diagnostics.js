// The phone test's results reach the checklist (kiosk/templates/diagnostics/_panel.html): when the panel's status
// request brings the report, its answer carries HX-Trigger {"deviceTestArrived": {"answers": {question: value}}} and
// the answers it pre-selects are chosen here, in the form as it stands (the clerk's other answers, typed or not yet
// saved, are left alone). The clerk confirms or changes them; without JavaScript the checklist page does the same
// on its next load.
(function () {
  "use strict";
  if (window.deviceTestReady) { return; }
  window.deviceTestReady = true;
  document.addEventListener("deviceTestArrived", function (event) {
    var answers = (event.detail && event.detail.answers) || {}, form = document.querySelector("form.checklist");
    if (!form) { return; }
    Object.keys(answers).forEach(function (question) {
      var input = form.querySelector("input[type=radio][name=\"" + CSS.escape(question) + "\"][value=\"" +
                                     CSS.escape(String(answers[question])) + "\"]");
      if (!input) { return; }
      input.checked = true;
      var fieldset = input.closest("fieldset");
      fieldset.classList.add("device-tested");
      fieldset.classList.toggle("exception", !input.closest("label").classList.contains("fine"));
      input.dispatchEvent(new Event("change", {bubbles: true}));
    });
  });
})();
