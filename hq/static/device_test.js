// The phone test's steps (hq/templates/hq/device_test.html), one at a time: the touch grid, two fingers at once, the
// colour screens, the speaker -> microphone loopback, the cameras, vibration and motion (device_test_media.js
// measures the devices), then the battery and the screen as information. Every step can be skipped. The report
// goes once to HQ, which answers with each test's result (core.device_tests) for the summary. Plain JavaScript, no
// inline script (the CSP), and no word of its own: the page carries every text in the phone's language.
(function () {
  "use strict";
  var main = document.getElementById("test");
  if (!main || main.dataset.ready) { return; }
  main.dataset.ready = "1";
  var media = window.DeviceTestMedia;
  var sections = {};
  Array.prototype.forEach.call(main.querySelectorAll("[data-step]"), function (section) {
    sections[section.dataset.step] = section;
  });
  var report = {};

  function show(name) {
    Object.keys(sections).forEach(function (key) { sections[key].hidden = key !== name; });
    window.scrollTo(0, 0);
  }

  function within(name, selector) { return sections[name].querySelector(selector); }

  function entry(testId) { return function (value) { var out = {}; out[testId] = value; return out; }; }

  // The first of a step's buttons pressed decides it (they are disabled then): its action's Promise (or value) is the
  // step's outcome.
  function firstOf(name, actions) {
    return new Promise(function (resolve) {
      var done = false;
      Object.keys(actions).forEach(function (selector) {
        within(name, selector).addEventListener("click", function () {
          if (done) { return; }
          done = true;
          Object.keys(actions).forEach(function (other) { within(name, other).disabled = true; });
          var status = within(name, "[data-status]");
          if (status) { status.textContent = status.dataset.working; }
          Promise.resolve(actions[selector]()).then(resolve);
        });
      });
    });
  }

  function skipped() { return {skipped: true}; }

  function fullscreen(on) {
    var root = document.documentElement;
    try {
      if (on && root.requestFullscreen && !document.fullscreenElement) { root.requestFullscreen().catch(skipped); }
      if (!on && document.fullscreenElement && document.exitFullscreen) { document.exitFullscreen().catch(skipped); }
    } catch (err) { return; }  // a browser without the API keeps its bars: the test still runs
  }

  function intro() {
    show("intro");
    within("intro", "[data-insecure]").hidden = window.isSecureContext && media.hasMedia();
    return firstOf("intro", {"[data-start]": function () { fullscreen(true); }});
  }

  // Every square touched once, found from the touch's position (a finger sliding across crosses many squares).
  function touchGrid() {
    show("touch-help");
    return firstOf("touch-help", {"[data-go]": runGrid}).then(entry("touch"));
  }

  function runGrid() {
    var columns = +main.dataset.columns, rows = +main.dataset.rows, total = columns * rows, touched = 0;
    var grid = within("touch", "[data-grid]"), count = within("touch", "[data-touched]"), cells = [];
    grid.style.gridTemplateColumns = "repeat(" + columns + ", 1fr)";
    grid.style.gridTemplateRows = "repeat(" + rows + ", 1fr)";
    for (var i = 0; i < total; i++) { cells.push(grid.appendChild(document.createElement("div"))); }
    show("touch");
    return new Promise(function (resolve) {
      var layer = sections.touch;
      function mark(x, y) {
        var box = grid.getBoundingClientRect();
        var column = Math.floor((x - box.left) / box.width * columns), row = Math.floor((y - box.top) / box.height * rows);
        if (column < 0 || column >= columns || row < 0 || row >= rows) { return; }
        var cell = cells[row * columns + column];
        if (cell.classList.contains("hit")) { return; }
        cell.classList.add("hit");
        count.textContent = ++touched;
        if (touched === total) { setTimeout(function () { finish({}); }, 400); }
      }
      function onTouch(event) {
        if (event.target.closest("button")) { return; }
        event.preventDefault();  // no scrolling, no zoom: the finger is drawing
        Array.prototype.forEach.call(event.changedTouches, function (t) { mark(t.clientX, t.clientY); });
      }
      function onMouse(event) { if (event.buttons && !event.target.closest("button")) { mark(event.clientX, event.clientY); } }
      function finish(extra) {
        ["touchstart", "touchmove"].forEach(function (type) { layer.removeEventListener(type, onTouch); });
        ["mousedown", "mousemove"].forEach(function (type) { layer.removeEventListener(type, onMouse); });
        resolve(Object.assign({cells: total, touched: touched}, extra));
      }
      ["touchstart", "touchmove"].forEach(function (type) { layer.addEventListener(type, onTouch, {passive: false}); });
      ["mousedown", "mousemove"].forEach(function (type) { layer.addEventListener(type, onMouse); });
      firstOf("touch", {"[data-dead-zone]": function () { finish({dead_zone: true}); },
                        "[data-skip]": function () { finish(skipped()); }});
    });
  }

  function multitouch() {
    show("multitouch");
    var box = within("multitouch", "[data-touch-box]"), label = within("multitouch", "[data-points]"), points = 0;
    var twoFingers = new Promise(function (resolve) {
      box.addEventListener("touchstart", function (event) {
        event.preventDefault();
        points = Math.max(points, event.touches.length);
        label.textContent = points;
        if (points >= 2) { box.classList.add("ok"); setTimeout(function () { resolve({points: points}); }, 600); }
      }, {passive: false});
    });
    var pressed = firstOf("multitouch", {"[data-no-response]": function () { return {points: points, no_response: true}; },
                                         "[data-skip]": function () { return {points: points, skipped: true}; }});
    return Promise.race([twoFingers, pressed]).then(entry("multitouch"));
  }

  function colours() {
    show("dead_pixels");
    return firstOf("dead_pixels", {"[data-go]": runColours, "[data-skip]": skipped}).then(entry("dead_pixels"));
  }

  function runColours() {
    var list = main.dataset.colours.split(" "), seen = {}, at = 0, screen = sections.colour;
    return new Promise(function (resolve) {
      function next() {
        if (at === list.length) { resolve(seen); return; }
        screen.dataset.colour = list[at];
        show("colour");
      }
      function answer(word) {
        return function (event) { event.currentTarget.blur(); seen[list[at]] = word; at += 1; next(); };
      }
      within("colour", "[data-clean]").addEventListener("click", answer("clean"));
      within("colour", "[data-spot]").addEventListener("click", answer("spot"));
      next();
    });
  }

  function audio() {
    show("audio");
    return firstOf("audio", {"[data-go]": function () { return media.loopback(+main.dataset.tone); },
                             "[data-skip]": skipped}).then(entry("audio"));
  }

  function cameras() {
    show("cameras");
    var video = within("cameras", "[data-preview]");
    function both() {
      return media.camera("user", video).then(function (front) {
        return media.camera("environment", video).then(function (back) {
          video.hidden = true;
          return {camera_front: front, camera_back: back};
        });
      });
    }
    return firstOf("cameras", {"[data-go]": both, "[data-skip]": function () {
      return {camera_front: skipped(), camera_back: skipped()};
    }});
  }

  function vibration() {
    if (!navigator.vibrate) { return Promise.resolve({vibration: {error: "unsupported"}}); }  // iPhone: no such API
    show("vibration");
    var ask = within("vibration", "[data-ask]");
    function buzz() {
      navigator.vibrate([400, 150, 400]);
      ask.hidden = false;
      return new Promise(function (resolve) {
        within("vibration", "[data-yes]").addEventListener("click", function () { resolve({felt: true}); });
        within("vibration", "[data-no]").addEventListener("click", function () { resolve({felt: false}); });
      });
    }
    return firstOf("vibration", {"[data-go]": buzz, "[data-skip]": skipped}).then(entry("vibration"));
  }

  function motion() {
    show("motion");
    return firstOf("motion", {"[data-go]": media.motion, "[data-skip]": skipped}).then(entry("motion"));
  }

  function information() {
    return media.battery().then(function (battery) { return {battery: battery, screen: media.screen()}; });
  }

  function send() {
    show("sending");
    fullscreen(false);
    return fetch(main.dataset.results, {method: "POST", credentials: "omit", body: JSON.stringify(report),
                                        headers: {"Content-Type": "application/json"}})
      .then(function (response) {
        return response.json().then(function (body) {
          if (response.ok) { summary(body.results); } else { failed(body.error, response.status); }
        });
      })
      .catch(function () { failed(within("failed", "[data-reason]").dataset.offline, 0); });
  }

  function summary(results) {
    var words = {};
    Array.prototype.forEach.call(main.querySelectorAll("[data-word]"), function (li) { words[li.dataset.word] = li.textContent; });
    Array.prototype.forEach.call(within("done", "[data-summary]").querySelectorAll("tr[data-test]"), function (row) {
      var outcome = (results[row.dataset.test] || {}).outcome || "not_run", cell = row.querySelector("[data-outcome]");
      cell.textContent = words[outcome] || outcome;
      cell.className = outcome;
    });
    show("done");
  }

  function failed(reason, status) {
    within("failed", "[data-reason]").textContent = reason || "";
    within("failed", "[data-retry]").hidden = [404, 409, 410].indexOf(status) >= 0;  // sending again cannot help
    show("failed");
  }

  within("failed", "[data-retry]").addEventListener("click", send);
  var steps = [intro, touchGrid, multitouch, colours, audio, cameras, vibration, motion, information];
  steps.reduce(function (done, step) {
    return done.then(step).then(function (found) { Object.assign(report, found || {}); });
  }, Promise.resolve()).then(send);
})();
