"""Warehouse pages: the stock list, a lot (history, hold, recall, release, disposal), expired lots, and
picking lists confirmed on a phone (receiving is in receive.py).

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
from marshmallow import ValidationError, fields, validate
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.catalogue import queries as catalogue_queries
from foodbank.lib.access import Principal, allow
from foodbank.lib.clock import today
from foodbank.lib.errors import AppError
from foodbank.lib.validation import checked_load
from foodbank.models import DisposalReason, Zone
from foodbank.pages import queries as page_queries
from foodbank.pages.forms import Form, FormSchema, empty_form, load_form, load_query
from foodbank.pages.i18n import N_, label_msgid, local_name
from foodbank.pages.layout import Nav, Ui, page
from foodbank.picking.fefo import LotStatus
from foodbank.stock import queries as stock_queries
from foodbank.stock import services
from foodbank.stock.controllers import MANAGERS, WAREHOUSE
from foodbank.stock.errors import LotNotFound, ReservationNotFound

STAFF = allow(*WAREHOUSE)

# --- forms -----------------------------------------------------------------------------------------------


QUANTITY_MESSAGES: dict[str, Any] = {
    "required": N_("Give the quantity."),
    "invalid": N_("Give the quantity as a whole number."),
}
QUANTITY_RANGE = validate.Range(min=1, max=1_000_000, error=N_("Give a quantity from 1 to 1,000,000."))


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
        raise LotNotFound(f"There is no lot with id {lot_id}.")
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
        raise ReservationNotFound(f"There is no reservation with id {reservation_id}.")
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
