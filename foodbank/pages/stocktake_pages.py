"""Warehouse pages for stocktakes (棚卸): the counts and opening one, counting on a phone, the review.

Counting is blind: the count page never shows an expected figure. A volunteer chooses the location once,
then scans or types a lot label (`123`, `L-123`, its lot code) or an item barcode and types the units
found; an item barcode with several lots there asks which lot. Each line goes through the API's schema
(`CountLineIn`) and `services.add_counts`; a recount is one more line. The review shows expected, counted
and difference per lot in units and kg, takes the reason codes, approves (coordinators beyond the
tolerances) or abandons the count.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from litestar import Response, get, post
from litestar.response import Template
from marshmallow import fields, validate
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.catalogue import queries as catalogue_queries
from foodbank.config import Settings
from foodbank.lib.access import Principal, allow
from foodbank.lib.messages import Message
from foodbank.models import Lot, Stocktake, StocktakeReason, StocktakeStatus, Zone
from foodbank.pages.api_forms import load_command, page_form
from foodbank.pages.forms import Form, FormSchema, attempt, empty_form, load_form
from foodbank.pages.i18n import N_, label_msgid
from foodbank.pages.layout import Nav, Ui, page
from foodbank.stock.controllers import MANAGERS, WAREHOUSE
from foodbank.stocktakes import queries, services
from foodbank.stocktakes.errors import StocktakeNotFound
from foodbank.stocktakes.schemas import CountLineIn, ReasonLineIn, ReasonsIn, StocktakeIn

STAFF = allow(*WAREHOUSE)
CHOICE = N_("Must be one of the choices.")

OpenForm = page_form(
    StocktakeIn,
    name="OpenStocktakeForm",
    messages={
        "warehouse_id": {"required": N_("Choose the warehouse."), "invalid": CHOICE, "validate": CHOICE},
        "zone": {"unknown": CHOICE},
        "note": {"validate": N_("Write at most 500 characters.")},
    },
)
CountForm = page_form(
    CountLineIn,
    name="CountLineForm",
    messages={
        "lot_id": {"required": N_("Scan or type the lot label or the item's barcode.")},
        "location_id": {"required": N_("Choose the location you are counting."), "invalid": CHOICE},
        "counted": {
            "required": N_("Type the units you found (0 if none)."),
            "invalid": N_("Type a whole number, 0 if none."),
            "validate": N_("Type a whole number from 0 to 1,000,000."),
        },
    },
)
ReasonLineForm = page_form(
    ReasonLineIn,
    name="StocktakeReasonLineForm",
    messages={"reason": {"unknown": CHOICE}, "note": {"validate": N_("Write at most 500 characters.")}},
)
ReasonsForm = page_form(ReasonsIn, name="StocktakeReasonsForm", nested={"lines": ReasonLineForm})


class ConfirmForm(FormSchema):
    confirm = fields.Boolean(
        required=True,
        validate=validate.Equal(True, error=N_("Tick the box to confirm.")),
        error_messages={"required": N_("Tick the box to confirm.")},
    )


async def _stocktake(session: AsyncSession, stocktake_id: int) -> Stocktake:
    found = await queries.stocktake(session, stocktake_id)
    if found is None:
        raise StocktakeNotFound(Message("There is no stocktake with id %(id)s.", id=stocktake_id))
    return found


# --- the counts, and opening one ---------------------------------------------------------------------


async def _list_page(ui: Ui, session: AsyncSession, form: Form) -> Template:
    warehouses = await catalogue_queries.warehouses(session)
    return ui.render(
        "warehouse/stocktakes.html",
        stocktakes=await queries.stocktakes(session),
        form=form,
        warehouse_options=[(w.id, w.name) for w in warehouses],
        zone_options=[(zone.value, ui._(label_msgid("zone", zone))) for zone in Zone],
        status_code=form.status,
    )


@get("/warehouse/stocktakes", opt=page(**STAFF, nav=Nav("warehouse", N_("Stocktake"), 50)), include_in_schema=False)
async def stocktakes_page(ui: Ui, db_session: AsyncSession) -> Template:
    warehouses = await catalogue_queries.warehouses(db_session)
    return await _list_page(ui, db_session, empty_form(ui, {"warehouse_id": warehouses[0].id if warehouses else ""}))


@post("/warehouse/stocktakes", opt=page(**STAFF), include_in_schema=False)
async def open_stocktake(ui: Ui, principal: Principal, db_session: AsyncSession) -> Response[Any]:
    form = await load_form(ui, FormSchema)
    if (replay := await form.replayed(db_session)) is not None:
        return replay  # a double tap opens one count
    command: services.OpenStocktake | None = load_command(form, OpenForm)
    if command is not None:
        opened = await attempt(
            form,
            db_session,
            lambda: services.open_stocktake(db_session, command, actor_id=principal.id),
            field_names={"location_ids": "zone"},
        )
        if opened is not None:
            message = ui._("Stocktake %(id)s is open: count the shelves.", id=opened.id)
            return await form.remember(db_session, ui.redirect(f"/warehouse/stocktakes/{opened.id}", flash=message))
    return await _list_page(ui, db_session, form)


# --- counting (blind) --------------------------------------------------------------------------------


async def _count_page(
    ui: Ui,
    session: AsyncSession,
    stocktake: Stocktake,
    form: Form,
    *,
    choices: Sequence[Lot] = (),
    principal: Principal | None = None,
) -> Template:
    mine = [
        line for line in await queries.counts(session, stocktake.id) if principal and line.counted_by_id == principal.id
    ]
    lots = {lot.id: lot for lot in await queries.lots_by_ids(session, {line.lot_id for line in mine})}
    return ui.render(
        "warehouse/stocktake_count.html",
        stocktake=stocktake,
        form=form,
        choices=choices,
        mine=[(line, lots[line.lot_id]) for line in reversed(mine[-20:])],
        location_options=[(entry.location_id, entry.location.code) for entry in stocktake.locations],
        status_code=form.status,
    )


@get("/warehouse/stocktakes/{stocktake_id:int}", opt=page(**STAFF), include_in_schema=False)
async def count_page(ui: Ui, principal: Principal, db_session: AsyncSession, stocktake_id: int) -> Template:
    stocktake = await _stocktake(db_session, stocktake_id)
    location = ui.request.query_params.get("location") or ""
    return await _count_page(ui, db_session, stocktake, empty_form(ui, {"location_id": location}), principal=principal)


@post("/warehouse/stocktakes/{stocktake_id:int}/count", opt=page(**STAFF), include_in_schema=False)
async def count_lot(ui: Ui, principal: Principal, db_session: AsyncSession, stocktake_id: int) -> Response[Any]:
    stocktake = await _stocktake(db_session, stocktake_id)
    form = await load_form(ui, FormSchema)
    if (replay := await form.replayed(db_session)) is not None:
        return replay  # a double tap records the line once
    lot_id: int | None = None
    choices: Sequence[Lot] = ()
    if form.value("lot_id").isdigit():
        lot_id = int(form.value("lot_id"))
    elif code := form.value("code"):
        found = await queries.scanned_lots(db_session, stocktake, code)
        if not found:
            form.add_error("code", ui._("No lot of this count has that label or barcode."))
        elif len(found) == 1:
            lot_id = found[0].id
        else:
            choices = found
            form.add_error("lot_id", ui._("This item has several lots here: choose the one you counted."))
    line: services.CountLine | None = load_command(form, CountForm, {"lot_id": lot_id} if lot_id else None)
    if line is not None and form.ok:
        saved = await attempt(
            form,
            db_session,
            lambda: services.add_counts(db_session, stocktake_id, [line], actor_id=principal.id),
            field_names={"lines.0.lot_id": "code", "lines.0.location_id": "location_id", "lines.0.counted": "counted"},
        )
        if saved is not None:
            message = ui._("Lot %(id)s: %(num)s counted.", id=line.lot_id, num=line.counted)
            target = f"/warehouse/stocktakes/{stocktake_id}?location={line.location_id}"
            return await form.remember(db_session, ui.redirect(target, flash=message))
    if "code" in form.errors and "lot_id" in form.errors:
        del form.errors["lot_id"]  # said once, at the scan field
    return await _count_page(ui, db_session, stocktake, form, choices=choices, principal=principal)


# --- the review --------------------------------------------------------------------------------------


async def _review_page(ui: Ui, session: AsyncSession, stocktake_id: int, settings: Settings, form: Form) -> Template:
    review = await services.review(session, stocktake_id, settings=settings.stock)
    values = dict(form.values)
    for n, line in enumerate(review.lines):
        values.setdefault(f"lines-{n}-lot_id", str(line.lot.id))
        values.setdefault(f"lines-{n}-reason", line.reason.value if line.reason else "")
    form.values = values
    return ui.render(
        "warehouse/stocktake_review.html",
        stocktake=review.stocktake,
        lines=list(enumerate(review.lines)),
        form=form,
        reason_options=[(reason.value, ui._(label_msgid("stocktake_reason", reason))) for reason in StocktakeReason],
        is_open=review.stocktake.status is StocktakeStatus.open,
        may_approve_large=ui.principal is not None and ui.principal.has(*MANAGERS),
        settings=settings.stock,
        status_code=form.status,
    )


@get("/warehouse/stocktakes/{stocktake_id:int}/review", opt=page(**STAFF), include_in_schema=False)
async def review_page(ui: Ui, db_session: AsyncSession, stocktake_id: int, settings: Settings) -> Template:
    return await _review_page(ui, db_session, stocktake_id, settings, empty_form(ui))


@post("/warehouse/stocktakes/{stocktake_id:int}/review", opt=page(**STAFF), include_in_schema=False)
async def save_reasons(
    ui: Ui, principal: Principal, db_session: AsyncSession, stocktake_id: int, settings: Settings
) -> Response[Any]:
    form = await load_form(ui, FormSchema)
    if (replay := await form.replayed(db_session)) is not None:
        return replay  # a double tap approves once
    if form.posted_rows("lines"):
        lines: tuple[services.ReasonLine, ...] = load_command(form, ReasonsForm, rows=("lines",)) or ()
        saved = None
        if lines:
            saved = await attempt(
                form,
                db_session,
                lambda: services.set_reasons(
                    db_session, stocktake_id, lines, actor_id=principal.id, settings=settings.stock
                ),
            )
        if saved is None:
            return await _review_page(ui, db_session, stocktake_id, settings, form)
    if form.value("then") == "approve":
        return await _approve(ui, principal, db_session, stocktake_id, settings, form)
    target = f"/warehouse/stocktakes/{stocktake_id}/review"
    return await form.remember(db_session, ui.redirect(target, flash=ui._("The reasons are saved.")))


async def _approve(
    ui: Ui, principal: Principal, session: AsyncSession, stocktake_id: int, settings: Settings, form: Form
) -> Response[Any]:
    approved = await attempt(
        form,
        session,
        lambda: services.approve(
            session,
            stocktake_id,
            actor_id=principal.id,
            may_approve_large=principal.has(*MANAGERS),
            settings=settings.stock,
        ),
        field_names={f"lots.{lot_id}.reason": f"lines-{n}-reason" for n, lot_id in enumerate(_posted_lots(form))},
    )
    if approved is None:
        return await _review_page(ui, session, stocktake_id, settings, form)
    message = ui._(
        "Stocktake %(id)s is approved: %(lots)s lots adjusted (%(units)s units).",
        id=stocktake_id,
        lots=approved.adjusted,
        units=approved.units_delta,
    )
    return await form.remember(session, ui.redirect(f"/warehouse/stocktakes/{stocktake_id}/review", flash=message))


def _posted_lots(form: Form) -> list[int]:
    lots: list[int] = []
    for n in range(len(form.values)):
        value = form.value(f"lines-{n}-lot_id")
        if not value:
            break
        lots.append(int(value) if value.isdigit() else 0)
    return lots


@post("/warehouse/stocktakes/{stocktake_id:int}/abandon", opt=page(**STAFF), include_in_schema=False)
async def abandon_stocktake(
    ui: Ui, principal: Principal, db_session: AsyncSession, stocktake_id: int, settings: Settings
) -> Response[Any]:
    form = await load_form(ui, ConfirmForm)
    if form.ok:
        done = await attempt(
            form, db_session, lambda: services.abandon(db_session, stocktake_id, actor_id=principal.id)
        )
        if done is not None:
            message = ui._("Stocktake %(id)s is abandoned: nothing was changed.", id=stocktake_id)
            return ui.redirect("/warehouse/stocktakes", flash=message)
    return await _review_page(ui, db_session, stocktake_id, settings, form)


HANDLERS = [stocktakes_page, open_stocktake, count_page, count_lot, review_page, save_reasons, abandon_stocktake]
