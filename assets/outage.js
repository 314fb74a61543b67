// When the server says the database cannot be reached (a callback answered 503), show /readyz's notice (in the
// viewer's language) over the page, ask again every few seconds, and reload the page once the database answers.
(function () {
  if (!window.fetch) { return; }
  var original = window.fetch;
  var waiting = false;
  function show(message) {
    var box = document.getElementById("outage-notice");
    if (!box) {
      box = document.createElement("div");
      box.id = "outage-notice";
      box.className = "alert alert-warning outage-notice";
      box.setAttribute("role", "status");
      document.body.appendChild(box);
    }
    box.textContent = message;
  }
  function poll() {
    original("/readyz", { cache: "no-store" }).then(function (r) {
      if (r.ok) { window.location.reload(); return; }
      r.text().then(show);
      setTimeout(poll, 3000);
    }, function () { setTimeout(poll, 3000); });
  }
  window.fetch = function () {
    return original.apply(this, arguments).then(function (response) {
      if (response.status === 503 && !waiting) {
        waiting = true;
        poll();
      }
      return response;
    });
  };
})();
