// The poster's "Print" button: shown only where scripts run, since printing needs one.

const button = document.querySelector("[data-print]");
if (button) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
