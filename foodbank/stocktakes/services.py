"""Use cases of stocktakes (棚卸): open a count, add count lines, give reasons, approve or abandon.

The rule for movements during a count
-------------------------------------
A count line says what was on the shelf when it was recorded. When the count opens, each lot of its
locations is snapshotted with its units on hand and its ledger position (the id of its last movement).
Each count line records the lot's ledger position at that moment, read while holding the lot's row lock
(`FOR SHARE`: a receipt, pick or hand-out of that lot in progress finishes first, and none can start
until the line is saved), so every movement of the lot is either before the line or after it.

    expected   = snapshot + the lot's movements after the snapshot, up to the count line's position
    difference = counted - expected

Movements after the count line are not in the count and not in `expected`: they stay booked as they
are, and the approval adds only `difference`, so the lot ends at `counted + movements since the count`.
Nothing is lost and nothing is counted twice. A lot counted at several locations of the count (part of it
on another shelf) counts the latest line at each location, summed, against its position at the latest
of those lines. A lot received during the count (not in the snapshot) has a snapshot of 0 units at
position 0. A lot of the snapshot that no line counts is "not counted": the approval leaves it as it is
(count it as 0 to write it off).

Approval books each difference through `ledger.post` as an adjustment with its reason code, in the
caller's transaction; a difference beyond both tolerances (`StockSettings.stocktake_approval_units` and
`stocktake_approval_percent` of the expected units) needs a coordinator or an admin. Nothing here commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.selectable import ScalarSelect

from foodbank.audit.services import record
from foodbank.config import StockSettings
from foodbank.lib.errors import FieldError, InvalidInput
from foodbank.lib.messages import Label, Message
from foodbank.models import (
    Location,
    Lot,
    MovementKind,
    StockMovement,
    Stocktake,
    StocktakeCount,
    StocktakeLocation,
    StocktakeLot,
    StocktakeReason,
    StocktakeStatus,
    Warehouse,
    Zone,
)
from foodbank.stock import ledger
from foodbank.stock.errors import LotUnavailable
from foodbank.stocktakes import queries
from foodbank.stocktakes.errors import StocktakeClosed, StocktakeNeedsApproval, StocktakeNotFound, StocktakeOverlap


@dataclass(frozen=True)
class OpenStocktake:
    """What `StocktakeIn` loads: the warehouse, and optionally one zone of it or some of its locations."""

    warehouse_id: int
    zone: Zone | None = None
    location_ids: tuple[int, ...] = ()
    note: str | None = None


@dataclass(frozen=True)
class CountLine:
    """What `CountLineIn` loads: units of one lot counted at one location (0: none found)."""

    lot_id: int
    location_id: int
    counted: int


@dataclass(frozen=True)
class ReasonLine:
    """What `ReasonLineIn` loads: why a lot's count differs (None clears it)."""

    lot_id: int
    reason: StocktakeReason | None
    note: str | None = None


async def _stocktake(session: AsyncSession, stocktake_id: int, *, read: bool) -> Stocktake:
    """The stocktake, locked: `read` (FOR SHARE) lets counters work at once, while approving and
    abandoning (FOR UPDATE) wait for the counts in progress and make later ones wait."""
    stmt = (
        select(Stocktake)
        .where(Stocktake.id == stocktake_id)
        .with_for_update(read=read, of=Stocktake)
        .execution_options(populate_existing=True)
    )
    found = (await session.scalars(stmt)).first()
    if found is None:
        raise StocktakeNotFound(Message("There is no stocktake with id %(id)s.", id=stocktake_id))
    if found.status is not StocktakeStatus.open:
        raise StocktakeClosed(
            Message(
                "Stocktake %(id)s is already %(status)s.",
                id=stocktake_id,
                status=Label("stocktake_status", found.status),
            ),
            status=found.status.value,
        )
    return found


def _last_movement(lot_column: InstrumentedAttribute[int]) -> ScalarSelect[int]:
    return (
        select(func.coalesce(func.max(StockMovement.id), 0)).where(StockMovement.lot_id == lot_column).scalar_subquery()
    )


async def open_stocktake(session: AsyncSession, command: OpenStocktake, *, actor_id: int | None) -> Stocktake:
    """Open a count and take its snapshot: every lot with units on hand at its locations, with its ledger
    position. One open count per location: a second would book the same differences twice."""
    warehouse = await session.get(Warehouse, command.warehouse_id, with_for_update=True)  # one opening at a time
    if warehouse is None:
        raise InvalidInput(
            Message("There is no warehouse with id %(id)s.", id=command.warehouse_id),
            errors=[{"field": "warehouse_id", "message": Message("unknown warehouse")}],
        )
    stmt = select(Location).where(Location.warehouse_id == warehouse.id, Location.is_active)
    if command.zone is not None:
        stmt = stmt.where(Location.zone == command.zone)
    if command.location_ids:
        stmt = stmt.where(Location.id.in_(command.location_ids))
    locations = list((await session.scalars(stmt.order_by(Location.code))).all())
    if unknown := sorted(set(command.location_ids) - {loc.id for loc in locations}):
        raise InvalidInput(
            Message("These locations are not in this warehouse (or zone): %(ids)s.", ids=unknown),
            errors=[{"field": "location_ids", "message": Message("unknown location %(id)s", id=i)} for i in unknown],
        )
    if not locations:
        raise InvalidInput(
            Message("There is no location to count."),
            errors=[{"field": "zone", "message": Message("no active location")}],
        )
    ids = [loc.id for loc in locations]
    busy = (
        await session.execute(
            select(StocktakeLocation.stocktake_id, Location.code)
            .join(Stocktake, Stocktake.id == StocktakeLocation.stocktake_id)
            .join(Location, Location.id == StocktakeLocation.location_id)
            .where(Stocktake.status == StocktakeStatus.open, StocktakeLocation.location_id.in_(ids))
            .order_by(Location.code)
        )
    ).all()
    if busy:
        raise StocktakeOverlap(
            Message(
                "Stocktake %(id)s is still open for %(codes)s: approve or abandon it first.",
                id=busy[0][0],
                codes=[code for _, code in busy],
            ),
            stocktake_ids=sorted({stocktake_id for stocktake_id, _ in busy}),
        )
    stocktake = Stocktake(warehouse_id=warehouse.id, zone=command.zone, note=command.note, opened_by_id=actor_id)
    session.add(stocktake)
    await session.flush()
    session.add_all(StocktakeLocation(stocktake_id=stocktake.id, location_id=i) for i in ids)
    # One statement: each balance and its ledger position from the same snapshot of the database.
    snapshot = (
        await session.execute(
            select(Lot.id, Lot.on_hand, _last_movement(Lot.id))
            .where(Lot.location_id.in_(ids), Lot.on_hand > 0)
            .order_by(Lot.id)
        )
    ).all()
    session.add_all(
        StocktakeLot(
            stocktake_id=stocktake.id,
            lot_id=lot_id,
            snapshot_on_hand=on_hand,
            snapshot_movement_id=position,
            in_snapshot=True,
        )
        for lot_id, on_hand, position in snapshot
    )
    await session.flush()
    await record(
        session,
        actor_id=actor_id,
        action="stocktake.open",
        entity="stocktake",
        entity_id=stocktake.id,
        details={
            "warehouse_id": warehouse.id,
            "zone": command.zone.value if command.zone else None,
            "locations": len(ids),
            "lots": len(snapshot),
            "units": sum(on_hand for _, on_hand, _ in snapshot),
        },
    )
    await session.refresh(stocktake, ["locations"])
    return stocktake


async def add_counts(
    session: AsyncSession, stocktake_id: int, lines: Sequence[CountLine], *, actor_id: int | None
) -> list[StocktakeCount]:
    """Record count lines (a recount is one more line: the latest per lot and location counts). Each
    line keeps its lot's ledger position, read under the lot's share lock (see the module's rule)."""
    stocktake = await _stocktake(session, stocktake_id, read=True)
    scope = {entry.location_id for entry in stocktake.locations}
    lot_ids = sorted({line.lot_id for line in lines})
    # Wait for any movement of these lots in progress, and hold new ones off until these lines are saved.
    await session.execute(select(Lot.id).where(Lot.id.in_(lot_ids)).order_by(Lot.id).with_for_update(read=True))
    rows = (
        await session.execute(
            select(Lot.id, Lot.location_id, Location.code, _last_movement(Lot.id))
            .join(Location, Location.id == Lot.location_id)
            .where(Lot.id.in_(lot_ids))
        )
    ).all()
    lots = {lot_id: (location_id, code, position) for lot_id, location_id, code, position in rows}
    errors: list[FieldError] = []
    for n, line in enumerate(lines):
        found = lots.get(line.lot_id)
        if found is None:
            errors.append({"field": f"lines.{n}.lot_id", "message": Message("There is no lot %(id)s.", id=line.lot_id)})
        elif found[0] not in scope:
            message = Message(
                "Lot %(lot)s is recorded at %(location)s, which this count does not cover: count it there.",
                lot=line.lot_id,
                location=found[1],
            )
            errors.append({"field": f"lines.{n}.lot_id", "message": message})
        if line.location_id not in scope:
            message = Message("Location %(id)s is not part of this count.", id=line.location_id)
            errors.append({"field": f"lines.{n}.location_id", "message": message})
    if errors:
        raise InvalidInput(Message("Nothing was counted: fix the lines listed in errors."), errors=errors)
    # Lots that were not in the snapshot (received since, or empty then): 0 units before any movement.
    await session.execute(
        insert(StocktakeLot)
        .values(
            [
                {
                    "stocktake_id": stocktake_id,
                    "lot_id": lot_id,
                    "snapshot_on_hand": 0,
                    "snapshot_movement_id": 0,
                    "in_snapshot": False,
                }
                for lot_id in lot_ids
            ]
        )
        .on_conflict_do_nothing(index_elements=["stocktake_id", "lot_id"])
    )
    counts = [
        StocktakeCount(
            stocktake_id=stocktake_id,
            lot_id=line.lot_id,
            location_id=line.location_id,
            counted=line.counted,
            movement_id=lots[line.lot_id][2],
            counted_by_id=actor_id,
        )
        for line in lines
    ]
    session.add_all(counts)
    await session.flush()
    await record(
        session,
        actor_id=actor_id,
        action="stocktake.count",
        entity="stocktake",
        entity_id=stocktake_id,
        details={"lines": len(counts), "lot_ids": lot_ids},
    )
    return counts


async def set_reasons(
    session: AsyncSession,
    stocktake_id: int,
    lines: Sequence[ReasonLine],
    *,
    actor_id: int | None,
    settings: StockSettings,
) -> list[queries.ReviewLine]:
    """Give (or clear) the reason code of lots' differences; returns the review."""
    stocktake = await _stocktake(session, stocktake_id, read=True)
    wanted = {line.lot_id: line for line in lines}
    rows = (
        await session.scalars(
            select(StocktakeLot)
            .where(StocktakeLot.stocktake_id == stocktake_id, StocktakeLot.lot_id.in_(wanted))
            .order_by(StocktakeLot.lot_id)
            .with_for_update(of=StocktakeLot)
        )
    ).all()
    if missing := sorted(set(wanted) - {row.lot_id for row in rows}):
        raise InvalidInput(
            Message("Lots %(ids)s are not part of this count.", ids=missing),
            errors=[{"field": "lines", "message": Message("lot %(id)s is not counted here", id=i)} for i in missing],
        )
    for row in rows:
        row.reason = wanted[row.lot_id].reason
        row.note = wanted[row.lot_id].note
    await session.flush()
    await record(
        session,
        actor_id=actor_id,
        action="stocktake.reasons",
        entity="stocktake",
        entity_id=stocktake_id,
        details={"lot_ids": sorted(wanted)},
    )
    return await review_lines(session, stocktake, settings=settings)


@dataclass(frozen=True)
class Review:
    stocktake: Stocktake
    lines: list[queries.ReviewLine]


async def review_lines(
    session: AsyncSession, stocktake: Stocktake, *, settings: StockSettings
) -> list[queries.ReviewLine]:
    """The review's lines, each saying whether its difference needs a coordinator (`needs_approval`)."""
    return [
        replace(line, needs_approval=needs_approval(line.difference or 0, line.expected, settings))
        for line in await queries.review(session, stocktake)
    ]


async def review(session: AsyncSession, stocktake_id: int, *, settings: StockSettings) -> Review:
    found = await queries.stocktake(session, stocktake_id)
    if found is None:
        raise StocktakeNotFound(Message("There is no stocktake with id %(id)s.", id=stocktake_id))
    return Review(found, await review_lines(session, found, settings=settings))


def needs_approval(difference: int, expected: int, settings: StockSettings) -> bool:
    """Whether a difference is beyond both tolerances: more units than `stocktake_approval_units` and more
    than `stocktake_approval_percent` of the expected units."""
    size = abs(difference)
    return size > settings.stocktake_approval_units and size * 100 > settings.stocktake_approval_percent * expected


@dataclass(frozen=True)
class Approval:
    stocktake: Stocktake
    adjusted: int
    units_delta: int
    kg_delta: Decimal


async def approve(
    session: AsyncSession,
    stocktake_id: int,
    *,
    actor_id: int | None,
    may_approve_large: bool,
    settings: StockSettings,
) -> Approval:
    """Book every difference as an adjustment with its reason, all or none. Every difference needs a
    reason code; one beyond the tolerances needs `may_approve_large` (a coordinator or an admin)."""
    stocktake = await _stocktake(session, stocktake_id, read=False)
    lines = [line for line in await review_lines(session, stocktake, settings=settings) if line.difference]
    errors: list[FieldError] = [
        {
            "field": f"lots.{line.lot.id}.reason",
            "message": Message("Give the reason for the difference of lot %(id)s.", id=line.lot.id),
        }
        for line in lines
        if line.reason is None
    ]
    if errors:
        raise InvalidInput(Message("Give a reason for every difference before approving."), errors=errors)
    large = [line.lot.id for line in lines if line.needs_approval]
    if large and not may_approve_large:
        raise StocktakeNeedsApproval(
            Message("Lots %(ids)s differ beyond the tolerance: a coordinator approves this count.", ids=large),
            lot_ids=large,
        )
    locked = await ledger.lock_lots(session, (line.lot.id for line in lines))
    refused = [
        line.lot.id
        for line in lines
        if locked[line.lot.id].on_hand + (line.difference or 0) < locked[line.lot.id].reserved
    ]
    if refused:
        raise LotUnavailable(
            Message(
                "Lots %(ids)s would hold fewer units than are reserved: pick or release those reservations first.",
                ids=refused,
            ),
            lot_ids=refused,
        )
    rows = {
        row.lot_id: row
        for row in (await session.scalars(select(StocktakeLot).where(StocktakeLot.stocktake_id == stocktake_id))).all()
    }
    kg = Decimal(0)
    for line in lines:
        difference = line.difference or 0
        assert line.reason is not None
        movement = ledger.post(
            session,
            locked[line.lot.id],
            MovementKind.adjustment,
            on_hand_delta=difference,
            actor_id=actor_id,
            reason=f"stocktake {stocktake_id}: {line.reason.value}",
        )
        await session.flush()
        rows[line.lot.id].adjustment_id = movement.id
        kg += difference * line.lot.item.unit_weight_kg
    stocktake.status = StocktakeStatus.approved
    stocktake.closed_by_id = actor_id
    stocktake.closed_at = func.now()
    await session.flush()
    units = sum(line.difference or 0 for line in lines)
    await record(
        session,
        actor_id=actor_id,
        action="stocktake.approve",
        entity="stocktake",
        entity_id=stocktake_id,
        details={"adjusted_lots": len(lines), "units_delta": units, "large": large},
    )
    await session.refresh(stocktake)
    return Approval(stocktake, len(lines), units, kg)


async def abandon(session: AsyncSession, stocktake_id: int, *, actor_id: int | None) -> Stocktake:
    """Close the count without booking anything (its lines are kept)."""
    stocktake = await _stocktake(session, stocktake_id, read=False)
    stocktake.status = StocktakeStatus.abandoned
    stocktake.closed_by_id = actor_id
    stocktake.closed_at = func.now()
    await session.flush()
    await record(session, actor_id=actor_id, action="stocktake.abandon", entity="stocktake", entity_id=stocktake_id)
    await session.refresh(stocktake)
    return stocktake
