// Receiving with a scanner: scan (the scanner types the code and Enter), type the date and Enter,
// the quantity and Enter: the line is added and the barcode field is ready for the next scan.
// Without JavaScript the same form works: "Add line" posts and the page comes back with the line.
(() => {
  "use strict";
  const form = document.getElementById("receipt");
  if (!form) return;
  const $ = (id) => document.getElementById(id);
  const text = form.dataset;
  const barcode = $("new-barcode"), itemId = $("new-item_id"), found = $("entry-item");
  const query = $("new-item_query"), results = $("search-results");
  const date = $("new-date"), quantity = $("new-quantity"), location = $("location_id");
  const tbody = $("lines").tBodies[0], count = $("line-count"), noLines = $("no-lines"), save = $("save");
  const dateLabel = document.querySelector('label[for="new-date"]');
  const english = document.documentElement.lang === "en";
  let current = null;

  const itemName = (item) => (english && item.name_en) || item.name_ja;

  function say(message, bad) {
    found.textContent = message;
    found.classList.toggle("bad", Boolean(bad));
  }

  function choose(item) {
    current = item;
    itemId.value = item ? item.id : "";
    if (!item) return;
    say(itemName(item), false);
    const kind = item.date_kind;
    dateLabel.textContent = kind === "crop_year" ? text.labelCropYear : kind === "none" ? text.labelNoDate : text.labelExpiry;
    date.disabled = kind === "none";
  }

  function next() {
    (current && current.date_kind === "none" ? quantity : date).focus();
  }

  async function getJson(url) {
    const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    return { status: response.status, body: response.ok ? await response.json() : null };
  }

  async function lookUp() {
    const code = barcode.value.trim();
    if (!code) return Boolean(current);
    const { status, body } = await getJson("/api/items/by-barcode/" + encodeURIComponent(code));
    if (body) {
      choose(body);
      return true;
    }
    choose(null);
    say(status === 422 ? text.msgInvalid : text.msgUnknown, true);
    barcode.select();
    return false;
  }

  function normaliseDate(value) {
    const digits = value.trim().replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0));
    if (/^\d{6}$/.test(digits)) return digits.slice(0, 4) + "-" + digits.slice(4);
    if (/^\d{8}$/.test(digits)) return digits.slice(0, 4) + "-" + digits.slice(4, 6) + "-" + digits.slice(6);
    return value.trim();
  }

  function hidden(index, name, value) {
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = `lines-${index}-${name}`;
    input.value = value;
    return input;
  }

  function cell(label, content) {
    const td = document.createElement("td");
    td.dataset.label = label;
    td.append(content);
    return td;
  }

  function renumber() {
    const rows = tbody.querySelectorAll("tr[data-index]").length;
    count.textContent = rows;
    noLines.hidden = rows > 0;
  }

  function addLine() {
    if (!current) {
      say(text.msgPickItem, true);
      barcode.focus();
      return;
    }
    if (!location.value) {
      say(text.msgLocation, true);
      location.focus();
      return;
    }
    const units = quantity.value.trim().replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0));
    if (!/^[1-9]\d*$/.test(units)) {
      say(text.msgQuantity, true);
      quantity.focus();
      return;
    }
    const indexes = [...tbody.querySelectorAll("tr[data-index]")].map((tr) => Number(tr.dataset.index));
    const index = indexes.length ? Math.max(...indexes) + 1 : 0;
    const when = current.date_kind === "none" ? "" : normaliseDate(date.value);
    const place = location.options[location.selectedIndex];
    const headings = [...$("lines").tHead.rows[0].cells].map((th) => th.textContent);
    const tr = document.createElement("tr");
    tr.dataset.index = index;
    const first = cell(headings[0], itemName(current));
    first.append(
      hidden(index, "item_id", current.id),
      hidden(index, current.date_kind === "crop_year" ? "crop_year" : "expiry", when),
      hidden(index, "quantity", units),
      hidden(index, "location_id", location.value),
    );
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "link remove";
    remove.textContent = text.labelRemove;
    remove.addEventListener("click", () => {
      tr.remove();
      renumber();
    });
    tr.append(
      first,
      cell(headings[1], when || "—"),
      cell(headings[2], units),
      cell(headings[3], location.value ? place.textContent.split(" ")[0] : ""),
      cell("", remove),
    );
    tbody.append(tr);
    renumber();
    say("✓ " + itemName(current) + " × " + units, false);
    barcode.value = date.value = quantity.value = "";
    query.value = "";
    results.replaceChildren();
    choose(null);
    date.disabled = false;
    dateLabel.textContent = text.labelExpiry;
    barcode.focus();
  }

  const onEnter = (element, action) =>
    element.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" || event.isComposing) return;
      event.preventDefault();
      action();
    });

  onEnter(barcode, async () => {
    if (await lookUp()) next();
  });
  barcode.addEventListener("input", () => choose(null));
  onEnter(date, () => {
    date.value = normaliseDate(date.value);
    quantity.focus();
  });
  onEnter(quantity, async () => {
    if (!current && barcode.value.trim() && !(await lookUp())) return;
    addLine();
  });
  $("add-line").addEventListener("click", async (event) => {
    event.preventDefault();
    if (!current && barcode.value.trim() && !(await lookUp())) return;
    addLine();
  });

  // Item search, for items without a barcode or with an unreadable one.
  let searching = 0;
  async function search() {
    const words = query.value.trim();
    const ticket = ++searching;
    if (!words) {
      results.replaceChildren();
      return;
    }
    const { body } = await getJson("/api/items?limit=8&q=" + encodeURIComponent(words));
    if (ticket !== searching) return;
    results.replaceChildren(
      ...(body || []).map((item) => {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "result";
        button.setAttribute("role", "option");
        button.textContent = itemName(item);
        button.addEventListener("click", () => {
          barcode.value = "";
          choose(item);
          results.replaceChildren();
          next();
        });
        return button;
      }),
    );
    if (!body || !body.length) say(text.msgNoMatch, true);
  }
  let timer;
  query.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(search, 250);
  });
  onEnter(query, async () => {
    clearTimeout(timer);
    await search();
    const options = results.querySelectorAll("button");
    if (options.length === 1) options[0].click();
    else if (options.length) options[0].focus();
  });

  // Submit once: a second tap while the first is on its way does nothing.
  form.addEventListener("submit", (event) => {
    if (event.submitter === save) {
      if (save.dataset.sent) {
        event.preventDefault();
        return;
      }
      save.dataset.sent = "1";
      setTimeout(() => (save.disabled = true), 0);
    }
  });
})();
