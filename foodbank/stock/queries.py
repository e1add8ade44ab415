"""Named reads of stock: balances grouped several ways, expiring and expired lots, a lot's history,
stock as of a past date, reservations (open picking lists). Aggregates are done in SQL."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.catalogue import barcodes
from foodbank.lib.clock import LOCAL_TZ, today
from foodbank.models import (
    Category,
    Donor,
    Item,
    Location,
    Lot,
    LotStatusChange,
    Receipt,
    Reservation,
    ReservationLine,
    ReservationStatus,
    StockMovement,
    Zone,
)
from foodbank.picking.fefo import DateKind, LotStatus
from foodbank.stock import standing

GROUPINGS = ("item", "category", "zone", "location")


def _grouping_columns(group_by: str) -> list[Any]:
    if group_by == "item":
        return [Item.id.label("key"), Item.name_ja.label("label")]
    if group_by == "category":
        return [Category.id.label("key"), Category.name_ja.label("label")]
    if group_by == "zone":
        return [Item.zone.label("key"), Item.zone.label("label")]
    return [Location.id.label("key"), Location.code.label("label")]


def _filtered(
    stmt: Select[Any],
    *,
    item_id: int | None = None,
    category_id: int | None = None,
    zone: Zone | None = None,
    location_id: int | None = None,
) -> Select[Any]:
    if item_id is not None:
        stmt = stmt.where(Lot.item_id == item_id)
    if category_id is not None:
        stmt = stmt.where(Item.category_id == category_id)
    if zone is not None:
        stmt = stmt.where(Item.zone == zone)
    if location_id is not None:
        stmt = stmt.where(Lot.location_id == location_id)
    return stmt


def reservable_on(as_of: date) -> ColumnElement[bool]:
    """`stock.standing`'s rule in SQL (with `Item` joined): a lot whose free units could be reserved on
    `as_of`, active and not past its best-before or use-by date."""
    past = Item.date_kind.in_(standing.DATED) & (Lot.expiry_date < as_of)
    return (Lot.status == LotStatus.active) & ~func.coalesce(past, False)


async def summary(
    session: AsyncSession, *, as_of: date, group_by: str = "item", **filters: Any
) -> list[dict[str, Any]]:
    """On hand, reserved and available units (and kg on hand), per item, category, zone or location;
    available as `stock.standing` counts it on `as_of` (none of a lot on hold, recalled or expired)."""
    columns = _grouping_columns(group_by)
    stmt = (
        select(
            *columns,
            func.sum(Lot.on_hand).label("on_hand"),
            func.sum(Lot.reserved).label("reserved"),
            func.sum(Lot.on_hand - Lot.reserved).filter(reservable_on(as_of)).label("available"),
            func.sum(Lot.on_hand * Item.unit_weight_kg).label("kg"),
            func.count(Lot.id).label("lots"),
        )
        .join(Item, Item.id == Lot.item_id)
        .join(Category, Category.id == Item.category_id)
        .join(Location, Location.id == Lot.location_id)
        .where(Lot.on_hand > 0)
        .group_by(*columns)
        .order_by(columns[1])
    )
    rows = (await session.execute(_filtered(stmt, **filters))).mappings().all()
    return [
        {
            "key": str(r["key"].value if isinstance(r["key"], Zone) else r["key"]),
            "label": str(r["label"].value if isinstance(r["label"], Zone) else r["label"]),
            "on_hand": int(r["on_hand"]),
            "reserved": int(r["reserved"]),
            "available": int(r["available"] or 0),
            "kg": Decimal(r["kg"] or 0).quantize(Decimal("0.001")),
            "lots": int(r["lots"]),
        }
        for r in rows
    ]


LOT_NUMBER = re.compile(r"^(?:#|L-?|LOT-?|ロット\s*)?(\d{1,18})$", re.IGNORECASE)
"""A lot number as a volunteer types it or scans it from a label: `123`, `#123`, `L-123`, `ロット123`."""


def lot_number(text: str) -> int | None:
    """The lot id in `text` (full-width digits and spaces allowed), or None."""
    match = LOT_NUMBER.match(unicodedata.normalize("NFKC", text).strip().replace(" ", ""))
    return int(match[1]) if match else None


def _searched(stmt: Select[Any], search: str) -> Select[Any]:
    """Lots whose item name (Japanese or English) or lot code contains `search`, whose item has it as
    barcode (read past hyphens and full-width digits, like every barcode), or whose number it is."""
    term = search.strip()
    matches: list[ColumnElement[bool]] = [
        Item.name_ja.icontains(term, autoescape=True),
        Item.name_en.icontains(term, autoescape=True),
        Lot.lot_code.icontains(term, autoescape=True),
    ]
    if (code := barcodes.normalise(term)).isdigit():
        matches.append(Item.barcode == code)
    if (number := lot_number(term)) is not None:
        matches.append(Lot.id == number)
    return stmt.where(or_(*matches))


async def lots(
    session: AsyncSession,
    *,
    expiring_within_days: int | None = None,
    as_of: date | None = None,
    status: LotStatus | None = None,
    search: str | None = None,
    received_date: date | None = None,
    include_empty: bool = False,
    limit: int = 200,
    **filters: Any,
) -> Sequence[Lot]:
    """Lots in FEFO order, optionally only those whose date falls within N days of `as_of`, those that
    `search` finds (item name, barcode, lot code or lot number), or those received on a day."""
    stmt = (
        select(Lot)
        .join(Item, Item.id == Lot.item_id)
        .order_by(Lot.expiry_date.asc().nulls_last(), Lot.received_date, Lot.id)
    )
    if not include_empty:
        stmt = stmt.where(Lot.on_hand > 0)
    if status is not None:
        stmt = stmt.where(Lot.status == status)
    if search:
        stmt = _searched(stmt, search)
    if received_date is not None:
        stmt = stmt.where(Lot.received_date == received_date)
    if expiring_within_days is not None:
        start = as_of or today()
        stmt = stmt.where(Lot.expiry_date.between(start, start + timedelta(days=expiring_within_days)))
    return (await session.scalars(_filtered(stmt, **filters).limit(limit))).all()


def _past_its_date(as_of: date) -> Select[Lot]:
    """Lots still on the shelves whose best-before or use-by date is before `as_of`."""
    return (
        select(Lot)
        .join(Item, Item.id == Lot.item_id)
        .where(
            Lot.on_hand > 0,
            Lot.expiry_date < as_of,
            Item.date_kind.in_([DateKind.best_before, DateKind.use_by]),
        )
    )


async def expired(session: AsyncSession, *, as_of: date, limit: int = 500) -> Sequence[Lot]:
    """Lots past their date, to be disposed of: earliest date first."""
    return (await session.scalars(_past_its_date(as_of).order_by(Lot.expiry_date, Lot.id).limit(limit))).all()


async def expired_count(session: AsyncSession, *, as_of: date) -> int:
    """How many lots are past their date (for a home page: no rows loaded)."""
    return int(await session.scalar(select(func.count()).select_from(_past_its_date(as_of).subquery())) or 0)


async def receipt(session: AsyncSession, receipt_id: int) -> tuple[Receipt, Donor | None] | None:
    """A receipt with its lots (each with its item and location) in line order, and its donor."""
    found = await session.get(Receipt, receipt_id)
    if found is None:
        return None
    await session.refresh(found, ["lots"])
    donor = await session.get(Donor, found.donor_id) if found.donor_id is not None else None
    return found, donor


async def lot(session: AsyncSession, lot_id: int) -> Lot | None:
    return await session.get(Lot, lot_id)


async def history(session: AsyncSession, lot_id: int) -> Sequence[StockMovement]:
    stmt = select(StockMovement).where(StockMovement.lot_id == lot_id).order_by(StockMovement.id)
    return (await session.scalars(stmt)).all()


async def status_changes(session: AsyncSession, lot_id: int) -> Sequence[LotStatusChange]:
    """A lot's holds, recalls and releases, oldest first (they change no balance: not in the ledger)."""
    stmt = select(LotStatusChange).where(LotStatusChange.lot_id == lot_id).order_by(LotStatusChange.id)
    return (await session.scalars(stmt)).all()


def end_of_day(day: date) -> datetime:
    """The first instant after `day` in Japan: our users' days end at midnight Tokyo time."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=LOCAL_TZ)


async def stock_as_of(session: AsyncSession, day: date) -> list[dict[str, Any]]:
    """Units on hand per item at the end of `day`, rebuilt from the ledger."""
    stmt = (
        select(
            Item.id.label("item_id"),
            Item.name_ja.label("item_name"),
            func.sum(StockMovement.on_hand_delta).label("on_hand"),
            func.sum(StockMovement.on_hand_delta * Item.unit_weight_kg).label("kg"),
        )
        .join(Lot, Lot.id == StockMovement.lot_id)
        .join(Item, Item.id == Lot.item_id)
        .where(StockMovement.occurred_at < end_of_day(day))
        .group_by(Item.id, Item.name_ja)
        .having(func.sum(StockMovement.on_hand_delta) != 0)
        .order_by(Item.name_ja)
    )
    return [
        {
            "item_id": r.item_id,
            "item_name": r.item_name,
            "on_hand": int(r.on_hand),
            "kg": Decimal(r.kg or 0).quantize(Decimal("0.001")),
        }
        for r in (await session.execute(stmt)).all()
    ]


async def reservation(session: AsyncSession, reservation_id: int) -> Reservation | None:
    return await session.get(Reservation, reservation_id)


async def open_reservations(session: AsyncSession, *, limit: int = 100) -> list[dict[str, Any]]:
    """Open reservations (picking lists), soonest distribution first, with their number of lines and units."""
    stmt = (
        select(
            Reservation,
            func.count(ReservationLine.id).label("lines"),
            func.coalesce(func.sum(ReservationLine.quantity), 0).label("units"),
        )
        .join(ReservationLine, ReservationLine.reservation_id == Reservation.id, isouter=True)
        .where(Reservation.status == ReservationStatus.open)
        .group_by(Reservation.id)
        .order_by(Reservation.distribution_date, Reservation.id)
        .limit(limit)
    )
    rows = (await session.execute(stmt)).all()
    return [{"reservation": r, "lines": int(lines), "units": int(units)} for r, lines, units in rows]


async def ledger_rows(session: AsyncSession, *, since: date | None = None) -> Any:
    """Every movement with its lot and item, oldest first, streamed (for the CSV export)."""
    stmt = (
        select(
            StockMovement.id,
            StockMovement.occurred_at,
            StockMovement.kind,
            StockMovement.lot_id,
            Item.id.label("item_id"),
            Item.name_ja,
            StockMovement.on_hand_delta,
            StockMovement.reserved_delta,
            StockMovement.reason,
            StockMovement.reservation_id,
            StockMovement.actor_id,
        )
        .join(Lot, Lot.id == StockMovement.lot_id)
        .join(Item, Item.id == Lot.item_id)
        .order_by(StockMovement.id)
    )
    if since is not None:
        stmt = stmt.where(StockMovement.occurred_at >= datetime.combine(since, time.min, tzinfo=LOCAL_TZ))
    return await session.stream(stmt.execution_options(yield_per=1000))
