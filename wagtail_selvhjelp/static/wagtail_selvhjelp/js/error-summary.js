/* The registration form's error summary (wagtail_selvhjelp).
 *
 * After a failed submit the page shows a summary of the problems, marked
 * role="alert" and tabindex="-1", so that it is announced and can take focus
 * without this script. The script moves the focus there, so that people
 * using a keyboard or a screen reader start at the summary, and makes its
 * links focus the field they name with the question in view (following a
 * link to a fragment does not focus an input in every browser).
 *
 * A file of its own, loaded with defer: no inline script or style, so the
 * page works under a Content-Security-Policy without 'unsafe-inline'.
 */
(function () {
  "use strict";

  var summary = document.getElementById("selvhjelp-error-summary");
  if (!summary) {
    return;
  }
  summary.focus();

  /* The label or legend that asks the question of ``input``. */
  function questionOf(input) {
    var group = input.closest ? input.closest("fieldset.selvhjelp-choices") : null;
    if (group && group.querySelector("legend")) {
      return group.querySelector("legend");
    }
    return input.labels && input.labels.length ? input.labels[0] : input;
  }

  summary.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a") : null;
    if (!link || !summary.contains(link) || !link.hash) {
      return;
    }
    var input = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!input || typeof input.focus !== "function") {
      return;
    }
    event.preventDefault();
    questionOf(input).scrollIntoView();
    input.focus({ preventScroll: true });
  });
})();
