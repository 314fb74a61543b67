// Weekly review mode: the arrow keys step to the previous / next rep (the buttons' links).
document.addEventListener("keydown", function (event) {
  if (!document.querySelector(".review-mode")) { return; }
  var target = event.key === "ArrowRight" ? "review-next" : event.key === "ArrowLeft" ? "review-prev" : null;
  var link = target && document.getElementById(target);
  if (link) { event.preventDefault(); link.click(); }
});
