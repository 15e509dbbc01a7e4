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
  // A table that scrolls sideways (on a phone) can be scrolled from the keyboard too: it takes
  // focus, and is a region named after its caption or the heading before it.
  function focusableScrollers(root) {
    root.querySelectorAll(".table-responsive").forEach(function (box) {
      if (box.scrollWidth <= box.clientWidth) {
        if (box.dataset.snScroller) {
          box.removeAttribute("tabindex");
          box.removeAttribute("role");
          box.removeAttribute("aria-label");
          delete box.dataset.snScroller;
        }
        return;
      }
      if (box.hasAttribute("tabindex")) return;
      box.dataset.snScroller = "1";
      box.setAttribute("tabindex", "0");
      var caption = box.querySelector("caption");
      var heading = caption;
      for (var node = box; !heading && node && node !== document.body; node = node.parentElement) {
        for (var prev = node.previousElementSibling; prev; prev = prev.previousElementSibling) {
          if (/^H[1-6]$/.test(prev.tagName)) { heading = prev; break; }
          var inner = prev.querySelector && prev.querySelector("h1, h2, h3, h4, h5, h6");
          if (inner) { heading = inner; break; }
        }
      }
      if (heading && heading.textContent.trim()) {
        // Inside a section already named by that heading, a second region of the same name
        // would be a duplicate landmark: the table is a named group there.
        var named = heading.id && box.closest('[aria-labelledby="' + heading.id + '"]');
        box.setAttribute("role", named ? "group" : "region");
        box.setAttribute("aria-label", heading.textContent.trim());
      }
    });
  }
  function refreshScrollers() { focusableScrollers(document); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", refreshScrollers);
  } else {
    refreshScrollers();
  }
  window.addEventListener("load", refreshScrollers);
  window.addEventListener("resize", refreshScrollers);
  document.body.addEventListener("htmx:afterSettle", refreshScrollers);
  // A form that hands a result to another system at once (LTI deep linking back to the
  // platform): <form data-auto-submit>. Without JavaScript its button does the same.
  document.querySelectorAll("form[data-auto-submit]").forEach(function (form) {
    form.submit();
  });
})();
