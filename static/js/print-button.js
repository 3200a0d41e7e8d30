// The "Print" button of printable pages (no inline scripts: Content-Security-Policy allows only our files).
document.addEventListener("DOMContentLoaded", function () {
  var button = document.getElementById("print-button");
  if (button) {
    button.addEventListener("click", function () { window.print(); });
  }
});
