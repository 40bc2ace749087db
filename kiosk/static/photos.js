// The photo step (photos/_form.html), at the counter and at the totem. Without JavaScript the form is a plain file
// upload. With it, the browser's camera shows in the page (getUserMedia) and "Take the photo" sends the frame as a
// JPEG through the same file field, at most LONG_SIDE pixels on its long side; a picture chosen in the file field
// is sent as soon as it is chosen. The camera is stopped when the page is left (a boosted link keeps the document).
(function () {
  "use strict";
  var LONG_SIDE = 2000;  // core.photos.LONG_SIDE: the terminal keeps no more, so it sends no more
  var form = document.querySelector("[data-photo-form]");
  if (!form || form.dataset.photoReady) { return; }
  form.dataset.photoReady = "1";
  var panel = form.querySelector("[data-camera]");
  var video = form.querySelector("video");
  var status = form.querySelector("[data-camera-status]");
  var field = form.querySelector("input[type=file][data-photo-send]");
  var shooter = form.querySelector("[data-shoot]");
  var stream = null;

  function stop() {
    if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); stream = null; }
  }

  function say(text) {
    status.hidden = !text;
    status.textContent = text || "";
  }

  function send(blob) {
    var transfer = new DataTransfer();
    transfer.items.add(new File([blob], "camera.jpg", {type: "image/jpeg"}));
    field.files = transfer.files;
    stop();
    form.submit();
  }

  function shoot() {
    var width = video.videoWidth, height = video.videoHeight;
    if (!width || !height) { return; }
    var scale = Math.min(1, LONG_SIDE / Math.max(width, height));
    var canvas = document.createElement("canvas");
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
    shooter.disabled = true;
    canvas.toBlob(send, "image/jpeg", 0.92);
  }

  field.addEventListener("change", function () {
    if (field.files.length) { stop(); form.submit(); }
  });
  document.documentElement.classList.add("js");
  window.addEventListener("pagehide", stop);
  document.addEventListener("htmx:beforeRequest", stop);
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { return; }
  say(status.textContent);
  navigator.mediaDevices.getUserMedia({audio: false, video: {facingMode: {ideal: panel.dataset.facing},
                                                             width: {ideal: 1920}, height: {ideal: 1080}}})
    .then(function (opened) {
      stream = opened;
      video.srcObject = opened;
      panel.hidden = false;
      shooter.hidden = false;
      say("");
      shooter.addEventListener("click", shoot);
    })
    .catch(function () { say(status.dataset.failed || ""); });
})();
