// A picking list on a phone (warehouse/pick.html). Without this script the page still works: each line
// is ticked with its radio buttons, Enter in the scan field asks the server to tick the scanned line, and
// the server refuses a pick with a line neither ticked nor marked short. With it:
// - a scan (a scanner types the code and Enter) ticks the line at once, here: an item barcode ticks the
//   first line of that item not done yet, a lot label (its number: 123, L-123, or its lot code) that lot;
// - "Picked all" fills in the whole quantity; "Short" clears it for the quantity found; a second tap on
//   a ticked "Picked all" unticks the line;
// - "Confirm" stays disabled until every line is ticked or marked short.
(function () {
  "use strict";
  var form = document.getElementById("pick-form");
  if (!form) return;
  var lines = Array.prototype.slice.call(form.querySelectorAll(".pick-line"));
  var scan = document.getElementById("scan");
  var result = document.getElementById("scan-result");
  var confirm = document.getElementById("confirm-pick");
  var hint = document.getElementById("confirm-hint");
  var doneCount = document.getElementById("done-count");
  var SEPARATORS = /[\s\-－‐‑‒–—―−ー]/g;
  var LOT_NUMBER = /^(?:#|L-?|LOT-?|ロット)?(\d{1,18})$/i;

  function radio(line, value) { return line.querySelector('input[type="radio"][value="' + value + '"]'); }
  function quantity(line) { return line.querySelector(".qty input"); }
  function state(line) {
    var checked = line.querySelector('input[type="radio"]:checked');
    return checked ? checked.value : "";
  }

  function update() {
    var done = 0;
    lines.forEach(function (line) {
      var now = state(line);
      line.classList.toggle("is-picked", now === "picked");
      line.classList.toggle("is-short", now === "short");
      if (now) done += 1;
    });
    doneCount.textContent = String(done);
    confirm.disabled = done < lines.length;
    hint.hidden = !confirm.disabled;
  }

  function tick(line) {
    radio(line, "picked").checked = true;
    quantity(line).value = line.dataset.quantity;
    update();
  }

  function validBarcode(code) {
    if (!/^(\d{8}|\d{13})$/.test(code)) return false;
    var digits = code.split("").map(Number);
    var check = digits.pop();
    var sum = 0;
    digits.reverse().forEach(function (digit, index) { sum += digit * (index % 2 === 0 ? 3 : 1); });
    return (10 - (sum % 10)) % 10 === check;
  }

  function matching(raw) {
    var text = raw.normalize("NFKC").trim();
    if (!text) return null;
    var code = text.replace(SEPARATORS, "");
    if (validBarcode(code)) {
      var ofItem = lines.filter(function (line) { return line.dataset.barcode === code; });
      return ofItem.filter(function (line) { return !state(line); })[0] || ofItem[0] || null;
    }
    var number = LOT_NUMBER.exec(text.replace(/\s/g, ""));
    if (number) {
      var byLot = lines.filter(function (line) { return line.dataset.lot === String(Number(number[1])); })[0];
      if (byLot) return byLot;
    }
    var wanted = text.toLowerCase();
    return lines.filter(function (line) { return line.dataset.lotCode && line.dataset.lotCode.toLowerCase() === wanted; })[0] || null;
  }

  function say(text, bad) {
    result.textContent = "";
    var span = document.createElement("span");
    span.className = bad ? "field-error" : "ok";
    span.textContent = text;
    result.appendChild(span);
  }

  function scanned() {
    var line = matching(scan.value);
    scan.value = "";
    if (!line) {
      say(form.dataset.noMatch, true);
      return;
    }
    var name = line.querySelector(".item").textContent + " " + line.querySelector(".loc").textContent;
    lines.forEach(function (other) { other.classList.remove("just-scanned"); });
    line.classList.add("just-scanned");
    line.scrollIntoView({ block: "nearest" });
    if (line.dataset.blocked) {
      say(name + ": " + form.dataset.blocked, true);
      return;
    }
    var already = state(line) === "picked";
    tick(line);
    say((already ? form.dataset.already : form.dataset.ticked) + " " + name);
  }

  scan.addEventListener("keydown", function (event) {
    if (event.key === "Enter") {
      event.preventDefault();
      scanned();
    }
  });
  form.addEventListener("submit", function (event) {
    if (event.submitter && event.submitter.value === "scan") {
      event.preventDefault();
      scanned();
      scan.focus();
    }
  });

  lines.forEach(function (line) {
    var picked = radio(line, "picked");
    var wasChecked = false;
    // A second tap on a ticked line unticks it (radio buttons alone cannot be cleared).
    picked.parentElement.addEventListener("pointerdown", function () { wasChecked = picked.checked; });
    picked.addEventListener("click", function () {
      if (wasChecked) {
        picked.checked = false;
        wasChecked = false;
        update();
      }
    });
    picked.addEventListener("change", function () { if (picked.checked) tick(line); });
    radio(line, "short").addEventListener("change", function () {
      var field = quantity(line);
      if (field.value === line.dataset.quantity) field.value = line.dataset.blocked ? "0" : "";
      update();
      field.focus();
      field.select();
    });
    quantity(line).addEventListener("keydown", function (event) {
      if (event.key === "Enter") {  // not a scan: leave the field rather than post the form
        event.preventDefault();
        event.target.blur();
      }
    });
  });
  update();
})();
