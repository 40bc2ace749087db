// Self-service kiosk: the on-screen number pad, and the idle reset (countdown, then the session is
// wiped by posting #reset-form). No inline script: the page's CSP allows only files from this origin.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var key = event.target.closest(".keypad .key");
    if (!key) { return; }
    var input = document.getElementById(key.closest(".keypad").dataset.target);
    var value = key.dataset.key;
    if (value === "back") { input.value = input.value.slice(0, -1); }
    else if (value === "clear") { input.value = ""; }
    else if (input.value.length < (input.maxLength > 0 ? input.maxLength : 64)) { input.value += value; }
    input.dispatchEvent(new Event("input", { bubbles: true }));
  });

  // A page restored from the back/forward cache would show the previous customer's answers: reload it,
  // the server then decides (the start screen once the session is wiped).
  window.addEventListener("pageshow", function (event) { if (event.persisted) { window.location.reload(); } });

  var body = document.body, idle = Number(body.dataset.idleSeconds), countdown = Number(body.dataset.countdownSeconds);
  var dialog = document.getElementById("idle-dialog"), form = document.getElementById("reset-form");
  if (!idle || !dialog || !form) { return; }
  var idleTimer = null, tick = null, left = 0;

  function reset() {
    window.clearTimeout(idleTimer);
    window.clearInterval(tick);
    if (dialog.open) { dialog.close(); }
    idleTimer = window.setTimeout(warn, idle * 1000);
  }

  function warn() {
    left = countdown;
    document.getElementById("idle-count").textContent = String(left);
    dialog.showModal();
    tick = window.setInterval(function () {
      left -= 1;
      document.getElementById("idle-count").textContent = String(Math.max(left, 0));
      if (left <= 0) { window.clearInterval(tick); form.submit(); }
    }, 1000);
  }

  document.getElementById("idle-continue").addEventListener("click", reset);
  ["pointerdown", "keydown", "touchstart", "input"].forEach(function (name) {
    document.addEventListener(name, function () { if (!dialog.open) { reset(); } }, { passive: true });
  });
  reset();
})();

// The photo button (customer/device.html): the picture is sent as soon as the camera hands it over.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[type=file][data-autosubmit]") || !input.files.length) { return; }
    var shown = input.form.querySelector(".photo-chosen");
    if (shown) { shown.textContent = input.files[0].name; }
    input.form.requestSubmit();
  });
})();
