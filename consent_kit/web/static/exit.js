/* "Leave this page": the link works without JavaScript; with it, pressing Shift three times
   quickly also leaves, and the page is replaced in history so Back doesn't return to it. */
(function () {
  var link = document.getElementById("exit-this-page");
  if (!link) return;
  function leave(event) {
    if (event) event.preventDefault();
    document.body.style.display = "none";
    window.location.replace(link.href);
  }
  link.addEventListener("click", leave);
  var presses = [];
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Shift") return;
    var now = Date.now();
    presses = presses.filter(function (t) { return now - t < 1000; });
    presses.push(now);
    if (presses.length >= 3) leave();
  });
})();
