/* Fast criterion entry (assessments/entry/page.html): Enter on a result saves the criterion's row, and so does
   Ctrl+Enter (Cmd+Enter) in its text fields. htmx sends the row inline; without htmx the form is posted as usual. */
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.isComposing || event.altKey || event.shiftKey) {
      return;
    }
    var target = event.target;
    var form = target && target.closest ? target.closest("form.entry-row") : null;
    if (!form) {
      return;
    }
    var onResult = target.tagName === "INPUT" && target.type === "radio";
    var inText = target.tagName === "TEXTAREA" && (event.ctrlKey || event.metaKey);
    if (!onResult && !inText) {
      return;
    }
    event.preventDefault();
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit();
    } else {
      form.querySelector("button[type=submit]").click();
    }
  });
})();
