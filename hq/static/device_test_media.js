// The phone's own devices, for the phone test (device_test.js runs the steps): the speaker -> microphone loopback,
// the two cameras, the motion sensors, the battery, the screen. Each returns a Promise of what it measured, or of
// {error: code} (core.device_tests.ERRORS) when the browser gives no measure. Measuring only: core.device_tests
// judges, at HQ and at the store, so a page's own verdict is never trusted.
(function () {
  "use strict";
  var FFT_SIZE = 8192, LISTEN_MS = 1600, SETTLE_MS = 350, LOW_HZ = 200, HIGH_HZ = 8000, FRAME_TIMEOUT_MS = 6000;

  function mediaError(err) {
    var name = err && err.name;
    if (name === "NotAllowedError" || name === "SecurityError") { return {error: "denied"}; }
    if (name === "NotFoundError" || name === "OverconstrainedError") { return {error: "not_found"}; }
    if (name === "NotReadableError" || name === "AbortError") { return {error: "not_readable"}; }
    return {error: "unsupported"};
  }

  function hasMedia() { return !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia); }

  function stopAll(stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }

  // The strongest bin between LOW_HZ and HIGH_HZ, refined between its neighbours (parabolic interpolation).
  function peak(spectrum, rate) {
    var first = Math.ceil(LOW_HZ * FFT_SIZE / rate), last = Math.min(spectrum.length - 2, Math.floor(HIGH_HZ * FFT_SIZE / rate));
    var best = first;
    for (var i = first; i <= last; i++) { if (spectrum[i] > spectrum[best]) { best = i; } }
    var a = spectrum[best - 1], b = spectrum[best], c = spectrum[best + 1], shift = 0;
    if (isFinite(a) && isFinite(b) && isFinite(c) && a - 2 * b + c !== 0) { shift = 0.5 * (a - c) / (a - 2 * b + c); }
    return {hz: (best + shift) * rate / FFT_SIZE, db: b};
  }

  // Plays the tone and listens: echo cancellation off, or the phone would cancel its own tone out of the microphone.
  // The AudioContext is made in the tap's own turn (a browser starts sound only on a gesture).
  function loopback(toneHz) {
    if (!hasMedia() || !(window.AudioContext || window.webkitAudioContext)) { return Promise.resolve({error: "unsupported"}); }
    var context = new (window.AudioContext || window.webkitAudioContext)();
    return navigator.mediaDevices.getUserMedia({audio: {echoCancellation: false, noiseSuppression: false,
                                                        autoGainControl: false}, video: false})
      .then(function (stream) { return listen(context, stream, toneHz); })
      .catch(function (err) { context.close(); return mediaError(err); });
  }

  function listen(context, stream, toneHz) {
    var tone = context.createOscillator(), gain = context.createGain(), analyser = context.createAnalyser();
    tone.frequency.value = toneHz;
    gain.gain.value = 0.6;
    tone.connect(gain);
    gain.connect(context.destination);
    analyser.fftSize = FFT_SIZE;
    analyser.smoothingTimeConstant = 0;
    context.createMediaStreamSource(stream).connect(analyser);
    context.resume();
    tone.start();
    var spectrum = new Float32Array(analyser.frequencyBinCount), loudest = null, started = Date.now();
    return new Promise(function (resolve) {
      var timer = setInterval(function () {
        if (Date.now() - started > SETTLE_MS) {
          analyser.getFloatFrequencyData(spectrum);
          var found = peak(spectrum, context.sampleRate);
          if (isFinite(found.db) && (!loudest || found.db > loudest.db)) { loudest = found; }
        }
        if (Date.now() - started < SETTLE_MS + LISTEN_MS) { return; }
        clearInterval(timer);
        tone.stop();
        stopAll(stream);
        context.close();
        resolve(loudest ? {played_hz: toneHz, heard_hz: Math.round(loudest.hz * 100) / 100,
                           level_db: Math.round(loudest.db * 10) / 10} : {played_hz: toneHz, error: "silent"});
      }, 100);
    });
  }

  // One camera open until its first frame arrives; the frame's size and the side the browser says it opened.
  function camera(facing, video) {
    if (!hasMedia()) { return Promise.resolve({error: "unsupported"}); }
    return navigator.mediaDevices.getUserMedia({video: {facingMode: {ideal: facing}}, audio: false})
      .then(function (stream) { return firstFrame(stream, video); })
      .catch(mediaError);
  }

  function firstFrame(stream, video) {
    return new Promise(function (resolve) {
      var settings = stream.getVideoTracks()[0].getSettings ? stream.getVideoTracks()[0].getSettings() : {};
      var done = false;
      function finish(result) {
        if (done) { return; }
        done = true;
        stopAll(stream);
        video.srcObject = null;
        resolve(result);
      }
      var timeout = setTimeout(function () { finish({error: "not_readable"}); }, FRAME_TIMEOUT_MS);
      video.addEventListener("loadeddata", function () {
        clearTimeout(timeout);
        setTimeout(function () {  // the customer sees the picture for a moment
          finish({width: video.videoWidth, height: video.videoHeight, facing: settings.facingMode || ""});
        }, 700);
      }, {once: true});
      video.srcObject = stream;
      video.hidden = false;
      video.play().catch(function () { return null; });
    });
  }

  // Motion events for two seconds: how many carried a value (a browser without sensors sends none, or nulls).
  function motion() {
    if (!window.DeviceMotionEvent) { return Promise.resolve({error: "unsupported"}); }
    var ask = typeof DeviceMotionEvent.requestPermission === "function" ? DeviceMotionEvent.requestPermission()
      : Promise.resolve("granted");  // iPhone asks on a tap; others do not ask
    return ask.then(function (state) {
      if (state !== "granted") { return {error: "denied"}; }
      return new Promise(function (resolve) {
        var events = 0, readings = 0;
        function heard(event) {
          events += 1;
          var g = event.accelerationIncludingGravity, r = event.rotationRate;
          if ((g && g.x !== null) || (r && r.alpha !== null)) { readings += 1; }
        }
        window.addEventListener("devicemotion", heard);
        setTimeout(function () {
          window.removeEventListener("devicemotion", heard);
          resolve(events ? {readings: readings} : {error: "unsupported"});
        }, 2000);
      });
    }, function () { return {error: "denied"}; });
  }

  function battery() {
    if (!navigator.getBattery) { return Promise.resolve({error: "unsupported"}); }
    return navigator.getBattery().then(function (b) { return {level: b.level, charging: b.charging}; },
                                       function () { return {error: "unsupported"}; });
  }

  function screenFacts() {
    return {width: screen.width, height: screen.height, ratio: window.devicePixelRatio || 1,
            user_agent: navigator.userAgent};
  }

  window.DeviceTestMedia = {hasMedia: hasMedia, loopback: loopback, camera: camera, motion: motion,
                            battery: battery, screen: screenFacts};
})();
