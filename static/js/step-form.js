/* The step form's live messages: htmx swaps each field's messages (#msg-<name>) out of
   band after a recalculation. The field they belong to then says what the page says on
   load: aria-invalid and the error frame while it has an error, the frame of a rule
   problem (which also keeps a field shown that CSS hides otherwise). No inline script:
   the Content Security Policy allows only this site's files. */
(function () {
  "use strict";

  function sync() {
    document.querySelectorAll(".field-msgs[data-invalid]").forEach(function (msgs) {
      var field = document.getElementById("field-" + msgs.id.slice(4));
      if (!field) return;
      var invalid = msgs.getAttribute("data-invalid") === "true";
      field.classList.toggle("has-error", invalid);
      field.classList.toggle("has-problem", msgs.getAttribute("data-problem") === "true");
      field.querySelectorAll("input:not([type=hidden]), select, textarea").forEach(function (input) {
        if (invalid) input.setAttribute("aria-invalid", "true");
        else input.removeAttribute("aria-invalid");
      });
    });
  }

  document.addEventListener("htmx:afterSettle", sync);
})();
