"""Reads that only the pages need so far. When an API route needs one too, move it to its area's
queries.py (pages and API must share one read, never two near-copies)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.catalogue import queries as catalogue_queries
from foodbank.models import Distribution, Item, Reservation, ReservationLine, ReservationPurpose, ReservationStatus


async def open_reservations(session: AsyncSession, *, limit: int = 100) -> list[dict[str, Any]]:
    """Open picking lists, soonest distribution first, with their number of lines and units."""
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


async def items_by_ids_or_barcodes(session: AsyncSession, ids: set[int], barcodes: set[str]) -> Sequence[Item]:
    """Items named by id or by barcode (the lines of a receipt being typed)."""
    stmt = select(Item).where(or_(Item.id.in_(sorted(ids)), Item.barcode.in_(sorted(barcodes))))
    return (await session.scalars(stmt)).all()


async def household_reservations(
    session: AsyncSession, code: str, *, reservation_id: int | None = None, limit: int = 30
) -> list[dict[str, Any]]:
    """Stock set aside for one household's individual support (purpose `household`, ref its code, as
    `POST /api/households/{id}/allocations` makes it), newest first, with the hand-out that used it."""
    stmt = (
        select(Reservation, Distribution.id.label("distribution_id"))
        .outerjoin(Distribution, Distribution.reservation_id == Reservation.id)
        .where(Reservation.purpose == ReservationPurpose.household, Reservation.purpose_ref == code)
        .order_by(Reservation.id.desc())
        .limit(limit)
        .execution_options(populate_existing=True)
    )
    if reservation_id is not None:
        stmt = stmt.where(Reservation.id == reservation_id)
    rows = (await session.execute(stmt)).all()
    return [{"reservation": r, "distribution_id": distribution_id} for r, distribution_id in rows]


async def allergen_names(session: AsyncSession, *, lang: str, on: date) -> dict[str, str]:
    """Allergen codes -> names in the language `lang` (the lists in force on `on`)."""
    return {
        str(a["code"]): str(a["name_en"] if lang == "en" and a["name_en"] else a["name_ja"])
        for a in await catalogue_queries.allergens_on(session, on)
    }
