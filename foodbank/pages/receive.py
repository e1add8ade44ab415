"""The warehouse volunteer's receive job: scan or search the items of a donation, type their dates and
quantities, correct a line in place, register an item whose barcode is unknown without leaving the
page, save the receipt once, then see it with its donor receipt (寄贈受領書) and its lots.

- The form is the API's receipt schema (`stock.schemas.ReceiptIn`) with a volunteer's words for its
  messages (`ReceiptForm`), loaded into the same `ReceiveCommand` the API gives the service; the item
  registration is the API's `ItemIn` with `catalogue.services.create_item`.
- Dates follow one set of rules (`stock.dates`, applied by `stock.services`): the page's script asks
  `GET /warehouse/receive/check` as a date is typed, the service decides at save. An unusual date is
  asked about once ("is this right?") and saved once confirmed.
- Without JavaScript every step still works: "Add line" posts the whole form and the page comes back
  with the line; an unknown barcode brings the registration fields.
- receive.js keeps a draft of the form in the tab's sessionStorage (a donor may be a named person),
  so that lines typed while the sign-in expired come back after signing in again; the draft is dropped
  on save (the receipt page) and on sign-out.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from litestar import Response, get, post
from litestar.response import Template
from marshmallow import ValidationError, fields
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.catalogue import queries as catalogue_queries
from foodbank.catalogue import services as catalogue_services
from foodbank.catalogue.barcodes import is_valid, normalise
from foodbank.catalogue.controllers import ITEM_CREATORS
from foodbank.catalogue.schemas import ItemIn
from foodbank.config import Settings
from foodbank.lib.access import Principal, allow
from foodbank.lib.clock import today
from foodbank.lib.errors import Forbidden, flatten_marshmallow_errors
from foodbank.lib.messages import Message
from foodbank.lib.validation import checked_load, schema
from foodbank.models import Item, ReceiptKind, Unit, Zone
from foodbank.pages.api_forms import page_form
from foodbank.pages.forms import FORM_ERROR, Form, FormSchema, attempt, empty_form, load_form
from foodbank.pages.i18n import N_, label_msgid, local_name
from foodbank.pages.layout import Nav, Ui, page
from foodbank.picking.fefo import DateKind
from foodbank.stock import dates, services
from foodbank.stock import queries as stock_queries
from foodbank.stock.controllers import WAREHOUSE
from foodbank.stock.errors import ReceiptNotFound
from foodbank.stock.schemas import ReceiptIn, ReceiptLineIn

STAFF = allow(*WAREHOUSE)

# --- the API's schemas, with a volunteer's words -----------------------------------------------------------


LINE_MESSAGES: Mapping[str, Mapping[str, str]] = {
    "quantity": {
        "required": N_("Give the quantity."),
        "invalid": N_("Give the quantity as a whole number."),
        "validate": N_("Give a quantity from 1 to 1,000,000."),
    },
    "location_id": {"required": N_("Choose the location."), "invalid": N_("Choose the location.")},
    "crop_year": {
        "invalid": N_("Give the crop year as four digits, such as 2025."),
        "validate": N_("Give the crop year as four digits, such as 2025."),
    },
    "item_id": {"invalid": N_("Scan a barcode or choose an item.")},
}


ReceiptLineForm = page_form(ReceiptLineIn, messages=LINE_MESSAGES)


_ReceiptPageForm = page_form(
    ReceiptIn,
    messages={
        "received_date": {
            "invalid": N_("Give the day the goods arrived, as YYYY-MM-DD."),
            "null": N_("Give the day the goods arrived, as YYYY-MM-DD."),
        },
        "donor_id": {"invalid": N_("Choose the donor."), "required": N_("Choose the donor.")},
        "lines": {
            "required": N_("Add at least one line before saving."),
            "validate": N_("A receipt holds at most 500 lines: save these, then start another."),
        },
    },
)


class ReceiptForm(_ReceiptPageForm):  # type: ignore[valid-type,misc]
    """The receive page's form: `ReceiptIn` and its lines (`ReceiptLineForm`), loaded into a
    `ReceiveCommand`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lines = self.fields["lines"]
        assert isinstance(lines, fields.List)
        assert isinstance(lines.inner, fields.Nested)
        lines.inner.nested = ReceiptLineForm
        lines.inner._schema = None  # built again from ReceiptLineForm on first use
        # The page receives donations only, and a donation needs its donor (the service's rule): said
        # with the other fields rather than after them.
        self.fields["donor_id"].required = True


ITEM_MESSAGES: Mapping[str, Mapping[str, str]] = {
    "name_ja": {"required": N_("Give the item's name."), "validate": N_("Give a name of up to 200 characters.")},
    "category_id": {"required": N_("Choose the category."), "invalid": N_("Choose the category.")},
    "unit": {"required": N_("Choose the unit."), "unknown": N_("Must be one of the choices.")},
    "unit_weight_kg": {
        "required": N_("Give the weight of one unit in kg, such as 0.4."),
        "invalid": N_("Give the weight of one unit in kg, such as 0.4."),
        "validate": N_("Give a weight from 0 to 1000 kg."),
    },
    "zone": {"required": N_("Choose where it is kept."), "unknown": N_("Must be one of the choices.")},
    "date_kind": {"required": N_("Choose which date the label carries."), "unknown": N_("Must be one of the choices.")},
}

ItemForm = page_form(ItemIn, messages=ITEM_MESSAGES)

ITEM_FIELDS = ("name_ja", "category_id", "unit", "unit_weight_kg", "zone", "date_kind")

UNIT_LABELS: Mapping[Unit, str] = {
    Unit.piece: N_("pieces"),
    Unit.pack: N_("packs"),
    Unit.can: N_("cans"),
    Unit.bottle: N_("bottles"),
    Unit.bag: N_("bags"),
    Unit.box: N_("boxes"),
    Unit.kg: N_("kg"),
}

# --- reading what was typed --------------------------------------------------------------------------------

LINE_FIELDS = ("item_id", "barcode", "expiry", "crop_year", "quantity", "location_id", "date_confirmed")
INTEGER_FIELDS = frozenset({"item_id", "crop_year", "quantity", "location_id", "donor_id", "category_id"})
ENTRY_FIELDS = ("new-barcode", "new-item_id", "new-item_query", "new-date", "new-quantity", "new-date_confirmed")


def normalise_date_input(text: str) -> str:
    """Digits only, as typed fast on a phone's number pad: 202703 is 2027-03, 20270315 is 2027-03-15."""
    compact = normalise(text.strip())
    if re.fullmatch(r"\d{6}", compact):
        return f"{compact[:4]}-{compact[4:]}"
    if re.fullmatch(r"\d{8}", compact):
        return f"{compact[:4]}-{compact[4:6]}-{compact[6:]}"
    return unicodedata.normalize("NFKC", text.strip())


def typed_number(text: str) -> int | str:
    """A whole number as typed (full-width digits too), for the API's strict integer fields; anything
    else stays text, for the schema to say what is wrong with it."""
    compact = unicodedata.normalize("NFKC", text).strip().replace(",", "")
    return int(compact) if re.fullmatch(r"-?\d{1,12}", compact) else text


def _raw_line(form: Form, index: int) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    for name in LINE_FIELDS:
        value = form.value(f"lines-{index}-{name}")
        if value == "":
            continue
        if name in INTEGER_FIELDS:
            raw[name] = typed_number(value)
        elif name == "expiry":
            raw[name] = normalise_date_input(value)
        else:
            raw[name] = value
    if "item_id" in raw:
        raw.pop("barcode", None)  # the page's script keeps the scanned code beside the item it found
    return raw


def _field_name(path: str, indexes: Sequence[int]) -> str:
    """`lines.2.expiry` (the third posted line) -> `lines-<its index>-expiry`."""
    parts = path.split(".")
    if parts[0] == "lines" and len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(indexes):
        return f"lines-{indexes[int(parts[1])]}-{parts[2]}"
    if parts[0] in {"lines", "(body)", "_schema", ""}:
        return FORM_ERROR
    return path


def load_receipt(form: Form) -> services.ReceiveCommand | None:
    """The posted lines and header as the API's command; what is wrong goes to its fields."""
    indexes = form.row_indexes("lines")
    raw: dict[str, Any] = {"kind": ReceiptKind.donation.value, "received_date": form.value("received_date")}
    if indexes:
        raw["lines"] = [_raw_line(form, index) for index in indexes]
    if donor := form.value("donor_id"):
        raw["donor_id"] = typed_number(donor)
    if form.value("received_date_confirmed"):
        raw["received_date_confirmed"] = form.value("received_date_confirmed")
    if notes := form.value("notes"):
        raw["notes"] = notes
    try:
        command: services.ReceiveCommand = checked_load(schema(ReceiptForm), raw)
    except ValidationError as error:
        for problem in flatten_marshmallow_errors(error.messages):
            form.add_error(_field_name(problem["field"], indexes), form.ui.tr.message(problem["message"]))
        return None
    return command


async def _posted_allergens(ui: Ui) -> list[str]:
    posted = await ui.request.form()
    return [str(code) for code in posted.getall("item-allergens", []) if isinstance(code, str)]


# --- the page -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineView:
    """A posted line as the page shows it: its item, and what the date rules say about its date."""

    index: int
    item: Item | None
    note: dates.DateNote | None

    @property
    def question(self) -> bool:
        return self.note is not None and self.note.level is dates.Level.ask


async def _items(session: AsyncSession, form: Form, extra_ids: Sequence[int] = ()) -> dict[str, Item]:
    """The items named by the posted rows, by `id:<n>` and `barcode:<code>`, to show their names."""
    ids, codes = set(extra_ids), set()
    for index in form.row_indexes("lines"):
        raw_id = form.value(f"lines-{index}-item_id")
        if raw_id.isdigit():
            ids.add(int(raw_id))
        if code := form.value(f"lines-{index}-barcode"):
            codes.add(normalise(code))
    found: dict[str, Item] = {}
    if ids or codes:
        for item in await catalogue_queries.items_by_ids_or_barcodes(session, ids, codes):
            found[f"id:{item.id}"] = item
            if item.barcode:
                found[f"barcode:{item.barcode}"] = item
    return found


def _received_date(form: Form) -> date | None:
    try:
        return date.fromisoformat(form.value("received_date"))
    except ValueError:
        return None


def typed_line_date(item: Item, text: str) -> services.ReceiptLine:
    """A line of `item` with its date as typed, read by the API's line fields (ValidationError if the
    date cannot be read or is out of any plausible range)."""
    line_form = schema(ReceiptLineForm)
    if item.date_kind is DateKind.crop_year:
        crop_year = line_form.fields["crop_year"].deserialize(typed_number(text))
        return services.ReceiptLine(quantity=1, item_id=item.id, crop_year=crop_year)
    expiry = line_form.fields["expiry"].deserialize(normalise_date_input(text))
    return services.ReceiptLine(quantity=1, item_id=item.id, expiry=expiry)


def _line_note(form: Form, index: int, item: Item | None, settings: Settings) -> dates.DateNote | None:
    received = _received_date(form)
    typed = form.value(f"lines-{index}-crop_year") or form.value(f"lines-{index}-expiry")
    if item is None or received is None or not typed or item.date_kind is DateKind.none:
        return None
    try:
        line = typed_line_date(item, typed)
    except ValidationError:
        return None  # the schema's own message says what is wrong
    return services.line_date_note(item, line, received_date=received, settings=settings.stock)


async def _choices(ui: Ui, session: AsyncSession) -> dict[str, Any]:
    locations = await catalogue_queries.locations(session)
    zone_names = {zone: ui._(label_msgid("zone", zone)) for zone in Zone}
    return {
        "donor_options": [
            (donor.id, donor.name or ui._("Anonymous donor"))
            for donor in await catalogue_queries.donors(session, limit=500)
        ],
        "location_options": [(loc.id, f"{loc.code} ({zone_names[loc.zone]})") for loc in locations],
        "location_zones": {loc.id: loc.zone.value for loc in locations},
        "locations": locations,
        "category_options": [(c.id, local_name(c, ui.lang)) for c in await catalogue_queries.categories(session)],
        "unit_options": [(unit.value, ui._(UNIT_LABELS[unit])) for unit in Unit],
        "unit_names": {unit.value: ui._(UNIT_LABELS[unit]) for unit in Unit},
        "zone_options": [(zone.value, zone_names[zone]) for zone in Zone],
        "date_kind_options": [(kind.value, ui._(label_msgid("date_kind", kind))) for kind in DateKind],
        "allergens": [
            (str(a["code"]), local_name(a, ui.lang)) for a in await catalogue_queries.allergens_on(session, today())
        ],
        "may_register": ui.principal is not None and ui.principal.has(*ITEM_CREATORS),
    }


async def _receive_page(
    ui: Ui, session: AsyncSession, settings: Settings, form: Form, *, status_code: int | None = None
) -> Template:
    items = await _items(session, form)
    rows = []
    for index in form.row_indexes("lines"):
        item = items.get(f"id:{form.value(f'lines-{index}-item_id')}") or items.get(
            f"barcode:{normalise(form.value(f'lines-{index}-barcode'))}"
        )
        rows.append(LineView(index, item, _line_note(form, index, item, settings)))
    received = _received_date(form)
    received_note = dates.received_date_note(received, today=today()) if received else None
    return ui.render(
        "warehouse/receive.html",
        form=form,
        rows=rows,
        problems=_problem_links(ui, form, rows),
        received_note=received_note,
        unit_label=lambda unit: ui._(UNIT_LABELS[unit]),
        status_code=form.status if status_code is None else status_code,
        **(await _choices(ui, session)),
    )


_LINE_FIELD = re.compile(r"lines-(\d+)-(\w+)")
_LINE_INPUTS = {"expiry": "date", "crop_year": "date", "date_confirmed": "date", "quantity": "quantity"}


def _problem_links(ui: Ui, form: Form, rows: Sequence[LineView]) -> list[tuple[str | None, str]]:
    """Every message of the form, for the summary at the top: a link to its field, the line named by
    its number on the page."""
    positions = {row.index: n for n, row in enumerate(rows, start=1)}
    links: list[tuple[str | None, str]] = []
    for name, messages in form.errors.items():
        for message in messages:
            if name == FORM_ERROR:
                links.append((None, message))
            elif match := _LINE_FIELD.fullmatch(name):
                index, field_name = int(match[1]), match[2]
                target = _LINE_INPUTS.get(field_name) or ("location_id" if field_name == "location_id" else None)
                href = f"#lines-{index}-{target}" if target else f"#line-{index}"
                line_name = ui._("Line %(n)s", n=positions.get(index, index + 1))
                links.append((href, f"{line_name}: {message}"))
            else:
                links.append((f"#{name}", message))
    return links


@get(
    "/warehouse/receive",
    opt=page(**STAFF, nav=Nav("warehouse", N_("Receive"), 10)),
    include_in_schema=False,
)
async def receive_page(ui: Ui, db_session: AsyncSession, settings: Settings, donor_id: int | None = None) -> Template:
    form = empty_form(ui, {"received_date": today().isoformat(), "donor_id": donor_id})
    return await _receive_page(ui, db_session, settings, form)


def _first_message(error: ValidationError) -> str:
    return flatten_marshmallow_errors(error.messages)[0]["message"]


@get("/warehouse/receive/check", opt=page(**STAFF), include_in_schema=False)
async def check_dates(
    ui: Ui,
    db_session: AsyncSession,
    settings: Settings,
    received_date: str = "",
    item_id: str = "",
    typed: str = "",
) -> Response[dict[str, Any]]:
    """What the date rules say about a received date, and about a line's date (`typed`) for its item,
    in the reader's language: receive.js asks as a date is typed. The answer is
    `{"received_date": note, "date": note, "value": the date as read}`, a note being
    `{"level": "warn"|"ask"|"refuse", "message": ...}` or null."""
    answer: dict[str, Any] = {"received_date": None, "date": None, "value": None}

    def note(found: dates.DateNote | None) -> dict[str, str] | None:
        return None if found is None else {"level": found.level.value, "message": ui._(found.message, **found.params)}

    def refused(error: ValidationError) -> dict[str, str]:
        return {"level": dates.Level.refuse.value, "message": ui.tr.message(_first_message(error))}

    received: date | None = None
    if received_date.strip():
        try:
            received = ReceiptForm().fields["received_date"].deserialize(received_date.strip())
        except ValidationError as error:
            answer["received_date"] = refused(error)
        else:
            answer["received_date"] = note(dates.received_date_note(received, today=today()))
    number = typed_number(item_id)
    if typed.strip() and isinstance(number, int):
        found = await catalogue_queries.items_by_ids_or_barcodes(db_session, {number}, set())
        item = found[0] if found else None
        if item is not None and item.date_kind is not DateKind.none:
            try:
                line = typed_line_date(item, typed)
            except ValidationError as error:
                answer["date"] = refused(error)
            else:
                answer["value"] = str(line.expiry) if line.expiry else line.crop_year
                if received is not None:
                    answer["date"] = note(
                        services.line_date_note(item, line, received_date=received, settings=settings.stock)
                    )
    return Response(answer, media_type="application/json")


async def _resolve_entry(ui: Ui, session: AsyncSession, settings: Settings, form: Form) -> dict[str, str] | None:
    """The line typed in the entry fields, as a row of strings, or None (nothing typed, or errors
    recorded on the entry fields). Without JavaScript, this is how lines are added."""
    barcode = normalise(form.value("new-barcode"))
    item_id = form.value("new-item_id")
    query = form.value("new-item_query")
    if not any(form.value(name) for name in ENTRY_FIELDS if name != "new-date_confirmed"):
        return None
    item: Item | None = None
    if barcode:
        if not is_valid(barcode):
            form.add_error(
                "new-barcode", ui._("Not a valid JAN/EAN barcode (8 or 13 digits with a correct check digit).")
            )
            return None
        item = await catalogue_queries.item_by_barcode(session, barcode)
        if item is None:
            form.add_error(
                "new-barcode", ui._("No item has the barcode %(barcode)s yet: register it below.", barcode=barcode)
            )
            form.data["unknown_barcode"] = barcode
            return None
    elif item_id.isdigit():
        found = await catalogue_queries.items_by_ids_or_barcodes(session, {int(item_id)}, set())
        item = found[0] if found else None
    elif query:
        matches = await catalogue_queries.items(session, search=query, limit=10)
        if len(matches) == 1:
            item = matches[0]
        else:
            problem = ui._("Choose one of the items found.") if matches else ui._("No item matches.")
            form.add_error("new-item_query", problem)
            form.data["search_results"] = matches
            return None
    if item is None:
        form.add_error("new-barcode", ui._("Scan a barcode or choose an item."))
        return None
    form.data["entry_item"] = item
    row = {"item_id": str(item.id), "quantity": form.value("new-quantity"), "location_id": form.value("location_id")}
    if item.date_kind is DateKind.crop_year:
        row["crop_year"] = form.value("new-date")
    elif item.date_kind is not DateKind.none:
        row["expiry"] = normalise_date_input(form.value("new-date"))
    if form.value("new-date_confirmed"):
        row["date_confirmed"] = "1"
    probe = Form(ui, values={f"lines-0-{k}": v for k, v in row.items()})
    entry_names = {"expiry": "new-date", "crop_year": "new-date", "quantity": "new-quantity"}
    try:
        line = checked_load(schema(ReceiptLineForm), _raw_line(probe, 0))
    except ValidationError as error:
        # A missing location is said at the top: the location is chosen once, above the entry fields.
        for issue in flatten_marshmallow_errors(error.messages):
            name = entry_names.get(issue["field"], FORM_ERROR)
            form.add_error(name, ui.tr.message(issue["message"]))
        return None
    received = _received_date(form)
    note = services.line_date_note(item, line, received_date=received, settings=settings.stock) if received else None
    if note is not None and (
        note.level is dates.Level.refuse or (note.level is dates.Level.ask and not line.date_confirmed)
    ):
        form.add_error("new-date", ui._(note.message, **note.params))
        form.data["entry_question"] = note.level is dates.Level.ask
        return None
    return row


async def _register_item(ui: Ui, session: AsyncSession, form: Form) -> None:
    """Register the item of an unknown barcode from the `item-*` fields (the API's ItemIn and service)."""
    if ui.principal is None or not ui.principal.has(*ITEM_CREATORS):
        raise Forbidden(Message("Your role cannot register items."))
    barcode = normalise(form.value("new-barcode"))
    raw: dict[str, Any] = {"barcode": barcode or None}
    for name in ITEM_FIELDS:
        if value := form.value(f"item-{name}"):
            raw[name] = typed_number(value) if name in INTEGER_FIELDS else unicodedata.normalize("NFKC", value)
    unreadable = bool(form.value("item-label_unreadable"))
    raw["allergens_known"] = not unreadable
    raw["allergens"] = [] if unreadable else await _posted_allergens(ui)
    form.data["unknown_barcode"] = barcode
    try:
        data = checked_load(schema(ItemForm), raw)
    except ValidationError as error:
        for problem in flatten_marshmallow_errors(error.messages):
            name = problem["field"].split(".")[0]
            target = "new-barcode" if name == "barcode" else f"item-{name}"
            form.add_error(target, ui.tr.message(problem["message"]))
        return
    actor_id = ui.principal.id
    item = await attempt(
        form,
        session,
        lambda: catalogue_services.create_item(session, actor_id=actor_id, **data),
        field_names={**{name: f"item-{name}" for name in (*ITEM_FIELDS, "allergens")}, "barcode": "new-barcode"},
    )
    if item is None:
        return
    form.data.pop("unknown_barcode", None)
    form.data["registered_item"] = item
    for name in ITEM_FIELDS:
        form.values.pop(f"item-{name}", None)
    form.values.pop("item-label_unreadable", None)


@post("/warehouse/receive", opt=page(**STAFF), include_in_schema=False)
async def receive_submit(ui: Ui, principal: Principal, db_session: AsyncSession, settings: Settings) -> Response[Any]:
    form = await load_form(ui, FormSchema)
    action = form.value("action", "save")
    if action == "save" and (replay := await form.replayed(db_session)) is not None:
        return replay  # a double tap on save: where the first one went, one receipt
    if action.startswith("remove-"):
        index = action.removeprefix("remove-")
        form.values = {k: v for k, v in form.values.items() if not k.startswith(f"lines-{index}-")}
        return await _receive_page(ui, db_session, settings, form, status_code=200)
    if action == "register-item":
        await _register_item(ui, db_session, form)
        if not form.ok:
            return await _receive_page(ui, db_session, settings, form)
    entry = await _resolve_entry(ui, db_session, settings, form)
    if entry is not None:
        index = max(form.row_indexes("lines"), default=-1) + 1
        form.values.update({f"lines-{index}-{name}": value for name, value in entry.items()})
        for name in ENTRY_FIELDS:
            form.values.pop(name, None)
        form.data.pop("entry_item", None)
    if action in {"add", "register-item"}:
        # Nothing is saved: the page comes back with the line added, ready for the next one.
        return await _receive_page(ui, db_session, settings, form, status_code=422 if form.errors else 200)
    command = load_receipt(form)
    if command is None or not form.ok:
        return await _receive_page(ui, db_session, settings, form)
    indexes = form.row_indexes("lines")
    names = {f"lines.{n}.{f}": f"lines-{index}-{f}" for n, index in enumerate(indexes) for f in LINE_FIELDS}
    names.update({f"lines.{n}.barcode": f"lines-{index}-item_id" for n, index in enumerate(indexes)})
    result = await attempt(  # a refused receipt leaves nothing behind
        form,
        db_session,
        lambda: services.receive(
            db_session, command, actor_id=principal.id, settings=settings.stock, today=today(), odd_dates="ask"
        ),
        field_names=names,
    )
    if result is None:
        return await _receive_page(ui, db_session, settings, form)
    units = sum(line.quantity for line in command.lines)
    message = ui.tr.ngettext(
        "Receipt %(id)s saved: %(num)s line, %(units)s units.",
        "Receipt %(id)s saved: %(num)s lines, %(units)s units.",
        len(command.lines),
        id=result.id,
        units=units,
    )
    kind = "ok"
    if result.warnings:
        kind = "warning"
        message += " " + ui._("Check the dates: %(count)s line(s) have little time left.", count=len(result.warnings))
    return await form.remember(
        db_session, ui.redirect(f"/warehouse/receipts/{result.id}?saved=1", flash=message, kind=kind)
    )


# --- a receipt ----------------------------------------------------------------------------------------------


@get("/warehouse/receipts/{receipt_id:int}", opt=page(**STAFF), include_in_schema=False)
async def receipt_page(ui: Ui, db_session: AsyncSession, receipt_id: int, saved: bool = False) -> Template:
    """A receipt as saved: donor, day, each line with its lot, the donor receipt PDF, the next receipt."""
    found = await stock_queries.receipt(db_session, receipt_id)
    if found is None:
        raise ReceiptNotFound(Message("There is no receipt with id %(id)s.", id=receipt_id))
    receipt, donor = found
    return ui.render(
        "warehouse/receipt.html",
        receipt=receipt,
        donor=donor,
        lots=[lot for lot in receipt.lots if lot.parent_lot_id is None],
        saved=saved,
        unit_label=lambda unit: ui._(UNIT_LABELS[unit]),
    )


HANDLERS = [receive_page, check_dates, receive_submit, receipt_page]
