"""Use cases of pantry days, a module per job: `planning` (venues and parcel templates; days, their
slots and their status), `registrations` (booking, cancelling, no-shows), `allocation` (the stock for
the day), `day` (check-in, walk-ins, closing); beneath them `status` (what may happen in which status)
and `rows` (the rows they lock and read). Callers import this package: `from foodbank.pantry import
services`, then `services.book(...)`.

Locks are taken in one order: the event row first, FOR UPDATE by what changes the day as a whole
(allocation, status changes, closing) and FOR SHARE by what works inside it (bookings, cancellations,
check-ins, walk-ins), so that these never run during an allocation or a closing; then a registration;
then a slot; then reservations and lots in ascending id order. A check-in continues in the order of
`distributions.services.hand_out` (household, referral, reservation, lots). Nothing here commits.

Stock is reserved per registration (purpose `pantry_event`, ref `pantry:<event>:<household code>`)
and once for the walk-in buffer (`pantry:<event>:walk-in`); see `allocate` for the rules.
"""

from __future__ import annotations

from foodbank.pantry.services.allocation import Allocated, allocate
from foodbank.pantry.services.day import CheckedIn, WalkIn, check_in, close, record_walk_in
from foodbank.pantry.services.planning import (
    EventChanges,
    NewEvent,
    NewTemplate,
    Slot,
    TemplateLine,
    add_slot,
    change_status,
    create_event,
    create_template,
    create_venue,
    restore_template,
    retire_template,
    set_slot_capacity,
    update_event,
)
from foodbank.pantry.services.registrations import book, cancel_registration, mark_no_show
from foodbank.pantry.services.status import ACTIVITIES, REGISTERED, TRANSITIONS

__all__ = [
    "ACTIVITIES",
    "REGISTERED",
    "TRANSITIONS",
    "Allocated",
    "CheckedIn",
    "EventChanges",
    "NewEvent",
    "NewTemplate",
    "Slot",
    "TemplateLine",
    "WalkIn",
    "add_slot",
    "allocate",
    "book",
    "cancel_registration",
    "change_status",
    "check_in",
    "close",
    "create_event",
    "create_template",
    "create_venue",
    "mark_no_show",
    "record_walk_in",
    "restore_template",
    "retire_template",
    "set_slot_capacity",
    "update_event",
]
