"""Use cases of the stock area: receive, hold and recall, dispose, adjust, transfer, return, reserve,
release and confirm a pick.

Every change goes through `ledger.post` on lots locked with `ledger.lock_lots` (ascending id order),
inside the caller's transaction; nothing here commits.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from foodbank.audit.services import record
from foodbank.catalogue import queries as catalogue_queries
from foodbank.config import StockSettings
from foodbank.lib.db import insert_rows
from foodbank.lib.errors import FieldError, InvalidInput
from foodbank.lib.messages import N_, Clauses, Label, Message
from foodbank.models import (
    Category,
    Channel,
    DatePrecision,
    DisposalReason,
    Donor,
    Item,
    ItemAllergen,
    Location,
    Lot,
    LotStatusChange,
    MovementKind,
    Receipt,
    ReceiptKind,
    Reservation,
    ReservationLine,
    ReservationPurpose,
    ReservationStatus,
    TemperatureReading,
)
from foodbank.models.catalogue import allergen_profile
from foodbank.picking import fefo, parcels
from foodbank.picking.fefo import DateKind, LotStatus
from foodbank.stock import dates, ledger
from foodbank.stock.dates import LabelDate
from foodbank.stock.errors import (
    InsufficientStock,
    LotNotFound,
    LotUnavailable,
    ReservationClosed,
    ReservationNotFound,
)

# --- receiving -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReceivedLot:
    """A lot as a receipt created it, for the answer (`LotOut` dumps it as it dumps a Lot): built from
    what the receipt wrote and the item and location its checks loaded, not read back."""

    id: int
    item: Item
    location: Location
    receipt_id: int
    receipt_line_no: int
    expiry_date: date | None
    date_precision: DatePrecision | None
    crop_year: int | None
    lot_code: str | None
    received_date: date
    quantity_received: int
    status: LotStatus = LotStatus.active
    hold_reason: str | None = None
    parent_lot_id: int | None = None

    @property
    def item_id(self) -> int:
        return self.item.id

    @property
    def location_id(self) -> int:
        return self.location.id

    @property
    def on_hand(self) -> int:
        return self.quantity_received

    @property
    def reserved(self) -> int:
        return 0

    @property
    def available(self) -> int:
        return self.quantity_received


@dataclass
class ReceiptResult:
    """A receipt as saved (`ReceiptOut` dumps it): its columns, its lots, and its warnings."""

    id: int
    kind: ReceiptKind
    donor_id: int | None
    received_date: date
    received_by_id: int | None
    notes: str | None
    lots: list[ReceivedLot]
    warnings: list[FieldError] = field(default_factory=list)
    """{field, message}: accepted, but worth a look (the message a Message)."""


class _Errors:
    """Collects every problem of a request, so a volunteer fixes them all in one go."""

    def __init__(self) -> None:
        self.items: list[FieldError] = []

    def add(self, field_name: str, message: Message) -> None:
        self.items.append({"field": field_name, "message": message})

    def raise_if_any(self, detail: Message) -> None:
        if self.items:
            raise InvalidInput(detail, errors=self.items)


@dataclass(frozen=True)
class ReceiptLine:
    """One line of a receipt, as `ReceiptLineIn` loads it: the item (by id or barcode), units, its date."""

    quantity: int
    location_id: int | None = None
    """None only for a CSV row whose location code was not found (said at its cell)."""
    item_id: int | None = None
    barcode: str | None = None
    expiry: LabelDate | None = None
    crop_year: int | None = None
    lot_code: str | None = None
    date_confirmed: bool = False
    """The volunteer was asked about an unusual date (far ahead) and said it is right."""

    @property
    def item_key(self) -> tuple[str, Any]:
        return ("id", self.item_id) if self.item_id is not None else ("barcode", self.barcode)


@dataclass(frozen=True)
class ReceiveCommand:
    """What `ReceiptIn` loads: a receipt to record."""

    kind: ReceiptKind
    donor_id: int | None
    received_date: date | None
    """None: today."""
    lines: tuple[ReceiptLine, ...]
    notes: str | None = None
    received_date_confirmed: bool = False
    """The volunteer was asked about a received date long past and said it is right."""


OddDates = Literal["warn", "ask"]
"""What an unusual, unconfirmed date (`dates.Level.ask`) does: `warn` accepts it and lists it in the
warnings (API clients and imports cannot be asked), `ask` refuses it at its field until confirmed
(the receive page, which shows the question)."""


async def receive(
    session: AsyncSession,
    command: ReceiveCommand,
    *,
    actor_id: int | None,
    settings: StockSettings,
    today: date | None = None,
    odd_dates: OddDates = "warn",
) -> ReceiptResult:
    """Record a receipt; every line becomes a lot. All lines or none: any error refuses the whole receipt.

    `today`, when given, refuses a received date in the future (a typo that would mislead every check)
    and asks about one long past (`dates.received_date_note`).
    """
    received_date = command.received_date or today
    if received_date is None:
        raise ValueError("receive() needs a received date or today")
    errors = _Errors()
    warnings: list[FieldError] = []
    if today is not None and (note := dates.received_date_note(received_date, today=today)) is not None:
        _note(note, "received_date", command.received_date_confirmed, odd_dates, errors.items, warnings)
    kind, donor_id = command.kind, command.donor_id
    if kind is ReceiptKind.donation:
        if donor_id is None:
            errors.add("donor_id", Message("A donation needs its donor (an anonymous individual donor is fine)."))
        elif await session.get(Donor, donor_id) is None:
            errors.add("donor_id", Message("There is no donor with id %(id)s.", id=donor_id))
    elif donor_id is not None and await session.get(Donor, donor_id) is None:
        errors.add("donor_id", Message("There is no donor with id %(id)s.", id=donor_id))

    lines = command.lines
    checked = await check_receipt_lines(
        session, lines, received_date=received_date, settings=settings, kind=kind, odd_dates=odd_dates
    )
    for problem in checked.errors:
        errors.add(problem.field_path, problem.message)
    warnings += [{"field": w.field_path, "message": w.message} for w in checked.warnings]
    errors.raise_if_any(Message("The receipt was not saved: fix the fields listed in errors."))

    # Core statements, one per table whatever the number of lines: a receipt of 20 lines or an opening
    # balance of thousands costs four round trips, and no ORM object is built for what is written.
    (receipt_id,) = (
        await insert_rows(
            session,
            Receipt.__table__,  # type: ignore[arg-type]
            {
                "kind": [kind],
                "donor_id": [donor_id],
                "received_date": [received_date],
                "received_by_id": [actor_id],
                "notes": [command.notes],
            },
            returning=("id",),
        )
    )[0]
    lots: list[ReceivedLot] = []
    for n, line in enumerate(lines):
        item = checked.item(line)
        assert item is not None  # every line passed check_receipt_lines
        assert line.location_id is not None
        lots.append(
            ReceivedLot(
                id=0,  # given by the insert
                item=item,
                location=checked.locations[line.location_id],
                receipt_id=receipt_id,
                receipt_line_no=n + 1,
                expiry_date=line.expiry.value if line.expiry else None,
                date_precision=line.expiry.precision if line.expiry else None,
                crop_year=line.crop_year,
                lot_code=line.lot_code,
                received_date=received_date,
                quantity_received=line.quantity,
            )
        )
    ids = await ledger.open_lots(
        session,
        {
            "item_id": [lot.item_id for lot in lots],
            "receipt_id": [receipt_id] * len(lots),
            "receipt_line_no": [lot.receipt_line_no for lot in lots],
            "location_id": [lot.location_id for lot in lots],
            "expiry_date": [lot.expiry_date for lot in lots],
            "date_precision": [lot.date_precision for lot in lots],
            "crop_year": [lot.crop_year for lot in lots],
            "lot_code": [lot.lot_code for lot in lots],
            "received_date": [received_date] * len(lots),
            "quantity_received": [lot.quantity_received for lot in lots],
        },
        actor_id=actor_id,
    )
    lots = [dataclasses.replace(lot, id=lot_id) for lot, lot_id in zip(lots, ids, strict=True)]
    await record(
        session,
        actor_id=actor_id,
        action="receipt.create",
        entity="receipt",
        entity_id=receipt_id,
        details={"kind": kind.value, "lines": len(lines), "units": sum(line.quantity for line in lines)},
    )
    return ReceiptResult(receipt_id, kind, donor_id, received_date, actor_id, command.notes, lots, warnings)


def _note(
    note: dates.DateNote,
    field_path: str,
    confirmed: bool,
    odd_dates: OddDates,
    errors: list[FieldError],
    warnings: list[FieldError],
) -> None:
    """Where a date note goes: refusals are errors; questions are errors until confirmed on a page that
    asks (`odd_dates="ask"`), warnings elsewhere; confirmed questions are nothing."""
    entry: FieldError = {"field": field_path, "message": note.as_message()}
    if note.level is dates.Level.refuse or (note.level is dates.Level.ask and odd_dates == "ask" and not confirmed):
        errors.append(entry)
    elif note.level is dates.Level.warn or not confirmed:
        warnings.append(entry)


@dataclass(frozen=True)
class LineProblem:
    """A problem of one receipt line: its index, the field (item_id, barcode, location_id, expiry,
    crop_year) and a message for a volunteer."""

    line: int
    field: str
    message: Message

    @property
    def field_path(self) -> str:
        return f"lines.{self.line}.{self.field}"


@dataclass
class CheckedLines:
    items: dict[tuple[str, Any], Item]
    locations: dict[int, Location] = field(default_factory=dict)
    """The locations the lines name that exist, by id."""
    errors: list[LineProblem] = field(default_factory=list)
    warnings: list[LineProblem] = field(default_factory=list)

    def item(self, line: ReceiptLine) -> Item | None:
        return self.items.get(line.item_key)


async def check_receipt_lines(
    session: AsyncSession,
    lines: Sequence[ReceiptLine],
    *,
    received_date: date,
    settings: StockSettings,
    kind: ReceiptKind = ReceiptKind.donation,
    odd_dates: OddDates = "warn",
) -> CheckedLines:
    """The rules of receipt lines that the schema cannot know: the item exists, the location exists and
    is in the item's temperature zone, and the dates fit the item. One query for all items and one for
    all locations, so a CSV import of thousands of lines shares these checks with the API.

    Lines are loaded by `ReceiptLineIn`; a line without `location_id` (a CSV row whose location code was
    not found) skips the location check.
    """
    checked = CheckedLines(await _items_for_lines(session, lines))
    location_ids = {line.location_id for line in lines if line.location_id is not None}
    locations = checked.locations = {
        loc.id: loc for loc in (await session.scalars(select(Location).where(Location.id.in_(location_ids)))).all()
    }
    for n, line in enumerate(lines):
        item = checked.item(line)
        if item is None:
            if line.item_id is not None:
                message = Message("There is no item with id %(id)s.", id=line.item_id)
                checked.errors.append(LineProblem(n, "item_id", message))
            else:
                message = Message("No item has the barcode %(barcode)s; register the item first.", barcode=line.barcode)
                checked.errors.append(LineProblem(n, "barcode", message))
            continue
        if line.location_id is not None:
            location = locations.get(line.location_id)
            if location is None or not location.is_active:
                message = Message("There is no location with id %(id)s.", id=line.location_id)
                checked.errors.append(LineProblem(n, "location_id", message))
            elif location.zone != item.zone:
                message = Message(
                    "%(item)s is %(item_zone)s stock; location %(location)s is %(location_zone)s.",
                    item=item.name_ja,
                    item_zone=Label("zone", item.zone),
                    location=location.code,
                    location_zone=Label("zone", location.zone),
                )
                checked.errors.append(LineProblem(n, "location_id", message))
        _check_line_dates(item, line, received_date, settings, kind, odd_dates, n, checked)
    return checked


async def _items_for_lines(session: AsyncSession, lines: Sequence[ReceiptLine]) -> dict[tuple[str, Any], Item]:
    ids = {line.item_id for line in lines if line.item_id is not None}
    codes = {line.barcode for line in lines if line.barcode is not None}
    found = await catalogue_queries.items_by_ids_or_barcodes(session, ids, codes)
    by_key: dict[tuple[str, Any], Item] = {}
    for item in found:
        by_key[("id", item.id)] = item
        if item.barcode:
            by_key[("barcode", item.barcode)] = item
    return by_key


def line_date_note(
    item: Item,
    line: ReceiptLine,
    *,
    received_date: date,
    settings: StockSettings,
    kind: ReceiptKind = ReceiptKind.donation,
) -> dates.DateNote | None:
    """What the rules of `dates` say about a line's date, for its item (None: nothing to say). The
    receive page asks this as the date is typed; `check_receipt_lines` applies it."""
    if item.date_kind is DateKind.crop_year:
        return None if line.crop_year is None else dates.crop_year_note(line.crop_year, received=received_date)
    if line.expiry is None or item.date_kind is DateKind.none:
        return None
    return dates.expiry_note(
        item.date_kind,
        line.expiry,
        received=received_date,
        min_days_at_receipt=item.category.min_days_at_receipt,
        short_dates=settings.short_date_at_receipt,
        past_best_before="refuse" if kind is ReceiptKind.donation else "warn",
    )


def _check_line_dates(
    item: Item,
    line: ReceiptLine,
    received_date: date,
    settings: StockSettings,
    kind: ReceiptKind,
    odd_dates: OddDates,
    n: int,
    checked: CheckedLines,
) -> None:
    def error(field_name: str, message: Message) -> None:
        checked.errors.append(LineProblem(n, field_name, message))

    expiry = line.expiry
    if item.date_kind is DateKind.crop_year:
        if line.crop_year is None:
            error("crop_year", Message("%(item)s carries a crop year (産年): give crop_year.", item=item.name_ja))
        if expiry is not None:
            error("expiry", Message("%(item)s carries a crop year, not a date.", item=item.name_ja))
    else:
        if line.crop_year is not None:
            error("crop_year", Message("Only rice and similar items carry a crop year."))
        if item.date_kind is DateKind.none:
            if expiry is not None:
                error("expiry", Message("%(item)s is registered as carrying no date.", item=item.name_ja))
            return
        if expiry is None:
            if item.date_kind is DateKind.use_by:
                error("expiry", Message("Give the use-by (消費期限) date printed on the label."))
            else:
                error("expiry", Message("Give the best-before (賞味期限) date printed on the label."))
            return
    note = line_date_note(item, line, received_date=received_date, settings=settings, kind=kind)
    if note is None:
        return
    name = "crop_year" if item.date_kind is DateKind.crop_year else "expiry"
    errors: list[FieldError] = []
    warnings: list[FieldError] = []
    _note(note, name, line.date_confirmed, odd_dates, errors, warnings)
    checked.errors += [LineProblem(n, name, e["message"]) for e in errors]
    checked.warnings += [LineProblem(n, name, w["message"]) for w in warnings]


# --- holds, recalls, disposal, adjustments, transfers, returns -------------------------------------


async def _locked_lot(session: AsyncSession, lot_id: int) -> Lot:
    lot = (await ledger.lock_lots(session, [lot_id])).get(lot_id)
    if lot is None:
        raise LotNotFound(Message("There is no lot with id %(id)s.", id=lot_id))
    return lot


@dataclass(frozen=True)
class HoldRequest:
    """Which lots to put on hold or recall, and why (`HoldIn` loads to it): one lot, or every lot of an
    item, optionally only those with one date or lot code; or (the temperature records) every lot with
    stock in one location, held because of one out-of-range reading."""

    status: LotStatus
    reason: str
    lot_id: int | None = None
    item_id: int | None = None
    expiry: LabelDate | None = None
    lot_code: str | None = None
    location_id: int | None = None
    temperature_reading_id: int | None = None


async def hold(session: AsyncSession, *, actor_id: int | None, request: HoldRequest) -> list[int]:
    """Put one lot, or every matching lot of an item, on hold or recalled. Such lots are never picked.
    Each lot whose status changes gets a row in its hold history (`LotStatusChange`)."""
    stmt = select(Lot.id)
    if request.lot_id is not None:
        stmt = stmt.where(Lot.id == request.lot_id)
    elif request.location_id is not None:
        stmt = stmt.where(Lot.location_id == request.location_id, Lot.on_hand > 0)
    else:
        stmt = stmt.where(Lot.item_id == request.item_id)
        if request.expiry is not None:
            stmt = stmt.where(Lot.expiry_date == request.expiry.value)
        if request.lot_code is not None:
            stmt = stmt.where(Lot.lot_code == request.lot_code)
    ids = list((await session.scalars(stmt)).all())
    if not ids:
        raise LotNotFound(Message("No lot matches: check the lot, item, date or lot code."))
    lots = await ledger.lock_lots(session, ids)
    for lot in lots.values():
        if lot.status is LotStatus.recalled and request.status is LotStatus.on_hold:
            continue  # a recall is stronger than a hold and is never weakened by one
        lot.status = request.status
        lot.hold_reason = request.reason
        session.add(
            LotStatusChange(
                lot_id=lot.id,
                status=request.status,
                reason=request.reason,
                actor_id=actor_id,
                temperature_reading_id=request.temperature_reading_id,
            )
        )
    await record(
        session,
        actor_id=actor_id,
        action=f"lot.{'recall' if request.status is LotStatus.recalled else 'hold'}",
        entity="lot",
        entity_id=request.lot_id,
        details={
            "lot_ids": sorted(lots),
            "item_id": request.item_id,
            "location_id": request.location_id,
            "temperature_reading_id": request.temperature_reading_id,
        },
    )
    return sorted(lots)


async def release_hold(session: AsyncSession, *, actor_id: int | None, lot_id: int) -> Lot:
    """Release a hold. A hold for an out-of-range temperature reading is released only once that
    reading has a recorded review (who, when, what was decided)."""
    lot = await _locked_lot(session, lot_id)
    if lot.status is not LotStatus.on_hold:
        raise LotUnavailable(
            Message("Only a lot on hold can be released; a recalled lot stays blocked until it is disposed of.")
            if lot.status is LotStatus.recalled
            else Message("The lot is not on hold.")
        )
    unreviewed = await session.scalar(
        select(TemperatureReading.id)
        .join(LotStatusChange, LotStatusChange.temperature_reading_id == TemperatureReading.id)
        .where(LotStatusChange.lot_id == lot_id, TemperatureReading.reviewed_at.is_(None))
        .order_by(LotStatusChange.id.desc())
        .limit(1)
    )
    if unreviewed is not None:
        raise LotUnavailable(
            Message(
                "Lot %(lot)s is on hold because of temperature reading %(reading)s, which has no review yet: "
                "record the review of the reading first.",
                lot=lot_id,
                reading=unreviewed,
            ),
            temperature_reading_id=unreviewed,
        )
    lot.status = LotStatus.active
    lot.hold_reason = None
    session.add(LotStatusChange(lot_id=lot.id, status=LotStatus.active, actor_id=actor_id))
    await record(session, actor_id=actor_id, action="lot.release_hold", entity="lot", entity_id=lot_id)
    return lot


@dataclass(frozen=True)
class Disposal:
    """Units of one lot written off, and why (`DisposalIn` loads to it): the reason has no default."""

    quantity: int
    reason: DisposalReason


async def dispose(session: AsyncSession, *, actor_id: int | None, lot_id: int, disposal: Disposal) -> Lot:
    lot = await _locked_lot(session, lot_id)
    quantity, reason = disposal.quantity, disposal.reason
    if quantity > lot.available:
        raise LotUnavailable(
            Message(
                "Only %(available)s of lot %(lot)s can be disposed of (%(reserved)s are reserved: release them first).",
                available=lot.available,
                lot=lot_id,
                reserved=lot.reserved,
            ),
            available=lot.available,
        )
    ledger.post(session, lot, MovementKind.disposal, on_hand_delta=-quantity, actor_id=actor_id, reason=reason.value)
    await record(
        session,
        actor_id=actor_id,
        action="lot.dispose",
        entity="lot",
        entity_id=lot_id,
        details={"quantity": quantity, "reason": reason.value},
    )
    return lot


async def dispose_expired(session: AsyncSession, *, actor_id: int | None, as_of: date) -> list[dict[str, int]]:
    """Dispose of the available stock of every lot whose date has passed on `as_of`: [{lot_id, quantity}]."""
    stmt = (
        select(Lot.id)
        .join(Item, Item.id == Lot.item_id)
        .where(
            Lot.on_hand > Lot.reserved,
            Lot.expiry_date < as_of,
            Item.date_kind.in_([DateKind.best_before, DateKind.use_by]),
        )
    )
    lots = await ledger.lock_lots(session, (await session.scalars(stmt)).all())
    disposed = []
    for lot in lots.values():
        if lot.expiry_date is not None and lot.expiry_date < as_of and lot.available > 0:
            quantity = lot.available
            ledger.post(
                session,
                lot,
                MovementKind.disposal,
                on_hand_delta=-quantity,
                actor_id=actor_id,
                reason=DisposalReason.expired.value,
            )
            disposed.append({"lot_id": lot.id, "quantity": quantity})
    await record(
        session,
        actor_id=actor_id,
        action="lot.dispose_expired",
        entity="lot",
        details={"lots": len(disposed), "units": sum(d["quantity"] for d in disposed), "as_of": as_of.isoformat()},
    )
    return disposed


async def adjust(session: AsyncSession, *, actor_id: int | None, lot_id: int, counted: int, reason: str) -> Lot:
    """A stock count found `counted` units: the difference is booked as an adjustment with its reason."""
    lot = await _locked_lot(session, lot_id)
    if (problem := count_problem(lot, counted)) is not None:
        raise LotUnavailable(problem, reserved=lot.reserved)
    await book_count(session, lot, counted=counted, reason=reason, actor_id=actor_id)
    return lot


def count_problem(lot: Lot, counted: int) -> Message | None:
    """Why a count of `counted` units cannot be booked on `lot`, or None when it can."""
    if counted < lot.reserved:
        return Message(
            "%(reserved)s units of lot %(lot)s are reserved; release or pick them before counting fewer.",
            reserved=lot.reserved,
            lot=lot.id,
        )
    return None


async def book_count(session: AsyncSession, lot: Lot, *, counted: int, reason: str, actor_id: int | None) -> int:
    """Book the difference between a count and the balance of a lot the caller has locked and checked
    with `count_problem`; returns the difference (0: nothing booked). `adjust` and the CSV stock count
    (which locks all its lots at once, in ascending id order) share it."""
    delta = counted - lot.on_hand
    if delta:
        ledger.post(session, lot, MovementKind.adjustment, on_hand_delta=delta, actor_id=actor_id, reason=reason)
        await record(
            session,
            actor_id=actor_id,
            action="lot.adjust",
            entity="lot",
            entity_id=lot.id,
            details={"delta": delta},
        )
    return delta


async def transfer(
    session: AsyncSession, *, actor_id: int | None, lot_id: int, quantity: int, to_location_id: int
) -> Lot:
    """Move units to another location: they become a new lot there, which remembers its parent."""
    destination = await session.get(Location, to_location_id)
    if destination is None or not destination.is_active:
        raise InvalidInput(
            Message("There is no location with id %(id)s.", id=to_location_id),
            errors=[{"field": "to_location_id", "message": Message("unknown location")}],
        )
    lot = await _locked_lot(session, lot_id)
    if destination.zone != lot.item.zone:
        raise InvalidInput(
            Message(
                "%(item)s is %(item_zone)s stock; %(location)s is %(location_zone)s.",
                item=lot.item.name_ja,
                item_zone=Label("zone", lot.item.zone),
                location=destination.code,
                location_zone=Label("zone", destination.zone),
            ),
            errors=[{"field": "to_location_id", "message": Message("wrong temperature zone")}],
        )
    if destination.id == lot.location_id:
        raise InvalidInput(
            Message("The lot is already there."),
            errors=[{"field": "to_location_id", "message": Message("same location")}],
        )
    if quantity > lot.available:
        raise LotUnavailable(
            Message("Only %(available)s units of lot %(lot)s are free to move.", available=lot.available, lot=lot_id),
            available=lot.available,
        )
    moved = Lot(
        item_id=lot.item_id,
        receipt_id=lot.receipt_id,
        receipt_line_no=lot.receipt_line_no,
        parent_lot_id=lot.id,
        location_id=destination.id,
        expiry_date=lot.expiry_date,
        date_precision=lot.date_precision,
        crop_year=lot.crop_year,
        lot_code=lot.lot_code,
        received_date=lot.received_date,
        quantity_received=quantity,
        on_hand=0,
        reserved=0,
        status=lot.status,
        hold_reason=lot.hold_reason,
    )
    session.add(moved)
    await session.flush()
    ledger.post(
        session,
        lot,
        MovementKind.transfer,
        on_hand_delta=-quantity,
        actor_id=actor_id,
        counterpart_lot_id=moved.id,
    )
    ledger.post(
        session,
        moved,
        MovementKind.transfer,
        on_hand_delta=quantity,
        actor_id=actor_id,
        counterpart_lot_id=lot.id,
    )
    await record(
        session,
        actor_id=actor_id,
        action="lot.transfer",
        entity="lot",
        entity_id=lot_id,
        details={"to_lot_id": moved.id, "quantity": quantity, "to_location_id": destination.id},
    )
    await session.refresh(moved, ["item", "location"])
    return moved


async def return_stock(session: AsyncSession, *, actor_id: int | None, lot_id: int, quantity: int, reason: str) -> Lot:
    """Units come back to a lot (a hand-out corrected, a parcel not collected)."""
    lot = await _locked_lot(session, lot_id)
    ledger.post(session, lot, MovementKind.return_, on_hand_delta=quantity, actor_id=actor_id, reason=reason)
    await record(
        session,
        actor_id=actor_id,
        action="lot.return",
        entity="lot",
        entity_id=lot_id,
        details={"quantity": quantity},
    )
    return lot


# --- reservations and picking ----------------------------------------------------------------------


@dataclass
class ReservationResult:
    reservation: Reservation
    shortages: list[dict[str, int]]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.reservation, name)

    @property
    def picking_list(self) -> list[ReservationLine]:
        return picking_order(self.reservation.lines)


def picking_order(lines: Iterable[ReservationLine]) -> list[ReservationLine]:
    """Zone, then location code, then item name, then FEFO within the item: one walk through the shelves.

    `candidate` reads the lot's item allergens, so lines must come with their lots' items loaded.
    """
    return sorted(
        lines,
        key=lambda line: (
            line.lot.item.zone.value,
            line.lot.location.code,
            line.lot.item.name_ja,
            fefo.fefo_key(candidate(line.lot)),
        ),
    )


async def policy_for(session: AsyncSession, channel: Channel, settings: StockSettings) -> fefo.Policy:
    categories = (await session.scalars(select(Category))).all()
    return fefo.Policy(
        default_min_days=settings.default_min_days,
        min_days_by_category={c.id: c.min_days(channel) for c in categories},
    )


def candidate(lot: Lot) -> fefo.CandidateLot:
    return fefo.CandidateLot(
        lot_id=lot.id,
        item_id=lot.item_id,
        category_id=lot.item.category_id,
        available=lot.available,
        date_kind=lot.item.date_kind,
        expiry_date=lot.expiry_date,
        crop_year=lot.crop_year,
        received_date=lot.received_date,
        status=lot.status,
        allergens=lot.item.allergen_set,
    )


@dataclass(frozen=True, slots=True)
class ItemProfile:
    """What the allocator needs of an item, read without ORM objects."""

    category_id: int
    date_kind: DateKind
    allergens: frozenset[str] | None
    name_ja: str


async def item_profiles(session: AsyncSession, item_ids: Iterable[int]) -> dict[int, ItemProfile]:
    """Item id -> its profile, in two plain queries (items, then their allergen codes)."""
    ids = sorted(set(item_ids))
    if not ids:
        return {}
    item = Item.__table__.c
    allergen = ItemAllergen.__table__.c
    codes: dict[int, list[str]] = defaultdict(list)
    for item_id, code in await session.execute(
        select(allergen.item_id, allergen.allergen_code).where(allergen.item_id.in_(ids))
    ):
        codes[item_id].append(code)
    rows = await session.execute(
        select(item.id, item.category_id, item.date_kind, item.allergens_known, item.ready_to_eat, item.name_ja).where(
            item.id.in_(ids)
        )
    )
    return {
        item_id: ItemProfile(category_id, date_kind, allergen_profile(known, ready, codes[item_id]), name)
        for item_id, category_id, date_kind, known, ready, name in rows
    }


async def candidate_lots(
    session: AsyncSession, where: ColumnElement[bool], *, lock: bool
) -> tuple[list[fefo.CandidateLot], dict[int, ItemProfile]]:
    """The lots matching `where` as the allocator sees them (`candidate`), in ascending id order, and the
    profiles of their items, from plain rows: no ORM objects are built, which on a pantry day of 20,000
    lots is most of the cost. `lock` takes their row locks (FOR UPDATE, in that order: the deadlock-free
    one); PostgreSQL re-checks `where` after waiting for a lock, so lots emptied meanwhile drop out."""
    lot = Lot.__table__.c
    stmt = (
        select(
            lot.id,
            lot.item_id,
            lot.on_hand,
            lot.reserved,
            lot.expiry_date,
            lot.crop_year,
            lot.received_date,
            lot.status,
        )
        .where(where)
        .order_by(lot.id)
    )
    if lock:
        stmt = stmt.with_for_update()
    rows = (await session.execute(stmt)).all()
    profiles = await item_profiles(session, {row[1] for row in rows})
    lots = []
    for lot_id, item_id, on_hand, reserved, expiry_date, crop_year, received_date, status in rows:
        profile = profiles[item_id]
        lots.append(
            fefo.CandidateLot(
                lot_id=lot_id,
                item_id=item_id,
                category_id=profile.category_id,
                available=on_hand - reserved,
                date_kind=profile.date_kind,
                expiry_date=expiry_date,
                crop_year=crop_year,
                received_date=received_date,
                status=status,
                allergens=profile.allergens,
            )
        )
    return lots, profiles


async def lock_candidates(
    session: AsyncSession, item_ids: Iterable[int], category_ids: Iterable[int] = ()
) -> list[Lot]:
    """Lock every lot with free units of these items (or of any item of these categories), in
    ascending id order (the deadlock-free order).

    Lots on hold or recalled are among them: the allocator never takes them, but a shortage says they
    are there. PostgreSQL re-checks the WHERE clause after waiting for a lock, so lots emptied meanwhile
    drop out.
    """
    wanted: ColumnElement[bool] = Lot.item_id.in_(sorted(set(item_ids)))
    if categories := sorted(set(category_ids)):
        wanted = or_(wanted, Lot.item_id.in_(select(Item.id).where(Item.category_id.in_(categories))))
    stmt = (
        select(Lot)
        .where(wanted, Lot.on_hand > Lot.reserved)
        .order_by(Lot.id)
        .with_for_update(of=Lot)
        .options(selectinload(Lot.item).selectinload(Item.allergen_rows))
        .execution_options(populate_existing=True)
    )
    return list((await session.scalars(stmt)).unique().all())


UNUSABLE_REASONS = {
    "allergen": N_("%(units)s contain something the household must avoid"),
    "best_before_too_close": N_("%(units)s best-before too close"),
    "use_by_passed": N_("%(units)s past its use-by date"),
    "no_date": N_("%(units)s no date on record"),
    "on_hold": N_("%(units)s on hold"),
    "recalled": N_("%(units)s recalled"),
}


def shortage_dicts(
    result: fefo.AllocationResult | parcels.ParcelResult,
    candidates: Sequence[fefo.CandidateLot],
    *,
    names: Mapping[int, str],
    on_date: date,
    policy: fefo.Policy,
    avoid: frozenset[str],
) -> list[dict[str, Any]]:
    """What is missing per item (then per category), and why the free units on the shelves could not be
    used (`unusable`, and `avoided`: what the household avoids that those lots hold)."""

    def explained(lots: Iterable[fefo.CandidateLot]) -> dict[str, Any]:
        why = fefo.unusable(lots, on_date, policy, avoid)
        return {"unusable": dict(why.units), "avoided": sorted(why.avoided)}

    item_shortages = result.shortages if isinstance(result, fefo.AllocationResult) else result.item_shortages
    out: list[dict[str, Any]] = [
        {
            "item_id": s.item_id,
            "item_name": names.get(s.item_id),
            "requested": s.requested,
            "allocated": s.allocated,
            "missing": s.missing,
            **explained(lot for lot in candidates if lot.item_id == s.item_id),
        }
        for s in item_shortages
    ]
    if isinstance(result, parcels.ParcelResult):
        out.extend(
            {
                "category_id": c.category_id,
                "item_name": f"category {c.category_id}",
                "requested": c.requested,
                "allocated": c.allocated,
                "missing": c.missing,
                **explained(lot for lot in candidates if lot.category_id == c.category_id),
            }
            for c in result.category_shortages
        )
    return out


def _unusable(reason: str, units: int, avoided: Sequence[str]) -> Message:
    why = (
        Message(UNUSABLE_REASONS[reason], units=units)
        if reason in UNUSABLE_REASONS
        else Message("%(units)s %(reason)s", units=units, reason=reason)
    )
    return Message("%(why)s: %(avoided)s", why=why, avoided=list(avoided)) if reason == "allergen" and avoided else why


def describe_shortages(shortages: Sequence[Mapping[str, Any]]) -> Message:
    parts = []
    for s in shortages:
        why = [_unusable(reason, units, s.get("avoided") or ()) for reason, units in s["unusable"].items()]
        name = s.get("item_name") or Message("item %(id)s", id=s["item_id"])
        if why:
            parts.append(
                Message("%(name)s: %(missing)s missing (%(why)s)", name=name, missing=s["missing"], why=Clauses(why))
            )
        else:
            parts.append(Message("%(name)s: %(missing)s missing", name=name, missing=s["missing"]))
    return Message("Not enough usable stock. %(parts)s. Nothing was reserved.", parts=parts)


async def reserve(
    session: AsyncSession,
    *,
    actor_id: int | None,
    purpose: ReservationPurpose,
    purpose_ref: str | None,
    channel: Channel,
    distribution_date: date,
    requests: Mapping[int, int],
    avoid_allergens: frozenset[str],
    allow_partial: bool,
    note: str | None,
    settings: StockSettings,
    category_requests: Mapping[int, int] | None = None,
) -> ReservationResult:
    """Reserve stock FEFO for a purpose and return its picking list.

    All or nothing unless `allow_partial`: a shortage raises InsufficientStock (409) listing what is
    missing, and nothing is reserved.
    """
    rows = await session.execute(select(Item.id, Item.name_ja).where(Item.id.in_(requests)))
    names: dict[int, str] = {item_id: name for item_id, name in rows}
    unknown = set(requests) - set(names)
    if unknown:
        raise InvalidInput(
            Message("Unknown items: %(ids)s.", ids=sorted(unknown)),
            errors=[
                {"field": "lines", "message": Message("there is no item with id %(id)s", id=i)} for i in sorted(unknown)
            ],
        )
    lots = await lock_candidates(session, requests, category_requests or ())
    candidates = [candidate(lot) for lot in lots]
    policy = await policy_for(session, channel, settings)
    result: fefo.AllocationResult | parcels.ParcelResult
    if category_requests:
        # "Any item of this category" lines are filled after the named items, FEFO across the category.
        demand = parcels.ParcelDemand(requests, category_requests, avoid_allergens)
        result = parcels.allocate_parcels(candidates, [demand], distribution_date, policy)[0]
    else:
        result = fefo.allocate(candidates, requests, distribution_date, policy, avoid_allergens)
    shortages = shortage_dicts(
        result, candidates, names=names, on_date=distribution_date, policy=policy, avoid=avoid_allergens
    )
    # Even with allow_partial, a reservation with nothing in it helps nobody: refuse it.
    if shortages and (not allow_partial or not result.allocations):
        raise InsufficientStock(describe_shortages(shortages), shortages=shortages)
    reservation = Reservation(
        purpose=purpose,
        purpose_ref=purpose_ref,
        channel=channel,
        distribution_date=distribution_date,
        note=note,
        created_by_id=actor_id,
    )
    session.add(reservation)
    await session.flush()
    by_id = {lot.id: lot for lot in lots}
    for allocation in result.allocations:
        lot = by_id[allocation.lot_id]
        session.add(
            ReservationLine(
                reservation_id=reservation.id,
                lot_id=lot.id,
                item_id=lot.item_id,
                quantity=allocation.quantity,
            )
        )
        ledger.post(
            session,
            lot,
            MovementKind.reservation,
            reserved_delta=allocation.quantity,
            actor_id=actor_id,
            reservation_id=reservation.id,
        )
    await session.flush()
    await record(
        session,
        actor_id=actor_id,
        action="reservation.create",
        entity="reservation",
        entity_id=reservation.id,
        details={"purpose": purpose.value, "lines": len(result.allocations), "short_items": len(shortages)},
    )
    await session.refresh(reservation, ["lines"])
    return ReservationResult(reservation, shortages)


async def _locked_open_reservation(session: AsyncSession, reservation_id: int) -> Reservation:
    reservation = await session.get(Reservation, reservation_id, with_for_update=True, populate_existing=True)
    if reservation is None:
        raise ReservationNotFound(Message("There is no reservation with id %(id)s.", id=reservation_id))
    if reservation.status is not ReservationStatus.open:
        raise ReservationClosed(
            Message(
                "Reservation %(id)s is already %(status)s.",
                id=reservation_id,
                status=Label("reservation_status", reservation.status),
            )
        )
    return reservation


async def release(session: AsyncSession, *, actor_id: int | None, reservation_id: int) -> Reservation:
    """Give the reserved stock back to the shelves."""
    reservation = await _locked_open_reservation(session, reservation_id)
    lots = await ledger.lock_lots(session, (line.lot_id for line in reservation.lines))
    for line in reservation.lines:
        ledger.post(
            session,
            lots[line.lot_id],
            MovementKind.release,
            reserved_delta=-line.quantity,
            actor_id=actor_id,
            reservation_id=reservation.id,
        )
    reservation.status = ReservationStatus.released
    await record(
        session,
        actor_id=actor_id,
        action="reservation.release",
        entity="reservation",
        entity_id=reservation_id,
    )
    return reservation


async def confirm_pick(
    session: AsyncSession,
    *,
    actor_id: int | None,
    reservation_id: int,
    picked: Mapping[int, int],
    distribution_id: int | None = None,
) -> Reservation:
    """Record what was actually picked (line id -> quantity) and issue it; the unpicked rest is released.

    Every line must be confirmed. A lot put on hold or recalled since it was reserved can only be
    confirmed with 0: it must not leave the warehouse.
    """
    reservation = await _locked_open_reservation(session, reservation_id)
    line_ids = {line.id for line in reservation.lines}
    errors = _Errors()
    for line_id in sorted(set(picked) - line_ids):
        errors.add(
            "lines", Message("Line %(line)s is not part of reservation %(id)s.", line=line_id, id=reservation_id)
        )
    for line_id in sorted(line_ids - set(picked)):
        errors.add(
            "lines", Message("Line %(line)s has no picked quantity (write 0 if nothing was picked).", line=line_id)
        )
    for line in reservation.lines:
        if line.id in picked and picked[line.id] > line.quantity:
            errors.add(
                "lines",
                Message(
                    "Line %(line)s: %(picked)s picked, but only %(reserved)s were reserved.",
                    line=line.id,
                    picked=picked[line.id],
                    reserved=line.quantity,
                ),
            )
    errors.raise_if_any(Message("The pick was not confirmed."))
    lots = await ledger.lock_lots(session, (line.lot_id for line in reservation.lines))
    blocked = [
        line.id
        for line in reservation.lines
        if picked[line.id] > 0 and lots[line.lot_id].status is not LotStatus.active
    ]
    if blocked:
        raise LotUnavailable(
            Message(
                "Lines %(lines)s come from lots on hold or recalled since they were reserved: do not hand them out; "
                "confirm them with 0.",
                lines=blocked,
            ),
            line_ids=blocked,
        )
    for line in reservation.lines:
        lot = lots[line.lot_id]
        quantity = picked[line.id]
        line.picked_quantity = quantity
        if quantity:
            ledger.post(
                session,
                lot,
                MovementKind.issue,
                on_hand_delta=-quantity,
                reserved_delta=-line.quantity,
                actor_id=actor_id,
                reservation_id=reservation.id,
                distribution_id=distribution_id,
            )
        else:
            ledger.post(
                session,
                lot,
                MovementKind.release,
                reserved_delta=-line.quantity,
                actor_id=actor_id,
                reservation_id=reservation.id,
            )
    reservation.status = ReservationStatus.picked
    reservation.picked_by_id = actor_id
    await record(
        session,
        actor_id=actor_id,
        action="reservation.pick",
        entity="reservation",
        entity_id=reservation_id,
        details={
            "units": sum(picked.values()),
            "short_lines": sum(1 for ln in reservation.lines if picked[ln.id] < ln.quantity),
        },
    )
    return reservation


def group_requests(lines: Iterable[Mapping[str, int]]) -> dict[int, int]:
    """Request lines may name an item twice; the allocator wants one quantity per item."""
    totals: dict[int, int] = defaultdict(int)
    for line in lines:
        totals[line["item_id"]] += line["quantity"]
    return dict(totals)
