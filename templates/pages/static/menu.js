// The menu sits behind a button on a phone, so that the page's own work comes first; a wider screen
// (a laptop, a tablet turned) shows it open as a bar, without the button. Without this script the
// button works on every screen (details/summary).
(function () {
  var menu = document.getElementById("menu");
  var wide = window.matchMedia("(min-width: 48rem)");
  if (wide.matches) menu.open = true;
  wide.addEventListener("change", function (event) { menu.open = event.matches; });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && menu.open && !wide.matches) {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });
})();
