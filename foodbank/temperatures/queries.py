"""Named reads of the temperature records: limits, readings of a period, alerts (out-of-range readings
without a review, missing daily readings), and the holds and releases that readings caused."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Date, and_, cast, exists, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from foodbank.lib.clock import LOCAL_TZ
from foodbank.models import Location, Lot, LotStatusChange, TemperatureLimit, TemperatureReading, Zone
from foodbank.picking.fefo import LotStatus

MISSING_DAYS_BACK = 7
"""Missing daily readings are looked for today and this many days before."""


def start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LOCAL_TZ)


async def limits(session: AsyncSession) -> dict[Zone, TemperatureLimit]:
    rows = (await session.scalars(select(TemperatureLimit))).all()
    return {row.zone: row for row in rows}


async def reading(session: AsyncSession, reading_id: int, *, for_update: bool = False) -> TemperatureReading | None:
    stmt = select(TemperatureReading).where(TemperatureReading.id == reading_id)
    if for_update:
        stmt = stmt.with_for_update(of=TemperatureReading)
    found: TemperatureReading | None = await session.scalar(stmt)
    return found


async def readings(
    session: AsyncSession, *, since: date, until: date, location_id: int | None = None
) -> Sequence[TemperatureReading]:
    """Readings of the days `since` to `until` (days in Japan), oldest first."""
    stmt = (
        select(TemperatureReading)
        .where(TemperatureReading.read_on >= since, TemperatureReading.read_on <= until)
        .order_by(TemperatureReading.read_at, TemperatureReading.id)
    )
    if location_id is not None:
        stmt = stmt.where(TemperatureReading.location_id == location_id)
    return (await session.scalars(stmt)).all()


async def unreviewed(session: AsyncSession, *, limit: int = 100) -> Sequence[TemperatureReading]:
    """Out-of-range readings without a review, newest first."""
    stmt = (
        select(TemperatureReading)
        .where(TemperatureReading.out_of_range, TemperatureReading.reviewed_at.is_(None))
        .order_by(TemperatureReading.read_at.desc(), TemperatureReading.id.desc())
        .limit(limit)
    )
    return (await session.scalars(stmt)).all()


@dataclass(frozen=True)
class MissingDay:
    """A day a location whose zone needs a daily reading has none."""

    location_id: int
    location_code: str
    zone: Zone
    day: date


async def missing_days(session: AsyncSession, *, since: date, until: date) -> list[MissingDay]:
    """Each active location of a zone that needs a daily reading, each day from `since` to `until` (not
    before the location existed), that has no reading; newest day first, then by location code."""
    days = select(cast(func.generate_series(since, until, timedelta(days=1)), Date).label("day")).subquery("days")
    created_on = cast(func.timezone(str(LOCAL_TZ), Location.created_at), Date)
    stmt = (
        select(Location.id, Location.code, Location.zone, days.c.day)
        .join(TemperatureLimit, and_(TemperatureLimit.zone == Location.zone, TemperatureLimit.daily_reading_required))
        .join(days, literal_column("true"))
        .where(
            Location.is_active,
            created_on <= days.c.day,
            ~exists().where(TemperatureReading.location_id == Location.id, TemperatureReading.read_on == days.c.day),
        )
        .order_by(days.c.day.desc(), Location.code, Location.id)
    )
    return [MissingDay(*row) for row in (await session.execute(stmt)).all()]


@dataclass(frozen=True)
class HoldEvent:
    """A lot put on hold because of a reading, or the release of such a lot."""

    change: LotStatusChange
    lot: Lot
    reading_id: int | None


async def hold_events(session: AsyncSession, *, since: date, until: date) -> list[HoldEvent]:
    """Holds for a temperature reading in the period, and the releases in the period of lots such a hold
    had held (their latest hold before the release was for a reading), oldest first."""
    end = start_of(until + timedelta(days=1))
    begin = start_of(since)
    held = aliased(LotStatusChange)
    latest_hold_reading = (
        select(held.temperature_reading_id)
        .where(held.lot_id == LotStatusChange.lot_id, held.id < LotStatusChange.id, held.status == LotStatus.on_hold)
        .order_by(held.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    stmt = (
        select(LotStatusChange, Lot, func.coalesce(LotStatusChange.temperature_reading_id, latest_hold_reading))
        .join(Lot, Lot.id == LotStatusChange.lot_id)
        .where(LotStatusChange.occurred_at >= begin, LotStatusChange.occurred_at < end)
        .where(
            (LotStatusChange.temperature_reading_id.is_not(None))
            | ((LotStatusChange.status == LotStatus.active) & latest_hold_reading.is_not(None))
        )
        .order_by(LotStatusChange.occurred_at, LotStatusChange.id)
    )
    return [HoldEvent(change, lot, reading_id) for change, lot, reading_id in (await session.execute(stmt)).all()]


async def lots_with_stock(session: AsyncSession, location_id: int) -> int:
    count: int = (
        await session.scalar(
            select(func.count()).select_from(Lot).where(Lot.location_id == location_id, Lot.on_hand > 0)
        )
        or 0
    )
    return count


async def reading_locations(session: AsyncSession) -> Sequence[Location]:
    """Active locations in the order a volunteer looks for them: chilled and frozen first, then by code."""
    order = {Zone.chilled: 0, Zone.frozen: 1, Zone.ambient: 2}
    rows = (await session.scalars(select(Location).where(Location.is_active).order_by(Location.code))).all()
    return sorted(rows, key=lambda loc: (order[loc.zone], loc.warehouse_id, loc.code))
