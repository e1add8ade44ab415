"""Households booked on a pantry day: booking into a slot, cancelling, marking a no-show."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.audit.services import record
from foodbank.distributions import services as distributions
from foodbank.distributions.errors import HouseholdAnonymised
from foodbank.households import queries as household_queries
from foodbank.lib.access import Principal
from foodbank.lib.db import add_unique
from foodbank.lib.messages import N_, Label, Message, alternatives
from foodbank.models import (
    PantryRegistration,
    RegistrationStatus,
)
from foodbank.pantry.errors import (
    AlreadyRegistered,
    RegistrationStatusConflict,
    SlotFull,
)
from foodbank.pantry.services.rows import (
    _event,
    _locked_registration,
    _locked_reservations,
    _locked_slot,
    _release_reservations,
    _set_status,
)
from foodbank.pantry.services.status import _require
from foodbank.referrals import queries as referral_queries


async def book(
    session: AsyncSession,
    *,
    actor: Principal,
    event_id: int,
    slot_id: int,
    household_id: int,
    people: int | None,
    referral_id: int | None,
) -> PantryRegistration:
    """Book a household into a slot. The slot's row lock makes concurrent bookings take turns for its
    last places; the CHECK on `booked` is the last guard."""
    event = await _event(session, event_id, lock="share")
    _require(event, "book")
    household = await household_queries.get_visible(session, actor, household_id)
    HouseholdAnonymised.refuse(household)
    if referral_id is not None:
        referral = await referral_queries.get_visible(session, actor, referral_id)
        distributions.check_referral(referral, household, event.event_date)
    slot = await _locked_slot(session, event, slot_id)
    if slot.booked >= slot.capacity:
        others = [
            {"slot_id": s.id, "start_time": s.start_time.isoformat(timespec="minutes"), "places_left": s.places_left}
            for s in event.slots
            if s.id != slot_id and s.places_left > 0
        ]
        start, capacity = slot.start_time.isoformat(timespec="minutes"), slot.capacity
        raise SlotFull(
            Message(
                "The %(time)s slot is full (%(capacity)s households). Other slots still have places.",
                time=start,
                capacity=capacity,
            )
            if others
            else Message(
                "The %(time)s slot is full (%(capacity)s households). The whole day is full.",
                time=start,
                capacity=capacity,
            ),
            slot_id=slot_id,
            capacity=slot.capacity,
            other_slots=others,
        )
    registration = PantryRegistration(
        event_id=event.id,
        slot_id=slot.id,
        household_id=household.id,
        referral_id=referral_id,
        people=household.size if people is None else people,
        registered_by_id=actor.id,
    )
    await add_unique(
        session,
        registration,
        {
            "uq_pantry_registration_event_id_household_id_active": AlreadyRegistered(
                Message(
                    "%(code)s is already registered for pantry day %(event)s; cancel that registration to book "
                    "another slot.",
                    code=household.code,
                    event=event.id,
                ),
                household_id=household.id,
            )
        },
    )
    slot.booked += 1
    await session.flush()
    await record(
        session,
        actor_id=actor.id,
        action="pantry_registration.create",
        entity="pantry_registration",
        entity_id=registration.id,
        details={"event_id": event.id, "slot_id": slot.id, "household_id": household.id, "referral_id": referral_id},
    )
    return registration


_DOING = {
    "cancelled": N_("cancelled"),
    "checked in": N_("checked in"),
    "marked as a no-show": N_("marked as a no-show"),
}


def _require_registration(registration: PantryRegistration, *allowed: RegistrationStatus, doing: str) -> None:
    if registration.status not in allowed:
        raise RegistrationStatusConflict(
            Message(
                "Registration %(id)s is %(status)s; only a %(allowed)s one can be %(doing)s.",
                id=registration.id,
                status=Label("registration", registration.status),
                allowed=alternatives([Label("registration", s) for s in allowed]),
                doing=Message(_DOING[doing]),
            ),
            registration_id=registration.id,
            current_status=registration.status.value,
        )


async def cancel_registration(
    session: AsyncSession, *, actor: Principal, event_id: int, registration_id: int
) -> PantryRegistration:
    """The household will not come: its place is freed and its parcel's stock goes back at once."""
    event = await _event(session, event_id, lock="share")
    _require(event, "cancel_registration")
    registration = await _locked_registration(session, actor, event, registration_id)
    _require_registration(registration, RegistrationStatus.booked, doing="cancelled")
    slot = await _locked_slot(session, event, registration.slot_id)
    slot.booked -= 1
    _set_status(registration, RegistrationStatus.cancelled, actor.id)
    units = await _release_reservations(session, actor.id, await _locked_reservations(session, [registration]))
    await session.flush()
    await record(
        session,
        actor_id=actor.id,
        action="pantry_registration.cancel",
        entity="pantry_registration",
        entity_id=registration_id,
        details={"event_id": event_id, "units_released": units},
    )
    return registration


async def mark_no_show(
    session: AsyncSession, *, actor: Principal, event_id: int, registration_id: int
) -> PantryRegistration:
    """Recorded during the day; the parcel stays reserved until closing, in case the household comes late."""
    event = await _event(session, event_id, lock="share")
    _require(event, "no_show")
    registration = await _locked_registration(session, actor, event, registration_id)
    _require_registration(registration, RegistrationStatus.booked, doing="marked as a no-show")
    _set_status(registration, RegistrationStatus.no_show, actor.id)
    await session.flush()
    await record(
        session,
        actor_id=actor.id,
        action="pantry_registration.no_show",
        entity="pantry_registration",
        entity_id=registration_id,
        details={"event_id": event_id},
    )
    return registration
