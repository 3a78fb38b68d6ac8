/**
 * The dashboard's only script, served from /admin/assets/dashboard.js (CSP `script-src 'self'`:
 * no inline script runs). Every page works without it; it only keeps a slider and its number box
 * in step and adds up experiment weights as they are typed.
 */
export const DASHBOARD_SCRIPT = `"use strict";
document.querySelectorAll("input[data-sync]").forEach(function (slider) {
  var box = document.getElementById(slider.getAttribute("data-sync"));
  if (!box) return;
  slider.addEventListener("input", function () { box.value = slider.value; });
  box.addEventListener("input", function () { if (box.value !== "") slider.value = box.value; });
});
document.querySelectorAll("[data-weights]").forEach(function (group) {
  var out = group.querySelector("[data-weight-sum]");
  function sum() {
    var total = 0;
    group.querySelectorAll("input[data-weight]").forEach(function (input) {
      var n = parseFloat(input.value);
      if (!isNaN(n)) total += n;
    });
    if (out) out.textContent = String(Math.round(total * 100) / 100);
    group.setAttribute("data-sum-ok", String(Math.abs(total - 100) < 0.005));
  }
  group.addEventListener("input", sum);
  sum();
});
`;
