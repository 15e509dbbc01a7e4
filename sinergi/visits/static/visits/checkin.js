// The check-in page: scan a ticket's QR code with the phone's camera through the browser's
// BarcodeDetector, and submit its code with the same form a person types into. Browsers
// without BarcodeDetector (or without a camera) keep the typed form, which works alone.
(function () {
  "use strict";
  var form = document.getElementById("sn-checkin-form");
  var scanner = document.getElementById("sn-scanner");
  if (!form || !scanner) return;
  var input = form.querySelector("input[name=code]");
  var video = document.getElementById("sn-video");
  var start = document.getElementById("sn-scan-start");
  var stop = document.getElementById("sn-scan-stop");
  var status = document.getElementById("sn-scan-status");
  var stream = null;
  var timer = null;
  var lastCode = "";
  var lastAt = 0;

  function say(text) {
    status.textContent = text || "";
  }

  function submit(code) {
    input.value = code;
    if (form.requestSubmit) {
      form.requestSubmit();
    } else {
      form.submit();
    }
  }

  function stopCamera() {
    if (timer) window.clearInterval(timer);
    timer = null;
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    video.srcObject = null;
    video.hidden = true;
    stop.hidden = true;
    start.hidden = false;
    say("");
  }

  function startCamera() {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (media) {
        stream = media;
        video.srcObject = media;
        video.hidden = false;
        return video.play();
      })
      .then(function () {
        start.hidden = true;
        stop.hidden = false;
        say(form.getAttribute("data-scanning"));
        timer = window.setInterval(function () {
          if (video.readyState < 2) return;
          detector.detect(video).then(function (codes) {
            if (!codes.length) return;
            var code = (codes[0].rawValue || "").trim();
            var now = Date.now();
            // The same ticket stays in front of the camera for a while: check it once.
            if (!code || (code === lastCode && now - lastAt < 4000)) return;
            lastCode = code;
            lastAt = now;
            submit(code);
          }).catch(function () {});
        }, 300);
      })
      .catch(function () {
        stopCamera();
        say(form.getAttribute("data-denied"));
      });
  }

  // After each answer, empty the field for the next ticket.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "checkin-result") {
      input.value = "";
      if (!stream) input.focus();
    }
  });

  if (!("BarcodeDetector" in window) || !navigator.mediaDevices) {
    // Say why there is no camera button, then leave the typed form alone.
    scanner.hidden = false;
    start.hidden = true;
    say(form.getAttribute("data-unsupported"));
    return;
  }
  window.BarcodeDetector.getSupportedFormats().then(function (formats) {
    scanner.hidden = false;
    if (formats.indexOf("qr_code") === -1) {
      start.hidden = true;
      say(form.getAttribute("data-unsupported"));
    }
  });
  start.addEventListener("click", startCamera);
  stop.addEventListener("click", stopCamera);
})();
