// Progressive enhancement for the survey: a live character counter, and focus on the error summary
// so a screen reader announces it after a failed send. The form works without it.
(function () {
  "use strict";
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }
  var comment = document.getElementById("comment");
  var counter = document.getElementById("comment-count");
  if (!comment || !counter) { return; }
  var max = parseInt(counter.getAttribute("data-max"), 10);
  var template = counter.getAttribute("data-template") || "{n} / {max}";
  function update() {
    counter.textContent = template.replace("{n}", comment.value.length).replace("{max}", max);
  }
  comment.addEventListener("input", update);
  update();
})();
