"""Planning pantry days: venues, parcel templates (retired, never deleted), days with their slots and
templates, and the day's status (opening registrations, starting, cancelling)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from foodbank.audit.services import record
from foodbank.catalogue.errors import DuplicateCode
from foodbank.lib.clock import utcnow
from foodbank.lib.db import add_unique
from foodbank.lib.errors import FieldError, InvalidInput
from foodbank.lib.messages import Message
from foodbank.models import (
    Category,
    Item,
    Municipality,
    PantryEvent,
    PantryEventTemplate,
    PantrySlot,
    PantryVenue,
    ParcelTemplate,
    ParcelTemplateLine,
    RegistrationStatus,
)
from foodbank.pantry import rules
from foodbank.pantry.errors import (
    CapacityBelowBookings,
    TemplateNotFound,
    TemplateStatusConflict,
    VenueNotFound,
)
from foodbank.pantry.services.rows import (
    _event,
    _locked_registrations,
    _locked_slot,
    _release_event_reservations,
    _set_status,
    _templates,
)
from foodbank.pantry.services.status import TRANSITIONS, _confirmed, _require
from foodbank.picking import parcels


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


async def create_template(session: AsyncSession, *, actor_id: int | None, template: NewTemplate) -> ParcelTemplate:
    lines = template.lines
    item_ids = {line.item_id for line in lines if line.item_id is not None}
    category_ids = {line.category_id for line in lines if line.category_id is not None}
    items = set((await session.scalars(select(Item.id).where(Item.id.in_(item_ids)))).all())
    categories = set((await session.scalars(select(Category.id).where(Category.id.in_(category_ids)))).all())
    errors: list[FieldError] = []
    for n, line in enumerate(lines):
        if line.item_id is not None and line.item_id not in items:
            message = Message("There is no item with id %(id)s.", id=line.item_id)
            errors.append({"field": f"lines.{n}.item_id", "message": message})
        if line.category_id is not None and line.category_id not in categories:
            message = Message("There is no category with id %(id)s.", id=line.category_id)
            errors.append({"field": f"lines.{n}.category_id", "message": message})
    if errors:
        raise InvalidInput(Message("The template was not saved: fix the lines listed in errors."), errors=errors)
    name = template.name
    created = ParcelTemplate(
        name=name,
        min_people=template.min_people,
        max_people=template.max_people,
        ready_to_eat_only=template.ready_to_eat_only,
        note=template.note,
        created_by_id=actor_id,
        lines=[
            ParcelTemplateLine(item_id=line.item_id, category_id=line.category_id, quantity=line.quantity)
            for line in lines
        ],
    )
    await add_unique(
        session,
        created,
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
        entity_id=created.id,
        details={"lines": len(lines), "min_people": template.min_people, "max_people": template.max_people},
    )
    return created


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


async def _check_venue(session: AsyncSession, venue_id: int) -> None:
    if await session.get(PantryVenue, venue_id) is None:
        raise VenueNotFound(Message("There is no venue with id %(id)s.", id=venue_id))


@dataclass(frozen=True)
class Slot:
    """A time slot of a day (`schemas.SlotIn`)."""

    start_time: time
    end_time: time
    capacity: int


@dataclass(frozen=True)
class TemplateLine:
    """A line of a parcel template (`schemas.TemplateLineIn`): an item, or any item of a category (FEFO)."""

    quantity: int
    item_id: int | None = None
    category_id: int | None = None


@dataclass(frozen=True)
class NewTemplate:
    """A parcel template as it is defined (`schemas.TemplateIn`): a household-size band and its lines."""

    name: str
    min_people: int
    max_people: int
    lines: tuple[TemplateLine, ...]
    ready_to_eat_only: bool = False
    note: str | None = None


@dataclass(frozen=True)
class NewEvent:
    """A pantry day as it is planned (`schemas.EventIn`)."""

    venue_id: int
    event_date: date
    slots: tuple[Slot, ...]
    expected_walk_in_people: int = 0
    walk_in_household_size: int = 3
    template_ids: tuple[int, ...] = ()
    note: str | None = None


@dataclass(frozen=True)
class EventChanges:
    """A change of plan (`schemas.EventUpdate`): only the fields named in `changed` change (a note may
    change to none)."""

    changed: frozenset[str]
    venue_id: int | None = None
    event_date: date | None = None
    expected_walk_in_people: int | None = None
    walk_in_household_size: int | None = None
    template_ids: tuple[int, ...] | None = None
    note: str | None = None

    @classmethod
    def of(cls, **given: Any) -> EventChanges:
        if "template_ids" in given:
            given["template_ids"] = tuple(given["template_ids"])
        return cls(changed=frozenset(given), **given)


def _check_slot_times(slots: Sequence[Slot], existing: Iterable[time] = ()) -> None:
    seen = set(existing)
    errors: list[FieldError] = []
    for n, slot in enumerate(slots):
        if slot.start_time in seen:
            errors.append(
                {"field": f"slots.{n}.start_time", "message": Message("Another slot starts at the same time.")}
            )
        seen.add(slot.start_time)
    if errors:
        raise InvalidInput(Message("Each slot of a day starts at its own time."), errors=errors)


async def create_event(
    session: AsyncSession, *, actor_id: int | None, plan: NewEvent, today: date, confirm: bool = False
) -> PantryEvent:
    """Plan a day; one in the past or far ahead only when confirmed (`rules.check_planned_date`)."""
    _confirmed(rules.check_planned_date(plan.event_date, today), confirm=confirm, action="plan")
    await _check_venue(session, plan.venue_id)
    _check_slot_times(plan.slots)
    template_ids = await _checked_templates(session, plan.template_ids)
    event = PantryEvent(
        venue_id=plan.venue_id,
        event_date=plan.event_date,
        expected_walk_in_people=plan.expected_walk_in_people,
        walk_in_household_size=plan.walk_in_household_size,
        note=plan.note,
        created_by_id=actor_id,
        slots=[PantrySlot(booked=0, **asdict(slot)) for slot in plan.slots],
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
        details={"venue_id": event.venue_id, "slots": len(plan.slots), "templates": len(template_ids)},
    )
    return event


async def update_event(
    session: AsyncSession,
    *,
    actor_id: int | None,
    event_id: int,
    changes: EventChanges,
    today: date,
    confirm: bool = False,
) -> PantryEvent:
    """Change the plan. After an allocation, changes take effect when the stock is allocated again. A new
    date in the past or far ahead only when confirmed."""
    event = await _event(session, event_id, lock="update")
    _require(event, "change")
    if changes.event_date is not None and changes.event_date != event.event_date:
        _require(event, "change_date")
        check = rules.check_planned_date(changes.event_date, today)
        _confirmed(check, confirm=confirm, action="move", event_id=event_id)
    if changes.venue_id is not None:
        await _check_venue(session, changes.venue_id)
    if changes.template_ids is not None:
        template_ids = await _checked_templates(session, changes.template_ids, kept=event.template_ids)
        event.template_links = [PantryEventTemplate(template_id=t) for t in template_ids]
    for name in ("venue_id", "event_date", "expected_walk_in_people", "walk_in_household_size", "note"):
        if name in changes.changed and (name == "note" or getattr(changes, name) is not None):
            setattr(event, name, getattr(changes, name))
    await session.flush()
    await record(
        session,
        actor_id=actor_id,
        action="pantry_event.update",
        entity="pantry_event",
        entity_id=event_id,
        details={"fields": sorted(changes.changed)},
    )
    return await _event(session, event_id)


async def add_slot(session: AsyncSession, *, actor_id: int | None, event_id: int, slot: Slot) -> PantryEvent:
    event = await _event(session, event_id, lock="update")
    _require(event, "change")
    _check_slot_times([slot], (s.start_time for s in event.slots))
    session.add(PantrySlot(event_id=event.id, booked=0, **asdict(slot)))
    await session.flush()
    await record(session, actor_id=actor_id, action="pantry_event.add_slot", entity="pantry_event", entity_id=event_id)
    return await _event(session, event_id)


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
