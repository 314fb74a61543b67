// A list opened from a number (a tile, a bar, a bucket, a level) is drawn below the fold: bring it into view
// once per address, when it appears. Elements marked "scroll-here" ask for it.
(function () {
  var done = null;
  function look() {
    var target = document.querySelector(".scroll-here");
    var where = window.location.pathname + window.location.search;
    if (!target) { done = null; return; }
    if (done === where) { return; }
    done = where;
    target.scrollIntoView({ block: "start", behavior: "auto" });
  }
  new MutationObserver(look).observe(document.documentElement, { childList: true, subtree: true });
})();
