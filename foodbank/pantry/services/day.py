"""The day itself: check-in (the household's parcel handed out), walk-ins from the buffer, closing."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.audit.services import record
from foodbank.config import StockSettings
from foodbank.distributions import services as distributions
from foodbank.lib.access import Principal
from foodbank.lib.clock import utcnow
from foodbank.lib.messages import Message
from foodbank.models import (
    Channel,
    Distribution,
    HandOutChannel,
    PantryEvent,
    PantryRegistration,
    RegistrationStatus,
    Reservation,
    ReservationStatus,
)
from foodbank.pantry import rules
from foodbank.pantry.errors import (
    NoParcel,
    WalkInBufferEmpty,
)
from foodbank.pantry.services.registrations import _require_registration
from foodbank.pantry.services.rows import (
    _event,
    _locked_registration,
    _locked_registrations,
    _release_event_reservations,
    _set_status,
    _templates,
)
from foodbank.pantry.services.status import TRANSITIONS, _confirmed, _require
from foodbank.picking import parcels
from foodbank.stock import ledger
from foodbank.stock import services as stock


@dataclass
class CheckedIn:
    registration: PantryRegistration
    distribution: Distribution

    @property
    def distribution_id(self) -> int:
        return self.distribution.id

    @property
    def people(self) -> int | None:
        return self.distribution.people

    @property
    def units(self) -> int:
        return sum(line.quantity for line in self.distribution.lines)


async def check_in(
    session: AsyncSession,
    *,
    actor: Principal,
    event_id: int,
    registration_id: int,
    people: int | None,
    settings: StockSettings,
) -> CheckedIn:
    """The household is here: its parcel (its reservation) is handed out as a pantry distribution, with
    its referral if it came with one. The frequency rule of individual support does not apply."""
    event = await _event(session, event_id, lock="share")
    _require(event, "check_in")
    registration = await _locked_registration(session, actor, event, registration_id)
    _require_registration(registration, RegistrationStatus.booked, RegistrationStatus.no_show, doing="checked in")
    if registration.reservation_id is None:
        raise NoParcel(
            Message(
                "No parcel was allocated to registration %(id)s (registered after the allocation, or nothing could "
                "be found for it). Serve the household as a walk-in.",
                id=registration_id,
            ),
            registration_id=registration_id,
        )
    distribution = await distributions.hand_out(
        session,
        actor=actor,
        command=distributions.HandOut(
            channel=HandOutChannel.pantry,
            distributed_on=event.event_date,
            household_id=registration.household_id,
            referral_id=registration.referral_id,
            reservation_id=registration.reservation_id,
            people=registration.people if people is None else people,
            pantry_event_id=event.id,
        ),
        settings=settings,
    )
    registration.distribution_id = distribution.id
    _set_status(registration, RegistrationStatus.checked_in, actor.id)
    await session.flush()
    await record(
        session,
        actor_id=actor.id,
        action="pantry_registration.check_in",
        entity="pantry_registration",
        entity_id=registration_id,
        details={"event_id": event_id, "distribution_id": distribution.id},
    )
    return CheckedIn(registration, distribution)


@dataclass
class WalkIn:
    distribution: Distribution
    event_id: int
    parcels: int
    missing: list[dict[str, int | None]] = field(default_factory=list)

    @property
    def distribution_id(self) -> int:
        return self.distribution.id

    @property
    def people(self) -> int | None:
        return self.distribution.people

    @property
    def units(self) -> int:
        return sum(line.quantity for line in self.distribution.lines)

    @property
    def lines(self) -> list[Any]:
        return list(self.distribution.lines)


async def record_walk_in(
    session: AsyncSession, *, actor: Principal, event_id: int, people: int, parcels_wanted: int, settings: StockSettings
) -> WalkIn:
    """An anonymous walk-in, counted in people: the walk-in template's parcel (times `parcels_wanted`) is
    taken out of the walk-in buffer, FEFO among what the buffer holds; when the buffer runs short, the
    walk-in gets what is left and `missing` says what was not there."""
    event = await _event(session, event_id, lock="share")
    _require(event, "walk_in")
    if event.walk_in_reservation_id is None or event.walk_in_template_id is None:
        raise WalkInBufferEmpty(
            Message(
                "Pantry day %(id)s has no walk-in buffer (no walk-ins were expected when the stock was allocated).",
                id=event_id,
            ),
            event_id=event_id,
        )
    buffer = await session.get(Reservation, event.walk_in_reservation_id, with_for_update=True, populate_existing=True)
    assert buffer is not None  # a foreign key
    if buffer.status is not ReservationStatus.open or not buffer.lines:
        raise WalkInBufferEmpty(
            Message("The walk-in buffer of pantry day %(id)s is used up.", id=event_id), event_id=event_id
        )
    held: dict[int, int] = defaultdict(int)
    for line in buffer.lines:
        held[line.lot_id] += line.quantity
    lots = await ledger.lock_lots(session, held)
    template = (await _templates(session, [event.walk_in_template_id]))[0]
    candidates = [replace(stock.candidate(lot), available=held[lot.id]) for lot in lots.values()]
    policy = await stock.policy_for(session, Channel.pantry, settings)
    result = parcels.allocate_parcels(candidates, [template.demand().times(parcels_wanted)], event.event_date, policy)[
        0
    ]
    taken: dict[int, int] = defaultdict(int)
    for allocation in result.allocations:
        taken[allocation.lot_id] += allocation.quantity
    if not taken:
        raise WalkInBufferEmpty(
            Message("Nothing the walk-in parcel needs is left in the buffer of pantry day %(id)s.", id=event_id),
            event_id=event_id,
        )
    distribution = await distributions.hand_out(
        session,
        actor=actor,
        command=distributions.HandOut(
            channel=HandOutChannel.pantry,
            distributed_on=event.event_date,
            lines=tuple(distributions.HandOutLine(lot_id, quantity) for lot_id, quantity in sorted(taken.items())),
            people=people,
            pantry_event_id=event.id,
            walk_in=True,
            part_of_reservation_id=buffer.id,
        ),
        settings=settings,
    )
    missing: list[dict[str, int | None]] = [
        {"item_id": s.item_id, "category_id": None, "missing": s.missing} for s in result.item_shortages
    ] + [{"item_id": None, "category_id": s.category_id, "missing": s.missing} for s in result.category_shortages]
    return WalkIn(distribution, event.id, parcels_wanted, missing)


async def close(
    session: AsyncSession, *, actor_id: int | None, event_id: int, today: date, confirm: bool = False
) -> PantryEvent:
    """End the day: households still booked become no-shows, and every reservation of the event still
    open (no-shows, what is left of the walk-in buffer) is released, back to the shelves. Closing a day
    before its date only when confirmed."""
    event = await _event(session, event_id, lock="update")
    _require(event, "close")
    _confirmed(rules.check_close(event.event_date, today), confirm=confirm, action="close", event_id=event_id)
    registrations = await _locked_registrations(session, event.id)
    no_shows = [r for r in registrations if r.status is RegistrationStatus.booked]
    for registration in no_shows:
        _set_status(registration, RegistrationStatus.no_show, actor_id)
    units = await _release_event_reservations(session, actor_id, event, registrations)
    event.status = TRANSITIONS["close"][1]
    event.closed_at = utcnow()
    await session.flush()
    await record(
        session,
        actor_id=actor_id,
        action="pantry_event.close",
        entity="pantry_event",
        entity_id=event_id,
        details={
            "marked_no_show": len(no_shows),
            "no_shows": sum(1 for r in registrations if r.status is RegistrationStatus.no_show),
            "checked_in": sum(1 for r in registrations if r.status is RegistrationStatus.checked_in),
            "units_released": units,
        },
    )
    return event
