"""Named reads of pantry days: venues, templates, events, registrations (households by code), the
picking list, the packing lists and the day's figures. Aggregates are done in SQL where they are sums."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.lib.messages import Message
from foodbank.models import (
    Category,
    Distribution,
    DistributionLine,
    Household,
    Item,
    Lot,
    MovementKind,
    PantryEvent,
    PantryEventStatus,
    PantryRegistration,
    PantrySlot,
    PantryVenue,
    ParcelTemplate,
    RegistrationStatus,
    Reservation,
    ReservationLine,
    ReservationStatus,
    StockMovement,
)
from foodbank.pantry.errors import EventNotFound
from foodbank.picking import fefo
from foodbank.stock.dates import format_label_date

KG = Decimal("0.001")


async def venues(session: AsyncSession) -> Sequence[PantryVenue]:
    return (await session.scalars(select(PantryVenue).order_by(PantryVenue.name))).all()


async def templates(session: AsyncSession, *, include_retired: bool = False) -> Sequence[ParcelTemplate]:
    """The parcel templates offered for new pantry days; with `include_retired`, the retired ones too."""
    stmt = select(ParcelTemplate).order_by(
        ParcelTemplate.ready_to_eat_only, ParcelTemplate.min_people, ParcelTemplate.id
    )
    if not include_retired:
        stmt = stmt.where(ParcelTemplate.retired_at.is_(None))
    return (await session.scalars(stmt)).all()


async def template(session: AsyncSession, template_id: int) -> ParcelTemplate | None:
    return await session.get(ParcelTemplate, template_id)


async def event(session: AsyncSession, event_id: int) -> PantryEvent:
    found = await session.get(PantryEvent, event_id, populate_existing=True)
    if found is None:
        raise EventNotFound(Message("There is no pantry day with id %(id)s.", id=event_id))
    return found


async def events(
    session: AsyncSession,
    *,
    status: PantryEventStatus | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int = 100,
) -> Sequence[PantryEvent]:
    """Pantry days, soonest first."""
    stmt = select(PantryEvent).order_by(PantryEvent.event_date, PantryEvent.id).limit(limit)
    if status is not None:
        stmt = stmt.where(PantryEvent.status == status)
    if since is not None:
        stmt = stmt.where(PantryEvent.event_date >= since)
    if until is not None:
        stmt = stmt.where(PantryEvent.event_date <= until)
    return (await session.scalars(stmt)).all()


async def days_from(session: AsyncSession, first: date, *, limit: int = 200) -> Sequence[PantryEvent]:
    """Days on or after `first`, soonest first, whatever their status."""
    stmt = (
        select(PantryEvent)
        .where(PantryEvent.event_date >= first)
        .order_by(PantryEvent.event_date, PantryEvent.id)
        .limit(limit)
    )
    return (await session.scalars(stmt)).all()


async def days_before(
    session: AsyncSession, before: date, *, limit: int, offset: int = 0
) -> tuple[Sequence[PantryEvent], int]:
    """Days before `before`, latest first, one page of them, and how many there are in all: every past day
    stays reachable, held, cancelled or never closed."""
    past = PantryEvent.event_date < before
    stmt = (
        select(PantryEvent)
        .where(past)
        .order_by(PantryEvent.event_date.desc(), PantryEvent.id.desc())
        .limit(limit)
        .offset(offset)
    )
    total = await session.scalar(select(func.count()).select_from(PantryEvent).where(past))
    return (await session.scalars(stmt)).all(), int(total or 0)


def _registration_dict(registration: PantryRegistration, code: str) -> dict[str, Any]:
    return {
        "id": registration.id,
        "event_id": registration.event_id,
        "slot_id": registration.slot_id,
        "household_id": registration.household_id,
        "household_code": code,
        "people": registration.people,
        "referral_id": registration.referral_id,
        "status": registration.status,
        "template_id": registration.template_id,
        "reservation_id": registration.reservation_id,
        "distribution_id": registration.distribution_id,
        "created_at": registration.created_at,
        "status_changed_at": registration.status_changed_at,
    }


async def registrations(
    session: AsyncSession, event_id: int, *, status: RegistrationStatus | None = None, slot_id: int | None = None
) -> list[dict[str, Any]]:
    """An event's registrations in slot order, then by household code."""
    stmt = (
        select(PantryRegistration, Household.code)
        .join(Household, Household.id == PantryRegistration.household_id)
        .join(PantrySlot, PantrySlot.id == PantryRegistration.slot_id)
        .where(PantryRegistration.event_id == event_id)
        .order_by(PantrySlot.start_time, Household.code, PantryRegistration.id)
    )
    if status is not None:
        stmt = stmt.where(PantryRegistration.status == status)
    if slot_id is not None:
        stmt = stmt.where(PantryRegistration.slot_id == slot_id)
    return [_registration_dict(r, code) for r, code in (await session.execute(stmt)).all()]


async def registration(session: AsyncSession, registration_id: int) -> dict[str, Any]:
    row = (
        await session.execute(
            select(PantryRegistration, Household.code)
            .join(Household, Household.id == PantryRegistration.household_id)
            .where(PantryRegistration.id == registration_id)
            .execution_options(populate_existing=True)
        )
    ).one()
    return _registration_dict(row[0], row[1])


async def _current_reservations(session: AsyncSession, found: PantryEvent) -> list[Reservation]:
    """The reservations of the allocation in force: each registration's and the walk-in buffer."""
    ids = set(
        (
            await session.scalars(
                select(PantryRegistration.reservation_id).where(
                    PantryRegistration.event_id == found.id, PantryRegistration.reservation_id.is_not(None)
                )
            )
        ).all()
    )
    if found.walk_in_reservation_id is not None:
        ids.add(found.walk_in_reservation_id)
    stmt = select(Reservation).where(Reservation.id.in_(ids)).order_by(Reservation.id)
    return list((await session.scalars(stmt.execution_options(populate_existing=True))).all())


def _units(line: ReservationLine) -> int:
    """What a line puts in the parcel: as reserved, or as picked once it was."""
    return line.quantity if line.picked_quantity is None else line.picked_quantity


def _fefo_key(lot: Lot) -> tuple[bool, date, date, int]:
    return fefo.fefo_key(
        fefo.CandidateLot(
            lot_id=lot.id,
            item_id=lot.item_id,
            category_id=lot.item.category_id,
            available=0,
            date_kind=lot.item.date_kind,
            expiry_date=lot.expiry_date,
            crop_year=lot.crop_year,
            received_date=lot.received_date,
            status=lot.status,
            allergens=None,
        )
    )


async def picking_list(session: AsyncSession, event_id: int) -> dict[str, Any]:
    """Every lot to take off the shelves for the day's parcels (not those released), one row per lot with
    the units for all parcels together, in the order to walk the shelves: zone, location, item, FEFO."""
    found = await event(session, event_id)
    reservations = [
        r for r in await _current_reservations(session, found) if r.status is not ReservationStatus.released
    ]
    rows: dict[int, dict[str, Any]] = {}
    parcels: dict[int, set[int]] = defaultdict(set)
    lots: dict[int, Lot] = {}

    def parcels_in(reservation_id: int) -> int:
        """A household's reservation is one parcel; the walk-in buffer holds as many as were planned."""
        return found.walk_in_parcels if reservation_id == found.walk_in_reservation_id else 1

    for reservation in reservations:
        for line in reservation.lines:
            units = _units(line)
            if units == 0:
                continue
            lot = line.lot
            lots[lot.id] = lot
            row = rows.setdefault(
                lot.id,
                {
                    "zone": lot.item.zone,
                    "location_code": lot.location.code,
                    "item_id": lot.item_id,
                    "item_name": lot.item.name_ja,
                    "lot_id": lot.id,
                    "expiry": format_label_date(lot.expiry_date, lot.date_precision),
                    "crop_year": lot.crop_year,
                    "lot_code": lot.lot_code,
                    "quantity": 0,
                },
            )
            row["quantity"] += units
            parcels[lot.id].add(reservation.id)
    ordered = sorted(
        rows.values(),
        key=lambda row: (row["zone"].value, row["location_code"], row["item_name"], _fefo_key(lots[row["lot_id"]])),
    )
    for row in ordered:
        row["parcels"] = sum(parcels_in(r) for r in parcels[row["lot_id"]])
    return {
        "event_id": found.id,
        "event_date": found.event_date,
        "rows": ordered,
        "units": sum(row["quantity"] for row in ordered),
        "parcels": sum(parcels_in(r.id) for r in reservations if r.lines),
    }


def _packed_items(reservation: Reservation | None) -> list[dict[str, Any]]:
    if reservation is None or reservation.status is ReservationStatus.released:
        return []
    by_item: dict[int, dict[str, Any]] = {}
    for line in reservation.lines:
        item = line.lot.item
        entry = by_item.setdefault(
            item.id, {"item_id": item.id, "item_name": item.name_ja, "zone": item.zone, "quantity": 0}
        )
        entry["quantity"] += _units(line)
    return sorted(
        (e for e in by_item.values() if e["quantity"]), key=lambda e: (e["zone"].value, e["item_name"], e["item_id"])
    )


async def packing_lists(session: AsyncSession, event_id: int) -> list[dict[str, Any]]:
    """One packing list per registration not cancelled (in slot order, then by code), then the walk-in
    buffer: what goes into each parcel, by item, and the allergen tags kept out of it."""
    found = await event(session, event_id)
    reservations = {r.id: r for r in await _current_reservations(session, found)}
    names = {t.id: t.name for t in await templates(session, include_retired=True)}
    rows = (
        await session.execute(
            select(PantryRegistration, Household, PantrySlot.start_time)
            .join(Household, Household.id == PantryRegistration.household_id)
            .join(PantrySlot, PantrySlot.id == PantryRegistration.slot_id)
            .where(PantryRegistration.event_id == event_id, PantryRegistration.status != RegistrationStatus.cancelled)
            .order_by(PantrySlot.start_time, Household.code)
        )
    ).all()
    lists: list[dict[str, Any]] = []
    for registration, household, start_time in rows:
        reservation = reservations.get(registration.reservation_id or 0)
        items = _packed_items(reservation)
        lists.append(
            {
                "registration_id": registration.id,
                "household_code": household.code,
                "walk_in_buffer": False,
                "people": registration.people,
                "parcels": 1,
                "slot_start_time": start_time,
                "status": registration.status.value,
                "avoids": sorted(household.avoided_allergens()),
                "template_id": registration.template_id,
                "template_name": names.get(registration.template_id or 0),
                "reservation_id": registration.reservation_id,
                "reservation_status": reservation.status if reservation else None,
                "items": items,
                "units": sum(i["quantity"] for i in items),
            }
        )
    if found.walk_in_reservation_id is not None:
        buffer = reservations.get(found.walk_in_reservation_id)
        items = _packed_items(buffer)
        lists.append(
            {
                "registration_id": None,
                "household_code": None,
                "walk_in_buffer": True,
                "people": None,
                "parcels": found.walk_in_parcels,
                "slot_start_time": None,
                "status": None,
                "avoids": [],
                "template_id": found.walk_in_template_id,
                "template_name": names.get(found.walk_in_template_id or 0),
                "reservation_id": found.walk_in_reservation_id,
                "reservation_status": buffer.status if buffer else None,
                "items": items,
                "units": sum(i["quantity"] for i in items),
            }
        )
    return lists


async def summary(session: AsyncSession, event_id: int) -> dict[str, Any]:
    """The day's figures, from what was recorded: registrations by status, the pantry distributions of
    the event (people; units and kg net of goods returned, by category from the items' weights), and,
    from the ledger, what the allocation in force reserved and what of it went back to the shelves."""
    found = await event(session, event_id)
    by_status = dict(
        (
            await session.execute(
                select(PantryRegistration.status, func.count())
                .where(PantryRegistration.event_id == event_id)
                .group_by(PantryRegistration.status)
            )
        ).all()
    )
    served = (
        await session.execute(
            select(Distribution.walk_in, func.count(), func.coalesce(func.sum(Distribution.people), 0))
            .where(Distribution.pantry_event_id == event_id)
            .group_by(Distribution.walk_in)
        )
    ).all()
    counts = {walk_in: (int(n), int(people or 0)) for walk_in, n, people in served}
    checked_in, registered_people = counts.get(False, (0, 0))
    walk_ins, walk_in_people = counts.get(True, (0, 0))

    net = DistributionLine.quantity - DistributionLine.returned
    by_category = (
        await session.execute(
            select(Category.id, Category.code, Category.name_ja, func.sum(net), func.sum(net * Item.unit_weight_kg))
            .select_from(DistributionLine)
            .join(Distribution, Distribution.id == DistributionLine.distribution_id)
            .join(Item, Item.id == DistributionLine.item_id)
            .join(Category, Category.id == Item.category_id)
            .where(Distribution.pantry_event_id == event_id)
            .group_by(Category.id, Category.code, Category.name_ja)
            .order_by(Category.code)
        )
    ).all()
    kg_by_category: list[dict[str, Any]] = [
        {
            "category_id": category_id,
            "category_code": code,
            "category_name": name,
            "units": int(units or 0),
            "kg": Decimal(kg or 0).quantize(KG),
        }
        for category_id, code, name, units, kg in by_category
    ]

    reservation_ids = [r.id for r in await _current_reservations(session, found)]
    reserved = released = still = 0
    if reservation_ids:
        of_reservations = StockMovement.reservation_id.in_(reservation_ids)
        reserved, released, still = (
            await session.execute(
                select(
                    func.coalesce(
                        func.sum(StockMovement.reserved_delta).filter(StockMovement.kind == MovementKind.reservation), 0
                    ),
                    func.coalesce(
                        -func.sum(StockMovement.reserved_delta).filter(StockMovement.kind == MovementKind.release), 0
                    ),
                    func.coalesce(func.sum(StockMovement.reserved_delta), 0),
                ).where(of_reservations)
            )
        ).one()
    return {
        "event_id": found.id,
        "event_date": found.event_date,
        "status": found.status,
        "households_registered": sum(n for s, n in by_status.items() if s is not RegistrationStatus.cancelled),
        "households_checked_in": checked_in,
        "no_shows": by_status.get(RegistrationStatus.no_show, 0),
        "cancelled": by_status.get(RegistrationStatus.cancelled, 0),
        "people_registered_served": registered_people,
        "walk_ins": walk_ins,
        "walk_in_people": walk_in_people,
        "people_served": registered_people + walk_in_people,
        "units_handed_out": sum(c["units"] for c in kg_by_category),
        "kg_handed_out": sum((c["kg"] for c in kg_by_category), Decimal(0)).quantize(KG),
        "kg_by_category": kg_by_category,
        "units_reserved": int(reserved),
        "units_released": int(released),
        "units_still_reserved": int(still),
    }
