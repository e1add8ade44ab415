"""Warehouse pages for stock: the stock list (search by item name, barcode, lot code or number, and
received date; a dense list a phone shows many lots of), a lot (its balance in plain words, its history
with holds and releases, hold or recall, dispose of units, release a hold), and the expired lots.

Forms are the API's schemas (`foodbank.stock.schemas`) with words for a person; every change goes
through the same services as the API, in a savepoint, and answers with a redirect and a message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from litestar import Response, get, post
from litestar.response import Template
from marshmallow import fields, validate
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.catalogue import queries as catalogue_queries
from foodbank.lib.access import Principal, allow
from foodbank.lib.clock import today
from foodbank.models import DisposalReason, Lot, LotStatusChange, MovementKind, StockMovement, Zone
from foodbank.pages.api_forms import load_command, page_form
from foodbank.pages.forms import Form, FormSchema, attempt, empty_form, load_form, load_query
from foodbank.pages.i18n import N_, label_msgid, local_name
from foodbank.pages.layout import Nav, Ui, page
from foodbank.picking.fefo import LotStatus
from foodbank.stock import queries as stock_queries
from foodbank.stock import services
from foodbank.stock.controllers import MANAGERS, WAREHOUSE
from foodbank.stock.errors import LotNotFound
from foodbank.stock.schemas import DisposalIn, HoldIn, LotFilter
from foodbank.stock.standing import Standing, standing

STAFF = allow(*WAREHOUSE)
LIST_LIMIT = 300

CHOICE = N_("Must be one of the choices.")
QUANTITY = {
    "required": N_("Give the quantity."),
    "invalid": N_("Give the quantity as a whole number."),
    "validate": N_("Give a quantity from 1 to 1,000,000."),
}

StockFilterForm = page_form(
    LotFilter,
    name="StockFilterForm",
    messages={
        "q": {"validate": N_("Search with at most 100 characters.")},
        "received_date": {"invalid": N_("Write the date as YYYY-MM-DD.")},
        "zone": {"unknown": CHOICE},
        "status": {"unknown": CHOICE},
        "expiring_within_days": {
            "invalid": N_("Give a number of days from 0 to 3650."),
            "validate": N_("Give a number of days from 0 to 3650."),
        },
    },
)
HoldForm = page_form(
    HoldIn,
    name="HoldForm",
    messages={
        "status": {"required": N_("Choose hold or recall."), "unknown": CHOICE, "validate": CHOICE},
        "reason": {
            "required": N_("Say why (for example: label damaged, recall notice)."),
            "validate": N_("Say why in 1 to 500 characters."),
        },
    },
)
DisposalForm = page_form(
    DisposalIn,
    name="DisposalForm",
    messages={"quantity": QUANTITY, "reason": {"required": N_("Choose a reason."), "unknown": CHOICE}},
)


class ConfirmExpiredForm(FormSchema):
    confirm = fields.Boolean(
        required=True,
        validate=validate.Equal(True, error=N_("Tick the box to confirm.")),
        error_messages={"required": N_("Tick the box to confirm.")},
    )


# --- the stock list --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LotRow:
    """A lot as a list or the lot page shows it: the lot and how it stands today."""

    lot: Lot
    standing: Standing


def lot_rows(lots: Any, on: Any) -> list[LotRow]:
    return [LotRow(lot, standing(lot, on)) for lot in lots]


@get("/warehouse/stock", opt=page(**STAFF, nav=Nav("warehouse", N_("Stock"), 20)), include_in_schema=False)
async def stock_list(ui: Ui, db_session: AsyncSession) -> Template:
    form = load_query(ui, StockFilterForm)
    rows: list[LotRow] = []
    if form.ok:
        filters = {"as_of": today(), **form.data, "limit": min(form.data.get("limit", LIST_LIMIT), LIST_LIMIT)}
        rows = lot_rows(await stock_queries.lots(db_session, **filters), today())
    categories = await catalogue_queries.categories(db_session)
    folded = ("zone", "category_id", "expiring_within_days", "status")
    return ui.render(
        "warehouse/stock.html",
        form=form,
        rows=rows,
        limit=LIST_LIMIT,
        searched=any(form.value(name) for name in ("q", "received_date", *folded)),
        filters_open=any(form.value(name) for name in folded) or bool(form.errors),
        zone_options=[(zone.value, ui._(label_msgid("zone", zone))) for zone in Zone],
        status_options=[(status.value, ui._(label_msgid("lot_status", status))) for status in LotStatus],
        category_options=[(c.id, local_name(c, ui.lang)) for c in categories],
        status_code=form.status,
    )


# --- a lot -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a lot's history: a movement of the ledger, or a hold, recall or release."""

    occurred_at: datetime
    label: str
    """A msgid."""
    on_hand_delta: int = 0
    reserved_delta: int = 0
    note: str | None = None
    """Free text as it was typed (a hold's reason, a count's reason)."""
    note_label: str | None = None
    """A msgid (a disposal's reason)."""
    reservation_id: int | None = None
    order: int = 0


STATUS_CHANGE_LABELS = {
    LotStatus.on_hold: N_("Put on hold"),
    LotStatus.recalled: N_("Recalled"),
    LotStatus.active: N_("Hold released"),
}


def lot_history(movements: list[StockMovement], changes: list[LotStatusChange]) -> list[HistoryEntry]:
    """Movements and holds in the order they happened (ties: movements of the same moment first)."""
    entries = [
        HistoryEntry(
            occurred_at=m.occurred_at,
            label=label_msgid("movement", m.kind),
            on_hand_delta=m.on_hand_delta,
            reserved_delta=m.reserved_delta,
            note=None if m.kind is MovementKind.disposal else m.reason,
            note_label=label_msgid("disposal", m.reason) if m.kind is MovementKind.disposal else None,
            reservation_id=m.reservation_id,
            order=m.id,
        )
        for m in movements
    ]
    entries += [
        HistoryEntry(occurred_at=c.occurred_at, label=STATUS_CHANGE_LABELS[c.status], note=c.reason, order=c.id)
        for c in changes
    ]
    return sorted(entries, key=lambda e: (e.occurred_at, e.label not in STATUS_CHANGE_LABELS.values(), e.order))


async def _lot_page(
    ui: Ui, session: AsyncSession, lot_id: int, *, forms: dict[str, Form] | None = None, status_code: int = 200
) -> Template:
    lot = await stock_queries.lot(session, lot_id)
    if lot is None:
        raise LotNotFound(f"There is no lot with id {lot_id}.")
    await session.refresh(lot)
    forms = forms or {}
    movements = list(await stock_queries.history(session, lot_id))
    changes = list(await stock_queries.status_changes(session, lot_id))
    return ui.render(
        "warehouse/lot.html",
        lot=lot,
        standing=standing(lot, today()),
        history=lot_history(movements, changes),
        hold_form=forms.get("hold") or empty_form(ui, {"status": "on_hold"}),
        disposal_form=forms.get("disposal") or empty_form(ui),  # no reason chosen for the volunteer
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
    form = await load_form(ui, FormSchema)
    if (replay := await form.replayed(db_session)) is not None:
        return replay
    request: services.HoldRequest | None = load_command(form, HoldForm, {"lot_id": lot_id})
    if request is not None:
        held = await attempt(
            form, db_session, lambda: services.hold(db_session, actor_id=principal.id, request=request)
        )
        if held is not None:
            message = (
                ui._("Lot %(id)s is recalled: it will never be picked.", id=lot_id)
                if request.status is LotStatus.recalled
                else ui._("Lot %(id)s is on hold: it will not be picked until released.", id=lot_id)
            )
            return await form.remember(db_session, ui.redirect(f"/warehouse/lots/{lot_id}", flash=message))
    return await _lot_page(ui, db_session, lot_id, forms={"hold": form}, status_code=form.status)


@post("/warehouse/lots/{lot_id:int}/release", opt=page(**allow(*MANAGERS)), include_in_schema=False)
async def release_lot(ui: Ui, principal: Principal, db_session: AsyncSession, lot_id: int) -> Response[Any]:
    form = await load_form(ui, FormSchema)
    if (replay := await form.replayed(db_session)) is not None:
        return replay
    released = await attempt(
        form, db_session, lambda: services.release_hold(db_session, actor_id=principal.id, lot_id=lot_id)
    )
    if released is None:
        return await _lot_page(ui, db_session, lot_id, forms={"release": form}, status_code=form.status)
    message = ui._("Lot %(id)s is released and can be picked again.", id=lot_id)
    return await form.remember(db_session, ui.redirect(f"/warehouse/lots/{lot_id}", flash=message))


@post("/warehouse/lots/{lot_id:int}/dispose", opt=page(**STAFF), include_in_schema=False)
async def dispose_lot(ui: Ui, principal: Principal, db_session: AsyncSession, lot_id: int) -> Response[Any]:
    form = await load_form(ui, FormSchema)
    if (replay := await form.replayed(db_session)) is not None:
        return replay  # a double tap disposes of the units once
    disposal: services.Disposal | None = load_command(form, DisposalForm)
    if disposal is not None:
        lot = await attempt(
            form,
            db_session,
            lambda: services.dispose(db_session, actor_id=principal.id, lot_id=lot_id, disposal=disposal),
        )
        if lot is not None:
            message = ui._("%(quantity)s units of lot %(id)s disposed of.", quantity=disposal.quantity, id=lot_id)
            return await form.remember(db_session, ui.redirect(f"/warehouse/lots/{lot_id}", flash=message))
    return await _lot_page(ui, db_session, lot_id, forms={"disposal": form}, status_code=form.status)


# --- expired lots ----------------------------------------------------------------------------------------


async def _expired_page(ui: Ui, session: AsyncSession, form: Form) -> Template:
    lots = await stock_queries.expired(session, as_of=today())
    return ui.render("warehouse/expired.html", rows=lot_rows(lots, today()), form=form, status_code=form.status)


@get("/warehouse/expired", opt=page(**STAFF, nav=Nav("warehouse", N_("Expired"), 40)), include_in_schema=False)
async def expired_page(ui: Ui, db_session: AsyncSession) -> Template:
    return await _expired_page(ui, db_session, empty_form(ui))


@post("/warehouse/expired", opt=page(**STAFF), include_in_schema=False)
async def dispose_expired(ui: Ui, principal: Principal, db_session: AsyncSession) -> Response[Any]:
    form = await load_form(ui, ConfirmExpiredForm)
    if (replay := await form.replayed(db_session)) is not None:
        return replay
    if not form.ok:
        return await _expired_page(ui, db_session, form)
    disposed = await attempt(
        form, db_session, lambda: services.dispose_expired(db_session, actor_id=principal.id, as_of=today())
    )
    if disposed is None:
        return await _expired_page(ui, db_session, form)
    message = ui._(
        "%(lots)s lots disposed of as expired (%(units)s units).",
        lots=len(disposed),
        units=sum(d["quantity"] for d in disposed),
    )
    return await form.remember(db_session, ui.redirect("/warehouse/expired", flash=message))


HANDLERS = [stock_list, lot_page, hold_lot, release_lot, dispose_lot, expired_page, dispose_expired]
