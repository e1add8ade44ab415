"""Warehouse pages for picking: the open picking lists, and one list walked on a phone.

Each line of a list is ticked as picked (a tap, or a scan of the item's barcode or of the lot's label:
its number as printed on the picking list, `123` or `L-123`, or its lot code) or marked short with
the quantity found. The pick is confirmed only when every line is one or the other: the page's script
keeps the button disabled until then, and this handler refuses it too (a page without the script, a
resent form). Quantities are confirmed through the API's schema and service (`confirm_pick`).

Without JavaScript, Enter in the scan field posts the form with `action=scan`: the matching line comes
back ticked, nothing is confirmed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from litestar import Response, get, post
from litestar.response import Template
from marshmallow import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.catalogue import barcodes
from foodbank.lib.access import Principal, allow
from foodbank.lib.messages import Message
from foodbank.lib.validation import checked_load
from foodbank.models import Reservation, ReservationLine, ReservationStatus
from foodbank.pages.api_forms import page_form
from foodbank.pages.forms import FORM_ERROR, Form, FormSchema, attempt, empty_form, load_form
from foodbank.pages.i18n import N_, local_name
from foodbank.pages.layout import Nav, Ui, page
from foodbank.picking.fefo import LotStatus
from foodbank.stock import queries as stock_queries
from foodbank.stock import services
from foodbank.stock.controllers import WAREHOUSE
from foodbank.stock.errors import ReservationNotFound
from foodbank.stock.queries import lot_number
from foodbank.stock.schemas import PickedLineIn

STAFF = allow(*WAREHOUSE)

PICKED, SHORT = "picked", "short"

PickedLineForm = page_form(
    PickedLineIn,
    name="PickedLineForm",
    messages={
        "picked_quantity": {
            "required": N_("Give the quantity picked (0 if none)."),
            "invalid": N_("Give a whole number, 0 if nothing was picked."),
            "validate": N_("Give a whole number, 0 if nothing was picked."),
        }
    },
)


def state_field(line_id: int) -> str:
    return f"line-{line_id}-state"


def quantity_field(line_id: int) -> str:
    return f"line-{line_id}-picked"


@get("/warehouse/picking", opt=page(**STAFF, nav=Nav("warehouse", N_("Picking"), 30)), include_in_schema=False)
async def picking_lists(ui: Ui, db_session: AsyncSession) -> Template:
    return ui.render("warehouse/picking.html", reservations=await stock_queries.open_reservations(db_session))


# --- scanning --------------------------------------------------------------------------------------------


def scanned_line(lines: Sequence[ReservationLine], code: str, done: set[int]) -> ReservationLine | None:
    """The line a scan means: an item barcode is the first line of that item not done yet (in shelf
    order); a lot label (its number, or its lot code) is that lot's line."""
    text = code.strip()
    if not text:
        return None
    barcode = barcodes.normalise(text)
    if barcodes.is_valid(barcode):
        of_item = [line for line in lines if line.lot.item.barcode == barcode]
        return next((line for line in of_item if line.id not in done), of_item[0] if of_item else None)
    if (number := lot_number(text)) is not None:
        found = next((line for line in lines if line.lot_id == number), None)
        if found is not None:
            return found
    wanted = text.casefold()
    return next((line for line in lines if line.lot.lot_code and line.lot.lot_code.casefold() == wanted), None)


# --- the form --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PickView:
    """A line as the page shows it: in shelf order, whether it may be picked at all."""

    line: ReservationLine

    @property
    def blocked(self) -> bool:
        return self.line.lot.status is not LotStatus.active


def read_pick(ui: Ui, form: Form, lines: Sequence[ReservationLine]) -> dict[int, int]:
    """Line id -> quantity picked, from the ticks and quantities posted; messages at the lines for a line
    neither ticked nor marked short, a short line that is not short, a quantity that is not a number."""
    picked: dict[int, int] = {}
    for line in lines:
        state = form.value(state_field(line.id))
        quantity_text = form.value(quantity_field(line.id))
        if state not in (PICKED, SHORT):
            form.add_error(state_field(line.id), ui._("Tick this line, or mark it short."))
            continue
        if state == PICKED and quantity_text == "":
            quantity_text = str(line.quantity)
        try:
            loaded = checked_load(
                PickedLineForm(),
                {"line_id": line.id, **({"picked_quantity": quantity_text} if quantity_text != "" else {})},
            )
        except ValidationError as error:
            probe = Form(ui)
            probe.add_validation_error(error)
            for messages in probe.errors.values():
                for message in messages:
                    form.add_error(quantity_field(line.id), message)
            continue
        quantity = int(loaded["picked_quantity"])
        if state == SHORT and quantity >= line.quantity:
            form.add_error(
                quantity_field(line.id),
                ui._("Short means fewer than %(num)s: write how many you found (0 if none).", num=line.quantity),
            )
            continue
        picked[line.id] = quantity
    return picked


async def _reservation(session: AsyncSession, reservation_id: int) -> Reservation:
    found = await stock_queries.reservation(session, reservation_id)
    if found is None:
        raise ReservationNotFound(Message("There is no reservation with id %(id)s.", id=reservation_id))
    return found


def _pick_page(ui: Ui, reservation: Reservation, form: Form, *, status_code: int = 200, **extra: Any) -> Template:
    lines = services.picking_order(reservation.lines)
    done = sum(1 for line in lines if form.value(state_field(line.id)) in (PICKED, SHORT))
    return ui.render(
        "warehouse/pick.html",
        reservation=reservation,
        views=[PickView(line) for line in lines],
        form=form,
        done=done,
        status_code=status_code,
        **{"scanned": None, "scanned_line": None, **extra},
    )


@get("/warehouse/picking/{reservation_id:int}", opt=page(**STAFF), include_in_schema=False)
async def pick_page(ui: Ui, db_session: AsyncSession, reservation_id: int) -> Template:
    reservation = await _reservation(db_session, reservation_id)
    form = empty_form(
        ui, {quantity_field(line.id): line.picked_quantity or line.quantity for line in reservation.lines}
    )
    return _pick_page(ui, reservation, form)


@post("/warehouse/picking/{reservation_id:int}", opt=page(**STAFF), include_in_schema=False)
async def pick_submit(ui: Ui, principal: Principal, db_session: AsyncSession, reservation_id: int) -> Response[Any]:
    form = await load_form(ui, FormSchema)
    if (replay := await form.replayed(db_session)) is not None:
        return replay  # a double tap on confirm: where the first went, confirmed once
    reservation = await _reservation(db_session, reservation_id)
    if reservation.status is not ReservationStatus.open:
        return _pick_page(ui, reservation, form)  # the page says it is already picked or released
    lines = services.picking_order(reservation.lines)
    if form.value("action") == "scan":
        return _scan(ui, reservation, lines, form)
    picked = read_pick(ui, form, lines)
    if form.ok:
        confirmed = await attempt(
            form,
            db_session,
            lambda: services.confirm_pick(
                db_session, actor_id=principal.id, reservation_id=reservation_id, picked=picked
            ),
        )
        if confirmed is not None:
            units = sum(picked.values())
            message = ui._("Picking list %(id)s confirmed: %(units)s units picked.", id=reservation_id, units=units)
            return await form.remember(db_session, ui.redirect("/warehouse/picking", flash=message))
    if not form.messages(FORM_ERROR):
        undone = sum(1 for line in lines if state_field(line.id) in form.errors)
        if undone:
            form.add_error(
                FORM_ERROR,
                ui.tr.ngettext(
                    "%(num)s line is neither ticked nor marked short.",
                    "%(num)s lines are neither ticked nor marked short.",
                    undone,
                ),
            )
    return _pick_page(ui, reservation, form, status_code=form.status)


def _scan(ui: Ui, reservation: Reservation, lines: Sequence[ReservationLine], form: Form) -> Template:
    """A scan posted without the page's script: tick the line it names and show the list again."""
    done = {line.id for line in lines if form.value(state_field(line.id)) in (PICKED, SHORT)}
    code = form.value("scan")
    form.values.pop("scan", None)
    if not code:  # Enter in another field: nothing scanned, the list comes back as it was typed
        return _pick_page(ui, reservation, form)
    line = scanned_line(lines, code, done)
    if line is None:
        form.add_error("scan", ui._("No line of this list has that barcode or lot."))
        return _pick_page(ui, reservation, form, status_code=422)
    if line.lot.status is not LotStatus.active:
        blocked = ui._("on hold or recalled: do not pick it; mark it short with 0.")
        form.add_error("scan", f"{ui._('Lot %(id)s', id=line.lot_id)}: {blocked}")
        return _pick_page(ui, reservation, form, status_code=422)
    form.values[state_field(line.id)] = PICKED
    form.values[quantity_field(line.id)] = str(line.quantity)
    scanned = f"{ui._('Ticked:')} {local_name(line.lot.item, ui.lang)} {line.lot.location.code}"
    return _pick_page(ui, reservation, form, scanned=scanned, scanned_line=line.id)


HANDLERS = [picking_lists, pick_page, pick_submit]
