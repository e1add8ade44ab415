// Appliance intake: as the year made and the kind are chosen, say how old the appliance is on the day it is
// received and whether its kind takes it (the limit of each kind is on its option). The service checks the
// same again when the form is saved; without this script the hint stays and the refusal says the age.
(function () {
  var age = document.getElementById("age");
  var year = document.getElementById("manufacture_year");
  var kind = document.getElementById("category");
  var received = document.getElementById("received_date");
  if (!age || !year || !kind || !received) return;
  var first = age.textContent;

  function show() {
    var made = parseInt(year.value.replace(/[０-９]/g, function (d) { return String.fromCharCode(d.charCodeAt(0) - 0xfee0); }), 10);
    var on = received.value ? parseInt(received.value.slice(0, 4), 10) : new Date().getFullYear();
    var option = kind.options[kind.selectedIndex];
    var limit = option ? parseInt(option.getAttribute("data-max-age") || "", 10) : NaN;
    age.classList.remove("too-old");
    if (!(made >= 1950 && made <= 2100)) { age.textContent = first; return; }
    var years = on - made;
    if (years < 0) { age.textContent = age.getAttribute("data-future"); age.classList.add("too-old"); return; }
    if (isNaN(limit)) { age.textContent = first; return; }
    var template = years > limit ? age.getAttribute("data-too-old") : age.getAttribute("data-age");
    age.textContent = template.replace("{age}", String(years)).replace("{limit}", String(limit));
    if (years > limit) age.classList.add("too-old");
  }

  year.addEventListener("input", show);
  kind.addEventListener("change", show);
  received.addEventListener("change", show);
  show();
})();
