/* The scanner page's camera: frames decoded in a Web Worker (decode-worker.js: the browser's BarcodeDetector, or
   the vendored zxing-wasm), one at a time, so that the page never waits for the decoder; each code read becomes a
   scan through the page (scanner.js, window.CheckinScanner). */
(function () {
  "use strict";

  var page = window.CheckinScanner;
  if (!page) { return; }
  var root = page.root, cfg = page.cfg, load = page.load, save = page.save, unlockAudio = page.unlockAudio;
  var $ = function (id) { return document.getElementById(id); };

  // A badge held in view is one scan: the same code is scanned again only after it has been out of view this long.
  var HOLD_MS = 1500;
  var DECODE_EVERY_MS = 100;
  var DECODE_MAX_SIDE = 640;

  var video = $("camera-video"), toggle = $("camera-toggle"), cameraSelect = $("camera-select"), status = $("camera-status");
  var stream = null, decodeTimer = null;
  var lastCode = null, lastSeen = 0;
  var worker = null, decoding = false, frameId = 0;

  function onCode(code) {
    var now = Date.now();
    if (code === lastCode && now - lastSeen < HOLD_MS) { lastSeen = now; return; }
    if (!page.scan(code)) { return; }  // a scan under way: not remembered, it is tried again on the next frame
    lastCode = code;
    lastSeen = now;
  }

  // The decoder runs in a worker (decode-worker.js), one frame at a time: the page never waits for it.
  function decoder() {
    if (worker || !window.Worker) { return worker; }
    worker = new Worker(cfg.decoderUrl);
    worker.onmessage = function (event) {
      var m = event.data;
      if (m.type === "ready") { root.dataset.decoder = m.decoder; return; }
      if (m.type === "result") {
        decoding = false;
        if (m.text) { onCode(m.text); }
      }
    };
    worker.postMessage({ type: "start" });
    return worker;
  }

  function decodeFrame() {
    decodeTimer = null;
    if (!stream) { return; }
    if (!decoding && video.readyState >= 2 && video.videoWidth && !document.hidden && decoder()) {
      var scale = Math.min(1, DECODE_MAX_SIDE / Math.max(video.videoWidth, video.videoHeight));
      var w = Math.round(video.videoWidth * scale), h = Math.round(video.videoHeight * scale);
      decoding = true;
      createImageBitmap(video, { resizeWidth: w, resizeHeight: h }).then(function (bitmap) {
        worker.postMessage({ type: "frame", id: ++frameId, image: bitmap }, [bitmap]);
      }).catch(function () { decoding = false; });
    }
    decodeTimer = setTimeout(decodeFrame, DECODE_EVERY_MS);
  }

  function stopCamera() {
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
    stream = null;
    video.srcObject = null;
    clearTimeout(decodeTimer);
    toggle.textContent = "Start camera";
    root.classList.remove("camera-on");
  }

  function looksBack(label) { return /back|rear|environment|r\u00fcck|arri\u00e8re|trasera/i.test(label || ""); }

  function listCameras(currentId) {
    return navigator.mediaDevices.enumerateDevices().then(function (devices) {
      var cameras = devices.filter(function (d) { return d.kind === "videoinput"; });
      cameraSelect.textContent = "";
      cameras.forEach(function (cam, i) {
        var option = document.createElement("option");
        option.value = cam.deviceId;
        option.textContent = cam.label || "Camera " + (i + 1);
        cameraSelect.appendChild(option);
      });
      cameraSelect.hidden = cameras.length < 2;
      if (currentId) { cameraSelect.value = currentId; }
      return cameras;
    });
  }

  function startCamera(deviceId) {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      status.textContent = "This browser cannot open the camera here (it needs HTTPS). Use the code field or the search.";
      return Promise.resolve();
    }
    stopCamera();
    status.textContent = "Opening the camera\u2026";
    var video_constraints = deviceId ? { deviceId: { exact: deviceId } }
      : { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } };
    return navigator.mediaDevices.getUserMedia({ audio: false, video: video_constraints }).then(function (s) {
      stream = s;
      video.srcObject = s;
      var track = s.getVideoTracks()[0];
      var settingsNow = track.getSettings ? track.getSettings() : {};
      toggle.textContent = "Stop camera";
      root.classList.add("camera-on");
      status.textContent = "Hold a badge's QR code in the frame.";
      save("camera", "on");
      return video.play().catch(function () { /* muted autoplay is allowed; nothing to do */ }).then(function () {
        return listCameras(settingsNow.deviceId);
      }).then(function (cameras) {
        // Prefer the back camera: some phones ignore facingMode and open the front one first.
        if (!deviceId && settingsNow.facingMode !== "environment" && !looksBack(track.label)) {
          var back = cameras.filter(function (c) { return looksBack(c.label); })[0];
          if (back && back.deviceId !== settingsNow.deviceId) { return startCamera(back.deviceId); }
        }
        if (deviceId) { save("camera-id", deviceId); }
        decodeFrame();
      });
    }).catch(function (error) {
      stopCamera();
      if (deviceId) { save("camera-id", ""); }
      status.textContent = error && error.name === "NotAllowedError"
        ? "Camera permission was refused. Allow it in the browser's site settings, or use the code field."
        : "The camera could not be opened (" + (error && error.name || "error") + "). Use the code field or the search.";
    });
  }

  toggle.addEventListener("click", function () {
    unlockAudio();
    if (stream) { stopCamera(); save("camera", "off"); return; }
    startCamera(load("camera-id", "") || undefined);
  });
  cameraSelect.addEventListener("change", function () { startCamera(cameraSelect.value); });
  document.addEventListener("visibilitychange", function () {
    // A phone put in a pocket frees its camera; it comes back when the page does.
    if (document.hidden && stream) { stopCamera(); root.dataset.resume = "1"; }
    else if (!document.hidden && root.dataset.resume === "1") { delete root.dataset.resume; startCamera(load("camera-id", "") || undefined); }
  });
  if (load("camera", "off") === "on") { startCamera(load("camera-id", "") || undefined); }
})();
