/* "Leave this page": the form works without JavaScript; with it, pressing Shift three times
   quickly also leaves, and the page is replaced in history so Back doesn't return to it. */
(function () {
  var form = document.getElementById("exit-form");
  if (!form) return;
  function leave(event) {
    if (event) event.preventDefault();
    document.body.style.display = "none";
    // Tell the server to forget this participant, without waiting for it.
    if (navigator.sendBeacon) navigator.sendBeacon(form.action, new FormData(form));
    window.location.replace(form.getAttribute("data-exit"));
  }
  form.addEventListener("submit", leave);
  var presses = [];
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Shift") return;
    var now = Date.now();
    presses = presses.filter(function (t) { return now - t < 1000; });
    presses.push(now);
    if (presses.length >= 3) leave();
  });
})();
