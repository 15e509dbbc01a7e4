// The EPUB reader: epub.js paginates the book in the page, and the reading position (a CFI)
// is saved so the member comes back where they stopped.
(function () {
  "use strict";
  var root = document.getElementById("sn-reader");
  var part = function (name) { return root.querySelector('[data-reader="' + name + '"]'); };
  function showError() {
    var error = part("error");
    error.textContent = root.dataset.expired;
    error.classList.remove("d-none");
  }
  function save(cfi) {
    if (!root.dataset.saveUrl || !cfi) return;
    var body = new URLSearchParams({ position: cfi });
    fetch(root.dataset.saveUrl, {
      method: "POST", headers: { "X-CSRFToken": root.dataset.csrf }, body: body,
      credentials: "same-origin"
    }).catch(function () {});
  }
  fetch(root.dataset.src, { credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.arrayBuffer();
    })
    .then(function (data) {
      var book = ePub(data);
      // epub.js draws each chapter in an iframe of its own: name each one as it is added (the
      // "rendered" event comes later, and a screen reader may already be on the frame).
      new MutationObserver(function () {
        part("view").querySelectorAll("iframe:not([title])").forEach(function (frame) {
          frame.title = root.dataset.frameTitle;
        });
      }).observe(part("view"), { childList: true, subtree: true });
      var rendition = book.renderTo(part("view"), {
        width: "100%", height: "100%", spread: "none", flow: "paginated"
      });
      rendition.on("relocated", function (location) {
        var cfi = location && location.start && location.start.cfi;
        part("where").textContent = location.start.displayed
          ? location.start.displayed.page + " / " + location.start.displayed.total : "";
        root.dataset.page = cfi || "";
        save(cfi);
      });
      part("prev").addEventListener("click", function () { rendition.prev(); });
      part("next").addEventListener("click", function () { rendition.next(); });
      document.addEventListener("keydown", function (event) {
        if (event.key === "ArrowLeft") rendition.prev();
        if (event.key === "ArrowRight") rendition.next();
      });
      return rendition.display(root.dataset.position || undefined);
    })
    .catch(showError);
})();
