// Receiving with a scanner: scan (the scanner types the code and Enter), type the date and Enter, the
// quantity and Enter: the line is added and the barcode field is ready for the next scan.
// - An unknown barcode opens the item registration fields in place; registering posts the whole form,
//   so the lines and what was typed come back with the new line.
// - Dates are checked as they are typed by the server's own rules (GET /warehouse/receive/check):
//   refused at once, an unusual one asked about ("is this right?") until ticked.
// - Lines are corrected in place (their date, quantity and location are fields); every problem is
//   also listed at the top with a link to its field.
// - A draft of the form is kept in this tab's sessionStorage (a donor may be a named person: never
//   localStorage), so that lines typed while the sign-in expired are back after signing in again. It is
//   dropped once the receipt is saved (the receipt page) and on sign-out (drafts.js, on every page).
// Without JavaScript the same form works: "Add line" posts and the page comes back with the line.
(() => {
  "use strict";
  const DRAFT = "foodbank.draft.receive";
  const dropDraft = () => {
    try {
      sessionStorage.removeItem(DRAFT);
    } catch (_) {
      /* storage refused: nothing was kept */
    }
  };
  if (document.querySelector("[data-saved-receipt]")) {
    dropDraft(); // the receipt page, right after saving
    return;
  }
  const form = document.getElementById("receipt");
  if (!form) return;
  const $ = (id) => document.getElementById(id);
  const text = form.dataset;
  const zones = JSON.parse(text.locationZones || "{}");
  const units = JSON.parse(text.units || "{}");
  const barcode = $("new-barcode"), itemId = $("new-item_id"), found = $("entry-item");
  const query = $("new-item_query"), results = $("search-results");
  const date = $("new-date"), quantity = $("new-quantity"), location = $("location_id");
  const received = $("received_date"), entryConfirm = $("new-date_confirmed");
  const list = $("lines"), template = $("line-template"), count = $("line-count"), noLines = $("no-lines");
  const save = $("save"), register = $("register"), status = $("status");
  const problems = $("problems"), problemList = $("problem-list");
  const dateLabel = document.querySelector('label[for="new-date"]');
  const english = document.documentElement.lang === "en";
  let current = null;

  const itemName = (item) => (english && item.name_en) || item.name_ja;
  const digits = (value) => value.trim().replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0));

  function say(message, bad) {
    found.textContent = message;
    found.classList.toggle("bad", Boolean(bad));
  }

  // --- the sign-in expired --------------------------------------------------------------------------
  function expired() {
    saveDraft();
    const link = document.createElement("a");
    link.href = "/sign-in?next=" + encodeURIComponent("/warehouse/receive");
    link.textContent = text.msgSignIn;
    status.replaceChildren(text.msgExpired + " ", link);
    status.classList.add("bad");
  }

  async function getJson(url) {
    let response;
    try {
      response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    } catch (_) {
      return { status: 0, body: null };
    }
    const signIn = response.redirected && new URL(response.url).pathname === "/sign-in";
    if (response.status === 401 || signIn) {
      expired();
      return { status: 401, body: null };
    }
    const json = (response.headers.get("content-type") || "").includes("json");
    return { status: response.status, body: response.ok && json ? await response.json() : null };
  }

  // --- problems at the top, with links ----------------------------------------------------------------
  const found_problems = new Map(); // input id -> message, from the checks as typed

  function lineLabel(input) {
    const li = input.closest("li.line");
    return li ? li.querySelector(".line-no").textContent + ": " : "";
  }

  function renderProblems() {
    problemList.querySelectorAll("li[data-typed]").forEach((li) => li.remove());
    for (const [id, message] of found_problems) {
      const input = $(id);
      if (!input) continue;
      const li = document.createElement("li");
      li.dataset.typed = "1";
      const link = document.createElement("a");
      link.href = "#" + id;
      link.textContent = lineLabel(input) + message;
      li.append(link);
      problemList.append(li);
    }
    problems.hidden = problemList.children.length === 0;
  }

  function forgetServerProblems(input) {
    // What the server said about this field was about what it held before.
    problemList.querySelectorAll(`a[href="#${input.id}"]`).forEach((a) => a.closest("li").remove());
    const field = input.closest(".field");
    if (field) {
      field.querySelectorAll(".field-error").forEach((p) => p.remove());
      field.classList.remove("has-error");
    }
    input.removeAttribute("aria-invalid");
    renderProblems();
  }

  problemList.addEventListener("click", (event) => {
    const link = event.target.closest("a[href^='#']");
    const target = link && $(link.getAttribute("href").slice(1));
    if (!target) return;
    event.preventDefault();
    target.scrollIntoView({ block: "center" });
    target.focus();
  });

  // --- dates checked as typed -------------------------------------------------------------------------
  const tickets = new WeakMap();

  function itemOf(input) {
    if (input === date) return current && current.id;
    const li = input.closest("li.line");
    return li && li.querySelector('input[name$="-item_id"]').value;
  }

  function show(input, note) {
    const place = $(input.id + "-note"), confirm = $(input.id + "-confirm");
    if (place) {
      place.textContent = note ? note.message : "";
      place.classList.toggle("bad", Boolean(note && note.level !== "warn"));
      place.classList.toggle("warn", Boolean(note && note.level === "warn"));
    }
    const asking = Boolean(note && note.level === "ask");
    if (confirm) {
      if (!asking) confirm.querySelector("input").checked = false;
      confirm.hidden = !asking;
    }
    const confirmed = asking && confirm && confirm.querySelector("input").checked;
    if (note && note.level !== "warn" && !confirmed) {
      input.setAttribute("aria-invalid", "true");
      found_problems.set(input.id, note.message);
    } else {
      input.removeAttribute("aria-invalid");
      found_problems.delete(input.id);
    }
    renderProblems();
  }

  async function check(input) {
    const ticket = (tickets.get(input) || 0) + 1;
    tickets.set(input, ticket);
    const params = new URLSearchParams({ received_date: received.value });
    if (input !== received) {
      const item = itemOf(input);
      if (!input.value.trim() || !item) {
        show(input, null);
        return null;
      }
      params.set("item_id", item);
      params.set("typed", input.value);
    }
    const { body } = await getJson("/warehouse/receive/check?" + params);
    if (!body || tickets.get(input) !== ticket) return null;
    const note = input === received ? body.received_date : body.date;
    show(input, note);
    if (input === received) form.querySelectorAll("li.line [data-check-date]").forEach((i) => i.value && check(i));
    return note;
  }

  const timers = new WeakMap();
  form.addEventListener("input", (event) => {
    const input = event.target;
    if (!input.matches("[data-check-date]")) return;
    forgetServerProblems(input);
    const confirm = $(input.id + "-confirm");
    if (confirm) confirm.querySelector("input").checked = false;
    clearTimeout(timers.get(input));
    timers.set(input, setTimeout(() => check(input), 500));
  });
  form.addEventListener("change", (event) => {
    const input = event.target;
    if (input.matches("[data-check-date]")) {
      clearTimeout(timers.get(input));
      check(input);
    } else if (input.type === "checkbox" && input.closest(".confirm")) {
      const dated = input.closest(".field").querySelector("[data-check-date]");
      if (input.checked) {
        dated.removeAttribute("aria-invalid");
        found_problems.delete(dated.id);
        renderProblems();
      } else check(dated);
    } else if (input.name && /^lines-\d+-(quantity|location_id)$/.test(input.name)) {
      forgetServerProblems(input);
    }
  });

  // --- lines ------------------------------------------------------------------------------------------
  function renumber() {
    const rows = list.querySelectorAll("li.line");
    rows.forEach((li, n) => (li.querySelector(".line-no").textContent = text.msgLine.replace("{n}", n + 1)));
    count.textContent = rows.length;
    noLines.hidden = rows.length > 0;
  }

  function labelFor(kind) {
    return (
      { best_before: text.labelBestBefore, use_by: text.labelUseBy, crop_year: text.labelCropYear }[kind] ||
      (kind === "none" ? text.labelNoDate : text.labelExpiry)
    );
  }

  function addRow(line) {
    const indexes = [...list.querySelectorAll("li.line")].map((li) => Number(li.dataset.index));
    const i = indexes.length ? Math.max(...indexes) + 1 : 0;
    const holder = document.createElement("ol");
    holder.innerHTML = template.innerHTML.replaceAll("__i__", String(i)); // our own markup, a number put in
    const li = holder.firstElementChild;
    const field = (name) => li.querySelector(`[name="lines-${i}-${name}"]`);
    li.dataset.itemName = line.name;
    li.dataset.dateKind = line.kind;
    li.querySelector(".line-name").textContent = line.name;
    field("item_id").value = line.item_id || "";
    field("barcode").value = line.barcode || "";
    const dated = li.querySelector("[data-check-date]");
    li.querySelector(`label[for="${dated.id}"]`).textContent = labelFor(line.kind);
    if (line.kind === "crop_year") dated.name = `lines-${i}-crop_year`;
    if (line.kind === "none") {
      dated.disabled = true;
      dated.closest(".field").hidden = true;
    }
    dated.value = line.date || "";
    field("quantity").value = line.quantity;
    if (line.unit && units[line.unit]) {
      li.querySelector(`label[for="lines-${i}-quantity"]`).append(` (${units[line.unit]})`);
      li.dataset.unit = line.unit;
    }
    field("location_id").value = line.location_id;
    const confirmed = field("date_confirmed");
    confirmed.checked = Boolean(line.confirmed);
    confirmed.closest(".confirm").hidden = !line.confirmed;
    list.append(li);
    renumber();
    return li;
  }

  list.addEventListener("click", (event) => {
    const remove = event.target.closest("button.remove");
    if (!remove) return;
    event.preventDefault();
    const li = remove.closest("li.line");
    li.querySelectorAll("[id]").forEach((el) => found_problems.delete(el.id));
    problemList.querySelectorAll("a[href]").forEach((a) => {
      if (li.querySelector(a.getAttribute("href"))) a.closest("li").remove();
    });
    li.remove();
    renumber();
    renderProblems();
    saveDraft();
    barcode.focus();
  });

  // --- the entry fields -------------------------------------------------------------------------------
  function choose(item) {
    current = item;
    itemId.value = item ? item.id : "";
    if (!item) return;
    say(itemName(item), false);
    const kind = item.date_kind;
    dateLabel.textContent = labelFor(kind);
    date.disabled = kind === "none";
    if (register) register.hidden = true;
  }

  function next() {
    (current && current.date_kind === "none" ? quantity : date).focus();
  }

  function offerRegistration(code) {
    if (!register) return false;
    register.hidden = false;
    const zone = zones[location.value];
    const zoneField = $("item-zone");
    if (zone && zoneField) zoneField.value = zone;
    say(text.msgUnknown, true);
    $("item-name_ja").focus();
    return true;
  }

  async function lookUp() {
    const code = barcode.value.trim();
    if (!code) return Boolean(current);
    const { status: answer, body } = await getJson("/api/items/by-barcode/" + encodeURIComponent(code));
    if (body) {
      choose(body);
      return true;
    }
    choose(null);
    if (answer === 401) return false;
    if (answer === 404 && offerRegistration(code)) return false;
    say(answer === 422 ? text.msgInvalid : text.msgUnknown, true);
    barcode.select();
    return false;
  }

  function normaliseDate(value) {
    const typed = digits(value);
    if (/^\d{6}$/.test(typed)) return typed.slice(0, 4) + "-" + typed.slice(4);
    if (/^\d{8}$/.test(typed)) return typed.slice(0, 4) + "-" + typed.slice(4, 6) + "-" + typed.slice(6);
    return value.trim();
  }

  async function dateAccepted() {
    if (!current || current.date_kind === "none" || !date.value.trim()) return true;
    const note = await check(date);
    if (note && note.level === "refuse") {
      date.focus();
      return false;
    }
    if (note && note.level === "ask" && !entryConfirm.checked) {
      say(text.msgConfirm, true);
      entryConfirm.focus();
      return false;
    }
    return true;
  }

  async function addLine() {
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
    const count_ = digits(quantity.value);
    if (!/^[1-9]\d*$/.test(count_)) {
      say(text.msgQuantity, true);
      quantity.focus();
      return;
    }
    if (!(await dateAccepted())) return;
    const when = current.date_kind === "none" ? "" : normaliseDate(date.value);
    addRow({
      name: itemName(current),
      kind: current.date_kind,
      unit: current.unit,
      item_id: current.id,
      barcode: "",
      date: when,
      quantity: count_,
      location_id: location.value,
      confirmed: entryConfirm.checked ? "1" : "",
    });
    say("✓ " + itemName(current) + " × " + count_, false);
    barcode.value = date.value = quantity.value = "";
    query.value = "";
    results.replaceChildren();
    entryConfirm.checked = false;
    show(date, null);
    choose(null);
    date.disabled = false;
    dateLabel.textContent = text.labelExpiry;
    saveDraft();
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
  barcode.addEventListener("input", () => {
    choose(null);
    if (register) register.hidden = true;
  });
  onEnter(date, () => {
    date.value = normaliseDate(date.value);
    quantity.focus(); // at once, so that the quantity typed next lands there; a refusal brings the date back
    dateAccepted();
  });
  onEnter(entryConfirm, () => {
    entryConfirm.checked = true;
    entryConfirm.dispatchEvent(new Event("change", { bubbles: true }));
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
  const unreadable = $("item-label_unreadable");
  if (unreadable) {
    const allergens = $("item-allergens");
    const sync = () => {
      allergens.hidden = unreadable.checked;
      if (unreadable.checked) allergens.querySelectorAll("input").forEach((box) => (box.checked = false));
    };
    unreadable.addEventListener("change", sync);
    sync();
  }

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

  // --- the draft --------------------------------------------------------------------------------------
  const SKIPPED = new Set(["_csrf", "_once", "action", "new-item_id"]);

  function collect() {
    const values = {};
    for (const el of form.elements) {
      if (!el.name || SKIPPED.has(el.name) || el.name.startsWith("lines-") || el.disabled) continue;
      if (el.type === "checkbox" && el.name === "item-allergens") {
        values[el.name] = values[el.name] || [];
        if (el.checked) values[el.name].push(el.value);
      } else if (el.type === "checkbox") values[el.name] = el.checked ? el.value : "";
      else if (el.type === "radio") {
        if (el.checked) values[el.name] = el.value;
      } else if (el.type !== "submit" && el.type !== "button") values[el.name] = el.value;
    }
    const lines = [...list.querySelectorAll("li.line")].map((li) => {
      const i = li.dataset.index;
      const get = (name) => {
        const el = form.elements[`lines-${i}-${name}`];
        if (!el) return "";
        return el.type === "checkbox" ? (el.checked ? "1" : "") : el.value;
      };
      return {
        name: li.dataset.itemName,
        kind: li.dataset.dateKind,
        unit: li.dataset.unit || "",
        item_id: get("item_id"),
        barcode: get("barcode"),
        date: get(li.dataset.dateKind === "crop_year" ? "crop_year" : "expiry"),
        quantity: get("quantity"),
        location_id: get("location_id"),
        confirmed: get("date_confirmed"),
      };
    });
    return { user: text.user, values, lines, registering: Boolean(register && !register.hidden) };
  }

  function saveDraft() {
    try {
      sessionStorage.setItem(DRAFT, JSON.stringify(collect()));
    } catch (_) {
      /* storage full or refused: the form still works */
    }
  }

  function restore() {
    let draft;
    try {
      draft = JSON.parse(sessionStorage.getItem(DRAFT) || "null");
    } catch (_) {
      return;
    }
    if (!draft) return;
    if (draft.user !== text.user) {
      dropDraft(); // someone else's, left in this tab
      return;
    }
    const typed = Object.entries(draft.values).some(
      ([name, value]) => name.startsWith("new-") && value && (!Array.isArray(value) || value.length),
    );
    if (!draft.lines.length && !typed) return;
    for (const [name, value] of Object.entries(draft.values)) {
      const el = form.elements[name];
      if (!el) continue;
      if (name === "item-allergens") {
        form.querySelectorAll('input[name="item-allergens"]').forEach((box) => (box.checked = value.includes(box.value)));
      } else if (el.type === "checkbox") el.checked = Boolean(value);
      else el.value = value;
    }
    draft.lines.forEach(addRow);
    if (draft.registering && register) register.hidden = false;
    form.querySelectorAll("[data-check-date]").forEach((input) => input.value && input !== date && check(input));
    status.textContent = text.msgRestored;
  }

  if (text.posted) saveDraft(); // the server's answer holds every line: it is the draft now
  else restore();
  form.addEventListener("input", saveDraft);
  form.addEventListener("change", saveDraft);

  // Submit once: a second tap while the first is on its way does nothing.
  form.addEventListener("submit", (event) => {
    saveDraft();
    if (event.submitter === save) {
      if (save.dataset.sent) {
        event.preventDefault();
        return;
      }
      save.dataset.sent = "1";
      setTimeout(() => (save.disabled = true), 0);
    }
  });
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) {
      delete save.dataset.sent;
      save.disabled = false;
    }
  });
})();
