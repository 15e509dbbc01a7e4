// The attempt page: a countdown from the server's deadline, and the saved state of each answer.
// The page works without this file (answers are saved with the buttons); HTMX saves each answer
// as it changes, and this file only shows what happened and what to do when a save fails.
(function () {
  "use strict";
  var lang = document.documentElement.lang || "id";
  var text = lang.indexOf("id") === 0
    ? { notSaved: "Belum tersimpan — periksa koneksi; jawaban dikirim lagi saat Anda mengubahnya atau menekan Simpan.",
        saving: "Menyimpan…", left: "tersisa", up: "Waktu habis" }
    : { notSaved: "Not saved — check your connection; the answer is sent again when you change it or press Save.",
        saving: "Saving…", left: "left", up: "Time is up" };

  // Starting a quiz answers with its first page: give the address bar the page's own address,
  // so that reloading or coming back to it shows the page instead of sending the start again.
  var form = document.getElementById("sn-attempt-form");
  var own = form && form.getAttribute("data-url");
  if (own && window.history.replaceState && window.location.pathname + window.location.search !== own) {
    window.history.replaceState(null, "", own);
  }

  // Countdown. The deadline is the server's; the offset between the server's clock and this
  // device's is measured once, so a wrong phone clock does not shorten or lengthen the time.
  var clock = document.getElementById("sn-countdown");
  if (clock) {
    var deadline = Date.parse(clock.getAttribute("data-deadline"));
    var serverNow = Date.parse(clock.getAttribute("data-now"));
    var offset = isNaN(serverNow) ? 0 : serverNow - Date.now();
    var expiredUrl = clock.getAttribute("data-expired-url");
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    var tick = function () {
      var left = Math.max(0, Math.floor((deadline - (Date.now() + offset)) / 1000));
      var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
      clock.textContent = (h ? h + ":" + pad(m) : m) + ":" + pad(s) + " " + text.left;
      if (left <= 60) clock.classList.add("text-danger");
      if (left === 0) {
        clearInterval(timer);
        clock.textContent = text.up;
        // Saved answers are already on the server; the review page closes the attempt.
        window.setTimeout(function () { window.location.assign(expiredUrl); }, 1500);
      }
    };
    var timer = window.setInterval(tick, 1000);
    tick();
  }

  function indicator(event) {
    var fieldset = event.detail && event.detail.elt && event.detail.elt.closest(".sn-question");
    return fieldset && fieldset.querySelector(".sn-saved");
  }
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var box = indicator(event);
    if (box) { box.classList.remove("text-danger", "text-success"); box.textContent = text.saving; }
  });
  function failed(event) {
    var box = indicator(event);
    if (box) {
      box.classList.add("text-danger", "sn-not-saved");
      box.setAttribute("role", "alert");
      box.textContent = text.notSaved;
    }
  }
  document.body.addEventListener("htmx:sendError", failed);
  document.body.addEventListener("htmx:responseError", failed);
  document.body.addEventListener("htmx:timeout", failed);
})();
