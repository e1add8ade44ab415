"""Use cases of pantry days: venues and parcel templates; events, their slots and their status;
registrations; the allocation of stock for the day; check-in, walk-ins and no-shows; closing.

Locks are taken in one order: the event row first, FOR UPDATE by what changes the day as a whole
(allocation, status changes, closing) and FOR SHARE by what works inside it (bookings, cancellations,
check-ins, walk-ins), so that these never run during an allocation or a closing; then a registration;
then a slot; then reservations and lots in ascending id order. A check-in continues in the order of
`distributions.services.hand_out` (household, referral, reservation, lots). Nothing here commits.

Stock is reserved per registration (purpose `pantry_event`, ref `pantry:<event>:<household code>`)
and once for the walk-in buffer (`pantry:<event>:walk-in`); see `allocate` for the rules.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, time
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from foodbank.audit.services import record
from foodbank.catalogue.errors import DuplicateCode
from foodbank.config import StockSettings
from foodbank.distributions import services as distributions
from foodbank.distributions.errors import HouseholdAnonymised
from foodbank.households import queries as household_queries
from foodbank.lib.access import Principal
from foodbank.lib.clock import utcnow
from foodbank.lib.db import add_unique
from foodbank.lib.errors import FieldError, InvalidInput
from foodbank.lib.messages import N_, Clauses, Label, Message, alternatives
from foodbank.models import (
    Category,
    Channel,
    Distribution,
    HandOutChannel,
    Household,
    Item,
    Lot,
    MovementKind,
    Municipality,
    PantryEvent,
    PantryEventStatus,
    PantryEventTemplate,
    PantryRegistration,
    PantrySlot,
    PantryVenue,
    ParcelTemplate,
    ParcelTemplateLine,
    RegistrationStatus,
    Reservation,
    ReservationLine,
    ReservationPurpose,
    ReservationStatus,
)
from foodbank.pantry import rules
from foodbank.pantry.errors import (
    AlreadyRegistered,
    CapacityBelowBookings,
    EventNotFound,
    EventStatusConflict,
    NoParcel,
    NoTemplate,
    RegistrationNotFound,
    RegistrationStatusConflict,
    SlotFull,
    SlotNotFound,
    TemplateNotFound,
    TemplateStatusConflict,
    UnusualDate,
    VenueNotFound,
    WalkInBufferEmpty,
)
from foodbank.picking import fefo, parcels
from foodbank.picking.fefo import LotStatus
from foodbank.referrals import queries as referral_queries
from foodbank.stock import ledger
from foodbank.stock import services as stock
from foodbank.stock.errors import InsufficientStock

S = PantryEventStatus

# What may happen in which status. Transitions move the event; the other actions work inside it.
TRANSITIONS: Mapping[str, tuple[frozenset[PantryEventStatus], PantryEventStatus]] = {
    "open": (frozenset({S.planned}), S.open),
    "allocate": (frozenset({S.open, S.allocated}), S.allocated),
    "start": (frozenset({S.allocated}), S.in_progress),
    "close": (frozenset({S.in_progress}), S.closed),
    "cancel": (frozenset({S.planned, S.open, S.allocated}), S.cancelled),
}
ACTIVITIES: Mapping[str, frozenset[PantryEventStatus]] = {
    "change": frozenset({S.planned, S.open, S.allocated}),
    "change_date": frozenset({S.planned, S.open}),
    "book": frozenset({S.open, S.allocated}),
    "cancel_registration": frozenset({S.open, S.allocated, S.in_progress}),
    "check_in": frozenset({S.in_progress}),
    "walk_in": frozenset({S.in_progress}),
    "no_show": frozenset({S.in_progress}),
}
_IN_WORDS = {
    "open": N_("registrations can be opened"),
    "allocate": N_("stock can be allocated"),
    "start": N_("the day can start"),
    "close": N_("the day can be closed"),
    "cancel": N_("it can be cancelled"),
    "change": N_("its plan can change"),
    "change_date": N_("its date can change"),
    "book": N_("households can register"),
    "cancel_registration": N_("registrations can be cancelled"),
    "check_in": N_("households can check in"),
    "walk_in": N_("walk-ins can be served"),
    "no_show": N_("no-shows can be marked"),
}
_NEXT_STEP = {
    S.planned: N_("Open registrations first."),
    S.open: N_("Allocate the stock first."),
    S.allocated: N_("Start the day first."),
}
_FINAL = {S.closed: N_("The day is over."), S.cancelled: N_("The day was cancelled.")}
_WHY = {"change_date": N_("The stock was allocated for the planned date; cancel this day and plan another.")}
_ORDER = [S.planned, S.open, S.allocated, S.in_progress, S.closed]

REGISTERED = (RegistrationStatus.booked, RegistrationStatus.checked_in, RegistrationStatus.no_show)
"""Registrations that hold a place in their slot."""


def _require(event: PantryEvent, action: str) -> None:
    """Refuse (409) what the event's status does not allow, saying when it would be allowed and, when
    the day has not got there yet, what to do first."""
    allowed = TRANSITIONS[action][0] if action in TRANSITIONS else ACTIVITIES[action]
    if event.status in allowed:
        return
    names = [s.value for s in _ORDER if s in allowed]
    when = alternatives([Label("pantry", name) for name in names])
    hint = _FINAL.get(event.status, "")
    if not hint and _ORDER.index(event.status) < min(_ORDER.index(s) for s in allowed):
        hint = _NEXT_STEP.get(event.status, "")
    hint = hint or _WHY.get(action, "")
    status, doing = Label("pantry", event.status), Message(_IN_WORDS[action])
    raise EventStatusConflict(
        Message(
            "Pantry day %(id)s is %(status)s: %(doing)s only when it is %(when)s. %(hint)s",
            id=event.id,
            status=status,
            doing=doing,
            when=when,
            hint=Message(hint),
        )
        if hint
        else Message(
            "Pantry day %(id)s is %(status)s: %(doing)s only when it is %(when)s.",
            id=event.id,
            status=status,
            doing=doing,
            when=when,
        ),
        event_id=event.id,
        current_status=event.status.value,
        action=action,
        allowed_from=names,
    )


_ODD = {
    rules.Oddity.past: N_("it is %(days)s days ago"),
    rules.Oddity.far_ahead: N_("it is %(days)s days ahead"),
    rules.Oddity.not_today: N_("it is planned for %(date)s, not today"),
    rules.Oddity.before_the_day: N_("it is planned for %(date)s, %(days)s days from now, and has not taken place"),
}
_CONFIRM = {"plan": N_("plan"), "move": N_("move"), "start": N_("start"), "close": N_("close")}


def _confirmed(check: rules.DateCheck, *, confirm: bool, action: str, event_id: int | None = None) -> None:
    """Refuse (409 UnusualDate) what is odd about the day's date for `action`, unless confirmed."""
    if not check or confirm:
        return
    days = abs(check.days_from_today)
    why = Clauses(Message(_ODD[o], days=days, date=check.event_date) for o in check.oddities)
    raise UnusualDate(
        Message(
            "The pantry day of %(date)s: %(why)s. Confirm to %(action)s it anyway (confirm=true).",
            date=check.event_date,
            why=why,
            action=Message(_CONFIRM[action]),
        ),
        event_id=event_id,
        event_date=check.event_date.isoformat(),
        today=check.today.isoformat(),
        days_from_today=check.days_from_today,
        reasons=[o.value for o in check.oddities],
        action=action,
    )


# --- venues and templates --------------------------------------------------------------------------


async def create_venue(
    session: AsyncSession, *, actor_id: int | None, name: str, address: str, municipality: Municipality
) -> PantryVenue:
    venue = PantryVenue(name=name, address=address, municipality=municipality)
    await add_unique(
        session,
        venue,
        {"uq_pantry_venue_name": DuplicateCode(Message("A venue named %(name)s exists.", name=repr(name)))},
    )
    await record(session, actor_id=actor_id, action="pantry_venue.create", entity="pantry_venue", entity_id=venue.id)
    return venue


async def create_template(
    session: AsyncSession,
    *,
    actor_id: int | None,
    name: str,
    min_people: int,
    max_people: int,
    ready_to_eat_only: bool,
    note: str | None,
    lines: Sequence[Mapping[str, int]],
) -> ParcelTemplate:
    item_ids = {line["item_id"] for line in lines if "item_id" in line}
    category_ids = {line["category_id"] for line in lines if "category_id" in line}
    items = set((await session.scalars(select(Item.id).where(Item.id.in_(item_ids)))).all())
    categories = set((await session.scalars(select(Category.id).where(Category.id.in_(category_ids)))).all())
    errors: list[FieldError] = []
    for n, line in enumerate(lines):
        if "item_id" in line and line["item_id"] not in items:
            message = Message("There is no item with id %(id)s.", id=line["item_id"])
            errors.append({"field": f"lines.{n}.item_id", "message": message})
        if "category_id" in line and line["category_id"] not in categories:
            message = Message("There is no category with id %(id)s.", id=line["category_id"])
            errors.append({"field": f"lines.{n}.category_id", "message": message})
    if errors:
        raise InvalidInput(Message("The template was not saved: fix the lines listed in errors."), errors=errors)
    template = ParcelTemplate(
        name=name,
        min_people=min_people,
        max_people=max_people,
        ready_to_eat_only=ready_to_eat_only,
        note=note,
        created_by_id=actor_id,
        lines=[
            ParcelTemplateLine(
                item_id=line.get("item_id"), category_id=line.get("category_id"), quantity=line["quantity"]
            )
            for line in lines
        ],
    )
    await add_unique(
        session,
        template,
        {
            "uq_parcel_template_name": DuplicateCode(
                Message("A parcel template named %(name)s exists.", name=repr(name))
            )
        },
    )
    await record(
        session,
        actor_id=actor_id,
        action="parcel_template.create",
        entity="parcel_template",
        entity_id=template.id,
        details={"lines": len(lines), "min_people": min_people, "max_people": max_people},
    )
    return template


async def _locked_template(session: AsyncSession, template_id: int) -> ParcelTemplate:
    stmt = (
        select(ParcelTemplate)
        .where(ParcelTemplate.id == template_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    template: ParcelTemplate | None = await session.scalar(stmt)
    if template is None:
        raise TemplateNotFound(Message("There is no parcel template with id %(id)s.", id=template_id))
    return template


async def retire_template(session: AsyncSession, *, actor_id: int | None, template_id: int) -> ParcelTemplate:
    """No longer offered for new pantry days; the days that use it keep it (it is never deleted)."""
    return await _set_retired(session, actor_id=actor_id, template_id=template_id, retired=True)


async def restore_template(session: AsyncSession, *, actor_id: int | None, template_id: int) -> ParcelTemplate:
    """Offered again for new pantry days (overlaps are checked when a day's plan chooses it)."""
    return await _set_retired(session, actor_id=actor_id, template_id=template_id, retired=False)


async def _set_retired(
    session: AsyncSession, *, actor_id: int | None, template_id: int, retired: bool
) -> ParcelTemplate:
    template = await _locked_template(session, template_id)
    if (template.retired_at is not None) == retired:
        raise TemplateStatusConflict(
            Message('Parcel template "%(name)s" is already retired.', name=template.name)
            if retired
            else Message('Parcel template "%(name)s" is in use, not retired.', name=template.name)
        )
    template.retired_at = utcnow() if retired else None
    await session.flush()
    action = "parcel_template.retire" if retired else "parcel_template.restore"
    await record(session, actor_id=actor_id, action=action, entity="parcel_template", entity_id=template_id)
    return template


async def _templates(session: AsyncSession, template_ids: Iterable[int]) -> list[ParcelTemplate]:
    ids = sorted(set(template_ids))
    found = (await session.scalars(select(ParcelTemplate).where(ParcelTemplate.id.in_(ids)))).all()
    return sorted(found, key=lambda t: t.id)


async def _checked_templates(
    session: AsyncSession, template_ids: Sequence[int], *, kept: Iterable[int] = ()
) -> list[int]:
    """The templates exist, are not retired (unless `kept`: the day already uses them) and, among those
    of one kind, no household size fits two of them."""
    templates = await _templates(session, template_ids)
    unknown = sorted(set(template_ids) - {t.id for t in templates})
    if unknown:
        raise InvalidInput(
            Message("Unknown parcel templates: %(ids)s.", ids=unknown),
            errors=[
                {"field": "template_ids", "message": Message("There is no parcel template with id %(id)s.", id=i)}
                for i in unknown
            ],
        )
    kept_ids = set(kept)
    retired = [t for t in templates if t.retired_at is not None and t.id not in kept_ids]
    if retired:
        raise InvalidInput(
            Message(
                "Retired parcel templates cannot be chosen: %(names)s. Choose others, or use them again first.",
                names=[f'"{t.name}"' for t in retired],
            ),
            errors=[
                {"field": "template_ids", "message": Message('Template "%(name)s" is retired.', name=t.name)}
                for t in retired
            ],
        )
    overlaps = parcels.overlapping_bands(templates)
    if overlaps:
        named = {t.id: f'"{t.name}" ({t.min_people}-{t.max_people})' for t in templates}
        pairs = [Message("%(first)s and %(second)s", first=named[a], second=named[b]) for a, b in overlaps]
        raise InvalidInput(
            Message(
                "Two templates of one kind cover the same household size: %(pairs)s. Keep one per size (and one "
                "ready-to-eat one per size, if any).",
                pairs=pairs,
            ),
            errors=[
                {
                    "field": "template_ids",
                    "message": Message("Templates %(first)s and %(second)s overlap.", first=named[a], second=named[b]),
                }
                for a, b in overlaps
            ],
        )
    return sorted({t.id for t in templates})


# --- events and slots ------------------------------------------------------------------------------


async def _event(session: AsyncSession, event_id: int, *, lock: str | None = None) -> PantryEvent:
    """The event; `lock` "update" or "share" takes its row lock (always the first lock of a use case)."""
    stmt = select(PantryEvent).where(PantryEvent.id == event_id).execution_options(populate_existing=True)
    if lock is not None:
        stmt = stmt.with_for_update(of=PantryEvent, read=lock == "share")
    event: PantryEvent | None = await session.scalar(stmt)
    if event is None:
        raise EventNotFound(Message("There is no pantry day with id %(id)s.", id=event_id))
    return event


async def _check_venue(session: AsyncSession, venue_id: int) -> None:
    if await session.get(PantryVenue, venue_id) is None:
        raise VenueNotFound(Message("There is no venue with id %(id)s.", id=venue_id))


def _check_slot_times(slots: Sequence[Mapping[str, Any]], existing: Iterable[time] = ()) -> None:
    seen = set(existing)
    errors: list[FieldError] = []
    for n, slot in enumerate(slots):
        if slot["start_time"] in seen:
            errors.append(
                {"field": f"slots.{n}.start_time", "message": Message("Another slot starts at the same time.")}
            )
        seen.add(slot["start_time"])
    if errors:
        raise InvalidInput(Message("Each slot of a day starts at its own time."), errors=errors)


async def create_event(
    session: AsyncSession, *, actor_id: int | None, data: Mapping[str, Any], today: date, confirm: bool = False
) -> PantryEvent:
    """Plan a day; one in the past or far ahead only when confirmed (`rules.check_planned_date`)."""
    _confirmed(rules.check_planned_date(data["event_date"], today), confirm=confirm, action="plan")
    await _check_venue(session, data["venue_id"])
    _check_slot_times(data["slots"])
    template_ids = await _checked_templates(session, data["template_ids"])
    event = PantryEvent(
        venue_id=data["venue_id"],
        event_date=data["event_date"],
        expected_walk_in_people=data["expected_walk_in_people"],
        walk_in_household_size=data["walk_in_household_size"],
        note=data["note"],
        created_by_id=actor_id,
        slots=[PantrySlot(booked=0, **slot) for slot in data["slots"]],
        template_links=[PantryEventTemplate(template_id=t) for t in template_ids],
    )
    session.add(event)
    await session.flush()
    await record(
        session,
        actor_id=actor_id,
        action="pantry_event.create",
        entity="pantry_event",
        entity_id=event.id,
        details={"venue_id": event.venue_id, "slots": len(data["slots"]), "templates": len(template_ids)},
    )
    return event


async def update_event(
    session: AsyncSession,
    *,
    actor_id: int | None,
    event_id: int,
    changes: Mapping[str, Any],
    today: date,
    confirm: bool = False,
) -> PantryEvent:
    """Change the plan. After an allocation, changes take effect when the stock is allocated again. A new
    date in the past or far ahead only when confirmed."""
    event = await _event(session, event_id, lock="update")
    _require(event, "change")
    if "event_date" in changes and changes["event_date"] != event.event_date:
        _require(event, "change_date")
        check = rules.check_planned_date(changes["event_date"], today)
        _confirmed(check, confirm=confirm, action="move", event_id=event_id)
    if "venue_id" in changes:
        await _check_venue(session, changes["venue_id"])
    if "template_ids" in changes:
        template_ids = await _checked_templates(session, changes["template_ids"], kept=event.template_ids)
        event.template_links = [PantryEventTemplate(template_id=t) for t in template_ids]
    for name in ("venue_id", "event_date", "expected_walk_in_people", "walk_in_household_size", "note"):
        if name in changes:
            setattr(event, name, changes[name])
    await session.flush()
    await record(
        session,
        actor_id=actor_id,
        action="pantry_event.update",
        entity="pantry_event",
        entity_id=event_id,
        details={"fields": sorted(changes)},
    )
    return await _event(session, event_id)


async def add_slot(
    session: AsyncSession, *, actor_id: int | None, event_id: int, slot: Mapping[str, Any]
) -> PantryEvent:
    event = await _event(session, event_id, lock="update")
    _require(event, "change")
    _check_slot_times([slot], (s.start_time for s in event.slots))
    session.add(PantrySlot(event_id=event.id, booked=0, **slot))
    await session.flush()
    await record(session, actor_id=actor_id, action="pantry_event.add_slot", entity="pantry_event", entity_id=event_id)
    return await _event(session, event_id)


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


async def set_slot_capacity(
    session: AsyncSession, *, actor_id: int | None, event_id: int, slot_id: int, capacity: int
) -> PantryEvent:
    event = await _event(session, event_id, lock="share")
    _require(event, "change")
    slot = await _locked_slot(session, event, slot_id)
    if capacity < slot.booked:
        raise CapacityBelowBookings(
            Message(
                "%(booked)s households are booked into this slot; the capacity cannot go below that. Cancel "
                "registrations or move households to another slot first.",
                booked=slot.booked,
            ),
            slot_id=slot_id,
            booked=slot.booked,
            capacity=capacity,
        )
    slot.capacity = capacity
    await session.flush()
    await record(
        session,
        actor_id=actor_id,
        action="pantry_slot.capacity",
        entity="pantry_slot",
        entity_id=slot_id,
        details={"event_id": event_id, "capacity": capacity},
    )
    return await _event(session, event_id)


async def change_status(
    session: AsyncSession, *, actor_id: int | None, event_id: int, action: str, today: date, confirm: bool = False
) -> PantryEvent:
    """open, start and cancel (allocate and close have their own use cases, which end with a transition).
    Starting a day on another day than its own only when confirmed."""
    event = await _event(session, event_id, lock="update")
    _require(event, action)
    if action == "start":
        _confirmed(rules.check_start(event.event_date, today), confirm=confirm, action="start", event_id=event_id)
    released = 0
    if action == "cancel":
        released = await _cancel_registrations(session, actor_id, event)
    previous = event.status
    event.status = TRANSITIONS[action][1]
    await session.flush()
    await record(
        session,
        actor_id=actor_id,
        action=f"pantry_event.{action}",
        entity="pantry_event",
        entity_id=event_id,
        details={"from": previous.value, "to": event.status.value, "units_released": released},
    )
    return event


async def _cancel_registrations(session: AsyncSession, actor_id: int | None, event: PantryEvent) -> int:
    """The event is cancelled: so are its bookings, and their stock goes back."""
    registrations = await _locked_registrations(session, event.id)
    booked = [r for r in registrations if r.status is RegistrationStatus.booked]
    for registration in booked:
        _set_status(registration, RegistrationStatus.cancelled, actor_id)
    for slot in event.slots:
        slot.booked = 0
    units = await _release_event_reservations(session, actor_id, event, registrations)
    return units


# --- registrations ---------------------------------------------------------------------------------


def _set_status(registration: PantryRegistration, status: RegistrationStatus, actor_id: int | None) -> None:
    registration.status = status
    registration.status_changed_at = utcnow()
    registration.status_changed_by_id = actor_id


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
    if household.anonymised_at is not None:
        raise HouseholdAnonymised(
            Message(
                "Household %(id)s was anonymised after a long time without activity; register it again.",
                id=household_id,
            ),
            household_id=household_id,
        )
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
        channel=HandOutChannel.pantry,
        distributed_on=event.event_date,
        household_id=registration.household_id,
        referral_id=registration.referral_id,
        reservation_id=registration.reservation_id,
        people=registration.people if people is None else people,
        settings=settings,
        pantry_event_id=event.id,
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


# --- walk-ins --------------------------------------------------------------------------------------


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
        channel=HandOutChannel.pantry,
        distributed_on=event.event_date,
        lines=[{"lot_id": lot_id, "quantity": quantity} for lot_id, quantity in sorted(taken.items())],
        people=people,
        settings=settings,
        pantry_event_id=event.id,
        walk_in=True,
        part_of_reservation_id=buffer.id,
    )
    missing: list[dict[str, int | None]] = [
        {"item_id": s.item_id, "category_id": None, "missing": s.missing} for s in result.item_shortages
    ] + [{"item_id": None, "category_id": s.category_id, "missing": s.missing} for s in result.category_shortages]
    return WalkIn(distribution, event.id, parcels_wanted, missing)


# --- allocation ------------------------------------------------------------------------------------


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


async def _lock_pool(session: AsyncSession, item_ids: Iterable[int], also_lot_ids: Iterable[int]) -> list[Lot]:
    """Lock, in one pass in ascending id order, every lot with free units of the parcels' items (held
    and recalled ones too: the allocator leaves them, a shortage says they are there) and every lot the
    reservations about to be released hold (those may be fully reserved now)."""
    items, held = sorted(set(item_ids)), sorted(set(also_lot_ids))
    if not items and not held:
        return []
    stmt = (
        select(Lot)
        .where(
            or_(
                Lot.id.in_(held),
                and_(Lot.item_id.in_(items), Lot.on_hand > Lot.reserved),
            )
        )
        .order_by(Lot.id)
        .with_for_update(of=Lot)
        .options(selectinload(Lot.item).selectinload(Item.allergen_rows))
        .execution_options(populate_existing=True)
    )
    return list((await session.scalars(stmt)).unique().all())


@dataclass
class Allocated:
    event: PantryEvent
    registrations: int
    kept_picked: int
    without_parcel: list[int]
    walk_in_parcels: int
    reservations_created: int
    reservations_released: int
    units_reserved: int
    shortages: list[dict[str, Any]]

    @property
    def event_id(self) -> int:
        return self.event.id

    @property
    def status(self) -> PantryEventStatus:
        return self.event.status

    @property
    def complete(self) -> bool:
        return not self.shortages


async def allocate(
    session: AsyncSession, *, actor_id: int | None, event_id: int, allow_partial: bool, settings: StockSettings
) -> Allocated:
    """Reserve the day's parcels, in one transaction: every open reservation of the event is released
    and the parcels are reserved again from one locked pool of lots.

    - Each booked household gets the template of its size (`parcels.choose_template`), without its
      avoided allergens (`Household.avoided_allergens`), as one reservation.
    - The walk-in buffer is `ceil(expected walk-in people / typical walk-in household size)` parcels of
      the ordinary template for the typical size, as one reservation, filled after every household.
    - Households are served in slot order, then in order of registration, so that when stock runs
      short it is the last to book who miss out, and walk-ins after them.
    - Every lot must be usable on the event date with the pantry channel's minimum days.
    - A parcel already picked (through the stock API) is kept as it is.

    Shortages are reported by item (or by category for category lines), with substitutes: other items
    of the category that still have stock usable on the day. With `allow_partial` false, a shortage
    refuses the allocation (409) and nothing changes.
    """
    event = await _event(session, event_id, lock="update")
    _require(event, "allocate")
    templates = await _templates(session, event.template_ids)
    if not templates:
        raise NoTemplate(
            Message(
                "Pantry day %(id)s has no parcel templates: choose them (template_ids) before allocating.", id=event_id
            ),
            sizes=[],
            registration_ids=[],
        )
    registrations = await _locked_registrations(session, event.id)
    booked = [r for r in registrations if r.status is RegistrationStatus.booked]
    households = {
        h.id: h
        for h in (
            await session.scalars(select(Household).where(Household.id.in_({r.household_id for r in booked})))
        ).all()
    }
    slot_start = {slot.id: slot.start_time for slot in event.slots}
    booked.sort(key=lambda r: (slot_start[r.slot_id], r.id))
    choice = {
        r.id: parcels.choose_template(templates, r.people, households[r.household_id].ready_to_eat_only) for r in booked
    }
    walk_in_count = parcels.walk_in_parcels(event.expected_walk_in_people, event.walk_in_household_size)
    walk_in_template = (
        parcels.choose_template(templates, event.walk_in_household_size, False) if walk_in_count else None
    )
    template_of = {r_id: template for r_id, template in choice.items() if template is not None}
    unfitted = sorted({r.people for r in booked if r.id not in template_of})
    if walk_in_count and walk_in_template is None:
        unfitted = sorted({*unfitted, event.walk_in_household_size})
    if unfitted:
        raise NoTemplate(
            Message(
                "No parcel template of pantry day %(id)s fits households of %(sizes)s people. Add a template for "
                "those sizes, then allocate again.",
                id=event_id,
                sizes=unfitted,
            ),
            sizes=unfitted,
            registration_ids=[r.id for r in booked if r.id not in template_of],
        )

    previous = await _locked_reservations(session, registrations, event.walk_in_reservation_id)
    picked = {r.id for r in previous if r.status is ReservationStatus.picked}
    to_fill = [r for r in booked if r.reservation_id not in picked]
    keep_buffer = event.walk_in_reservation_id in picked
    demands = [template_of[r.id].demand(households[r.household_id].avoided_allergens()) for r in to_fill]
    if walk_in_template is not None and not keep_buffer:
        demands.append(walk_in_template.demand().times(walk_in_count))
    wanted_items = {i for d in demands for i in d.items}
    wanted_categories = {c for d in demands for c in d.categories}
    if wanted_categories:
        wanted_items |= set(
            (await session.scalars(select(Item.id).where(Item.category_id.in_(wanted_categories)))).all()
        )
    still_open = [r for r in previous if r.status is ReservationStatus.open]
    pool = await _lock_pool(session, wanted_items, (line.lot_id for r in still_open for line in r.lines))
    released = len(still_open)
    await _release_reservations(session, actor_id, still_open)
    await session.flush()

    policy = await stock.policy_for(session, Channel.pantry, settings)
    candidates = [stock.candidate(lot) for lot in pool if lot.item_id in wanted_items]
    results = parcels.allocate_parcels(candidates, demands, event.event_date, policy)
    shortages = await _shortages(session, demands, results, candidates, event.event_date, policy)
    if shortages and not allow_partial:
        missing = [
            Message("%(name)s (missing %(missing)s)", name=s["item_name"] or s["category_name"], missing=s["missing"])
            for s in shortages
        ]
        raise InsufficientStock(
            Message(
                "Not enough usable stock for pantry day %(id)s: %(missing)s. Nothing was changed.",
                id=event_id,
                missing=missing,
            ),
            shortages=shortages,
        )

    lots = {lot.id: lot for lot in pool}
    created: list[int] = []
    without_parcel: list[int] = []
    for registration, result in zip(to_fill, results[: len(to_fill)], strict=True):
        household = households[registration.household_id]
        reservation = await _reserve(session, actor_id, event, f"pantry:{event.id}:{household.code}", result, lots)
        registration.reservation_id = reservation.id if reservation else None
        registration.template_id = template_of[registration.id].id
        if reservation is None:
            without_parcel.append(registration.id)
        else:
            created.append(reservation.id)
    if not keep_buffer:
        event.walk_in_parcels = walk_in_count
        event.walk_in_template_id = walk_in_template.id if walk_in_template else None
        event.walk_in_reservation_id = None
        if walk_in_template is not None:
            buffer = await _reserve(session, actor_id, event, f"pantry:{event.id}:walk-in", results[-1], lots)
            event.walk_in_reservation_id = buffer.id if buffer else None
            created.extend([buffer.id] if buffer else [])
    event.status = TRANSITIONS["allocate"][1]
    event.allocated_at = utcnow()
    await session.flush()
    units = sum(result.units for result in results)
    await record(
        session,
        actor_id=actor_id,
        action="pantry_event.allocate",
        entity="pantry_event",
        entity_id=event_id,
        details={
            "registrations": len(to_fill),
            "kept_picked": len(booked) - len(to_fill),
            "walk_in_parcels": event.walk_in_parcels,
            "reservations_created": created,
            "reservations_released": released,
            "units": units,
            "short_lines": len(shortages),
        },
    )
    return Allocated(
        event=event,
        registrations=len(to_fill) - len(without_parcel),
        kept_picked=len(booked) - len(to_fill),
        without_parcel=without_parcel,
        walk_in_parcels=event.walk_in_parcels,
        reservations_created=len(created),
        reservations_released=released,
        units_reserved=units,
        shortages=shortages,
    )


async def _reserve(
    session: AsyncSession,
    actor_id: int | None,
    event: PantryEvent,
    purpose_ref: str,
    result: parcels.ParcelResult,
    lots: Mapping[int, Lot],
) -> Reservation | None:
    """One reservation for one parcel (or the buffer): a line per lot, and its ledger rows."""
    quantities: dict[int, int] = defaultdict(int)
    for allocation in result.allocations:
        quantities[allocation.lot_id] += allocation.quantity
    if not quantities:
        return None
    reservation = Reservation(
        purpose=ReservationPurpose.pantry_event,
        purpose_ref=purpose_ref,
        channel=Channel.pantry,
        distribution_date=event.event_date,
        created_by_id=actor_id,
    )
    session.add(reservation)
    await session.flush()
    for lot_id, quantity in sorted(quantities.items()):
        lot = lots[lot_id]
        session.add(
            ReservationLine(reservation_id=reservation.id, lot_id=lot_id, item_id=lot.item_id, quantity=quantity)
        )
        ledger.post(
            session,
            lot,
            MovementKind.reservation,
            reserved_delta=quantity,
            actor_id=actor_id,
            reservation_id=reservation.id,
        )
    return reservation


async def _shortages(
    session: AsyncSession,
    demands: Sequence[parcels.ParcelDemand],
    results: Sequence[parcels.ParcelResult],
    candidates: Sequence[fefo.CandidateLot],
    on_date: date,
    policy: fefo.Policy,
) -> list[dict[str, Any]]:
    """Shortages added up over the parcels: by item, or by category for category lines, with the free
    units left on the shelves that could not be used (`unusable`, by reason: on hold, recalled, use-by
    passed, best-before too close...; `allergen` when a household short of it avoids something the lots
    hold, which `avoided` names). An item short gets substitutes: the other items of its category with
    units free once the parcels are reserved and usable on the day by every household short of it."""
    by_item: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    by_category: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    # What the households short of a line avoid, all together: what is offered must suit each of them.
    avoid: dict[tuple[str, int], frozenset[str]] = defaultdict(frozenset)
    for demand, result in zip(demands, results, strict=True):
        lines: list[tuple[tuple[str, int], list[int], int, int]] = [
            *((("item", s.item_id), by_item[s.item_id], s.requested, s.allocated) for s in result.item_shortages),
            *(
                (("category", c.category_id), by_category[c.category_id], c.requested, c.allocated)
                for c in result.category_shortages
            ),
        ]
        for key, totals, requested, allocated in lines:
            totals[0], totals[1], totals[2] = totals[0] + requested, totals[1] + allocated, totals[2] + 1
            avoid[key] |= demand.avoid
    if not by_item and not by_category:
        return []
    taken: dict[int, int] = defaultdict(int)
    for result in results:
        for allocation in result.allocations:
            taken[allocation.lot_id] += allocation.quantity
    left = [replace(lot, available=lot.available - taken[lot.lot_id]) for lot in candidates]
    items = {item.id: item for item in (await session.scalars(select(Item).where(Item.id.in_(by_item)))).all()}
    category_ids = set(by_category) | {item.category_id for item in items.values()}
    categories = {c.id: c for c in (await session.scalars(select(Category).where(Category.id.in_(category_ids)))).all()}
    in_categories, names = await _free_lots_of(session, {item.category_id for item in items.values()}, taken)

    def explained(key: tuple[str, int], lots: Iterable[fefo.CandidateLot]) -> dict[str, Any]:
        why = fefo.unusable(lots, on_date, policy, avoid[key])
        return {"unusable": dict(why.units), "avoided": sorted(why.avoided)}

    shortages: list[dict[str, Any]] = []
    for item_id, (requested, allocated, short_parcels) in sorted(by_item.items()):
        item = items[item_id]
        usable = fefo.usable_units(in_categories.get(item.category_id, []), on_date, policy, avoid["item", item_id])
        substitutes = [
            {"item_id": other_id, "item_name": names[other_id], "available": units}
            for other_id, units in sorted(usable.items(), key=lambda pair: (-pair[1], names[pair[0]]))
            if other_id != item_id
        ]
        shortages.append(
            {
                "item_id": item_id,
                "item_name": item.name_ja,
                "category_id": item.category_id,
                "category_name": categories[item.category_id].name_ja,
                "requested": requested,
                "allocated": allocated,
                "missing": requested - allocated,
                "parcels": short_parcels,
                **explained(("item", item_id), (lot for lot in left if lot.item_id == item_id)),
                "substitutes": substitutes,
            }
        )
    for category_id, (requested, allocated, short_parcels) in sorted(by_category.items()):
        shortages.append(
            {
                "item_id": None,
                "item_name": None,
                "category_id": category_id,
                "category_name": categories[category_id].name_ja,
                "requested": requested,
                "allocated": allocated,
                "missing": requested - allocated,
                "parcels": short_parcels,
                **explained(("category", category_id), (lot for lot in left if lot.category_id == category_id)),
                "substitutes": [],
            }
        )
    return shortages


async def _free_lots_of(
    session: AsyncSession, category_ids: set[int], taken: Mapping[int, int]
) -> tuple[dict[int, list[fefo.CandidateLot]], dict[int, str]]:
    """Per category, its active lots with units free once `taken` (lot id -> units) is reserved, as the
    allocator sees them; and the names of their items."""
    if not category_ids:
        return {}, {}
    lots = (
        await session.scalars(
            select(Lot)
            .join(Item, Item.id == Lot.item_id)
            .where(Item.category_id.in_(category_ids), Lot.status == LotStatus.active, Lot.on_hand > Lot.reserved)
            .options(selectinload(Lot.item).selectinload(Item.allergen_rows))
        )
    ).all()
    by_category: dict[int, list[fefo.CandidateLot]] = defaultdict(list)
    for lot in lots:
        by_category[lot.item.category_id].append(
            replace(stock.candidate(lot), available=lot.available - taken.get(lot.id, 0))
        )
    return by_category, {lot.item_id: lot.item.name_ja for lot in lots}


# --- closing ---------------------------------------------------------------------------------------


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
