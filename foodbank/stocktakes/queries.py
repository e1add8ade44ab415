"""Reading stocktakes: the list, one count, its lines, the lots a scan means, and the review's figures
(the rule they follow is in `foodbank.stocktakes.services`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.catalogue import barcodes
from foodbank.models import Item, Lot, StockMovement, Stocktake, StocktakeCount, StocktakeLot, StocktakeReason
from foodbank.models.stocktake import StocktakeStatus
from foodbank.stock.queries import lot_number


async def stocktakes(session: AsyncSession, *, status: StocktakeStatus | None = None) -> Sequence[Stocktake]:
    stmt = select(Stocktake).order_by(Stocktake.id.desc()).limit(200)
    if status is not None:
        stmt = stmt.where(Stocktake.status == status)
    return (await session.scalars(stmt)).all()


async def stocktake(session: AsyncSession, stocktake_id: int) -> Stocktake | None:
    return await session.get(Stocktake, stocktake_id)


async def counts(session: AsyncSession, stocktake_id: int) -> Sequence[StocktakeCount]:
    """Every count line, oldest first (recounts included: the history)."""
    stmt = select(StocktakeCount).where(StocktakeCount.stocktake_id == stocktake_id).order_by(StocktakeCount.id)
    return (await session.scalars(stmt)).all()


async def counted_lots(session: AsyncSession, stocktake_id: int) -> int:
    stmt = select(func.count(func.distinct(StocktakeCount.lot_id))).where(StocktakeCount.stocktake_id == stocktake_id)
    return int((await session.scalar(stmt)) or 0)


async def lots_by_ids(session: AsyncSession, ids: set[int]) -> Sequence[Lot]:
    if not ids:
        return []
    return (await session.scalars(select(Lot).where(Lot.id.in_(sorted(ids))))).all()


async def lots_on_shelves(session: AsyncSession, stocktake: Stocktake) -> Sequence[Lot]:
    """The lots with units on hand at the count's locations now: the count sheet's lines."""
    stmt = select(Lot).where(Lot.location_id.in_(_scope(stocktake)), Lot.on_hand > 0).order_by(Lot.id)
    return (await session.scalars(stmt)).all()


def _scope(stocktake: Stocktake) -> list[int]:
    return [entry.location_id for entry in stocktake.locations]


async def scanned_lots(session: AsyncSession, stocktake: Stocktake, code: str) -> Sequence[Lot]:
    """The lots of the count's locations that a scan or typed code means: a lot label (its number,
    `L-123`, or its lot code), or an item barcode (every lot of that item there with units, or in the
    count already). Never their quantities: counting is blind."""
    text = code.strip()
    if not text:
        return []
    scope = _scope(stocktake)
    stmt = select(Lot).where(Lot.location_id.in_(scope)).order_by(Lot.expiry_date.nulls_last(), Lot.id)
    if (number := lot_number(text)) is not None and (found := await session.get(Lot, number)) is not None:
        return [found] if found.location_id in scope else []
    barcode = barcodes.normalise(text)
    if barcodes.is_valid(barcode):
        in_count = select(StocktakeLot.lot_id).where(StocktakeLot.stocktake_id == stocktake.id)
        stmt = stmt.join(Item, Item.id == Lot.item_id).where(
            Item.barcode == barcode, or_(Lot.on_hand > 0, Lot.id.in_(in_count))
        )
    else:
        stmt = stmt.where(func.lower(Lot.lot_code) == text.casefold())
    return (await session.scalars(stmt)).all()


@dataclass(frozen=True)
class ReviewLine:
    """A lot of the count as the review shows it (see the rule in `foodbank.stocktakes.services`)."""

    lot: Lot
    in_snapshot: bool
    snapshot: int
    """Units on hand when the count opened (0 for a lot that was not there then)."""
    movements: int
    """Net units the ledger moved after the snapshot and before the lot was counted (until now if not)."""
    counted: int | None
    """The latest count at each location, summed; None: not counted."""
    locations: int
    counted_at: datetime | None
    reason: StocktakeReason | None
    note: str | None
    adjustment_id: int | None
    needs_approval: bool = False

    @property
    def expected(self) -> int:
        return self.snapshot + self.movements

    @property
    def difference(self) -> int | None:
        return None if self.counted is None else self.counted - self.expected

    def _kg(self, units: int | None) -> Decimal | None:
        return None if units is None else (units * self.lot.item.unit_weight_kg).quantize(Decimal("0.001"))

    @property
    def expected_kg(self) -> Decimal | None:
        return self._kg(self.expected)

    @property
    def counted_kg(self) -> Decimal | None:
        return self._kg(self.counted)

    @property
    def difference_kg(self) -> Decimal | None:
        return self._kg(self.difference)


async def review(session: AsyncSession, stocktake: Stocktake) -> list[ReviewLine]:
    """Every lot of the count (the snapshot, and lots counted since), in shelf order, with expected,
    counted and difference in units (kg from the item's unit weight)."""
    latest = (
        select(
            StocktakeCount.lot_id,
            StocktakeCount.counted,
            StocktakeCount.movement_id,
            StocktakeCount.counted_at,
            func.row_number()
            .over(
                partition_by=(StocktakeCount.lot_id, StocktakeCount.location_id),
                order_by=StocktakeCount.id.desc(),
            )
            .label("rn"),
        )
        .where(StocktakeCount.stocktake_id == stocktake.id)
        .subquery()
    )
    per_lot = (
        select(
            latest.c.lot_id,
            func.sum(latest.c.counted).label("counted"),
            func.max(latest.c.movement_id).label("position"),
            func.count().label("locations"),
            func.max(latest.c.counted_at).label("counted_at"),
        )
        .where(latest.c.rn == 1)
        .group_by(latest.c.lot_id)
        .subquery()
    )
    moved = (
        select(func.coalesce(func.sum(StockMovement.on_hand_delta), 0))
        .where(
            StockMovement.lot_id == StocktakeLot.lot_id,
            StockMovement.id > StocktakeLot.snapshot_movement_id,
            or_(per_lot.c.position.is_(None), StockMovement.id <= per_lot.c.position),
        )
        .scalar_subquery()
    )
    stmt = (
        select(StocktakeLot, per_lot.c.counted, per_lot.c.locations, per_lot.c.counted_at, moved)
        .outerjoin(per_lot, per_lot.c.lot_id == StocktakeLot.lot_id)
        .where(StocktakeLot.stocktake_id == stocktake.id)
    )
    lines = [
        ReviewLine(
            lot=row.lot,
            in_snapshot=row.in_snapshot,
            snapshot=row.snapshot_on_hand,
            movements=int(movements),
            counted=None if counted is None else int(counted),
            locations=int(locations or 0),
            counted_at=counted_at,
            reason=row.reason,
            note=row.note,
            adjustment_id=row.adjustment_id,
        )
        for row, counted, locations, counted_at, movements in (await session.execute(stmt)).all()
    ]
    return sorted(lines, key=lambda line: (line.lot.location.code, line.lot.item.name_ja, line.lot.id))
