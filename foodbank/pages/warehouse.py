"""Warehouse pages: receive stock, the stock list, a lot (history, hold, recall, release, disposal),
expired lots, and picking lists confirmed on a phone.

Every change goes through the same services as the API (`foodbank.stock.services`), inside a
savepoint so that a refused change leaves nothing behind, and answers with a redirect and a flash
message (post/redirect/get). Routes declare the same roles as their API counterparts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
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
from foodbank.lib.messages import Message
from foodbank.lib.validation import RECORDED_DAY, checked_load
from foodbank.models import DisposalReason, Item, ReceiptKind, Zone
from foodbank.pages import queries as page_queries
from foodbank.pages.forms import FORM_ERROR, Form, FormSchema, empty_form, load_form, load_query
from foodbank.pages.i18n import N_, label_msgid, local_name
from foodbank.pages.layout import Nav, Ui, page
from foodbank.picking.fefo import DateKind, LotStatus
from foodbank.stock import queries as stock_queries
from foodbank.stock import services
from foodbank.stock.controllers import MANAGERS, WAREHOUSE
from foodbank.stock.dates import LabelDate, parse_label_date
from foodbank.stock.errors import LotNotFound, ReservationNotFound

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


class StockFilterForm(FormSchema):
    zone = fields.Enum(Zone, by_value=True, error_messages={"unknown": N_("Must be one of the choices.")})
    category_id = fields.Integer()
    expiring_within_days = fields.Integer(
        validate=validate.Range(min=0, max=3650, error=N_("Give a number of days from 0 to 3650.")),
        error_messages={"invalid": N_("Give a number of days from 0 to 3650.")},
    )
    status = fields.Enum(LotStatus, by_value=True, error_messages={"unknown": N_("Must be one of the choices.")})


class HoldForm(FormSchema):
    status = fields.Enum(
        LotStatus,
        by_value=True,
        required=True,
        validate=validate.OneOf([LotStatus.on_hold, LotStatus.recalled], error=N_("Must be one of the choices.")),
    )
    reason = fields.String(
        required=True,
        validate=validate.Length(min=1, max=500),
        error_messages={"required": N_("Say why (for example: label damaged, recall notice).")},
    )


class DisposalForm(FormSchema):
    quantity = fields.Integer(required=True, validate=QUANTITY_RANGE, error_messages=QUANTITY_MESSAGES)
    reason = fields.Enum(
        DisposalReason,
        by_value=True,
        required=True,
        error_messages={"required": N_("Choose a reason."), "unknown": N_("Must be one of the choices.")},
    )


class ConfirmExpiredForm(FormSchema):
    confirm = fields.Boolean(
        required=True,
        validate=validate.Equal(True, error=N_("Tick the box to confirm.")),
        error_messages={"required": N_("Tick the box to confirm.")},
    )


class PickedLineForm(FormSchema):
    picked = fields.Integer(
        required=True,
        validate=validate.Range(min=0, max=1_000_000, error=N_("Give a whole number, 0 if nothing was picked.")),
        error_messages={
            "required": N_("Give the quantity picked (0 if none)."),
            "invalid": N_("Give a whole number, 0 if nothing was picked."),
        },
    )


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


# --- stock list and lots ---------------------------------------------------------------------------------


@get("/warehouse/stock", opt=page(**STAFF, nav=Nav("warehouse", N_("Stock"), 20)), include_in_schema=False)
async def stock_list(ui: Ui, db_session: AsyncSession) -> Template:
    form = load_query(ui, StockFilterForm)
    lots: Sequence[Any] = []
    if form.ok:
        lots = await stock_queries.lots(db_session, as_of=today(), limit=300, **form.data)
    categories = await catalogue_queries.categories(db_session)
    return ui.render(
        "warehouse/stock.html",
        form=form,
        lots=lots,
        zone_options=[(zone.value, ui._(label_msgid("zone", zone))) for zone in Zone],
        status_options=[(status.value, ui._(label_msgid("lot_status", status))) for status in LotStatus],
        category_options=[(c.id, local_name(c, ui.lang)) for c in categories],
        status_code=form.status,
    )


async def _lot_page(
    ui: Ui, session: AsyncSession, lot_id: int, *, forms: dict[str, Form] | None = None, status_code: int = 200
) -> Template:
    lot = await stock_queries.lot(session, lot_id)
    if lot is None:
        raise LotNotFound(Message("There is no lot with id %(id)s.", id=lot_id))
    await session.refresh(lot)
    forms = forms or {}
    return ui.render(
        "warehouse/lot.html",
        lot=lot,
        history=await stock_queries.history(session, lot_id),
        hold_form=forms.get("hold") or empty_form(ui, {"status": "on_hold"}),
        disposal_form=forms.get("disposal") or empty_form(ui, {"reason": "damaged"}),
        release_form=forms.get("release") or empty_form(ui),
        disposal_reasons=list(DisposalReason),
        may_release=ui.principal is not None and ui.principal.has(*MANAGERS),
        status_code=status_code,
    )


@get("/warehouse/lots/{lot_id:int}", opt=page(**STAFF), include_in_schema=False)
async def lot_page(ui: Ui, db_session: AsyncSession, lot_id: int) -> Template:
    return await _lot_page(ui, db_session, lot_id)


@post("/warehouse/lots/{lot_id:int}/hold", opt=page(**STAFF), include_in_schema=False)
async def hold_lot(ui: Ui, principal: Principal, db_session: AsyncSession, lot_id: int) -> Response[Any]:
    form = await load_form(ui, HoldForm)
    status = form.status
    if form.ok:
        try:
            async with db_session.begin_nested():
                await services.hold(db_session, actor_id=principal.id, lot_id=lot_id, **form.data)
        except AppError as error:
            form.add_problem(error)
            status = error.status
        else:
            message = (
                ui._("Lot %(id)s is recalled: it will never be picked.", id=lot_id)
                if form.data["status"] is LotStatus.recalled
                else ui._("Lot %(id)s is on hold: it will not be picked until released.", id=lot_id)
            )
            return ui.redirect(f"/warehouse/lots/{lot_id}", flash=message)
    return await _lot_page(ui, db_session, lot_id, forms={"hold": form}, status_code=status)


@post("/warehouse/lots/{lot_id:int}/release", opt=page(**allow(*MANAGERS)), include_in_schema=False)
async def release_lot(ui: Ui, principal: Principal, db_session: AsyncSession, lot_id: int) -> Response[Any]:
    form = await load_form(ui, FormSchema)
    try:
        async with db_session.begin_nested():
            await services.release_hold(db_session, actor_id=principal.id, lot_id=lot_id)
    except AppError as error:
        form.add_problem(error)
        return await _lot_page(ui, db_session, lot_id, forms={"release": form}, status_code=error.status)
    message = ui._("Lot %(id)s is released and can be picked again.", id=lot_id)
    return ui.redirect(f"/warehouse/lots/{lot_id}", flash=message)


@post("/warehouse/lots/{lot_id:int}/dispose", opt=page(**STAFF), include_in_schema=False)
async def dispose_lot(ui: Ui, principal: Principal, db_session: AsyncSession, lot_id: int) -> Response[Any]:
    form = await load_form(ui, DisposalForm)
    status = form.status
    if form.ok:
        try:
            async with db_session.begin_nested():
                await services.dispose(db_session, actor_id=principal.id, lot_id=lot_id, **form.data)
        except AppError as error:
            form.add_problem(error)
            status = error.status
        else:
            message = ui._("%(quantity)s units of lot %(id)s disposed of.", quantity=form.data["quantity"], id=lot_id)
            return ui.redirect(f"/warehouse/lots/{lot_id}", flash=message)
    return await _lot_page(ui, db_session, lot_id, forms={"disposal": form}, status_code=status)


# --- expired lots ----------------------------------------------------------------------------------------


@get("/warehouse/expired", opt=page(**STAFF, nav=Nav("warehouse", N_("Expired"), 40)), include_in_schema=False)
async def expired_page(ui: Ui, db_session: AsyncSession) -> Template:
    return ui.render(
        "warehouse/expired.html",
        lots=await stock_queries.expired(db_session, as_of=today()),
        form=empty_form(ui),
    )


@post("/warehouse/expired", opt=page(**STAFF), include_in_schema=False)
async def dispose_expired(ui: Ui, principal: Principal, db_session: AsyncSession) -> Response[Any]:
    form = await load_form(ui, ConfirmExpiredForm)
    if not form.ok:
        return ui.render(
            "warehouse/expired.html",
            lots=await stock_queries.expired(db_session, as_of=today()),
            form=form,
            status_code=form.status,
        )
    async with db_session.begin_nested():
        disposed = await services.dispose_expired(db_session, actor_id=principal.id, as_of=today())
    message = ui._(
        "%(lots)s lots disposed of as expired (%(units)s units).",
        lots=len(disposed),
        units=sum(d["quantity"] for d in disposed),
    )
    return ui.redirect("/warehouse/expired", flash=message)


# --- picking ---------------------------------------------------------------------------------------------


@get("/warehouse/picking", opt=page(**STAFF, nav=Nav("warehouse", N_("Picking"), 30)), include_in_schema=False)
async def picking_lists(ui: Ui, db_session: AsyncSession) -> Template:
    return ui.render("warehouse/picking.html", reservations=await page_queries.open_reservations(db_session))


async def _pick_page(
    ui: Ui, session: AsyncSession, reservation_id: int, form: Form | None = None, status_code: int = 200
) -> Template:
    found = await stock_queries.reservation(session, reservation_id)
    if found is None:
        raise ReservationNotFound(Message("There is no reservation with id %(id)s.", id=reservation_id))
    lines = services.picking_order(found.lines)
    if form is None:
        form = empty_form(ui, {f"line-{line.id}-picked": line.picked_quantity or line.quantity for line in lines})
    return ui.render("warehouse/pick.html", reservation=found, lines=lines, form=form, status_code=status_code)


@get("/warehouse/picking/{reservation_id:int}", opt=page(**STAFF), include_in_schema=False)
async def pick_page(ui: Ui, db_session: AsyncSession, reservation_id: int) -> Template:
    return await _pick_page(ui, db_session, reservation_id)


@post("/warehouse/picking/{reservation_id:int}", opt=page(**STAFF), include_in_schema=False)
async def pick_submit(ui: Ui, principal: Principal, db_session: AsyncSession, reservation_id: int) -> Response[Any]:
    form = await load_form(ui, FormSchema)
    picked: dict[int, int] = {}
    for name in list(form.values):
        match = re.fullmatch(r"line-(\d+)-picked", name)
        if not match:
            continue
        try:
            loaded = checked_load(PickedLineForm(), {"picked": form.values[name]} if form.values[name] else {})
        except ValidationError as error:
            form.add_validation_error(error, prefix=f"line-{match[1]}-")
            continue
        picked[int(match[1])] = loaded["picked"]
    status = form.status
    if form.ok:
        try:
            async with db_session.begin_nested():
                await services.confirm_pick(
                    db_session, actor_id=principal.id, reservation_id=reservation_id, picked=picked
                )
        except AppError as error:
            form.add_problem(error)
            status = error.status
        else:
            units = sum(picked.values())
            message = ui._("Picking list %(id)s confirmed: %(units)s units picked.", id=reservation_id, units=units)
            return ui.redirect("/warehouse/picking", flash=message)
    return await _pick_page(ui, db_session, reservation_id, form, status_code=status)


HANDLERS = [
    receive_page,
    receive_submit,
    stock_list,
    lot_page,
    hold_lot,
    release_lot,
    dispose_lot,
    expired_page,
    dispose_expired,
    picking_lists,
    pick_page,
    pick_submit,
]
