/// The page's only script, served at `/static/rotor.js` (the Content-Security-Policy allows no
/// other): a confirmation before forms marked `data-confirm`, and the countdown that hides a
/// revealed value after 30 seconds. Every page works without it, less the two conveniences.
enum Script {
    static let js = #"""
"use strict";
// Ask before a form marked data-confirm is sent (rotate, roll back, revoke, proposals, jobs).
document.addEventListener("submit", function (event) {
  var message = event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});
// A revealed value is removed from the page after data-hide-after seconds.
document.addEventListener("DOMContentLoaded", function () {
  var value = document.getElementById("revealed-value");
  if (!value) { return; }
  var left = parseInt(value.getAttribute("data-hide-after"), 10) || 30;
  var counter = document.getElementById("reveal-countdown");
  var timer = window.setInterval(function () {
    left -= 1;
    if (counter) { counter.textContent = String(left); }
    if (left > 0) { return; }
    window.clearInterval(timer);
    var box = document.getElementById("reveal-box");
    value.textContent = "";
    if (box) { box.remove(); }
    var hidden = document.getElementById("reveal-hidden");
    if (hidden) { hidden.hidden = false; }
  }, 1000);
});
"""#
}
