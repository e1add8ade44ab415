"""Warehouse pages: receive stock. (The stock list, lots and expired lots are in stock_pages.py, the
picking lists in picking_pages.py.)

Every change goes through the same services as the API (`foodbank.stock.services`), inside a
savepoint so that a refused change leaves nothing behind, and answers with a redirect and a flash
message (post/redirect/get). Routes declare the same roles as their API counterparts.
"""

from __future__ import annotations

import re
from typing import Any

from litestar import Response, get, post
from litestar.response import Template
from marshmallow import ValidationError, fields, validate, validates_schema
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.catalogue import queries as catalogue_queries
from foodbank.catalogue.barcodes import is_valid, normalise
from foodbank.catalogue.schemas import Barcode
from foodbank.config import Settings
from foodbank.lib.access import Principal, allow
from foodbank.lib.clock import today
from foodbank.lib.errors import AppError
from foodbank.lib.validation import RECORDED_DAY, checked_load
from foodbank.models import Item, ReceiptKind, Zone
from foodbank.pages import queries as page_queries
from foodbank.pages.forms import FORM_ERROR, Form, FormSchema, empty_form, load_form
from foodbank.pages.i18n import N_, label_msgid
from foodbank.pages.layout import Nav, Ui, page
from foodbank.picking.fefo import DateKind
from foodbank.stock import services
from foodbank.stock.controllers import WAREHOUSE
from foodbank.stock.dates import LabelDate, parse_label_date

STAFF = allow(*WAREHOUSE)

# --- forms -----------------------------------------------------------------------------------------------


def normalise_date_input(text: str) -> str:
    """Digits only, as typed fast on a phone's number pad: 202703 is 2027-03, 20270315 is 2027-03-15."""
    compact = normalise(text.strip())
    if re.fullmatch(r"\d{6}", compact):
        return f"{compact[:4]}-{compact[4:]}"
    if re.fullmatch(r"\d{8}", compact):
        return f"{compact[:4]}-{compact[4:6]}-{compact[6:]}"
    return text.strip()


class LabelDateInput(fields.String):
    """A label date as typed: 2027-03-15, 2027-03, 2027/3/15, 2027年3月, 20270315 or 202703."""

    def _deserialize(  # type: ignore[override]
        self, value: Any, attr: str | None, data: Any, **kwargs: Any
    ) -> LabelDate:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return parse_label_date(normalise_date_input(text))
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


QUANTITY_MESSAGES: dict[str, Any] = {
    "required": N_("Give the quantity."),
    "invalid": N_("Give the quantity as a whole number."),
}
QUANTITY_RANGE = validate.Range(min=1, max=1_000_000, error=N_("Give a quantity from 1 to 1,000,000."))


class ReceiptHeaderForm(FormSchema):
    donor_id = fields.Integer(required=True, error_messages={"required": N_("Choose the donor.")})
    location_id = fields.Integer(required=True, error_messages={"required": N_("Choose the location.")})
    received_date = fields.Date(
        required=True,
        validate=RECORDED_DAY,
        error_messages={
            "required": N_("Give the day the goods arrived."),
            "invalid": N_("Write the date as YYYY-MM-DD."),
        },
    )
    notes = fields.String(load_default=None, validate=validate.Length(max=2000))


class ReceiptLineForm(FormSchema):
    item_id = fields.Integer()
    barcode = Barcode()
    expiry = LabelDateInput()
    crop_year = fields.Integer(
        validate=validate.Range(1990, 2100, error=N_("Give the crop year as four digits, such as 2025.")),
        error_messages={"invalid": N_("Give the crop year as four digits, such as 2025.")},
    )
    quantity = fields.Integer(required=True, validate=QUANTITY_RANGE, error_messages=QUANTITY_MESSAGES)
    location_id = fields.Integer(required=True, error_messages={"required": N_("Choose the location.")})

    @validates_schema
    def an_item(self, data: dict[str, Any], **_: Any) -> None:
        if "item_id" not in data and "barcode" not in data:
            raise ValidationError(N_("Scan a barcode or choose an item."), field_name="item_id")


# --- receiving -------------------------------------------------------------------------------------------

ENTRY_FIELDS = ("new-barcode", "new-item_id", "new-item_query", "new-date", "new-quantity")


async def _receive_choices(ui: Ui, session: AsyncSession) -> dict[str, Any]:
    locations = await catalogue_queries.locations(session)
    zone_names = {zone: ui._(label_msgid("zone", zone)) for zone in Zone}
    return {
        "donor_options": [
            (donor.id, donor.name or ui._("Anonymous donor"))
            for donor in await catalogue_queries.donors(session, limit=500)
        ],
        "location_options": [(loc.id, f"{loc.code} ({zone_names[loc.zone]})") for loc in locations],
        "locations": locations,
    }


async def _line_items(session: AsyncSession, form: Form) -> dict[str, Item]:
    """The items named by the posted rows, by `id:<n>` and `barcode:<code>`, to show their names."""
    ids, codes = set(), set()
    for index in form.row_indexes("lines"):
        raw_id = form.value(f"lines-{index}-item_id")
        if raw_id.isdigit():
            ids.add(int(raw_id))
        if code := form.value(f"lines-{index}-barcode"):
            codes.add(normalise(code))
    found: dict[str, Item] = {}
    if ids or codes:
        for item in await page_queries.items_by_ids_or_barcodes(session, ids, codes):
            found[f"id:{item.id}"] = item
            if item.barcode:
                found[f"barcode:{item.barcode}"] = item
    return found


def _row_views(form: Form, items: dict[str, Item]) -> list[dict[str, Any]]:
    rows = []
    for index in form.row_indexes("lines"):
        item = items.get(f"id:{form.value(f'lines-{index}-item_id')}") or items.get(
            f"barcode:{normalise(form.value(f'lines-{index}-barcode'))}"
        )
        rows.append({"index": index, "item": item})
    return rows


async def _receive_page(ui: Ui, session: AsyncSession, form: Form, **extra: Any) -> Template:
    return ui.render(
        "warehouse/receive.html",
        form=form,
        rows=_row_views(form, await _line_items(session, form)),
        status_code=extra.pop("status_code", form.status),
        **(await _receive_choices(ui, session)),
        **extra,
    )


@get(
    "/warehouse/receive",
    opt=page(**STAFF, nav=Nav("warehouse", N_("Receive"), 10)),
    include_in_schema=False,
)
async def receive_page(ui: Ui, db_session: AsyncSession, donor_id: int | None = None) -> Template:
    form = empty_form(ui, {"received_date": today().isoformat(), "donor_id": donor_id})
    return await _receive_page(ui, db_session, form)


async def _resolve_entry(ui: Ui, session: AsyncSession, form: Form) -> dict[str, str] | None:
    """The line typed in the entry fields, as a row of strings, or None (nothing typed, or errors
    recorded on the entry fields). Without JavaScript, this is how lines are added."""
    barcode = normalise(form.value("new-barcode"))
    item_id = form.value("new-item_id")
    query = form.value("new-item_query")
    typed = {name: form.value(name) for name in ENTRY_FIELDS}
    if not any(typed.values()):
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
                "new-barcode", ui._("No item has the barcode %(barcode)s; register the item first.", barcode=barcode)
            )
            return None
    elif item_id.isdigit():
        found = await page_queries.items_by_ids_or_barcodes(session, {int(item_id)}, set())
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
    row = {"item_id": str(item.id), "quantity": form.value("new-quantity"), "location_id": form.value("location_id")}
    when = form.value("new-date")
    if item.date_kind is DateKind.crop_year:
        row["crop_year"] = when
    elif item.date_kind is not DateKind.none:
        row["expiry"] = normalise_date_input(when)
    try:
        checked_load(ReceiptLineForm(), {k: v for k, v in row.items() if v})
    except ValidationError as error:
        entry_names = {"expiry": "new-date", "crop_year": "new-date", "quantity": "new-quantity"}
        # A missing location is said at the top: the location is chosen once, above the entry fields.
        probe = Form(ui)
        probe.add_validation_error(error)
        for name, messages in probe.errors.items():
            for message in messages:
                form.add_error(entry_names.get(name, FORM_ERROR), message)
        form.data["entry_item"] = item
        return None
    return row


@post("/warehouse/receive", opt=page(**STAFF), include_in_schema=False)
async def receive_submit(ui: Ui, principal: Principal, db_session: AsyncSession, settings: Settings) -> Response[Any]:
    form = await load_form(ui, ReceiptHeaderForm)
    action = form.value("action", "save")
    if action.startswith("remove-"):
        index = action.removeprefix("remove-")
        form.values = {k: v for k, v in form.values.items() if not k.startswith(f"lines-{index}-")}
        form.errors = {k: v for k, v in form.errors.items() if not k.startswith("lines-")}
        return await _receive_page(ui, db_session, form, status_code=200)
    entry = await _resolve_entry(ui, db_session, form)
    if entry is not None:
        index = max(form.row_indexes("lines"), default=-1) + 1
        form.values.update({f"lines-{index}-{name}": value for name, value in entry.items()})
        for name in ENTRY_FIELDS:
            form.values.pop(name, None)
    if action == "add":
        # Nothing is saved: the page comes back with the line added, ready for the next one.
        form.errors = {k: v for k, v in form.errors.items() if k.startswith("new-") or k == FORM_ERROR}
        return await _receive_page(ui, db_session, form, status_code=422 if form.errors else 200)
    rows = form.rows("lines", ReceiptLineForm)
    if not rows and not form.errors:
        form.add_error(FORM_ERROR, ui._("Add at least one line before saving."))
    if not form.ok:
        return await _receive_page(ui, db_session, form)
    lines = [{k: v for k, v in row.items() if k != "_index"} for row in rows]
    try:
        async with db_session.begin_nested():
            result = await services.receive(
                db_session,
                actor_id=principal.id,
                kind=ReceiptKind.donation,
                donor_id=form.data["donor_id"],
                received_date=form.data["received_date"],
                notes=form.data.get("notes"),
                lines=lines,
                settings=settings.stock,
                today=today(),
            )
    except AppError as error:
        names = {f"lines.{n}.{f}": f"lines-{row['_index']}-{f}" for n, row in enumerate(rows) for f in row}
        names.update({f"lines.{n}.barcode": f"lines-{row['_index']}-item_id" for n, row in enumerate(rows)})
        form.add_problem(error, field_names=names)
        return await _receive_page(ui, db_session, form, status_code=error.status)
    units = sum(line["quantity"] for line in lines)
    message = ui.tr.ngettext(
        "Receipt %(id)s saved: %(num)s line, %(units)s units.",
        "Receipt %(id)s saved: %(num)s lines, %(units)s units.",
        len(lines),
        id=result.id,
        units=units,
    )
    kind = "ok"
    if result.warnings:
        kind = "warning"
        message += " " + ui._("Check the dates: %(count)s line(s) have little time left.", count=len(result.warnings))
    return ui.redirect(f"/warehouse/receive?donor_id={form.data['donor_id']}", flash=message, kind=kind)


HANDLERS = [receive_page, receive_submit]
