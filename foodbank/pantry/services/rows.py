"""The rows the pantry use cases lock and read, in the package's lock order (see the package docstring)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.households import queries as household_queries
from foodbank.lib.access import Principal
from foodbank.lib.clock import utcnow
from foodbank.lib.messages import Message
from foodbank.models import (
    Lot,
    PantryEvent,
    PantryRegistration,
    PantrySlot,
    ParcelTemplate,
    RegistrationStatus,
    Reservation,
    ReservationStatus,
)
from foodbank.pantry.errors import (
    EventNotFound,
    RegistrationNotFound,
    SlotNotFound,
)
from foodbank.picking import fefo
from foodbank.stock import ledger
from foodbank.stock import services as stock


async def _templates(session: AsyncSession, template_ids: Iterable[int]) -> list[ParcelTemplate]:
    ids = sorted(set(template_ids))
    found = (await session.scalars(select(ParcelTemplate).where(ParcelTemplate.id.in_(ids)))).all()
    return sorted(found, key=lambda t: t.id)


async def _event(session: AsyncSession, event_id: int, *, lock: str | None = None) -> PantryEvent:
    """The event; `lock` "update" or "share" takes its row lock (always the first lock of a use case)."""
    stmt = select(PantryEvent).where(PantryEvent.id == event_id).execution_options(populate_existing=True)
    if lock is not None:
        stmt = stmt.with_for_update(of=PantryEvent, read=lock == "share")
    event: PantryEvent | None = await session.scalar(stmt)
    if event is None:
        raise EventNotFound(Message("There is no pantry day with id %(id)s.", id=event_id))
    return event


async def _locked_slot(session: AsyncSession, event: PantryEvent, slot_id: int) -> PantrySlot:
    slot: PantrySlot | None = await session.scalar(
        select(PantrySlot)
        .where(PantrySlot.id == slot_id, PantrySlot.event_id == event.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if slot is None:
        raise SlotNotFound(Message("Pantry day %(event)s has no time slot with id %(id)s.", event=event.id, id=slot_id))
    return slot


def _set_status(registration: PantryRegistration, status: RegistrationStatus, actor_id: int | None) -> None:
    registration.status = status
    registration.status_changed_at = utcnow()
    registration.status_changed_by_id = actor_id


async def _locked_registration(
    session: AsyncSession, actor: Principal, event: PantryEvent, registration_id: int
) -> PantryRegistration:
    registration: PantryRegistration | None = await session.scalar(
        select(PantryRegistration)
        .where(PantryRegistration.id == registration_id, PantryRegistration.event_id == event.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if registration is None:
        raise RegistrationNotFound(
            Message("Pantry day %(event)s has no registration with id %(id)s.", event=event.id, id=registration_id)
        )
    # A consultant acts only on the households of their agency (404 for the others, as if absent).
    await household_queries.get_visible(session, actor, registration.household_id)
    return registration


async def _locked_registrations(session: AsyncSession, event_id: int) -> list[PantryRegistration]:
    stmt = (
        select(PantryRegistration)
        .where(PantryRegistration.event_id == event_id)
        .order_by(PantryRegistration.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return list((await session.scalars(stmt)).all())


async def _locked_reservations(
    session: AsyncSession, registrations: Iterable[PantryRegistration], *also: int | None
) -> list[Reservation]:
    """The reservations of these registrations (and `also`), locked in ascending id order."""
    ids = sorted({r.reservation_id for r in registrations if r.reservation_id is not None} | {i for i in also if i})
    if not ids:
        return []
    stmt = (
        select(Reservation)
        .where(Reservation.id.in_(ids))
        .order_by(Reservation.id)
        .with_for_update(of=Reservation)
        .execution_options(populate_existing=True)
    )
    return list((await session.scalars(stmt)).all())


async def _release_reservations(
    session: AsyncSession, actor_id: int | None, reservations: Sequence[Reservation]
) -> int:
    """Release the open ones; their lots are locked first, all at once, in ascending id order. Units released."""
    still_open = [r for r in reservations if r.status is ReservationStatus.open]
    await ledger.lock_lots(session, (line.lot_id for r in still_open for line in r.lines))
    units = 0
    for reservation in still_open:
        units += sum(line.quantity for line in reservation.lines)
        await stock.release(session, actor_id=actor_id, reservation_id=reservation.id)
    return units


async def _release_event_reservations(
    session: AsyncSession, actor_id: int | None, event: PantryEvent, registrations: Sequence[PantryRegistration]
) -> int:
    reservations = await _locked_reservations(session, registrations, event.walk_in_reservation_id)
    return await _release_reservations(session, actor_id, reservations)


async def _lock_pool(
    session: AsyncSession, item_ids: Iterable[int], also_lot_ids: Iterable[int]
) -> tuple[list[fefo.CandidateLot], dict[int, stock.ItemProfile]]:
    """Lock, in one pass in ascending id order, every lot with free units of the parcels' items (held
    and recalled ones too: the allocator leaves them, a shortage says they are there) and every lot the
    reservations about to be released hold (those may be fully reserved now); they come back as the
    allocator sees them, with their items' profiles, from plain rows (`stock.candidate_lots`)."""
    items, held = sorted(set(item_ids)), sorted(set(also_lot_ids))
    if not items and not held:
        return [], {}
    wanted = or_(Lot.id.in_(held), and_(Lot.item_id.in_(items), Lot.on_hand > Lot.reserved))
    return await stock.candidate_lots(session, wanted, lock=True)
