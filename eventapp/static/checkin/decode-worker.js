/* Decodes the camera's frames off the page's main thread: the browser's BarcodeDetector where it has one that
   reads QR codes, else ZXing-C++ compiled to WebAssembly (vendor/zxing-wasm, loaded from this site only).
   Messages in: {type: "frame", id, image: ImageBitmap | ImageData}. Out: {type: "ready", decoder} once, then
   {type: "result", id, text: string | null, ms} per frame. */
"use strict";

var base = self.location.pathname.replace(/checkin\/decode-worker\.js$/, "");
var detector = null;
var zxing = null;
var ready = null;
var canvas = null, context = null;

function useZxing() {
  importScripts(base + "vendor/zxing-wasm/zxing_reader.js");
  zxing = self.ZXingWASM;
  zxing.prepareZXingModule({
    overrides: {
      locateFile: function (path, prefix) {
        return path.endsWith(".wasm") ? base + "vendor/zxing-wasm/zxing_reader.wasm" : prefix + path;
      }
    },
    fireImmediately: true
  });
  return "zxing-wasm";
}

function start(preferred) {
  if (preferred !== "zxing-wasm" && typeof self.BarcodeDetector === "function") {
    return self.BarcodeDetector.getSupportedFormats().then(function (formats) {
      if (formats.indexOf("qr_code") !== -1) {
        detector = new self.BarcodeDetector({ formats: ["qr_code"] });
        return "BarcodeDetector";
      }
      return useZxing();
    }).catch(useZxing);
  }
  return Promise.resolve(useZxing());
}

function imageData(image) {
  if (!image || typeof image.close !== "function") { return image; }  // already ImageData
  if (!canvas || canvas.width !== image.width || canvas.height !== image.height) {
    canvas = new OffscreenCanvas(image.width, image.height);
    context = canvas.getContext("2d", { willReadFrequently: true });
  }
  context.drawImage(image, 0, 0);
  image.close();
  return context.getImageData(0, 0, canvas.width, canvas.height);
}

function decode(image) {
  if (detector) {
    return detector.detect(image).then(function (codes) {
      if (typeof image.close === "function") { image.close(); }
      return codes.length ? codes[0].rawValue : null;
    });
  }
  return zxing.readBarcodes(imageData(image), { formats: ["QRCode"], tryHarder: true, maxNumberOfSymbols: 1 })
    .then(function (results) {
      var found = results.filter(function (r) { return r.isValid; })[0];
      return found ? found.text : null;
    });
}

self.onmessage = function (event) {
  var message = event.data;
  if (message.type === "start") {
    ready = start(message.decoder).then(function (name) {
      self.postMessage({ type: "ready", decoder: name });
      return name;
    });
    return;
  }
  if (message.type === "frame") {
    var started = self.performance.now();
    (ready || (ready = start())).then(function () { return decode(message.image); }).then(function (text) {
      self.postMessage({ type: "result", id: message.id, text: text, ms: self.performance.now() - started });
    }, function (error) {
      self.postMessage({ type: "result", id: message.id, text: null, error: String(error) });
    });
  }
};
