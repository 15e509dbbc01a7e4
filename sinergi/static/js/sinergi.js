// Sinergi's own behaviour. Pages work without it; it only adds conveniences.
(function () {
  "use strict";
  // Copy buttons: <button data-copy-target="#id">.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (!button) return;
    var source = document.querySelector(button.getAttribute("data-copy-target"));
    if (!source || !navigator.clipboard) return;
    navigator.clipboard.writeText(source.textContent.trim()).then(function () {
      button.classList.add("btn-success");
      var done = button.getAttribute("data-copied-label");
      if (done) button.textContent = done;
    });
  });
  // Confirmation for destructive forms: <form data-confirm="Sure?">.
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });
})();
