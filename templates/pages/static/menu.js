// On a phone, a long menu (a user with several roles) starts folded, so that the page comes first; one tap
// opens it. A wider screen (a tablet turned, a window widened) always shows it: the summary is hidden there.
(function () {
  var menu = document.currentScript.previousElementSibling;
  var narrow = window.matchMedia("(max-width: 47.99rem)");
  if (narrow.matches && menu.querySelectorAll("a").length > 7) menu.open = false;
  narrow.addEventListener("change", function (event) { if (!event.matches) menu.open = true; });
})();
